#!/usr/bin/env python
"""Benchmark the city dashboard at bench scale: 400,000 policies, 290 villages, 5,000 claims.

    .venv/bin/python scripts/bench_dashboard.py [--households 200000] [--claims 5000]
        [--runs 20] [--keep] [--json FILE] [--try-sql "CREATE INDEX ..."]

Creates the PostgreSQL database ``haimen_bench_dashboard`` (dropped first if it exists, and at
the end unless ``--keep``), migrates it and writes the bench scale with the generator of
``scripts/bench_policies.py`` (Haimen's areas, two insurers, the 2013 campaign, ``--households``
enrolled households each with two issued policies, one issued report per township), then
``--claims`` claims with COPY, one every so many households so they spread over every village,
in mixed statuses (reported, with the insurer, approved, paid, rejected, closed; the paid and
closed ones with the amount paid, the date settled, the due date and the date received; about
one settled claim in seven settled after its due date).

Then, in this process, through Django's test client (``force_login``), each page ``--runs``
times after two warm-ups, with the median server time and the number of SQL queries of a
request (``CaptureQueriesContext``):

a. baseline: the login page, anonymous (a trivial page: middleware, session, template);
b. ``/dashboard/`` as a city officer (every township, at full scale);
c. the same in a transaction (where nothing kept is used: every village counted directly),
   c′. with half the townships' data deleted in it (rolled back afterwards): the query count
   must not change with the rows;
d. ``/dashboard/townships/<pk>/`` as the township officer of the township with the most villages
   and of the one with the fewest: the same query count for both;
e. the largest township's rosters page and f. its reconciliation (「一个不多，一个不漏」), which
   look for people insured for two households among all of the campaign's;
e′, f′, b′. the same pages with every village counted afresh: the figures that the pages keep
   between requests (``enrollment.selectors.village_cache``, counted again only for villages
   that changed) forgotten before each request, as after a change to every village;
g. the year's review workbook and h. its PDF, made for the city officer as the background job
   makes them (``oversight.tasks``): they run as jobs when over 2 s (docs/design.md), and this
   is the figure that decides it.

Targets (docs/design.md section 6): the city dashboard's median under 100 ms, with a constant
query count; the largest township's rosters page and reconciliation page under 150 ms each.
Prints a table and exits 1 when a target is missed.

``PROFILE=sql`` prints each query of one city dashboard request with its time, then
``EXPLAIN (ANALYZE, BUFFERS)`` of the slowest; ``PROFILE=py`` prints a cProfile of one request.
``--try-sql`` (repeatable) runs SQL in the bench database after the measurements (an index one
might propose, say), ANALYZEs, and times the city dashboard again: a proposal's effect measured
without touching the application. ``--json FILE`` writes the figures as JSON (for
``scripts/bench.py``). The database server is found through PGHOST/PGPORT (default
127.0.0.1:5432, user postgres).
"""

import argparse
import contextlib
import io
import json
import os
import statistics
import sys
import time
import unicodedata
from datetime import date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT))

import bench_policies  # noqa: E402  (scripts/, not a package)
import benchdb  # noqa: E402

DATABASE = benchdb.named("haimen_bench_dashboard")
YEAR = bench_policies.YEAR
TARGET_MS = 100
TOWNSHIP_TARGET_MS = 150
WARMUPS = 2


# --- claims ---------------------------------------------------------------------------------

# k % 20 → status: 10 % reported, 15 % with the insurer, 10 % approved, 35 % paid,
# 10 % rejected, 20 % closed (paid and delivered).
STATUS_CYCLE = (
    ["reported"] * 2
    + ["with_insurer"] * 3
    + ["approved"] * 2
    + ["paid"] * 7
    + ["rejected"] * 2
    + ["closed"] * 4
)


def pad(text: str, width: int) -> str:
    """``text`` left-aligned in ``width`` terminal columns (a Chinese character takes two)."""
    used = sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)
    return text + " " * max(width - used, 0)


def _copy_value(value) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _claim_values(
    k: int,
    policy_id: int,
    person_id: int,
    village_id: int,
    insurer_id: int,
    campaign_id: int,
    *,
    place: str = "海门市境内",
):
    """Every column of claim number ``k`` as a dict (column → value); ``place``: where the
    incidents happened."""
    from django.utils import timezone

    tz = timezone.get_current_timezone()
    status = STATUS_CYCLE[k % len(STATUS_CYCLE)]
    if k % 10 == 0:
        benefit, grade = "accident_disability", (k // 10) % 10 + 1
    elif k % 50 == 5:
        benefit, grade = "accident_death", None
    else:
        benefit, grade = "medical", None
    incident = date(YEAR, 1, 1) + timedelta(days=(k * 7) % 330)
    reported_at = datetime.combine(incident + timedelta(days=1), clock(9, 30), tzinfo=tz)
    amount = Decimal(500 + (k * 37) % 5000).quantize(Decimal("0.01"))
    values = {
        "number": f"LP{YEAR}{k + 1:07d}",
        "policy_id": policy_id,
        "campaign_id": campaign_id,
        "person_id": person_id,
        "village_id": village_id,
        "insurer_id": insurer_id,
        "benefit": benefit,
        "disability_grade": grade,
        "incident_date": incident,
        "incident_place": place,
        "description": "骑车摔伤，送医治疗。",
        "amount_claimed": amount,
        "expenses": amount if benefit == "medical" else None,
        "paid_elsewhere": Decimal("0.00") if benefit == "medical" else None,
        "status": status,
        "late_report": k % 25 == 0,
        "reported_at": reported_at,
    }
    if status == "reported":
        return values
    received = reported_at + timedelta(days=4)
    values.update(
        documents_completed_at=reported_at + timedelta(days=3),
        received_at=received,
        due_date=received.date() + timedelta(days=10),
    )
    if status == "with_insurer":
        return values
    late = k % 7 == 3  # settled after the due date
    decided = received + timedelta(days=14 if late else 5)
    values.update(decided_at=decided)
    if status == "rejected":
        values.update(
            rejection_code="not_covered",
            rejection_text="不属于保险责任。",
            settled_on=decided.date(),
        )
        return values
    approved = (amount * Decimal("0.8")).quantize(Decimal("0.01"))
    values.update(approved_amount=approved)
    if status == "approved":
        return values
    values.update(
        paid_on=decided.date(),
        paid_amount=approved,
        paid_account=f"6228480{k:012d}",
        settled_on=decided.date(),
    )
    if status == "closed":
        values.update(
            delivered_on=decided.date() + timedelta(days=2),
            delivered_by="村协管员",
            received_by_family="家属",
            closed_at=decided + timedelta(days=3),
        )
    return values


def generate_claims(count: int, *, place: str = "海门市境内") -> int:
    """``count`` claims with COPY, on persons of households spread evenly over the villages
    (their incidents in ``place``)."""
    from django.db import connection, transaction
    from django.db.models import NOT_PROVIDED

    from claims.models import Claim
    from enrollment.models import Household, InsuredPerson, Policy

    households = Household.objects.count()
    step = max(households // count, 1)
    # Every person of every step-th household with their policy (one row per person).
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT p.household_id, p.id, ip.id, p.village_id, p.insurer_id, p.campaign_id
            FROM {Policy._meta.db_table} p
            JOIN {InsuredPerson._meta.db_table} ip ON ip.entry_product_id = p.entry_product_id
            WHERE p.household_id %% %s = 1
            ORDER BY p.household_id, p.id, ip.id
            """,
            [step],
        )
        persons: dict[int, list[tuple]] = {}
        for household_id, *rest in cursor.fetchall():
            persons.setdefault(household_id, []).append(tuple(rest))
    chosen = list(persons.values())[:count]
    if len(chosen) < count:
        raise SystemExit(f"only {len(chosen)} households to put {count} claims on")

    fields = [field for field in Claim._meta.concrete_fields if not field.primary_key]
    lines = []
    for k, options in enumerate(chosen):
        values = _claim_values(k, *options[k % len(options)], place=place)
        row = []
        for field in fields:
            if field.column in values:
                row.append(_copy_value(values[field.column]))
            elif field.null:
                row.append("\\N")
            elif field.default is not NOT_PROVIDED and not callable(field.default):
                row.append(_copy_value(field.default))
            elif field.blank and field.get_internal_type() in ("CharField", "TextField"):
                row.append("")
            else:
                raise SystemExit(
                    f"Claim.{field.name} is required and the benchmark does not fill it; "
                    "update scripts/bench_dashboard.py"
                )
        lines.append("\t".join(row) + "\n")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.copy_expert(
            f"COPY {Claim._meta.db_table} ({', '.join(field.column for field in fields)}) "
            "FROM STDIN",
            io.StringIO("".join(lines)),
        )
        cursor.execute(f"ANALYZE {Claim._meta.db_table}")
    return len(lines)


# --- measuring ------------------------------------------------------------------------------


def timed(client, url: str, runs: int, *, fresh: bool = False) -> tuple[float, int, list[float]]:
    """Median milliseconds of ``runs`` GETs (after the warm-ups) and the queries of one;
    ``fresh``: every kept village figure forgotten before each request."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from enrollment.selectors import village_cache

    for _ in range(WARMUPS):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    times, counts = [], set()
    for _ in range(runs):
        if fresh:
            village_cache.forget()
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        # Not the change log's pruning, which one request in ten minutes makes (a slow run
        # crosses it): the page's own queries.
        counts.add(sum("UPDATE enrollment_figurelog" not in query["sql"] for query in queries))
    if len(counts) != 1:
        raise SystemExit(f"{url}: the query count varies between requests: {sorted(counts)}")
    return statistics.median(times), counts.pop(), times


def delete_townships_data(townships) -> int:
    """Delete the households (with their entries, lines, persons, policies and claims) of the
    villages of ``townships``; the caller's transaction is rolled back afterwards."""
    from django.db import connection

    from claims.models import Claim
    from enrollment.models import EntryProduct, Household, InsuredPerson, Policy, RosterEntry
    from haimen_insurance.models import Area

    villages = list(
        Area.objects.villages().filter(parent__in=townships).values_list("pk", flat=True)
    )
    household = Household._meta.db_table
    in_villages = f"SELECT id FROM {household} WHERE village_id = ANY(%s)"
    entries = f"SELECT id FROM {RosterEntry._meta.db_table} WHERE household_id IN ({in_villages})"
    lines = f"SELECT id FROM {EntryProduct._meta.db_table} WHERE entry_id IN ({entries})"
    with connection.cursor() as cursor:
        for sql in (
            f"DELETE FROM {Claim._meta.db_table} WHERE village_id = ANY(%s)",
            f"DELETE FROM {Policy._meta.db_table} WHERE village_id = ANY(%s)",
            f"DELETE FROM {InsuredPerson._meta.db_table} WHERE entry_product_id IN ({lines})",
            f"DELETE FROM {EntryProduct._meta.db_table} WHERE entry_id IN ({entries})",
            f"DELETE FROM {RosterEntry._meta.db_table} WHERE household_id IN ({in_villages})",
            f"DELETE FROM {household} WHERE village_id = ANY(%s)",
        ):
            cursor.execute(sql, [villages])
        deleted = cursor.rowcount
        cursor.execute("ANALYZE")
    return deleted


def profile_sql(client, url: str) -> None:
    """Each query of one request with its time, then EXPLAIN ANALYZE of the slowest."""
    from django.db import connection

    recorded = []

    def wrapper(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            recorded.append(((time.perf_counter() - start) * 1000, sql, params))

    with connection.execute_wrapper(wrapper):
        client.get(url)
    print(f"\nPROFILE=sql: {len(recorded)} queries of GET {url}")
    for ms, sql, _ in recorded:
        print(f"{ms:8.1f} ms  {' '.join(sql.split())[:150]}")
    ms, sql, params = max(recorded, key=lambda item: item[0])
    print(f"\nthe slowest ({ms:.1f} ms): {sql}\n")
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        for (line,) in cursor.fetchall():
            print(line)


def profile_python(client, url: str) -> None:
    import cProfile
    import pstats

    with cProfile.Profile() as profile:
        client.get(url)
    pstats.Stats(profile).sort_stats(os.environ.get("SORT", "cumulative")).print_stats(40)


def check_figures(campaign, user, expected: dict) -> None:
    """The dashboard's totals agree with what was generated."""
    from oversight.dashboard import dashboard

    total = dashboard(campaign=campaign, user=user).total
    found = {
        "households": total.households,
        "policies": total.policies,
        "claims": total.claims,
        "issued townships": total.issued,
    }
    if found != expected:
        raise SystemExit(f"the dashboard shows {found}, the bench generated {expected}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--households", type=int, default=200_000)
    parser.add_argument("--claims", type=int, default=5_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--json", help="also write the figures to this file as JSON")
    parser.add_argument(
        "--try-sql",
        action="append",
        default=[],
        help="SQL run after the measurements, then the city dashboard timed again",
    )
    options = parser.parse_args()

    started = time.perf_counter()
    with benchdb.database(DATABASE, keep=options.keep):
        benchdb.setup(DATABASE)
        from django.db import connection, transaction
        from django.db.models import Count
        from django.test import Client
        from django.urls import reverse

        output = io.StringIO()
        with contextlib.redirect_stdout(output):
            bench_policies.generate(options.households)
        generated = json.loads(output.getvalue().strip().splitlines()[-1])
        claims = generate_claims(options.claims)
        print(
            f"{generated['households']:,} households, {generated['policies']:,} policies, "
            f"{generated['persons']:,} insured persons, {claims:,} claims "
            f"(migrated and generated in {time.perf_counter() - started:.0f} s)",
            flush=True,
        )

        from enrollment.models import Campaign
        from haimen_insurance.models import Area

        officer = benchdb.user("bench_city", "city_officer", full_name="市卫健委")
        townships = list(
            Area.objects.townships().annotate(villages=Count("children")).order_by("code")
        )
        largest = max(townships, key=lambda area: (area.villages, area.code))
        smallest = min(townships, key=lambda area: (area.villages, area.code))
        township_users = {}
        for area in (largest, smallest):
            township_users[area.pk] = benchdb.user(
                f"bench_township_{area.code}", "township_officer", area=area
            )
        campaign = Campaign.objects.get(year=YEAR)
        check_figures(
            campaign,
            officer,
            {
                "households": options.households,
                "policies": generated["policies"],
                "claims": claims,
                "issued townships": len(townships),
            },
        )
        village_counts = {
            item["parent"]: item["n"]
            for item in Area.objects.villages().order_by().values("parent").annotate(n=Count("pk"))
        }

        city = Client()
        city.force_login(officer)
        url = reverse("dashboard")
        results = []

        def measure(label, client, page, note="", fresh=False):
            median, queries, times = timed(client, page, options.runs, fresh=fresh)
            results.append(
                {
                    "label": label,
                    "median_ms": round(median, 1),
                    "min_ms": round(min(times), 1),
                    "max_ms": round(max(times), 1),
                    "queries": queries,
                    "note": note,
                }
            )
            print(f"  {label}: median {median:.1f} ms, {queries} queries", flush=True)
            return median, queries

        def made(label, make, note=""):
            """Median milliseconds of ``make()`` (the work of a job, no request around it)."""
            from django.test.utils import CaptureQueriesContext

            for _ in range(WARMUPS):
                make()
            times, counts = [], set()
            for _ in range(options.runs):
                with CaptureQueriesContext(connection) as queries:
                    start = time.perf_counter()
                    make()
                    times.append((time.perf_counter() - start) * 1000)
                counts.add(len(queries))
            median = statistics.median(times)
            results.append(
                {
                    "label": label,
                    "median_ms": round(median, 1),
                    "min_ms": round(min(times), 1),
                    "max_ms": round(max(times), 1),
                    "queries": max(counts),
                    "note": note,
                }
            )
            print(f"  {label}: median {median:.1f} ms, {max(counts)} queries", flush=True)

        base_ms, _ = measure("a. login page, anonymous (baseline)", Client(), reverse("login"))
        city_ms, city_queries = measure(
            "b. /dashboard/, city officer", city, url, f"{len(townships)} townships"
        )
        city_fresh_ms, _ = measure(
            "b′. /dashboard/, counted afresh", city, url, "figures forgotten", True
        )
        with transaction.atomic():
            # In a transaction nothing kept is used (``village_cache.usable``): all data and
            # half of it are both counted directly, so their query counts compare like for like.
            direct_ms, direct_queries = measure(
                "c. /dashboard/ in a transaction (counted directly)", city, url, "all data"
            )
            half = townships[::2]
            deleted = delete_townships_data(half)
            half_ms, half_queries = measure(
                "c′. the same, half the townships' data",
                city,
                url,
                f"{len(half)} townships emptied ({deleted:,} households deleted)",
            )
            transaction.set_rollback(True)
        sizes = {}
        for area in (largest, smallest):
            client = Client()
            client.force_login(township_users[area.pk])
            page = reverse("dashboard_township", args=[area.pk])
            households = (
                options.households * village_counts[area.pk] // sum(village_counts.values())
            )
            sizes[area.pk] = measure(
                f"d. township officer, {area.name}",
                client,
                page,
                f"{village_counts[area.pk]} villages, ~{households:,} households",
            )

        client = Client()
        client.force_login(township_users[largest.pk])
        largest_households = (
            options.households * village_counts[largest.pk] // sum(village_counts.values())
        )
        township_pages = []
        for letter, work, name in (
            ("e", "township rosters page", "enrollment:township_rosters"),
            ("f", "reconciliation page", "enrollment:township_reconciliation"),
        ):
            page = reverse(name, args=[largest.pk])
            kept, queries = measure(
                f"{letter}. {work}, {largest.name}", client, page, "every household enrolled"
            )
            fresh, _ = measure(
                f"{letter}′. the same, counted afresh", client, page, "figures forgotten", True
            )
            township_pages.append(
                {
                    "work": f"the largest township's {work}",
                    "township": largest.name,
                    "households": largest_households,
                    "median_ms": round(kept, 1),
                    "queries": queries,
                    "fresh_ms": round(fresh, 1),
                    "target_ms": TOWNSHIP_TARGET_MS,
                }
            )

        from oversight.pdf import year_review_pdf
        from oversight.review import review_workbook, year_review

        def review_xlsx():
            writer = review_workbook(year_review(campaign=campaign, user=officer))
            writer.save(io.BytesIO())

        def review_pdf():
            year_review_pdf(year_review(campaign=campaign, user=officer))

        for label, make in (
            ("g. the year's review workbook", review_xlsx),
            ("h. the year's review PDF", review_pdf),
        ):
            made(label, make, f"{len(townships)} townships, {claims:,} claims")

        if os.environ.get("PROFILE") == "sql":
            profile_sql(city, url)
        elif os.environ.get("PROFILE") == "py":
            profile_python(city, url)

        tried = None
        if options.try_sql:
            with connection.cursor() as cursor:
                for sql in options.try_sql:
                    print(f"--try-sql: {sql}", flush=True)
                    cursor.execute(sql)
                cursor.execute("ANALYZE")
            tried_ms, tried_queries = measure(
                "i. /dashboard/ after --try-sql", city, url, "; ".join(options.try_sql)
            )
            tried = {"median_ms": round(tried_ms, 1), "queries": tried_queries}
            if os.environ.get("PROFILE") == "sql":
                profile_sql(city, url)

    township_queries = {queries for _, queries in sizes.values()}
    problems = []
    if city_ms >= TARGET_MS:
        problems.append(f"the city dashboard's median is {city_ms:.0f} ms (target < {TARGET_MS})")
    for page in township_pages:
        if page["median_ms"] >= page["target_ms"]:
            problems.append(
                f"{page['work']}: median {page['median_ms']:.0f} ms (target < {page['target_ms']})"
            )
    if half_queries != direct_queries:
        problems.append(
            f"the city dashboard's queries grow with rows: {half_queries} with half the data, "
            f"{direct_queries} with all of it (both counted directly)"
        )
    if len(township_queries) != 1:
        problems.append(
            "a township dashboard's queries differ between townships: "
            + ", ".join(str(queries) for _, queries in sizes.values())
        )

    print()
    print(
        f"{options.households:,} households, {generated['policies']:,} policies, "
        f"{sum(village_counts.values())} villages in {len(townships)} townships, "
        f"{claims:,} claims; "
        f"{options.runs} runs after {WARMUPS} warm-ups, in-process test client, DEBUG off"
    )
    header = f"{'page':<44}{'median':>10}{'min':>9}{'max':>9}{'queries':>9}{'× base':>8}  note"
    print(header)
    print("-" * len(header))
    for row in results:
        print(
            f"{pad(row['label'], 44)}{row['median_ms']:>8.1f}ms{row['min_ms']:>7.1f}ms"
            f"{row['max_ms']:>7.1f}ms{row['queries']:>9}{row['median_ms'] / base_ms:>8.1f}  "
            f"{row['note']}"
        )
    print(
        f"targets: city dashboard median < {TARGET_MS} ms and the same query count at every "
        f"size; the largest township's rosters and reconciliation pages < {TOWNSHIP_TARGET_MS} ms"
    )
    print(f"load average (1 minute) {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    summary = {
        "households": options.households,
        "policies": generated["policies"],
        "claims": claims,
        "villages": sum(village_counts.values()),
        "townships": len(townships),
        "runs": options.runs,
        "baseline_ms": round(base_ms, 1),
        "city_ms": round(city_ms, 1),
        "city_queries": city_queries,
        "direct_ms": round(direct_ms, 1),
        "direct_queries": direct_queries,
        "half_ms": round(half_ms, 1),
        "half_queries": half_queries,
        "township_queries": sorted(township_queries),
        "target_ms": TARGET_MS,
        "city_fresh_ms": round(city_fresh_ms, 1),
        "township_pages": township_pages,
        "tried": tried,
        "results": results,
        "problems": problems,
        "met": not problems,
    }
    if options.json:
        Path(options.json).write_text(json.dumps(summary, ensure_ascii=False), encoding="utf-8")
    if problems:
        print("MISSED: " + "; ".join(problems))
        raise SystemExit(1)
    print("all targets met")


if __name__ == "__main__":
    main()
