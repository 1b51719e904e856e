"""The dashboard's pages; :func:`dashboard.app.create_app` registers each one."""
