"""The benchmark databases: the setup scripts/bench_*.py and scripts/load_test.py share.

    import benchdb  # scripts/ is on the path of a script run from it

    with benchdb.database("haimen_bench_x", keep=options.keep):
        benchdb.setup("haimen_bench_x")  # Django in this process, on that database
        user = benchdb.user("bench_city", "city_officer")

Each benchmark works in a PostgreSQL database of its own on the server ``PGHOST`` / ``PGPORT``
(default 127.0.0.1:5432, user ``postgres`` without a password, as scripts/ensure_postgres.sh
sets it up): dropped first if it exists, created, migrated, and dropped at the end unless kept.
Django runs on ``haimen_insurance.settings.local`` with DEBUG off, in the script's own process
(``setup``) or in the subprocesses it starts (``env``). Users are made by ``user_create`` with a
password of our own (``PASSWORD``): a generated one would send them to 修改密码 first.
"""

import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "Bench-Passw0rd-2026"


def named(base: str) -> str:
    """The database name ``base`` with ``BENCH_DB_SUFFIX`` appended (default none): two people
    benchmarking on one PostgreSQL server keep out of each other's databases."""
    return base + os.environ.get("BENCH_DB_SUFFIX", "")


def url(name: str) -> str:
    """The address of the database ``name``."""
    host = os.environ.get("PGHOST", "127.0.0.1")
    port = os.environ.get("PGPORT", "5432")
    return f"postgres://postgres@{host}:{port}/{name}"


def admin(sql: str, database: str = "postgres") -> None:
    """Run ``sql`` outside a transaction (CREATE and DROP DATABASE, ANALYZE)."""
    import psycopg2

    connection = psycopg2.connect(url(database))
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql)
    finally:
        connection.close()


def settings_env(name: str) -> dict[str, str]:
    """The environment that points Django at the database ``name``."""
    return {
        "DJANGO_SETTINGS_MODULE": "haimen_insurance.settings.local",
        "DATABASE_URL": url(name),
        "DJANGO_DEBUG": "false",
        "DJANGO_LOG_LEVEL": "WARNING",
    }


def env(name: str, **extra: str) -> dict[str, str]:
    """This process's environment with ``settings_env(name)``, for a subprocess."""
    return {**os.environ, **settings_env(name), **extra}


def create(name: str) -> None:
    """The database ``name``, empty (dropped first if it exists) and migrated."""
    drop(name)
    admin(f"CREATE DATABASE {name}")
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput", "--verbosity", "0"],
        env=env(name),
        cwd=ROOT,
        check=True,
    )


def drop(name: str) -> None:
    """Drop the database ``name`` if it exists, closing this process's connections first (and
    any other's: ``WITH (FORCE)``)."""
    if "django.db" in sys.modules:
        from django.apps import apps

        if apps.ready:
            from django.db import connections

            connections.close_all()
    admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@contextmanager
def database(name: str, *, keep: bool = False):
    """A fresh, migrated database ``name`` for the ``with`` block; dropped after it unless
    ``keep`` (then its address is printed)."""
    create(name)
    try:
        yield url(name)
    finally:
        if keep:
            print(f"--keep: database {name} kept ({url(name)})")
        else:
            drop(name)


def setup(name: str | None = None) -> None:
    """Django in this process, on the database ``name`` (None: the one the environment names,
    as in a subprocess started with ``env``). The test client may use any host name."""
    if name is not None:
        os.environ.update(settings_env(name))
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]


def user(username: str, role: str, *, password: str = PASSWORD, **fields):
    """A user of ``role`` made by ``user_create`` with a known password (and ``area``,
    ``insurer``, ``full_name`` as given); call after ``setup``."""
    from haimen_insurance import services

    made, _ = services.user_create(
        actor=None, username=username, role=role, password=password, **fields
    )
    return made
