"""The zero-setup demo: SQLite unless DATABASE_URL says otherwise.

Debug is off unless DJANGO_DEBUG=true, so the demo shows the same Chinese 404/403/500 pages users
see; static files are served by WhiteNoise from the source folders (no collectstatic), with debug
on or off."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="local-demo-key-not-for-production-use-0123456789")
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# SQLite (the demo) ignores the covering columns of the roster entries' index; PostgreSQL uses them.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
