#!/usr/bin/env python
"""Benchmark the background jobs: the request that starts long work answers at once, and the
job's own time in a worker, beside the synchronous request it replaces.

    .venv/bin/python scripts/bench_jobs.py [--rows 200000] [--households 200000] [--keep]
        [--json FILE]

Two PostgreSQL databases of its own (dropped first if they exist, and at the end unless
``--keep``), each migrated; one ``manage.py db_worker`` per database, in a process of its own,
runs the jobs while this process times the requests through Django's test client
(``force_login`` as the city officer, DEBUG off):

a. ``haimen_bench_jobs_import``: Haimen's areas and an xlsx register of ``--rows`` new
   households (``scripts/bench_import.py``'s generator). 1. The upload's POST (the file stored,
   its check queued) and the check job; 2. the confirm's POST and the import job (the file
   checked again and written).
b. ``haimen_bench_jobs``: the bench scale of ``scripts/bench_policies.py`` (``--households``
   enrolled households with two issued policies each). 3. The roll-over's POST and its job;
   4. the city's policy list (every policy of the year) POST and its export job.

Each request is timed once, after two GETs of the page it is made from (a running server's
request, not the process's first), from the test client's call to its response (the upload's time
includes the test client encoding the file). A job's time is its worker's, from start to end,
read from the job record. Target (issue 16): every request under 200 ms. Prints a table (the
synchronous figure each job replaces is the one measured before the jobs existed) and exits 1
when a target is missed or a job did not finish. The database server is found through
PGHOST/PGPORT (default 127.0.0.1:5432, user postgres).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT))

import bench_import  # noqa: E402  (scripts/, not a package)
import bench_policies  # noqa: E402
import benchdb  # noqa: E402

IMPORT_DB = benchdb.named("haimen_bench_jobs_import")
SCALE_DB = benchdb.named("haimen_bench_jobs")
TARGET_MS = 200
JOB_TIMEOUT_S = 1800
# The same work done inside one request before it became a job (200,000 rows / households,
# 400,000 policies, on this machine).
SYNCHRONOUS = {
    "check": "68.6 s",
    "import": "110.5 s",
    "roll_over": "83 s",
    "policy_list": "58–75 s",
}


def _env(database: str, media: str) -> dict:
    return benchdb.env(database, DJANGO_MEDIA_ROOT=media)


def _subprocess(database: str, media: str, *args, **options):
    return subprocess.run(
        [sys.executable, *args], env=_env(database, media), cwd=ROOT, check=True, **options
    )


def _worker(database: str, media: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-reload", "--interval", "0.2"]
        + ["--verbosity", "0"],
        env=_env(database, media),
        cwd=ROOT,
    )


def _city():
    from haimen_insurance import services
    from haimen_insurance.models import User
    from haimen_insurance.roles import Role

    found = User.objects.filter(username="bench_city").first()
    if found is None:
        found, _ = services.user_create(
            actor=None,
            username="bench_city",
            full_name="市计生委",
            role=Role.CITY_OFFICER,
            password="Bench-Passw0rd-2026",
        )
    return found


def _client(user):
    from django.conf import settings
    from django.test import Client

    settings.ALLOWED_HOSTS = ["*"]
    # Every size goes to a job here (a smoke run's small file would be checked at once).
    settings.JOBS_IMMEDIATE_BYTES = settings.JOBS_IMMEDIATE_ROWS = 0
    client = Client()
    client.force_login(user)
    return client


def _warm_up(client, url: str) -> None:
    """The page the officer is on before starting the work (the process's first requests load
    code and templates; the figure is a request of a running server)."""
    for _ in range(2):
        assert client.get(url).status_code == 200, url


def _timed(call) -> tuple[float, object]:
    started = time.perf_counter()
    response = call()
    return (time.perf_counter() - started) * 1000, response


def _finished(kind: str):
    """Wait for the newest job of ``kind`` to end; returns it."""
    from haimen_insurance.jobs.models import Job

    deadline = time.monotonic() + JOB_TIMEOUT_S
    while time.monotonic() < deadline:
        job = Job.objects.filter(kind=kind).order_by("-pk").first()
        if job is not None and not job.is_active:
            if job.status != Job.Status.DONE:
                raise SystemExit(f"{kind}: the job failed: {job.error}")
            return job
        time.sleep(0.5)
    raise SystemExit(f"{kind}: the job did not end within {JOB_TIMEOUT_S} s")


def _row(label: str, request_ms: float, job, synchronous: str, size: str) -> dict:
    return {
        "work": label,
        "size": size,
        "request_ms": round(request_ms, 1),
        "job_s": round(job.seconds, 1),
        "synchronous": synchronous,
        "met": request_ms < TARGET_MS,
    }


def measure_import(rows: int, media: str) -> list[dict]:
    """Steps 1 and 2, in this process (Django set up on the import database)."""
    bench_import._django()
    from django.urls import reverse

    from enrollment.models import Household
    from haimen_insurance.jobs.models import JobKind

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "登记.xlsx"
        bench_import.generate(path, rows)
        client = _client(_city())
        _warm_up(client, reverse("enrollment:register_import"))
        with open(path, "rb") as handle:
            upload_ms, response = _timed(
                lambda: client.post(reverse("enrollment:register_import"), {"file": handle})
            )
    assert response.status_code == 302, response.status_code
    check = _finished(JobKind.REGISTER_CHECK)
    upload_pk = int(check.result_url.rstrip("/").rsplit("/", 1)[-1])
    _warm_up(client, check.result_url)
    confirm_ms, response = _timed(
        lambda: client.post(reverse("enrollment:register_import_confirm", args=[upload_pk]))
    )
    assert response.status_code == 302, response.status_code
    imported = _finished(JobKind.REGISTER_IMPORT)
    if Household.objects.count() != rows:
        raise SystemExit(f"imported {Household.objects.count()} households, not {rows}")
    size = f"{rows:,} rows xlsx"
    return [
        _row("1. register upload: the check", upload_ms, check, SYNCHRONOUS["check"], size),
        _row("2. register confirm: the import", confirm_ms, imported, SYNCHRONOUS["import"], size),
    ]


def measure_scale(media: str) -> list[dict]:
    """Steps 3 and 4, in this process (Django set up on the bench-scale database)."""
    bench_import._django()
    from django.urls import reverse

    from enrollment.models import Campaign, Policy, RosterEntry
    from haimen_insurance.jobs.models import JobKind

    campaign = Campaign.objects.get(year=bench_policies.YEAR)
    households = RosterEntry.objects.filter(roster__campaign=campaign).count()
    policies = Policy.objects.filter(campaign=campaign).count()
    client = _client(_city())
    _warm_up(client, campaign.get_absolute_url())
    roll_ms, response = _timed(
        lambda: client.post(reverse("enrollment:campaign_roll_over", args=[campaign.pk]))
    )
    assert response.status_code == 302, response.status_code
    rolled = _finished(JobKind.ROLL_OVER)
    _warm_up(client, campaign.get_absolute_url())
    export_ms, response = _timed(
        lambda: client.post(reverse("enrollment:campaign_policy_list", args=[campaign.pk]))
    )
    assert response.status_code == 302, response.status_code
    exported = _finished(JobKind.POLICY_LIST)
    if exported.result_rows != policies:
        raise SystemExit(f"the export wrote {exported.result_rows} rows, not {policies}")
    return [
        _row(
            "3. roll-over", roll_ms, rolled, SYNCHRONOUS["roll_over"], f"{households:,} households"
        ),
        _row(
            "4. city policy list export",
            export_ms,
            exported,
            SYNCHRONOUS["policy_list"],
            f"{policies:,} rows xlsx",
        ),
    ]


def _phase(database: str, media: str, step: str, *extra: str) -> list[dict]:
    """Migrate a fresh database, run a worker on it, and ``step`` in a child process."""
    benchdb.create(database)
    if step == "scale":
        started = time.perf_counter()
        _subprocess(
            database,
            media,
            str(ROOT / "scripts" / "bench_policies.py"),
            "--step",
            "generate",
            *extra,
            stdout=subprocess.DEVNULL,
        )
        print(f"bench scale generated in {time.perf_counter() - started:.0f} s", flush=True)
    worker = _worker(database, media)
    try:
        done = _subprocess(
            database,
            media,
            __file__,
            "--step",
            step,
            *extra,
            stdout=subprocess.PIPE,
            text=True,
        )
    finally:
        worker.terminate()
        worker.wait(timeout=60)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--households", type=int, default=200_000)
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    parser.add_argument("--json", help="write the figures to this file as JSON")
    parser.add_argument("--step", choices=["import", "scale"], help=argparse.SUPPRESS)
    options = parser.parse_args()
    media = os.environ.get("DJANGO_MEDIA_ROOT", "")
    if options.step == "import":
        print(json.dumps(measure_import(options.rows, media)))
        return
    if options.step == "scale":
        print(json.dumps(measure_scale(media)))
        return

    rows = []
    with tempfile.TemporaryDirectory() as media:
        try:
            rows += _phase(IMPORT_DB, media, "import", "--rows", str(options.rows))
            rows += _phase(SCALE_DB, media, "scale", "--households", str(options.households))
        finally:
            if not options.keep:
                for database in (IMPORT_DB, SCALE_DB):
                    benchdb.drop(database)
    print()
    print(
        "| work | size | the request that starts it | the job in a worker | "
        "synchronous before | met |"
    )
    print("|---|---|---|---|---|---|")
    for row in rows:
        print(
            f"| {row['work']} | {row['size']} | {row['request_ms']:.0f} ms | "
            f"{row['job_s']:.1f} s | {row['synchronous']} | {'yes' if row['met'] else '**no**'} |"
        )
    if options.json:
        Path(options.json).write_text(json.dumps(rows, ensure_ascii=False))
    if not all(row["met"] for row in rows):
        sys.exit(1)


if __name__ == "__main__":
    main()
