#!/usr/bin/env python
"""Benchmark the village roster: the page and its PDF for a village of 700 households.

    .venv/bin/python scripts/bench_roster.py [--households 700] [--runs 20]

Creates the PostgreSQL database ``haimen_bench_roster`` (dropped first if it exists, and at the
end), migrates it, loads Haimen's areas, writes the households into one village, sets up the
2013 campaign and enrols every eligible family. Then, in this process, through Django's test
client as the village's cadre: the roster page ``--runs`` times and its PDF five times, with the
median and the query count of each. A trivial page (the login page) is timed the same way as a
baseline. Targets (docs/design.md section 6): page under 150 ms median, PDF under 2 s.
"""

import argparse
import os
import statistics
import time
from datetime import date
from pathlib import Path

import benchdb

ROOT = Path(__file__).resolve().parent.parent
DATABASE = benchdb.named("haimen_bench_roster")


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
            target = everything if os.environ["PROFILE"] == "page" else f"{page}roster.pdf"
            with cProfile.Profile() as profile:
                client.get(target)
            pstats.Stats(profile).sort_stats(os.environ.get("SORT", "cumulative")).print_stats(40)
        print(f"households {options.households}, enrolled {result.enrolled}")
        print(f"{'work':<28}{'median':>10}{'queries':>9}{'target':>10}{'× baseline':>12}")
        print(f"{'trivial page (login)':<28}{baseline:>8.1f}ms{'':>9}{'':>10}{1:>12.1f}")
        print(
            f"{'roster page':<28}{page_ms:>8.1f}ms{page_queries:>9}{'150 ms':>10}"
            f"{page_ms / baseline:>12.1f}"
        )
        print(
            f"{'roster PDF':<28}{pdf_ms:>8.1f}ms{pdf_queries:>9}{'2000 ms':>10}"
            f"{pdf_ms / baseline:>12.1f}"
        )


if __name__ == "__main__":
    main()
