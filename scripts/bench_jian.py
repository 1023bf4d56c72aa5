#!/usr/bin/env python
"""Benchmark the dashboards at Ji'an's scale: 13 counties, ~190 townships, ~2,500 villages.

    .venv/bin/python scripts/bench_jian.py [--households 200000] [--claims 5000] [--runs 20]
        [--keep] [--json FILE]

Creates the PostgreSQL database ``haimen_bench_jian`` (dropped first if it exists, and at the
end unless ``--keep``), migrates it and writes a Ji'an-shaped bench set:

- the tree of ``fixtures/jian_areas.csv`` (吉安市, its 13 real counties and 39 townships)
  extended with generated townships and villages (**demo names and codes**, made here, see
  ``jian_tree``): ``COUNTY_TOWNSHIPS`` townships per county (190 in all, roughly in the
  counties' relative sizes), each with 6 to 21 villages (2,563 in all: the first of a
  generated township a 社区, the rest 村);
- Ji'an's insurers as the demo has them (China Life everywhere but the three southern counties,
  Taikang there: ``seed_demo``'s ``JIAN_INSURERS``), the 2013 campaign and ``--households``
  households spread evenly over the villages, each enrolled in both products with its insured
  persons and two issued policies, one issued report per township: the generator of
  ``scripts/bench_policies.py`` with the ``JIAN`` shape (resident IDs and certificates by the
  village's county code, addresses with the county, policy numbers with the township's digits
  5-9), COPY all the way;
- ``--claims`` claims, as ``scripts/bench_dashboard.py`` writes them.

Then, in this process, through Django's test client (``force_login``), each page ``--runs``
times after two warm-ups, with the median server time and the number of SQL queries of one
request:

a. baseline: the login page, anonymous;
b. ``/dashboard/`` as the city officer (every county and township);
c. the same in a transaction (where nothing kept is used: every village counted directly),
   c′. with half the counties' data deleted in it (rolled back afterwards);
d. ``/dashboard/counties/<pk>/`` as the county officer of the county with the most villages and
   of the one with the fewest;
e. ``/dashboard/townships/<pk>/`` as the township officer of the township with the most
   villages and of the one with the fewest;
b′. the city dashboard with every village counted afresh (the kept figures forgotten before
   each request, as after a change to every village).

Targets: the query count the same in c and c′, in both d and in both e (docs/design.md section
6: the dashboards' query counts stay constant with the depth and the number of counties). No
time target: Haimen's city dashboard target (< 100 ms) is set at Haimen's 19 townships and 290
villages; this one is shown beside it (``scripts/bench.py`` puts the two side by side when both
run, and compares their query counts: depth four against depth three). Exits 1 when a target is
missed. ``PROFILE=sql`` or ``PROFILE=py`` profiles one city dashboard request, as in
``bench_dashboard.py``. The database server is found through PGHOST/PGPORT (default
127.0.0.1:5432, user postgres).
"""

import argparse
import contextlib
import io
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT))

import bench_dashboard  # noqa: E402  (scripts/, not a package)
import bench_policies  # noqa: E402
import benchdb  # noqa: E402

DATABASE = benchdb.named("haimen_bench_jian")
# Townships per county, the fixture's three included (190 in all; demo counts, roughly in the
# counties' relative sizes, not their real numbers).
COUNTY_TOWNSHIPS = {
    "吉州区": 8,
    "青原区": 8,
    "吉安县": 17,
    "吉水县": 16,
    "峡江县": 7,
    "新干县": 12,
    "永丰县": 18,
    "泰和县": 19,
    "遂川县": 20,
    "万安县": 14,
    "安福县": 16,
    "永新县": 20,
    "井冈山市": 15,
}
# The stems of generated names: two of them and 镇, 乡, 社区 or 村 (demo names).
STEMS = (
    "东西南北上下大新石龙凤桥塘坪岭溪源湖江河山田沙洲林竹梅枫荷杨柳樟松安平永和兴富福金双白黄青高长"
)


def villages_of(index: int) -> int:
    """How many villages the ``index``-th township (in code order) has: 6 to 21."""
    return 6 + (index * 5) % 16


def _names():
    """Two-stem names in an order that mixes them (first stems change slowest otherwise)."""
    pairs = [a + b for a in STEMS for b in STEMS if a != b]
    step = 97  # prime to len(pairs): every pair once
    assert len(pairs) % step
    return [pairs[(n * step) % len(pairs)] for n in range(len(pairs))]


def jian_tree() -> dict[str, int]:
    """Ji'an's fixture, then the generated townships and villages (bulk inserts: the tree's
    trigger checks every code). Returns the counts of each level."""
    from django.conf import settings

    from haimen_insurance import services
    from haimen_insurance.models import Area

    services.areas_load_csv(path=settings.BASE_DIR / "fixtures" / "jian_areas.csv")
    pairs = _names()
    names = iter(pairs)
    taken_townships = set(Area.objects.townships().values_list("name", flat=True))

    def township_name(kind: str) -> str:
        while (name := next(names) + kind) in taken_townships:
            pass
        taken_townships.add(name)
        return name

    new_townships = []
    for county in Area.objects.counties().order_by("code"):
        existing = list(Area.objects.townships().filter(parent=county))
        used = {township.code[6:9] for township in existing}
        for n in range(COUNTY_TOWNSHIPS[county.name] - len(existing)):
            kind, first = ("乡", 200) if n % 3 == 2 else ("镇", 100)
            digits = next(f"{d:03d}" for d in range(first, first + 100) if f"{d:03d}" not in used)
            used.add(digits)
            new_townships.append(
                Area(
                    code=f"{county.code[:6]}{digits}000",
                    name=township_name(kind),
                    kind=kind,
                    parent=county,
                )
            )
    Area.objects.bulk_create(new_townships)

    generated = {township.pk for township in new_townships}
    new_villages = []
    townships = Area.objects.townships().order_by("code").prefetch_related("children")
    for index, township in enumerate(townships):
        children = list(township.children.all())
        taken = {child.name for child in children}
        used = {child.code[9:] for child in children}
        pool = (pairs[(index * 53 + k) % len(pairs)] for k in range(len(pairs)))
        for n in range(villages_of(index) - len(children)):
            community = n == 0 and township.pk in generated
            if community:
                kind, name, first = "社区", township.name[:-1] + "社区", 1
            else:
                kind, first = "村", 201
                while (name := next(pool) + "村") in taken:
                    pass
            taken.add(name)
            digits = next(f"{d:03d}" for d in range(first, first + 99) if f"{d:03d}" not in used)
            used.add(digits)
            new_villages.append(
                Area(code=f"{township.code[:9]}{digits}", name=name, kind=kind, parent=township)
            )
    Area.objects.bulk_create(new_villages, batch_size=1000)
    return {
        "counties": Area.objects.counties().count(),
        "townships": Area.objects.townships().count(),
        "villages": Area.objects.villages().count(),
    }


def _jian_insurers() -> tuple[list, tuple]:
    from oversight.management.commands.seed_demo import JIAN_INSURERS, JIAN_TAIKANG_COUNTIES

    return JIAN_INSURERS, JIAN_TAIKANG_COUNTIES


def jian_shape() -> "bench_policies.Shape":
    """Ji'an's bench shape: the tree above, China Life everywhere but Taikang's three southern
    counties (as the demo)."""
    insurers, southern = _jian_insurers()
    return bench_policies.Shape(
        city="吉安市",
        load_areas=jian_tree,
        insurers=insurers,
        insurer_index=lambda n, township: int(township.parent.name in southern),
        employer="吉安市中心人民医院",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--households", type=int, default=200_000)
    parser.add_argument("--claims", type=int, default=5_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--json", help="also write the figures to this file as JSON")
    options = parser.parse_args()

    started = time.perf_counter()
    with benchdb.database(DATABASE, keep=options.keep):
        benchdb.setup(DATABASE)
        from django.db import transaction
        from django.db.models import Count
        from django.test import Client
        from django.urls import reverse

        output = io.StringIO()
        with contextlib.redirect_stdout(output):
            bench_policies.generate(options.households, jian_shape())
        generated = json.loads(output.getvalue().strip().splitlines()[-1])
        claims = bench_dashboard.generate_claims(options.claims, place="吉安市境内")

        from enrollment.models import Campaign
        from haimen_insurance.models import Area

        villages_in = {
            item["parent"]: item["n"]
            for item in Area.objects.villages().order_by().values("parent").annotate(n=Count("pk"))
        }
        townships = list(Area.objects.townships().select_related("parent").order_by("code"))
        counties = list(Area.objects.counties().order_by("code"))
        county_villages = {county.pk: 0 for county in counties}
        for township in townships:
            county_villages[township.parent_id] += villages_in.get(township.pk, 0)
        villages = sum(villages_in.values())
        print(
            f"{len(counties)} counties, {len(townships)} townships, {villages:,} villages; "
            f"{generated['households']:,} households, {generated['policies']:,} policies, "
            f"{generated['persons']:,} insured persons, {claims:,} claims "
            f"(migrated and generated in {time.perf_counter() - started:.0f} s)",
            flush=True,
        )

        def by_villages(areas, count):
            largest = max(areas, key=lambda area: (count[area.pk], area.code))
            smallest = min(areas, key=lambda area: (count[area.pk], area.code))
            return largest, smallest

        officer = benchdb.user("bench_city", "city_officer", full_name="市人口计生委")
        campaign = Campaign.objects.get(year=bench_policies.YEAR)
        bench_dashboard.check_figures(
            campaign,
            officer,
            {
                "households": options.households,
                "policies": generated["policies"],
                "claims": claims,
                "issued townships": len(townships),
            },
        )

        results = []

        def measure(label, client, page, note="", fresh=False):
            median, queries, times = bench_dashboard.timed(client, page, options.runs, fresh=fresh)
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
            return round(median, 1), queries

        def signed_in(user):
            client = Client()
            client.force_login(user)
            return client

        base_ms, _ = measure("a. login page, anonymous (baseline)", Client(), reverse("login"))
        city = signed_in(officer)
        url = reverse("dashboard")
        city_ms, city_queries = measure(
            "b. /dashboard/, city officer",
            city,
            url,
            f"{len(counties)} counties, {len(townships)} townships, {villages:,} villages",
        )
        with transaction.atomic():
            # In a transaction nothing kept is used (``village_cache.usable``): all data and
            # half of it are both counted directly, so their query counts compare like for like.
            direct_ms, direct_queries = measure(
                "c. /dashboard/ in a transaction (counted directly)", city, url, "all data"
            )
            half = counties[::2]
            halved = {county.pk for county in half}
            emptied = [township for township in townships if township.parent_id in halved]
            deleted = bench_dashboard.delete_townships_data(emptied)
            half_ms, half_queries = measure(
                "c′. the same, half the counties' data",
                city,
                url,
                f"{len(half)} counties emptied ({deleted:,} households deleted)",
            )
            transaction.set_rollback(True)

        county_pages = []
        for area in by_villages(counties, county_villages):
            user = benchdb.user(f"bench_county_{area.code}", "county_officer", area=area)
            ms, queries = measure(
                f"d. county officer, {area.name}",
                signed_in(user),
                reverse("dashboard_county", args=[area.pk]),
                f"{sum(t.parent_id == area.pk for t in townships)} townships, "
                f"{county_villages[area.pk]} villages",
            )
            county_pages.append({"county": area.name, "median_ms": ms, "queries": queries})
        township_pages = []
        for area in by_villages(townships, villages_in):
            user = benchdb.user(f"bench_township_{area.code}", "township_officer", area=area)
            households = options.households * villages_in[area.pk] // villages
            ms, queries = measure(
                f"e. township officer, {area.parent.name}{area.name}",
                signed_in(user),
                reverse("dashboard_township", args=[area.pk]),
                f"{villages_in[area.pk]} villages, ~{households:,} households",
            )
            township_pages.append({"township": area.name, "median_ms": ms, "queries": queries})
        city_fresh_ms, _ = measure(
            "b′. /dashboard/, counted afresh", city, url, "figures forgotten", True
        )

        if os.environ.get("PROFILE") == "sql":
            bench_dashboard.profile_sql(city, url)
        elif os.environ.get("PROFILE") == "py":
            bench_dashboard.profile_python(city, url)

    county_queries = sorted({page["queries"] for page in county_pages})
    township_queries = sorted({page["queries"] for page in township_pages})
    problems = []
    if half_queries != direct_queries:
        problems.append(
            f"the city dashboard's queries grow with rows: {half_queries} with half the "
            f"counties' data, {direct_queries} with all of it (both counted directly)"
        )
    for level, found in (("county", county_queries), ("township", township_queries)):
        if len(found) != 1:
            problems.append(
                f"a {level} dashboard's queries differ between the largest and the smallest: "
                + " vs ".join(str(queries) for queries in found)
            )

    print()
    print(
        f"{options.households:,} households, {generated['policies']:,} policies, "
        f"{villages:,} villages in {len(townships)} townships in {len(counties)} counties, "
        f"{claims:,} claims; {options.runs} runs after {bench_dashboard.WARMUPS} warm-ups, "
        "in-process test client, DEBUG off"
    )
    header = f"{'page':<44}{'median':>10}{'min':>9}{'max':>9}{'queries':>9}{'× base':>8}  note"
    print(header)
    print("-" * len(header))
    for row in results:
        print(
            f"{bench_dashboard.pad(row['label'], 44)}{row['median_ms']:>8.1f}ms"
            f"{row['min_ms']:>7.1f}ms{row['max_ms']:>7.1f}ms{row['queries']:>9}"
            f"{row['median_ms'] / base_ms:>8.1f}  {row['note']}"
        )
    print(
        "targets: the same query count with half the counties' data, for the largest and the "
        "smallest county, and for the largest and the smallest township; no time target "
        f"(Haimen's city dashboard: < {bench_dashboard.TARGET_MS} ms at 290 villages)"
    )
    print(f"load average (1 minute) {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    summary = {
        "households": options.households,
        "policies": generated["policies"],
        "claims": claims,
        "counties": len(counties),
        "townships": len(townships),
        "villages": villages,
        "runs": options.runs,
        "baseline_ms": round(base_ms, 1),
        "city_ms": city_ms,
        "city_queries": city_queries,
        "direct_ms": direct_ms,
        "direct_queries": direct_queries,
        "half_ms": half_ms,
        "half_queries": half_queries,
        "city_fresh_ms": round(city_fresh_ms, 1),
        "county_pages": county_pages,
        "county_queries": county_queries,
        "township_pages": township_pages,
        "township_queries": township_queries,
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
