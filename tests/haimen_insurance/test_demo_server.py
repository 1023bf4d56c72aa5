"""The demo server of `make run`: a port of one's choosing, and DEBUG off unless asked for, so the
demo shows the Chinese 404/403/500 pages users see (tracebacks only with DJANGO_DEBUG=true). The
pages and static files under the demo settings are checked by tests/demo_pages.py on SQLite."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def demo_debug(**env) -> str:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment.update(env, DJANGO_SETTINGS_MODULE="haimen_insurance.settings.local")
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.DEBUG)",
        ],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.strip()


def test_the_demo_runs_without_debug_unless_asked():
    assert demo_debug() == "False"
    assert demo_debug(DJANGO_DEBUG="true") == "True"


def make_run(*args) -> str:
    """What `make run` would do (make -n prints the commands without running them)."""
    return subprocess.run(
        ["make", "-n", "run", *args], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout


def test_make_run_serves_on_the_port_asked_for():
    default = make_run()
    assert "runserver 127.0.0.1:8000" in default
    assert "http://127.0.0.1:8000/" in default
    chosen = make_run("PORT=8001")
    assert "runserver 127.0.0.1:8001" in chosen
    assert "http://127.0.0.1:8001/" in chosen
    assert "8000" not in chosen
