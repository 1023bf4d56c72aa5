"""A real job worker for the tests that need one: ``job_worker`` switches the test process to
the database backend and gives ``start()``, which runs ``manage.py db_worker`` in a process of
its own against the test database (so the test needs committed data: ``transactional_db`` or
``live_server``). Files go to a temporary folder both processes see. Registered from
tests/conftest.py."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATABASE_BACKEND = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
}


@pytest.fixture
def job_worker(settings, tmp_path):
    from django.db import connection

    settings.TASKS = DATABASE_BACKEND
    media = tmp_path / "media"
    media.mkdir()
    settings.MEDIA_ROOT = str(media)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    database = connection.settings_dict
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "haimen_insurance.settings.test",
        "DJANGO_TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "DJANGO_JOB_HEARTBEAT_SECONDS": "0.3",
        "DJANGO_TEST_MEDIA_ROOT": str(media),
        "TEST_DATABASE_URL": (
            f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/"
            f"{database['NAME']}"
        ),
    }
    workers = []

    def start():
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--interval", "0.1", "--no-reload"]
            + ["--no-startup-delay", "--verbosity", "0"],
            cwd=ROOT,
            env=env,
        )
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        if worker.poll() is None:
            worker.terminate()
            worker.wait(timeout=30)


def wait_for(predicate, *, timeout: float, step: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(step)
    raise AssertionError(f"not within {timeout} s")
