"""Settings shared by every environment. The environment is read here and nowhere else."""

from datetime import timedelta
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env(
    DJANGO_DEBUG=(bool, False),
    DJANGO_ALLOWED_HOSTS=(list, ["127.0.0.1", "localhost"]),
    DJANGO_CSRF_TRUSTED_ORIGINS=(list, []),
    DJANGO_SESSION_AGE_HOURS=(int, 8),
    DJANGO_LOG_LEVEL=(str, "INFO"),
)

SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
DEBUG = env("DJANGO_DEBUG")
ALLOWED_HOSTS = env("DJANGO_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env("DJANGO_CSRF_TRUSTED_ORIGINS")

# The programme this installation serves (haimen_insurance/programmes.py): Haimen, or Ji'an
# (DJANGO_PROGRAMME=jian, `make run PROGRAMME=jian`), each demo in an SQLite file of its own.
PROGRAMME = env("DJANGO_PROGRAMME", default="haimen")
_DEMO_FILES = {"haimen": "db.sqlite3", "jian": "db-jian.sqlite3"}
if PROGRAMME not in _DEMO_FILES:
    raise ValueError(f"DJANGO_PROGRAMME must be one of {', '.join(_DEMO_FILES)}: {PROGRAMME!r}")

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / _DEMO_FILES[PROGRAMME]}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", 60)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tables2",
    "django_filters",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "haimen_insurance",
    "enrollment",
    "claims",
    "oversight",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "haimen_insurance.middleware.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "haimen_insurance.middleware.PasswordChangeRequiredMiddleware",
    "haimen_insurance.middleware.ControlCharacterMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "haimen_insurance.urls"
WSGI_APPLICATION = "haimen_insurance.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "haimen_insurance.context_processors.navigation",
                "haimen_insurance.context_processors.programme",
            ],
        },
    },
]

AUTH_USER_MODEL = "haimen_insurance.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "haimen_insurance.backends.UserAreaBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "haimen_insurance.passwords.ChineseMinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "haimen_insurance.passwords.DemoPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Failed logins: five failures for one username from one address lock that username from that
# address for 15 minutes; the same user working from their own office is not locked out.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True


def client_address(proxy_count: int) -> dict:
    """How the login lockout finds the client's address (django-ipware), behind ``proxy_count``
    reverse proxies. Each proxy appends the address it received the request from to
    X-Forwarded-For, so the client is the ``proxy_count``-th entry from the right; anything to
    its left was written by the client and is not believed. Without a proxy (the demo server)
    only the connection's own address counts."""
    if proxy_count <= 0:
        return {"AXES_IPWARE_META_PRECEDENCE_ORDER": ["REMOTE_ADDR"]}
    return {
        "AXES_IPWARE_META_PRECEDENCE_ORDER": ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"],
        "AXES_IPWARE_PROXY_ORDER": "left-most",
        # ipware counts the proxies named in the header, which leaves out the last one.
        "AXES_IPWARE_PROXY_COUNT": proxy_count - 1,
        # A header with more entries than proxies (the client's own) is read from the right.
        "IPWARE_STRICT": False,
    }


PROXY_COUNT = env.int("DJANGO_PROXY_COUNT", default=0)
globals().update(client_address(PROXY_COUNT))

SESSION_COOKIE_AGE = env("DJANGO_SESSION_AGE_HOURS") * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# No inline scripts or styles anywhere; everything is served from our own static files.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = env("DJANGO_MEDIA_ROOT", default=str(BASE_DIR / "media"))
MEDIA_URL = "media/"

DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5-responsive.html"
DJANGO_TABLES2_TABLE_ATTRS = {"class": "table table-sm table-hover align-middle"}

# Background jobs (haimen_insurance/jobs): Django's tasks API (the django-tasks backport until
# Django 6) on the database backend; `manage.py db_worker` runs them, as many workers as wanted,
# on any machine that reaches the database. Another backend (e.g. RQ) is a change of BACKEND.
TASKS = {
    "default": {
        "BACKEND": env("DJANGO_TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# Days a job's file (an export) is kept for download; a deferred sweep removes it then.
JOBS_RESULT_DAYS = env.int("DJANGO_JOB_RESULT_DAYS", default=7)
# A running job's worker writes its progress and a heartbeat this often; a job whose heartbeat
# is older than JOBS_STALE_SECONDS lost its worker (killed, machine restarted).
JOBS_HEARTBEAT_SECONDS = env.float("DJANGO_JOB_HEARTBEAT_SECONDS", default=2)
JOBS_STALE_SECONDS = env.int("DJANGO_JOB_STALE_SECONDS", default=60)
# Work this small answers within the request as before: a register file under this many bytes
# is checked at once, and an import or roll-over of fewer rows than this is written at once.
JOBS_IMMEDIATE_BYTES = 200_000
JOBS_IMMEDIATE_ROWS = 2_000

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL")},
    "loggers": {"axes": {"level": "WARNING"}},
}
