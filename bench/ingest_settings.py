"""Settings for the ingest benchmark's web server: the project's settings plus a
URL module with an authenticated no-op endpoint, so that production URLs carry
no benchmark-only surface."""

import runpy
from pathlib import Path

# Read config/settings.py as a file: importing it as a module would import the
# `config` package first, whose Celery app reads the settings being defined here.
globals().update(
    (name, value)
    for name, value in runpy.run_path(
        str(Path(__file__).resolve().parent.parent / "config" / "settings.py")
    ).items()
    if name.isupper()
)

ROOT_URLCONF = "bench.ingest_urls"
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
