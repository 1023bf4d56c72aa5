#!/usr/bin/env python
"""Load test (`make load`): village cadres at the deadline against gunicorn, p95 and errors.

    .venv/bin/python scripts/load_test.py [--users 300] [--spawn-rate 2] [--time 180s]

Creates the PostgreSQL database ``haimen_load`` (dropped first if it exists), migrates it and
seeds the demo (``manage.py seed_demo``), then gives each of ``--users`` villages whose current
roster is still a draft its own cadre (``load001``, ``load002``, ... with the password below);
the demo has 215 such villages, so more cadres than that share the accounts (two to a village).
Starts gunicorn on 127.0.0.1 (4 sync workers, DEBUG off, static files by whitenoise) and runs
locust headless with ``scripts/load/locustfile.py``: every simulated cadre logs in, opens the
workbench and the village roster, searches and filters it, and records decisions. The cadres
start two a second, and each reads every page for 2–8 s before the next click (300 cadres: all at
work after 150 s). Prints each request type's count, failures, median, p95 and throughput, the
p95 for every 10 s of the run, and the CPU time gunicorn, PostgreSQL, locust and everything else
took; exits 1 when the p95 of all requests is 500 ms or more or any request failed (docs/design.md
section 6). gunicorn is always stopped; the database is dropped unless ``KEEP=1``. locust's
results (JSON and CSV), the run's settings and CPU seconds (``run.json``, which `make bench`
quotes) and the logs are left in ``test-artifacts/load/``.

Settings: ``haimen_insurance.settings.local`` with ``DJANGO_DEBUG=false`` and
``DJANGO_ALLOWED_HOSTS=127.0.0.1``. The production settings mark the session and CSRF cookies
``Secure``, so a client speaking plain http to 127.0.0.1 (no nginx, no TLS) would never send
them back and could not stay logged in. The work each request does (middleware, views,
templates, PostgreSQL with persistent connections, password hashing) is the same; only static
files are looked up on each request (whitenoise's autorefresh in the local settings) instead of
from an index built at start.

While the cadres work, background jobs run on the same machine (unless ``--no-jobs``): two
``manage.py db_worker`` processes beside gunicorn, at the lower priority (nice 10) the
deployment gives them, one importing a register of ``--import-rows``
new households (its check, then its import, as a township office's upload and confirm queue
them), the other exporting the city's policy list of last year again and again until the run
ends. Their jobs and times are printed after the table.

Environment: ``LOAD_USERS``, ``LOAD_SPAWN_RATE``, ``LOAD_TIME``, ``LOAD_WORKERS``,
``LOAD_PORT`` and ``LOAD_WAIT`` (think time between actions, "min,max" seconds) give the
options' defaults; ``KEEP=1`` keeps the database; ``PGHOST`` / ``PGPORT`` locate PostgreSQL
(user ``postgres`` without a password, as scripts/ensure_postgres.sh sets it up).
"""

import argparse
import csv
import json
import math
import os
import resource
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import benchdb

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
LOCUSTFILE = ROOT / "scripts" / "load" / "locustfile.py"
RESULTS = ROOT / "test-artifacts" / "load"
DATABASE = benchdb.named("haimen_load")
USER_PREFIX = "load"
PASSWORD = "Load-Haimen-2013"
P95_TARGET_MS = 500
JOB_NICENESS = 10  # as the job workers' systemd unit (docs/deployment.md)
# Request names of the locustfile that belong to signing in rather than to the work itself.
SIGNING_IN = ("login page", "static file", "login")


def step(message: str) -> None:
    print(f"load: {message}", flush=True)


def write_register(path: Path, rows: int) -> None:
    """An xlsx of ``rows`` new households (scripts/bench_import.py's generator), with resident IDs
    of another county so that none is already the demo's."""
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "scripts"))
    import bench_import

    from enrollment.resident_ids import check_character

    def other_county(birth, sequence: int) -> str:
        body = f"320681{birth:%Y%m%d}{sequence:03d}"
        return body + check_character(body)

    bench_import.resident_id = other_county
    bench_import.generate(path, rows)


class BackgroundJobs:
    """Two db_worker processes and the jobs the load runs beside the cadres: the register's
    check then its import (queued as the township office's upload and confirm queue them), and
    the city's policy list of last year, queued again each time it ends. Runs in this process
    against DATABASE_URL."""

    def __init__(self, env: dict, register: Path):
        import django

        sys.path.insert(0, str(ROOT))
        django.setup()
        from django.conf import settings

        from enrollment.models import Campaign
        from haimen_insurance.models import User

        settings.JOBS_IMMEDIATE_BYTES = settings.JOBS_IMMEDIATE_ROWS = 0
        self.city = User.objects.get(username="city")
        self.last_year = Campaign.objects.order_by("year").first()
        # At the priority docs/deployment.md gives them (Nice=10): pages first.
        self.workers = [
            subprocess.Popen(
                [sys.executable, str(ROOT / "manage.py"), "db_worker", "--no-reload"]
                + ["--verbosity", "0", "--interval", "0.5"],
                cwd=ROOT,
                env=env,
                preexec_fn=lambda: os.nice(JOB_NICENESS),
            )
            for _ in range(2)
        ]
        self.register = register
        self.started = []
        self.import_job = self.export_job = None

    def tick(self) -> None:
        from enrollment.models import RegisterImport
        from enrollment.tasks import start_policy_list, start_register_check, start_register_import
        from haimen_insurance.jobs.models import Job, JobKind

        if self.import_job is None:
            with open(self.register, "rb") as handle:
                self.import_job, _ = start_register_check(
                    actor=self.city, file=handle, filename=self.register.name
                )
            self.started.append(self.import_job.pk)
        else:
            self.import_job.refresh_from_db()
            if self.import_job.kind == JobKind.REGISTER_CHECK and self.import_job.status == "done":
                upload = RegisterImport.objects.defer("content").get(
                    pk=int(self.import_job.result_url.rstrip("/").rsplit("/", 1)[-1])
                )
                if upload.status == RegisterImport.Status.PENDING:
                    self.import_job, _ = start_register_import(actor=self.city, upload=upload)
                    self.started.append(self.import_job.pk)
        if self.export_job is None or Job.objects.get(pk=self.export_job.pk).status in (
            "done",
            "failed",
        ):
            self.export_job, _ = start_policy_list(actor=self.city, campaign=self.last_year)
            self.started.append(self.export_job.pk)

    def report(self) -> None:
        from haimen_insurance.jobs.models import Job

        print("background jobs during the run (started by this test, two db_worker processes):")
        for job in Job.objects.filter(pk__in=self.started).order_by("pk"):
            took = f"{job.seconds:.1f} s" if job.seconds is not None else "not started"
            what = job.result_note or job.error or job.phase
            print(f"  {job.get_kind_display()}: {job.get_status_display()}, {took}; {what}")

    def stop(self) -> None:
        for worker in self.workers:
            if worker.poll() is None:
                worker.terminate()
        for worker in self.workers:
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
        from django.db import connection

        connection.close()


def create_cadres(count: int) -> int:
    """One cadre per village whose roster of the current campaign is a draft and has no user yet,
    in code order, for ``count`` cadres at most; returns how many accounts were made. The demo
    has about 200 such villages (Haimen has 290, some of them with rosters already submitted):
    more cadres than that share the accounts, two to a village, as a cadre and a helper working
    on the same roster. Runs in this process against DATABASE_URL; the connection is closed
    after."""
    benchdb.setup()
    from django.db import connection

    from enrollment.models import Roster
    from enrollment.selectors.campaigns import current_campaign
    from haimen_insurance.models import User
    from haimen_insurance.roles import Role

    try:
        taken = User.objects.filter(area__isnull=False).values("area")
        rosters = list(
            Roster.objects.filter(campaign=current_campaign(), status=Roster.Status.DRAFT)
            .exclude(village__in=taken)
            .select_related("village")
            .order_by("village__code")[:count]
        )
        if not rosters:
            raise SystemExit("load: no village has a draft roster without a cadre")
        for number, roster in enumerate(rosters, start=1):
            benchdb.user(
                f"{USER_PREFIX}{number:03d}",
                Role.VILLAGE_CADRE,
                full_name=f"压测专干{number:03d}",
                area=roster.village,
                password=PASSWORD,
            )
        townships = len({roster.village.parent_id for roster in rosters})
        shared = f"; {count} cadres share them" if count > len(rosters) else ""
        step(
            f"{len(rosters)} cadres {USER_PREFIX}001… in {len(rosters)} villages of "
            f"{townships} townships{shared}"
        )
        return len(rosters)
    finally:
        connection.close()


def free_port(port: int) -> int:
    """``port`` if nothing listens on it (0: any free port). A port in use is refused, so the
    test never loads somebody else's server."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as error:
            raise SystemExit(f"load: 127.0.0.1:{port} is in use ({error.strerror})") from error
        return probe.getsockname()[1]


def wait_until_up(url: str, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"load: gunicorn exited with {server.returncode}; see gunicorn.log")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200 and response.headers.get("Server") == "gunicorn":
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    raise SystemExit(f"load: gunicorn did not answer {url} within {timeout:.0f} s")


class CpuMeter:
    """CPU seconds (user + system) used during the run by gunicorn (master and workers), by the
    PostgreSQL backends of the load database, by locust, and by the whole machine. Processes are
    sampled every second, so a backend that closes (connections live 60 s) keeps its last value.
    """

    def __init__(self, server: subprocess.Popen):
        import psutil

        self.psutil = psutil
        self.server = psutil.Process(server.pid)
        self.before = {"gunicorn": self.processes(self.server_pids()), "postgres": {}}
        self.before["postgres"] = self.processes(self.backend_pids())
        self.seen = {key: dict(values) for key, values in self.before.items()}
        self.machine_before = self.machine()
        self.children_before = self.children()
        self.everyone_before = self.everyone()

    def server_pids(self) -> list[int]:
        return [self.server.pid, *(child.pid for child in self.server.children(recursive=True))]

    def backend_pids(self) -> list[int]:
        pids = []
        for process in self.psutil.process_iter(["cmdline"]):
            title = " ".join(process.info["cmdline"] or [])
            if title.startswith("postgres: ") and f" {DATABASE} " in title:
                pids.append(process.pid)
        return pids

    def processes(self, pids: list[int]) -> dict[int, float]:
        used = {}
        for pid in pids:
            try:
                times = self.psutil.Process(pid).cpu_times()
            except self.psutil.NoSuchProcess:
                continue
            used[pid] = times.user + times.system
        return used

    def machine(self) -> float:
        """Busy time of all cores (steal time, when the host runs other machines, is not)."""
        times = self.psutil.cpu_times()
        return times.user + times.nice + times.system + times.irq + times.softirq

    def everyone(self) -> dict[int, tuple[str, float]]:
        used = {}
        for process in self.psutil.process_iter(["name", "cpu_times"]):
            times = process.info["cpu_times"]
            if times is not None:
                used[process.pid] = (process.info["name"], times.user + times.system)
        return used

    def others(self, count: int = 3) -> list[tuple[str, float]]:
        """The processes outside the test that used the most CPU during the run."""
        ours = set(self.seen["gunicorn"]) | set(self.seen["postgres"]) | {os.getpid()}
        used = []
        for pid, (name, after) in self.everyone().items():
            if pid in ours or pid not in self.everyone_before:
                continue
            used.append((name, after - self.everyone_before[pid][1]))
        return sorted(used, key=lambda item: -item[1])[:count]

    @staticmethod
    def children() -> float:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    def sample(self) -> None:
        self.seen["gunicorn"].update(self.processes(self.server_pids()))
        self.seen["postgres"].update(self.processes(self.backend_pids()))

    def used(self) -> dict[str, float]:
        """After locust has exited (its CPU is that of the children reaped since the start)."""
        used = {
            key: sum(self.seen[key].values()) - sum(self.before[key].values()) for key in self.seen
        }
        used["locust"] = self.children() - self.children_before
        used["machine"] = self.machine() - self.machine_before
        return used


@dataclass
class Line:
    name: str
    requests: int
    failures: int
    response_times: dict[int, int]

    def percentile(self, percent: float) -> int:
        """As locust computes it: the smallest recorded (rounded) time that ``percent`` of the
        requests did not exceed."""
        allowed = int(self.requests * percent)
        processed = 0
        for response_time in sorted(self.response_times, reverse=True):
            processed += self.response_times[response_time]
            if self.requests - processed <= allowed:
                return response_time
        return 0

    @classmethod
    def total(cls, name: str, lines: list["Line"]) -> "Line":
        times: dict[int, int] = {}
        for line in lines:
            for response_time, count in line.response_times.items():
                times[response_time] = times.get(response_time, 0) + count
        return cls(
            name,
            sum(line.requests for line in lines),
            sum(line.failures for line in lines),
            times,
        )


def read_results(path: Path) -> tuple[list[Line], float]:
    """locust's final statistics (``--json-file``): one line per request name, and the seconds
    from the start of the run to its last request."""
    entries = json.loads(path.read_text(encoding="utf-8"))
    lines = [
        Line(
            entry["name"],
            entry["num_requests"],
            entry["num_failures"],
            {int(time): count for time, count in entry["response_times"].items()},
        )
        for entry in sorted(entries, key=lambda entry: entry["name"])
    ]
    start = min(entry["start_time"] for entry in entries)
    end = max(entry["last_request_timestamp"] or start for entry in entries)
    return lines, max(end - start, 1e-9)


def print_table(lines: list[Line], seconds: float) -> Line:
    header = f"{'request':<24}{'requests':>9}{'failures':>9}{'median':>10}{'p95':>10}{'req/s':>8}"

    def show(line: Line) -> None:
        print(
            f"{line.name:<24}{line.requests:>9}{line.failures:>9}"
            f"{line.percentile(0.5):>8}ms{line.percentile(0.95):>8}ms"
            f"{line.requests / seconds:>8.1f}"
        )

    print(header)
    print("-" * len(header))
    for line in lines:
        show(line)
    print("-" * len(header))
    everything = Line.total("all requests", lines)
    show(everything)
    show(Line.total("all but signing in", [line for line in lines if line.name not in SIGNING_IN]))
    return everything


def exact_percentile(values: list[float], percent: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(math.ceil(len(ordered) * percent) - 1, 0)]


def print_over_time(path: Path, window: int = 10) -> None:
    """The requests by when they started, ``window`` seconds at a time: how long the logins of
    the ramp-up keep the other requests waiting."""
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    header = (
        f"{'started at':<14}{'requests':>9}{'logins':>8}{'failures':>9}{'p95 all':>10}"
        f"{'p95 work':>10}"
    )
    print(header)
    print("-" * len(header))
    last = max(float(row["started"]) for row in rows)
    for start in range(0, int(last) + 1, window):
        rows_in = [row for row in rows if start <= float(row["started"]) < start + window]
        every = [float(row["ms"]) for row in rows_in]
        work = [float(row["ms"]) for row in rows_in if row["name"] not in SIGNING_IN]
        print(
            f"{f'{start}–{start + window} s':<14}{len(rows_in):>9}"
            f"{sum(row['name'] == 'login' for row in rows_in):>8}"
            f"{sum(row['failed'] == '1' for row in rows_in):>9}"
            f"{exact_percentile(every, 0.95):>8.0f}ms{exact_percentile(work, 0.95):>8.0f}ms"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=int(os.environ.get("LOAD_USERS", 300)))
    parser.add_argument(
        "--spawn-rate", type=float, default=float(os.environ.get("LOAD_SPAWN_RATE", 2))
    )
    parser.add_argument("--time", default=os.environ.get("LOAD_TIME", "180s"))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("LOAD_WORKERS", 4)))
    parser.add_argument(
        "--port", type=int, default=int(os.environ.get("LOAD_PORT", 0)), help="0: any free port"
    )
    parser.add_argument(
        "--wait", default=os.environ.get("LOAD_WAIT", "2,8"), help='think time, "min,max" s'
    )
    parser.add_argument("--no-jobs", action="store_true", help="no background jobs during the run")
    parser.add_argument(
        "--import-rows", type=int, default=int(os.environ.get("LOAD_IMPORT_ROWS", 100_000))
    )
    parser.add_argument("--register", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.register:
        write_register(Path(options.register), options.import_rows)
        return 0
    keep = os.environ.get("KEEP", "") not in ("", "0")
    options.port = free_port(options.port)
    think = options.wait.replace(",", "–")
    base_url = f"http://127.0.0.1:{options.port}"
    RESULTS.mkdir(parents=True, exist_ok=True)
    for stale in ("locust.json", "requests.csv", "run.json"):
        (RESULTS / stale).unlink(missing_ok=True)
    env = benchdb.env(
        DATABASE,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_MEDIA_ROOT=str(RESULTS / "media"),
    )
    os.environ.update(env)
    server = None
    jobs = None
    server_log = (RESULTS / "gunicorn.log").open("w", encoding="utf-8")
    locust_log = (RESULTS / "locust.log").open("w", encoding="utf-8")
    try:
        step(f"database {DATABASE} (dropped first), migrate, seed_demo")
        benchdb.create(DATABASE)
        manage = [sys.executable, str(ROOT / "manage.py")]
        subprocess.run([*manage, "seed_demo"], check=True, env=env, stdout=subprocess.DEVNULL)
        accounts = create_cadres(options.users)
        if not options.no_jobs:
            register = RESULTS / "register.xlsx"
            step(f"a register of {options.import_rows:,} new households for the import job")
            subprocess.run(
                [sys.executable, __file__, "--register", str(register)]
                + ["--import-rows", str(options.import_rows)],
                check=True,
                env=env,
            )
        benchdb.admin("ANALYZE", DATABASE)

        step(f"gunicorn, {options.workers} workers, on {base_url}")
        server = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "haimen_insurance.wsgi"]
            + ["--bind", f"127.0.0.1:{options.port}", "--workers", str(options.workers)]
            + ["--timeout", "120"],
            cwd=ROOT,
            env=env,
            stdout=server_log,
            stderr=subprocess.STDOUT,
        )
        wait_until_up(f"{base_url}/login/", server)

        step(
            f"locust, {options.users} cadres (spawn {options.spawn_rate:g}/s) for {options.time}, "
            f"think time {think} s"
        )
        if not options.no_jobs:
            step("two job workers; the import and the export jobs start with the cadres")
            jobs = BackgroundJobs(env, RESULTS / "register.xlsx")
        meter = CpuMeter(server)
        locust = subprocess.Popen(
            [str(VENV_BIN / "locust"), "-f", str(LOCUSTFILE), "--headless", "--host", base_url]
            + ["--users", str(options.users), "--spawn-rate", str(options.spawn_rate)]
            + ["--run-time", options.time, "--stop-timeout", "10", "--loglevel", "WARNING"]
            + ["--json-file", str(RESULTS / "locust"), "--csv", str(RESULTS / "locust")],
            cwd=ROOT,
            env={
                **env,
                "HAIMEN_LOAD_USER_PREFIX": USER_PREFIX,
                "HAIMEN_LOAD_ACCOUNTS": str(accounts),
                "HAIMEN_LOAD_PASSWORD": PASSWORD,
                "HAIMEN_LOAD_WAIT": options.wait,
                "HAIMEN_LOAD_REQUESTS": str(RESULTS / "requests.csv"),
            },
            stdout=locust_log,
            stderr=subprocess.STDOUT,
        )
        while locust.poll() is None:
            meter.sample()
            if jobs is not None:
                jobs.tick()
            time.sleep(1)
        cpu, busiest_others = meter.used(), meter.others()
        if not (RESULTS / "locust.json").exists():
            print((RESULTS / "locust.log").read_text(encoding="utf-8")[-3000:], file=sys.stderr)
            raise SystemExit(f"load: locust exited with {locust.returncode} and no results")

        lines, seconds = read_results(RESULTS / "locust.json")
        print()
        print(
            f"{options.users} cadres"
            + (f" on {accounts} accounts" if accounts < options.users else "")
            + f" started {options.spawn_rate:g}/s, for {options.time} "
            f"(think time {think} s), gunicorn "
            f"{options.workers} sync workers; {os.cpu_count()} CPU cores shared by gunicorn, "
            "PostgreSQL and locust"
        )
        everything = print_table(lines, seconds)
        print()
        print_over_time(RESULTS / "requests.csv")
        print()
        others = cpu["machine"] - cpu["gunicorn"] - cpu["postgres"] - cpu["locust"]
        largest = ", ".join(f"{name} {used:.0f}" for name, used in busiest_others if used >= 1)
        print(
            f"CPU seconds in {seconds:.0f} s ({os.cpu_count() * seconds:.0f} available): "
            f"gunicorn {cpu['gunicorn']:.0f}, PostgreSQL {cpu['postgres']:.0f}, "
            f"locust {cpu['locust']:.0f}, everything else {max(others, 0):.0f}"
            + (f" (of which {largest})" if largest else "")
        )
        with open(RESULTS / "locust_failures.csv", newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                print(f"failed: {row['Name']} ×{row['Occurrences']}: {row['Error']}")
        if jobs is not None:
            print()
            jobs.report()
        p95 = everything.percentile(0.95)
        met = p95 < P95_TARGET_MS and everything.failures == 0
        (RESULTS / "run.json").write_text(
            json.dumps(
                {
                    "users": options.users,
                    "accounts": accounts,
                    "workers": options.workers,
                    "time": options.time,
                    "wait": options.wait,
                    "jobs": not options.no_jobs,
                    "seconds": round(seconds),
                    "cpu": {key: round(value) for key, value in cpu.items()},
                    "requests": everything.requests,
                    "p95_ms": p95,
                    "failures": everything.failures,
                }
            ),
            encoding="utf-8",
        )
        print(
            f"target p95 < {P95_TARGET_MS} ms and no errors: {'met' if met else 'NOT met'} "
            f"(p95 {p95} ms, {everything.failures} errors); "
            f"results and logs in {RESULTS.relative_to(ROOT)}/"
        )
        return 0 if met else 1
    finally:
        if jobs is not None:
            jobs.stop()
        if server is not None and server.poll() is None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        server_log.close()
        locust_log.close()
        if keep:
            step(f"KEEP=1: database {DATABASE} kept ({env['DATABASE_URL']})")
        else:
            benchdb.drop(DATABASE)
            step(f"database {DATABASE} dropped")


if __name__ == "__main__":
    sys.exit(main())
