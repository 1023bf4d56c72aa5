"""python manage.py serve [ADDRPORT]: the development server and one job worker, together.

`make run` uses it. Ctrl+C (or SIGTERM) stops both; if either ends by itself, the other is
stopped too. In production the two run as services of their own (docs/deployment.md)."""

import signal
import subprocess
import sys
import time

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "同时启动开发服务器（runserver）和一个后台任务进程（db_worker），用于演示和开发；"
        "按 Ctrl+C 两者一起停止。"
    )

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args, addrport, **options):
        manage = [sys.executable, sys.argv[0]]
        processes = [
            subprocess.Popen([*manage, "db_worker", "--no-reload", "--verbosity", "1"]),
            subprocess.Popen([*manage, "runserver", addrport]),
        ]
        stopping = False

        def stop(*_):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        interrupted = False
        try:
            while not stopping and all(process.poll() is None for process in processes):
                time.sleep(0.2)
        except KeyboardInterrupt:
            interrupted = True  # the terminal sent Ctrl+C to the children as well
        for process in processes:
            if process.poll() is None and not interrupted:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        self.stdout.write("开发服务器和后台任务进程已停止。")
