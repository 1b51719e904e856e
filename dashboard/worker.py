"""The dashboard's Celery worker: ``celery -A dashboard.worker worker``.

With ``foodshed dashboard --celery-broker redis://...`` the Plan page's runs and the Compare
page's curve are solved by Celery workers, not by the web server. A worker builds the same app
as the server from the same settings, read from ``FOODSHED_*`` environment variables
(:meth:`dashboard.settings.Settings.from_env`; the command prints them when it starts), so it
knows the same callbacks, loads the same start region, and reads and writes the same shared
folder (``FOODSHED_CACHE_DIR``: the runs' tables and the folders behind session keys)::

    FOODSHED_CELERY_BROKER=redis://127.0.0.1:6379/0 FOODSHED_CACHE_DIR=/srv/foodshed/cache \\
    FOODSHED_UPLOAD_DIR=/srv/foodshed/uploads FOODSHED_REGION_PATH=/srv/regions/allegheny \\
    celery -A dashboard.worker worker --concurrency 2

The worker solves the start region's default plan once before it takes jobs, so its processes
start from a warm solver basis (docs/dashboard.md, Background runs).
"""

from __future__ import annotations

from equity import FoodshedError

from .app import create_app, seed_plans
from .app.background import MANAGER
from .app.state import DEFAULT_KEY
from .settings import Settings

settings = Settings.from_env()
if settings.runner != "celery":
    raise FoodshedError(
        "the Celery worker needs FOODSHED_CELERY_BROKER (the broker URL the dashboard was "
        "started with, e.g. redis://127.0.0.1:6379/0) and FOODSHED_CACHE_DIR (its shared folder)"
    )
dash_app = create_app(settings=settings)
#: the Celery app (``celery -A dashboard.worker`` finds it by this name)
celery = dash_app.server.config[MANAGER].handle
seed_plans(dash_app.server.config["FOODSHED_CATALOG"].region(DEFAULT_KEY))
