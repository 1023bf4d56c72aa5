#!/usr/bin/env python
"""Benchmark the village roster: the page and its PDF for a village of 700 households.

    .venv/bin/python scripts/bench_roster.py [--households 700] [--runs 20]

Creates the PostgreSQL database ``haimen_bench_roster`` (dropped first if it exists, and at the
end), migrates it, loads Haimen's areas, writes the households into one village, sets up the
2013 campaign and enrols every eligible family. Then, in this process, through Django's test
client as the village's cadre: the roster page ``--runs`` times and its PDF five times, with the
median and the query count of each. A trivial page (the login page) is timed the same way as a
baseline. Targets (docs/design.md section 6): page under 50 ms median, PDF under 0.5 s; exits 1
when one is missed.

``--parts`` also prints where each page's time goes (``scripts/pageprofile.py``: SQL, template,
the view's Python, middleware, and the CPU of this process and of its PostgreSQL backend), for
the roster page, a search of it, one household's entry form, the cadre's workbench and the PDF.
``PROFILE=page`` / ``PROFILE=pdf`` print a cProfile of one request, ``PROFILE=sql`` each query.
"""

import argparse
import os
import statistics
import time
from datetime import date
from pathlib import Path

import benchdb
import pageprofile

ROOT = Path(__file__).resolve().parent.parent
DATABASE = benchdb.named("haimen_bench_roster")
PAGE_TARGET_MS = 50
PDF_TARGET_MS = 500


def timed(client, url: str, runs: int) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url)
            if hasattr(response, "streaming_content"):
                b"".join(response.streaming_content)
            times.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times) * 1000, len(queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=700)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--parts", action="store_true", help="where each page's time goes")
    options = parser.parse_args()
    with benchdb.database(DATABASE, keep=options.keep):
        benchdb.setup(DATABASE)
        from django.db import connection
        from django.test import Client
        from django.urls import reverse

        from enrollment.demo import demo_households
        from enrollment.models import Household, Roster
        from enrollment.services.campaigns import campaign_create, campaign_open
        from enrollment.services.rosters import roster_enrol_all
        from haimen_insurance import services
        from haimen_insurance.models import Area

        services.areas_load_csv(path=ROOT / "fixtures" / "haimen_areas.csv")
        village = Area.objects.villages().select_related("parent").order_by("code").first()
        Household.objects.bulk_create(
            demo_households([village], per_village=options.households, age_date=date(2013, 1, 1)),
            batch_size=2000,
        )
        cadre = benchdb.user("bench_cadre", "village_cadre", area=village)
        campaign = campaign_create(
            actor=None,
            year=2013,
            coverage_start=date(2013, 1, 1),
            coverage_end=date(2013, 12, 31),
            age_limit=14,
            age_date=date(2013, 1, 1),
            verification_deadline=date(2012, 12, 21),
            mobilisation_deadline=date(2012, 12, 26),
            implementation_deadline=date(2012, 12, 31),
            review_deadline=date(2013, 1, 15),
        )
        campaign = campaign_open(actor=None, campaign=campaign)
        roster = Roster.objects.get(campaign=campaign, village=village)
        result = roster_enrol_all(actor=cadre, roster=roster)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        if options.parts:
            pageprofile.install()  # before the first request of any client
        client = Client()
        client.force_login(cadre)
        page = reverse("enrollment:roster_detail", args=[roster.pk])
        everything = f"{page}?page=1"
        baseline, _ = timed(Client(), reverse("login"), options.runs)
        page_ms, page_queries = timed(client, everything, options.runs)
        pdf_ms, pdf_queries = timed(client, reverse("enrollment:roster_pdf", args=[roster.pk]), 5)
        if os.environ.get("PROFILE"):
            import cProfile
            import pstats

            if os.environ["PROFILE"] == "sql":

                def wrapper(execute, sql, params, many, context):
                    start = time.perf_counter()
                    try:
                        return execute(sql, params, many, context)
                    finally:
                        print(f"{(time.perf_counter() - start) * 1000:8.1f} ms  {sql[:110]}")

                with connection.execute_wrapper(wrapper):
                    client.get(everything)
            target = (
                everything
                if os.environ["PROFILE"] == "page"
                else reverse("enrollment:roster_pdf", args=[roster.pk])
            )
            with cProfile.Profile() as profile:
                client.get(target)
            pstats.Stats(profile).sort_stats(os.environ.get("SORT", "cumulative")).print_stats(40)
        if options.parts:
            household = roster.entries.order_by("certificate_no").first().household_id
            print(f"\nwhere the time goes (median of {options.runs}; ms):")
            for label, who, url, runs in (
                ("login page (baseline)", Client(), reverse("login"), options.runs),
                ("roster page", client, everything, options.runs),
                ("roster page, a search", client, f"{page}?q=%E5%BC%A0", options.runs),
                (
                    "entry form",
                    client,
                    reverse("enrollment:entry_decide", args=[roster.pk, household]),
                    options.runs,
                ),
                ("workbench", client, reverse("workbench"), options.runs),
                ("roster PDF", client, reverse("enrollment:roster_pdf", args=[roster.pk]), 5),
            ):
                print(pageprofile.line(label, pageprofile.breakdown(who, url, runs=runs)))
            print()
        print(f"households {options.households}, enrolled {result.enrolled}")
        print(f"load average (1 minute) {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        print(f"{'work':<28}{'median':>10}{'queries':>9}{'target':>10}{'× baseline':>12}")
        print(f"{'trivial page (login)':<28}{baseline:>8.1f}ms{'':>9}{'':>10}{1:>12.1f}")
        print(
            f"{'roster page':<28}{page_ms:>8.1f}ms{page_queries:>9}{f'{PAGE_TARGET_MS} ms':>10}"
            f"{page_ms / baseline:>12.1f}"
        )
        print(
            f"{'roster PDF':<28}{pdf_ms:>8.1f}ms{pdf_queries:>9}{f'{PDF_TARGET_MS} ms':>10}"
            f"{pdf_ms / baseline:>12.1f}"
        )
    missed = [
        f"{work} {ms:.0f} ms (target < {target} ms)"
        for work, ms, target in (
            ("roster page", page_ms, PAGE_TARGET_MS),
            ("roster PDF", pdf_ms, PDF_TARGET_MS),
        )
        if ms >= target
    ]
    if missed:
        print("MISSED: " + "; ".join(missed))
        raise SystemExit(1)
    print("all targets met")


if __name__ == "__main__":
    main()
