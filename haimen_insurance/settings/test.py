"""The test suite runs on PostgreSQL only; it refuses to start on anything else."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DATABASES, INSTALLED_APPS, env

SECRET_KEY = "test-key-not-secret-0123456789-abcdefghijklmnopqrstuvwxyz"
DEBUG = False
DATABASES["default"] = env.db_url(
    "TEST_DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/haimen_insurance"
)
DATABASES["default"]["CONN_MAX_AGE"] = 0
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured(
        "测试只在 PostgreSQL 上运行：TEST_DATABASE_URL 必须指向 PostgreSQL。"
    )

# Haimen's, whatever the environment says; the Ji'an tests set it themselves.
PROGRAMME = "haimen"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
AXES_ENABLED = True
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

# The suite's own flush between transactional tests (the audit trail refuses TRUNCATE otherwise);
# listed first so its command takes the place of Django's.
INSTALLED_APPS = ["tests.support", *INSTALLED_APPS]

# Jobs run inside the request that starts them; the fault tests switch to the database backend
# and a real `manage.py db_worker` (tests/haimen_insurance/test_jobs_worker.py).
TASKS = {
    "default": {
        "BACKEND": env(
            "DJANGO_TASKS_BACKEND", default="django_tasks.backends.immediate.ImmediateBackend"
        ),
        "QUEUES": ["default"],
    }
}

# A job worker started by a test shares the test's files through a folder of its own.
if env("DJANGO_TEST_MEDIA_ROOT", default=""):
    MEDIA_ROOT = env("DJANGO_TEST_MEDIA_ROOT")
    STORAGES["default"] = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
