"""The zero-setup demo: SQLite unless DATABASE_URL says otherwise.

Debug is off unless DJANGO_DEBUG=true, so the demo shows the same Chinese 404/403/500 pages users
see; static files are served by WhiteNoise from the source folders (no collectstatic), with debug
on or off."""

from .base import *  # noqa: F403
from .base import DATABASES, env

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="local-demo-key-not-for-production-use-0123456789")
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# SQLite (the demo) ignores the covering columns of the roster entries' index; PostgreSQL uses them.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The demo's server and its job worker share the file: with write-ahead logging a page reads
    # while a job writes, and the job's heartbeat waits for its own transaction instead of
    # deadlocking it. The heartbeat cannot be written while that transaction is open, so a job
    # counts as lost only after 15 minutes here.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = "PRAGMA journal_mode=WAL;"
    JOBS_STALE_SECONDS = env.int("DJANGO_JOB_STALE_SECONDS", default=900)
