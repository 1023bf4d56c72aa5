#!/usr/bin/env python
"""Benchmark the policy list export: 400,000 policies to xlsx, timed against bare openpyxl.

    .venv/bin/python scripts/bench_policies.py [--households 200000] [--keep]

Creates the PostgreSQL database ``haimen_bench_policies`` (dropped first if it exists, and at the
end unless ``--keep``), migrates it, loads Haimen's areas, gives the townships two insurers, sets
up the 2013 campaign and writes (with COPY) ``--households`` households spread over every village,
each enrolled in both products: one roster entry, two entry products, the insured persons (the
child; both parents, one parent in about one family in fifty) and two issued policies, under one
township report per township in status issued. 200,000 households make 400,000 policies.

Each measurement is a fresh process, so its peak resident memory (``ru_maxrss`` of that child,
read with ``os.wait4``) is its own, Django included:

a. baseline: the selector's rows fetched into a list first, then only bare openpyxl timed: a
   write-only workbook, the header and every row appended, saved to a temporary file; and the
   floor beside it, bare XlsxWriter writing the same list the same way (constant-memory mode,
   strings kept as strings, ``write_row`` for the header and each row, saved);
b. ``python manage.py export_policies --campaign 2013 FILE`` end to end (Django start-up, the
   count for the progress bar, the rows streamed through ``policy_list_workbook``, the save);
   and ``policy_list_rows`` + ``policy_list_workbook`` + save in-process, under
   ``CaptureQueriesContext`` for the query count;
c. the same in-process export for one insurer (about half the rows): the query count must not
   change with the row count, and neither should the peak memory (streamed).

Every file written is checked to hold one row per policy plus the header.
The database server is found through PGHOST/PGPORT (default 127.0.0.1:5432, user postgres).
Targets (docs/design.md section 6): the export at most 0.7 × the baseline's time, peak memory
under 150 MB, the same query count at both sizes. Exits 1 when a target is missed. The targets are
for the default size: with a small ``--households`` (a smoke test) the command's second or so of
Django start-up outweighs the writing and the time ratio is missed.
"""

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import benchdb

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "haimen_bench_policies"
YEAR = 2013
INSURERS = [
    ("PICC", "中国人民财产保险股份有限公司海门支公司", "95518"),
    ("CLIC", "中国人寿保险股份有限公司海门支公司", "95519"),
]
CHUNK = 10_000  # households per COPY round
RATIO_TARGET = 0.7
MEMORY_TARGET_MB = 150


def _env() -> dict:
    return benchdb.env(DATABASE)


def _django():
    benchdb.setup()


def _rss_mb() -> float:
    """The resident memory of this process now (not its peak)."""
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


# --- generation -----------------------------------------------------------------------------


def _resident_id(birth: date, sequence: int, region: str = "320684") -> str:
    from enrollment.resident_ids import check_character

    body = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return body + check_character(body)


def _haimen_areas() -> None:
    from django.conf import settings

    from haimen_insurance import services

    services.areas_load_csv(path=settings.BASE_DIR / "fixtures" / "haimen_areas.csv")


@dataclass(frozen=True)
class Shape:
    """A programme's bench set: how its areas are made, who insures which township, and the
    words of its addresses. Resident IDs and certificate numbers start with the village's
    county code (Haimen's 320684 everywhere); policy numbers take the township's digits 5-9
    where it belongs to a county (``system_policy_number``)."""

    city: str  # the addresses' first words
    load_areas: Callable[[], None]
    insurers: list[tuple[str, str, str]]  # code, name, phone
    insurer_index: Callable[[int, object], int]  # (n-th township in code order, it) → insurer
    employer: str  # one family in twelve has its reward paid by this unit


HAIMEN = Shape(
    city="海门市",
    load_areas=_haimen_areas,
    insurers=INSURERS,
    insurer_index=lambda n, township: n % len(INSURERS),
    employer="海门市人民医院",
)


def _copy(cursor, model, columns: list[str], lines: list[str]) -> None:
    """COPY text lines (tab-separated, \\N for NULL) into ``model``'s table."""
    cursor.copy_expert(
        f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN",
        io.StringIO("".join(lines)),
    )


def _columns(model, names: list[str]) -> list[str]:
    """The table's columns, checked against the model so a new field fails loudly."""
    expected = {field.column for field in model._meta.concrete_fields}
    if set(names) != expected:
        raise SystemExit(
            f"{model.__name__}: the benchmark writes {sorted(names)}, the model has "
            f"{sorted(expected)}; update scripts/bench_policies.py"
        )
    return names


def generate(households: int, shape: Shape = HAIMEN) -> None:
    """Areas, insurers, the campaign and ``households`` enrolled households with their policies
    (Haimen's unless another ``shape``). Prints a JSON line with the counts."""
    _django()
    from django.core.management.color import no_style
    from django.db import connection, transaction
    from django.utils import timezone
    from tqdm import tqdm

    from enrollment.demo import FEMALE_GIVEN, MALE_GIVEN, SURNAMES
    from enrollment.eligibility import Reason
    from enrollment.models import (
        EntryProduct,
        Household,
        InsuredPerson,
        Policy,
        Product,
        Roster,
        RosterEntry,
        TownshipReport,
    )
    from enrollment.services.campaigns import campaign_create, campaign_open
    from enrollment.services.policies import system_policy_number
    from haimen_insurance import services
    from haimen_insurance.models import Area, Insurer

    started = time.perf_counter()
    shape.load_areas()
    townships = list(Area.objects.townships().select_related("parent").order_by("code"))
    insurers = [
        Insurer.objects.create(code=code, name=name, phone=phone)
        for code, name, phone in shape.insurers
    ]
    for index, insurer in enumerate(insurers):
        services.insurer_assign_townships(
            actor=None,
            insurer=insurer,
            townships=[
                township
                for n, township in enumerate(townships)
                if shape.insurer_index(n, township) == index
            ],
        )
    campaign = campaign_create(
        actor=None,
        year=YEAR,
        coverage_start=date(YEAR, 1, 1),
        coverage_end=date(YEAR, 12, 31),
        age_limit=14,
        age_date=date(YEAR, 1, 1),
        verification_deadline=date(YEAR - 1, 12, 21),
        mobilisation_deadline=date(YEAR - 1, 12, 26),
        implementation_deadline=date(YEAR - 1, 12, 31),
        review_deadline=date(YEAR, 1, 15),
    )
    campaign = campaign_open(actor=None, campaign=campaign)
    child_product = campaign.products.get(code=Product.Code.CHILD_SAFETY)
    parent_product = campaign.products.get(code=Product.Code.PARENT_HEALTH)
    villages = list(Area.objects.villages().select_related("parent__parent").order_by("code"))
    # A village's address words: the city, its county (if any), township and village.
    addresses = {
        village.pk: shape.city
        + (village.parent.parent.name if village.parent.parent.is_county else "")
        + village.parent.name
        + village.name
        for village in villages
    }
    rosters = dict(Roster.objects.filter(campaign=campaign).values_list("village", "pk"))
    insurer_of = {
        township.pk: township.insurer
        for township in Area.objects.townships().select_related("insurer")
    }
    now = timezone.now()
    reports = {
        report.township_id: report
        for report in TownshipReport.objects.bulk_create(
            TownshipReport(
                campaign=campaign,
                township=township,
                status=TownshipReport.Status.ISSUED,
                drafted_at=now,
                reported_at=now,
            )
            for township in townships
        )
    }
    stamp = now.isoformat()
    start, end = campaign.coverage_start.isoformat(), campaign.coverage_end.isoformat()
    household_columns = _columns(
        Household,
        [
            "id",
            "certificate_no",
            "village_id",
            "address",
            "phone",
            "hukou",
            "father_name",
            "father_id_number",
            "mother_name",
            "mother_id_number",
            "child_name",
            "child_id_number",
            "child_birth_date",
            "child_sex",
            "certificate_date",
            "receives_reward",
            "employer_name",
            "status",
            "status_reason",
            "created_at",
            "updated_at",
        ],
    )
    entry_columns = _columns(
        RosterEntry,
        [
            "id",
            "roster_id",
            "household_id",
            "decision",
            "reason",
            "eligibility",
            "certificate_no",
            "child_name",
            "payer",
            "decided_by_id",
            "decided_at",
            "policies",
            "premium",
            "on_behalf",
        ],
    )
    line_columns = _columns(EntryProduct, ["id", "entry_id", "product_id", "shares", "premium"])
    person_columns = _columns(
        InsuredPerson,
        ["id", "entry_product_id", "campaign_id", "product_id", "relation", "name", "id_number"],
    )
    policy_columns = _columns(
        Policy,
        [
            "id",
            "campaign_id",
            "report_id",
            "entry_product_id",
            "product_id",
            "household_id",
            "village_id",
            "insurer_id",
            "number",
            "coverage_start",
            "coverage_end",
            "status",
            "issued_by_id",
            "issued_at",
        ],
    )
    totals = {pk: {"households": 0, "policies": 0, "persons": 0} for pk in reports}
    sequences = dict.fromkeys(reports, 0)
    person_id = 0
    first_child_birth, first_father, first_mother = (
        date(1999, 1, 2),
        date(1968, 1, 1),
        date(1970, 1, 1),
    )
    with (
        transaction.atomic(),
        connection.cursor() as cursor,
        tqdm(total=households, desc="households", unit="户", file=sys.stderr) as bar,
    ):
        for chunk in range(0, households, CHUNK):
            rows = {name: [] for name in ("households", "entries", "lines", "persons", "policies")}
            for i in range(chunk, min(chunk + CHUNK, households)):
                pk = i + 1
                village = villages[i * len(villages) // households]
                township_id = village.parent_id
                region = village.code[:6]
                # (day, block) is unique per household, so every ID is unique city-wide.
                day, block = i % 5000, i // 5000
                child_male = i % 2 == 0
                child_birth = first_child_birth + timedelta(days=day)
                surname = SURNAMES[(i * 7) % len(SURNAMES)]
                child_pool = MALE_GIVEN if child_male else FEMALE_GIVEN
                child_name = surname + child_pool[(i * 13) % len(child_pool)]
                father_name = surname + MALE_GIVEN[(i * 31) % len(MALE_GIVEN)]
                mother_name = (
                    SURNAMES[(i * 11 + 3) % len(SURNAMES)]
                    + FEMALE_GIVEN[(i * 17) % len(FEMALE_GIVEN)]
                    + FEMALE_GIVEN[(i * 5) % len(FEMALE_GIVEN)]
                )
                child_id = _resident_id(child_birth, block * 2 + (1 if child_male else 0), region)
                father_id = _resident_id(first_father + timedelta(days=day), block * 2 + 1, region)
                mother_id = _resident_id(first_mother + timedelta(days=day), block * 2, region)
                if i % 100 == 7:  # a single mother
                    father_name = father_id = ""
                elif i % 100 == 57:  # a single father
                    mother_name = mother_id = ""
                employer = shape.employer if i % 12 == 5 else ""
                certificate_no = f"{region}-{pk:07d}"
                rows["households"].append(
                    f"{pk}\t{certificate_no}\t{village.pk}\t"
                    f"{addresses[village.pk]}{i % 30 + 1}组{i % 99 + 1}号\t"
                    f"139{i:08d}\trural\t{father_name}\t{father_id}\t{mother_name}\t{mother_id}\t"
                    f"{child_name}\t{child_id}\t{child_birth.isoformat()}\t"
                    f"{'male' if child_male else 'female'}\t"
                    f"{(child_birth + timedelta(days=100)).isoformat()}\tt\t{employer}\tvalid\t\t"
                    f"{stamp}\t{stamp}\n"
                )
                rows["entries"].append(
                    f"{pk}\t{rosters[village.pk]}\t{pk}\tenrolled\t\t{Reason.ELIGIBLE.value}\t"
                    f"{certificate_no}\t{child_name}\t{employer}\t\\N\t{stamp}\t"
                    f"2\t{child_product.premium + parent_product.premium}\tf\n"
                )
                insurer = insurer_of[township_id]
                persons_here = 0
                for line_pk, product, persons in (
                    (2 * pk - 1, child_product, [("child", child_name, child_id)]),
                    (
                        2 * pk,
                        parent_product,
                        [
                            (relation, name, number)
                            for relation, name, number in (
                                ("father", father_name, father_id),
                                ("mother", mother_name, mother_id),
                            )
                            if number
                        ],
                    ),
                ):
                    rows["lines"].append(f"{line_pk}\t{pk}\t{product.pk}\t1\t{product.premium}\n")
                    for relation, name, number in persons:
                        person_id += 1
                        rows["persons"].append(
                            f"{person_id}\t{line_pk}\t{campaign.pk}\t{product.pk}\t"
                            f"{relation}\t{name}\t{number}\n"
                        )
                    persons_here += len(persons)
                    sequences[township_id] += 1
                    number = system_policy_number(
                        insurer_code=insurer.code,
                        year=YEAR,
                        township_code=village.parent.code,
                        sequence=sequences[township_id],
                        in_county=village.parent.parent.is_county,
                    )
                    rows["policies"].append(
                        f"{line_pk}\t{campaign.pk}\t{reports[township_id].pk}\t{line_pk}\t"
                        f"{product.pk}\t{pk}\t{village.pk}\t{insurer.pk}\t{number}\t{start}\t"
                        f"{end}\tissued\t\\N\t{stamp}\n"
                    )
                counts = totals[township_id]
                counts["households"] += 1
                counts["policies"] += 2
                counts["persons"] += persons_here
            _copy(cursor, Household, household_columns, rows["households"])
            _copy(cursor, RosterEntry, entry_columns, rows["entries"])
            _copy(cursor, EntryProduct, line_columns, rows["lines"])
            _copy(cursor, InsuredPerson, person_columns, rows["persons"])
            _copy(cursor, Policy, policy_columns, rows["policies"])
            bar.update(len(rows["households"]))
        models = [Household, RosterEntry, EntryProduct, InsuredPerson, Policy]
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)
        Roster.objects.filter(campaign=campaign).update(
            status=Roster.Status.APPROVED, submitted_at=now, reviewed_at=now, locked_at=now
        )
        premium = child_product.premium + parent_product.premium
        for township_id, counts in totals.items():
            TownshipReport.objects.filter(pk=reports[township_id].pk).update(
                premium=premium * counts["households"], **counts
            )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(
        json.dumps(
            {
                "households": households,
                "policies": Policy.objects.count(),
                "persons": InsuredPerson.objects.count(),
                "seconds": round(time.perf_counter() - started, 1),
            }
        )
    )


# --- measurements (each in its own process) -------------------------------------------------


def _campaign_and_insurer(insurer_code: str | None) -> tuple[int, int | None]:
    from enrollment.models import Campaign
    from haimen_insurance.models import Insurer

    campaign_id = Campaign.objects.get(year=YEAR).pk
    insurer_id = Insurer.objects.get(code=insurer_code).pk if insurer_code else None
    return campaign_id, insurer_id


def baseline(path: Path) -> None:
    """The selector's rows into a list (timed apart), then bare openpyxl writing them."""
    _django()
    from openpyxl import Workbook

    from enrollment.selectors.policies import POLICY_LIST_HEADERS, policy_list_rows

    campaign_id, _ = _campaign_and_insurer(None)
    before = _rss_mb()
    started = time.perf_counter()
    rows = list(policy_list_rows(campaign_id=campaign_id))
    fetched = time.perf_counter()
    held = _rss_mb() - before
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("保单清单")
    sheet.append(list(POLICY_LIST_HEADERS))
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    finished = time.perf_counter()
    print(
        json.dumps(
            {
                "fetch_s": fetched - started,
                "seconds": finished - fetched,
                "rows": len(rows),
                "list_mb": held,
            }
        )
    )


def floor(path: Path) -> None:
    """The selector's rows into a list (not timed), then bare XlsxWriter writing them."""
    _django()
    import xlsxwriter

    from enrollment.selectors.policies import POLICY_LIST_HEADERS, policy_list_rows

    campaign_id, _ = _campaign_and_insurer(None)
    rows = list(policy_list_rows(campaign_id=campaign_id))
    started = time.perf_counter()
    options = {"constant_memory": True}
    # Texts stay texts, as any careful writer of data sets it (ours too): no formula, number
    # or link is read out of a string.
    options.update(strings_to_formulas=False, strings_to_numbers=False, strings_to_urls=False)
    workbook = xlsxwriter.Workbook(str(path), options)
    sheet = workbook.add_worksheet("保单清单")
    sheet.write_row(0, 0, POLICY_LIST_HEADERS)
    for number, row in enumerate(rows, start=1):
        sheet.write_row(number, 0, row)
    workbook.close()
    print(json.dumps({"seconds": time.perf_counter() - started, "rows": len(rows)}))


def export(path: Path, insurer_code: str | None) -> None:
    """``policy_list_rows`` + ``policy_list_workbook`` + save, with the queries they make."""
    _django()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from enrollment.exports import policy_list_workbook
    from enrollment.selectors.policies import policy_list_rows

    campaign_id, insurer_id = _campaign_and_insurer(insurer_code)
    count = 0

    def counted(rows):
        nonlocal count
        for row in rows:
            count += 1
            yield row

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        rows = policy_list_rows(campaign_id=campaign_id, insurer_id=insurer_id)
        writer = policy_list_workbook(counted(rows), title="保单清单")
        writer.save(path)
        seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "seconds": seconds,
                "rows": count,
                "queries": len(queries),
                "sql": [query["sql"][:160] for query in queries],
            }
        )
    )


def _run(args: list[str], label: str) -> tuple[float, float, str]:
    """Run a child process; its wall seconds, its own peak RSS in MB, and its stdout."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        process = subprocess.Popen(args, env=_env(), cwd=ROOT, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if process.returncode:
            sys.stderr.write(err.read()[-5000:])
            raise SystemExit(f"{label} failed (exit {process.returncode})")
        return seconds, usage.ru_maxrss / 1024, out.read()


def _step(label: str, *args: str) -> tuple[float, float, dict]:
    seconds, peak, output = _run([sys.executable, __file__, *args], label)
    return seconds, peak, json.loads(output.strip().splitlines()[-1])


def _sheet_rows(path: Path) -> int:
    """Rows in the workbook's first sheet, counted by streaming its XML."""
    count, tail = 0, b""
    with zipfile.ZipFile(path) as archive, archive.open("xl/worksheets/sheet1.xml") as sheet:
        while chunk := sheet.read(1 << 20):
            data = tail + chunk
            count += data.count(b"</row>")
            tail = data[-5:]
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--households", type=int, default=200_000)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--step", choices=["generate", "baseline", "floor", "export"], help=argparse.SUPPRESS
    )
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--insurer", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.step == "generate":
        generate(options.households)
        return
    if options.step == "baseline":
        baseline(Path(options.file))
        return
    if options.step == "floor":
        floor(Path(options.file))
        return
    if options.step == "export":
        export(Path(options.file), options.insurer)
        return

    with benchdb.database(DATABASE, keep=options.keep):
        generated = subprocess.run(
            [
                sys.executable,
                __file__,
                "--step",
                "generate",
                "--households",
                str(options.households),
            ],
            env=_env(),
            cwd=ROOT,
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        )
        data = json.loads(generated.stdout.strip().splitlines()[-1])
        policies = data["policies"]
        print(
            f"{data['households']:,} households, {policies:,} policies, "
            f"{data['persons']:,} insured persons (generated in {data['seconds']:.0f} s)",
            flush=True,
        )
        with tempfile.TemporaryDirectory() as folder:
            names = ("base", "floor", "cli", "all", "one")
            files = {name: Path(folder, f"{name}.xlsx") for name in names}
            _, base_peak, base = _step(
                "baseline", "--step", "baseline", "--file", str(files["base"])
            )
            print(f"a. baseline done: {base['seconds']:.1f} s", flush=True)
            _, floor_peak, bare = _step("floor", "--step", "floor", "--file", str(files["floor"]))
            print(f"a. bare XlsxWriter done: {bare['seconds']:.1f} s", flush=True)
            cli_s, cli_peak, _ = _run(
                [
                    sys.executable,
                    "manage.py",
                    "export_policies",
                    "--campaign",
                    str(YEAR),
                    str(files["cli"]),
                ],
                "export_policies",
            )
            print(f"b. export_policies done: {cli_s:.1f} s", flush=True)
            _, all_peak, every = _step("export", "--step", "export", "--file", str(files["all"]))
            print(f"b. in-process export done: {every['seconds']:.1f} s", flush=True)
            insurer = INSURERS[0][0]
            _, one_peak, one = _step(
                "export --insurer",
                *("--step", "export", "--file", str(files["one"]), "--insurer", insurer),
            )
            print(f"c. in-process export for {insurer} done: {one['seconds']:.1f} s", flush=True)
            written = {name: _sheet_rows(path) for name, path in files.items()}
            sizes = {name: path.stat().st_size / 2**20 for name, path in files.items()}

    base_s = base["seconds"]
    problems = []
    # The header row, and below the policies the list's totals row (not in the bare baseline).
    for name, expected in (
        ("base", policies + 1),
        ("floor", policies + 1),
        ("cli", policies + 2),
        ("all", policies + 2),
        ("one", one["rows"] + 2),
    ):
        if written[name] != expected:
            problems.append(f"{name}.xlsx holds {written[name]:,} rows, expected {expected:,}")
    if base["rows"] != policies or every["rows"] != policies:
        problems.append(f"the selector gave {every['rows']:,} rows for {policies:,} policies")
    ratio = cli_s / base_s
    if ratio > RATIO_TARGET:
        problems.append(f"export_policies took {ratio:.2f} × the baseline (target {RATIO_TARGET})")
    if cli_peak >= MEMORY_TARGET_MB:
        problems.append(f"export_policies peaked at {cli_peak:.0f} MB (target {MEMORY_TARGET_MB})")
    if one["queries"] != every["queries"]:
        problems.append(
            f"query count grows with rows: {one['queries']} for {one['rows']:,}, "
            f"{every['queries']} for {every['rows']:,}"
        )

    print()
    print(
        f"{'figure':<44}{'rows':>9}{'seconds':>9}{'× base':>8}{'peak MB':>9}{'queries':>9}"
        f"{'MB file':>9}  target"
    )
    table = [
        (
            "a. bare openpyxl: write + save (baseline)",
            base["rows"],
            base_s,
            base_peak,
            "",
            "base",
            "",
        ),
        (
            "a. bare XlsxWriter: write + save (floor)",
            bare["rows"],
            bare["seconds"],
            floor_peak,
            "",
            "floor",
            "",
        ),
        (
            "   (selector into a list, not in baseline)",
            base["rows"],
            base["fetch_s"],
            None,
            "",
            "",
            "",
        ),
        (
            "b. manage.py export_policies, end to end",
            policies,
            cli_s,
            cli_peak,
            "",
            "cli",
            f"≤ {RATIO_TARGET} ×, < {MEMORY_TARGET_MB} MB",
        ),
        (
            "b. rows + workbook + save, in-process",
            every["rows"],
            every["seconds"],
            all_peak,
            every["queries"],
            "all",
            "",
        ),
        (
            f"c. the same, insurer {insurer} only",
            one["rows"],
            one["seconds"],
            one_peak,
            one["queries"],
            "one",
            "queries as b.",
        ),
    ]
    for label, rows, seconds, peak, queries, file, target in table:
        print(
            f"{label:<44}{rows:>9,}{seconds:>9.1f}{seconds / base_s:>8.2f}"
            f"{'' if peak is None else f'{peak:.0f}':>9}{queries!s:>9}"
            f"{f'{sizes[file]:.1f}' if file else '':>9}  {target}"
        )
    print(
        f"baseline and floor peaks include the {base['list_mb']:.0f} MB the fetched rows hold in "
        f"memory; queries of the in-process export: {every['sql']}"
    )
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores at the end")
    if problems:
        print("MISSED: " + "; ".join(problems))
        raise SystemExit(1)
    print("all targets met")


if __name__ == "__main__":
    main()
