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
    assert "manage.py serve 127.0.0.1:8000" in default
    assert "http://127.0.0.1:8000/" in default
    chosen = make_run("PORT=8001")
    assert "manage.py serve 127.0.0.1:8001" in chosen
    assert "http://127.0.0.1:8001/" in chosen
    assert "8000" not in chosen


def _children(pid: int) -> list[int]:
    out = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True
    ).stdout
    return [int(line) for line in out.split()]


def test_serve_runs_the_server_and_a_worker_and_stops_both(db):
    """`make run`'s `manage.py serve`: runserver and db_worker as two children; SIGTERM (as
    Ctrl+C) stops both."""
    import signal
    import socket
    import time
    import urllib.request

    from django.db import connection

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    database = connection.settings_dict
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "haimen_insurance.settings.test",
        "DJANGO_TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "TEST_DATABASE_URL": (
            f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/"
            f"{database['NAME']}"
        ),
    }
    serve = subprocess.Popen(
        [sys.executable, "manage.py", "serve", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or serve.poll() is not None:
                    serve.kill()
                    raise AssertionError(serve.communicate()[0].decode()) from None
                time.sleep(0.3)
        children = _children(serve.pid)
        commands = [
            subprocess.run(
                ["ps", "-o", "args=", "-p", str(child)], capture_output=True, text=True
            ).stdout.strip()
            for child in children
        ]
        assert any("db_worker" in command for command in commands)
        assert any("runserver" in command for command in commands)
        serve.send_signal(signal.SIGTERM)
        output = serve.communicate(timeout=30)[0].decode()
        assert "开发服务器和后台任务进程已停止" in output
        assert all(
            not _children(child)
            and subprocess.run(["kill", "-0", str(child)], capture_output=True).returncode
            for child in children
        )
    finally:
        if serve.poll() is None:
            serve.kill()
