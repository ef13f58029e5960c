"""Settings of the bare baseline (bench/bare): one app, PostgreSQL from DATABASE_URL."""

import os

import dj_database_url

SECRET_KEY = "bench-bare-baseline-only"  # noqa: S105 -- a local benchmark server, never deployed
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = ["bare"]
MIDDLEWARE: list[str] = []
ROOT_URLCONF = "bare.urls"
DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "Asia/Baku"
