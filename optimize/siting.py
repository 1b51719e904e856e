"""Siting placeholder."""
