#!/usr/bin/env python
"""`make bench`: every target of docs/design.md section 6 in turn, one table, docs/performance.md.

    .venv/bin/python scripts/bench.py [--only import|roster|policies|dashboard ...] [--smoke]

Runs, each as a subprocess against a database of its own (created, migrated and dropped by the
script through ``scripts/benchdb.py``, which they share):

1. ``scripts/bench_import.py``: the register import, 100,000 rows xlsx (4 runs);
2. ``scripts/bench_roster.py``: the village roster page and its PDF, 700 households, with the
   login page as the trivial baseline page;
3. ``scripts/bench_policies.py``: the policy list export, 400,000 rows, against bare openpyxl
   writing the same rows;
4. ``scripts/bench_dashboard.py``: the city dashboard at bench scale (400,000 policies, 5,000
   claims) and the largest township's rosters and reconciliation pages, with the login page as
   baseline, and the year's review workbook and PDF;
5. ``scripts/bench_jian.py``: the city, county and township dashboards on a Ji'an-shaped set
   (13 counties, 190 townships, 2,563 villages, the same 200,000 households), their query
   counts with half the counties' data and for the largest and smallest county and township,
   and, when 4 ran too, beside Haimen's (depth four against three);
6. ``scripts/bench_jobs.py``: the requests that start the long work as background jobs (a
   200,000-row register upload and its confirm, the roll-over of 200,000 households, the city's
   400,000-row policy list), each beside its job's own time in a worker.

Their output is shown as it comes and their figures are read from it (the tables they print;
``bench_dashboard.py`` writes JSON). The load test (100 cadres on gunicorn) is ``make load``,
run separately: its row shows the last results ``scripts/load_test.py`` left in
``test-artifacts/load/`` when there are any, else "see make load"; it does not count towards
this command's exit status.

Prints one table (work, figure, target, ratio to the baseline measured in the same run, met)
and, after a full run, writes it to ``docs/performance.md`` with the date, the machine and how to
reproduce. Exits 1 when a target is missed or a benchmark failed. Takes about 15 minutes on two
cores (the import about 4, the export about 6, Ji'an's dashboards about 3, 8 at a load of 6).
``--smoke`` runs everything at tiny sizes in about a minute, to check the machinery (its figures
mean nothing; the doc is left alone).
"""

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from load_test import Line, read_results

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "scripts"
DOC = ROOT / "docs" / "performance.md"
LOAD_RESULTS = ROOT / "test-artifacts" / "load"
BENCHES = ["import", "roster", "policies", "dashboard", "jian", "jobs"]
SMOKE = {
    "import": ["--rows", "2000"],
    "roster": ["--households", "100", "--runs", "3"],
    "policies": ["--households", "2000"],
    "dashboard": ["--households", "6000", "--claims", "500", "--runs", "3"],
    "jian": ["--households", "6000", "--claims", "500", "--runs", "3"],
    "jobs": ["--rows", "2000", "--households", "2000"],
}


@dataclass
class Row:
    work: str
    figure: str
    target: str
    ratio: str = "—"
    met: bool | None = None  # None: not measured in this run
    counts: bool = True  # towards the exit status

    @property
    def verdict(self) -> str:
        return {True: "yes", False: "**no**", None: "—"}[self.met]


@dataclass
class Run:
    name: str
    returncode: int
    output: str
    seconds: float


def run(name: str, args: list[str]) -> Run:
    """Run a benchmark script, echoing its output as it comes; its exit code and output."""
    print(f"\n=== {name}: {' '.join(['python', *args])}", flush=True)
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
    )
    lines = []
    for line in process.stdout:
        sys.stdout.write(line)
        sys.stdout.flush()
        lines.append(line)
    process.wait()
    seconds = time.perf_counter() - started
    print(f"=== {name}: exit {process.returncode} after {seconds:.0f} s", flush=True)
    return Run(name, process.returncode, "".join(lines), seconds)


def failed(work: str, target: str, result: Run, why: str = "") -> Row:
    return Row(
        work,
        f"failed (exit {result.returncode}){': ' + why if why else ''}; see its output above",
        target,
        met=False,
    )


def number(text: str) -> float:
    return float(text.replace(",", ""))


# --- each benchmark's figures, read from what it prints --------------------------------------


IMPORT_LINE = re.compile(
    r"^(?P<run>\d)\. (?P<label>.+?)\s+(?P<seconds>[\d.]+) s \(check (?P<check>[\d.]+) s \+ "
    r"write (?P<write>[\d.]+) s.*?\), peak (?P<peak>\d+) MB.*?(?P<ratio>[\d.]+)×",
    re.MULTILINE,
)
IMPORT_FLOOR = re.compile(
    r"^floor: calamine reading the file (?P<read>[\d.]+) s .*? \+ COPY of the same rows "
    r"(?P<copy>[\d.]+) s = (?P<floor>[\d.]+) s",
    re.MULTILINE,
)
# The targets of bench_import.py's runs: (target text, seconds under, × floor at most).
IMPORT_TARGETS = {
    "1": ("< 10 s, ≤ 3 × floor, peak < 300 MB", 10, 3),
    "4": ("< 15 s, peak < 300 MB", 15, None),
}


def import_rows(result: Run) -> list[Row]:
    found = list(IMPORT_LINE.finditer(result.output))
    floor = IMPORT_FLOOR.search(result.output)
    size = re.search(r"^([\d,]+) rows: ", result.output, re.MULTILINE)
    work = f"register import, {size[1] if size else '?'} rows xlsx"
    if result.returncode not in (0, 1) or not found or floor is None:
        return [failed(work, IMPORT_TARGETS["1"][0], result)]
    rows = [
        Row(
            f"{work}: the floor (calamine alone reading the file + COPY alone of the same rows)",
            f"{floor['floor']} s ({floor['read']} + {floor['copy']})",
            "",
            met=None,
            counts=False,
        )
    ]
    for match in found:
        seconds, peak, ratio = float(match["seconds"]), int(match["peak"]), float(match["ratio"])
        target, under, times = IMPORT_TARGETS.get(match["run"], ("peak < 300 MB", None, None))
        met = peak < 300
        if under is not None:
            met = met and seconds < under
        if times is not None:
            met = met and ratio <= times
        rows.append(
            Row(
                f"{work}: {match['run']}. {match['label']}",
                f"{seconds:.1f} s (check {match['check']} + write {match['write']}), "
                f"peak {peak} MB",
                target,
                f"{ratio:.2f} × floor",
                met=met,
            )
        )
    return rows


ROSTER_LINE = re.compile(
    r"^(?P<label>trivial page \(login\)|roster page|roster PDF)\s+(?P<ms>[\d.]+)ms"
    r"(?:\s+(?P<queries>\d+))?",
    re.MULTILINE,
)


def roster_rows(result: Run) -> list[Row]:
    page_target, pdf_target = "median < 50 ms", "median < 0.5 s"
    figures = {match["label"]: match for match in ROSTER_LINE.finditer(result.output)}
    size = re.search(r"^households (\d+)", result.output, re.MULTILINE)
    households = f"{size[1] if size else '?'} households"
    # Exit 1 is a missed target; its figures are still printed.
    if result.returncode not in (0, 1) or len(figures) != 3:
        return [
            failed(f"village roster page, {households}", page_target, result),
            failed(f"roster PDF, {households}", pdf_target, result),
        ]
    base = float(figures["trivial page (login)"]["ms"])
    page, pdf = figures["roster page"], figures["roster PDF"]
    page_ms, pdf_ms = float(page["ms"]), float(pdf["ms"])
    return [
        Row(
            f"village roster page, {households}",
            f"{page_ms:.1f} ms median, {page['queries']} queries",
            page_target,
            f"{page_ms / base:.1f} × login page ({base:.1f} ms)",
            page_ms < 50,
        ),
        Row(
            f"roster PDF, {households}",
            f"{pdf_ms:.0f} ms median, {pdf['queries']} queries",
            pdf_target,
            f"{pdf_ms / base:.0f} × login page",
            pdf_ms < 500,
        ),
    ]


def columns(header: str, names: list[str]) -> list[tuple[int, int]]:
    """(start, end) of right-aligned columns, from where their titles end in the header."""
    ends = [header.index(name) + len(name) for name in names]
    return list(zip([0, *ends[:-1]], ends, strict=True))


def policies_table(output: str) -> dict[str, dict]:
    """bench_policies.py's table: each line's label → its cells by column title."""
    lines = output.splitlines()
    header_at = next(i for i, line in enumerate(lines) if line.startswith("figure"))
    header = lines[header_at]
    names = ["rows", "seconds", "× base", "peak MB", "queries", "MB file"]
    spans = columns(header, names)
    label_width = header.index("rows") + len("rows") - 9  # rows: 9 columns, right-aligned
    table = {}
    for line in lines[header_at + 1 :]:
        if not re.match(r"[abc]\. |   \(", line):
            break
        cells = {
            name: line[start:end].strip() for name, (start, end) in zip(names, spans, strict=True)
        }
        cells["rows"] = line[label_width : spans[0][1]].strip()
        table[line[:label_width].strip()] = cells
    return table


def policies_rows(result: Run) -> list[Row]:
    target = "≤ 0.7 × bare openpyxl, peak < 150 MB"
    try:
        table = policies_table(result.output)
        base = next(cells for label, cells in table.items() if label.startswith("a. bare openpyxl"))
        bare = next(cells for label, cells in table.items() if "XlsxWriter" in label)
        cli = next(cells for label, cells in table.items() if "export_policies" in label)
        every = next(cells for label, cells in table.items() if "in-process" in label)
        one = next(cells for label, cells in table.items() if label.startswith("c."))
        ratio = number(cli["× base"])
        peak = number(cli["peak MB"])
        written = number(cli["rows"])
    except (StopIteration, ValueError, KeyError) as error:
        return [failed("policy list export, 400,000 rows xlsx", target, result, repr(error))]
    missed = re.search(r"^MISSED: (.*)$", result.output, re.MULTILINE)
    rows = [
        Row(
            f"policy list export, {written:,.0f} rows xlsx (manage.py export_policies)",
            f"{number(cli['seconds']):.1f} s, peak {peak:.0f} MB "
            f"(bare openpyxl {number(base['seconds']):.1f} s, "
            f"bare XlsxWriter {number(bare['seconds']):.1f} s)",
            target,
            f"{ratio:.2f} × bare openpyxl (bare XlsxWriter {number(bare['× base']):.2f} ×)",
            ratio <= 0.7 and peak < 150,
        ),
        Row(
            "policy export: queries, all rows vs one insurer's",
            f"{every['queries']} for {every['rows']} rows, {one['queries']} for {one['rows']}",
            "the same",
            met=every["queries"] == one["queries"] and result.returncode in (0, 1),
        ),
    ]
    if missed and all(row.met for row in rows):  # a miss the rows above do not show
        rows.append(Row("policy export: bench_policies.py", "MISSED: " + missed[1], "", met=False))
    return rows


def dashboard_rows(result: Run, path: Path) -> list[Row]:
    target = "median < 100 ms"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return [failed("city dashboard at bench scale", target, result, "no figures written")]
    base, city = data["baseline_ms"], data["city_ms"]
    return [
        Row(
            f"city dashboard, {data['policies']:,} policies, {data['villages']} villages, "
            f"{data['claims']:,} claims",
            f"{city:.1f} ms median, {data['city_queries']} queries",
            target,
            f"{city / base:.0f} × login page ({base:.1f} ms)",
            city < data["target_ms"],
        ),
        Row(
            "city dashboard: queries, all data vs half the townships' data (counted directly)",
            f"{data['direct_queries']} vs {data['half_queries']} "
            f"({data['direct_ms']:.1f} ms and {data['half_ms']:.1f} ms)",
            "the same",
            met=data["direct_queries"] == data["half_queries"],
        ),
        Row(
            "township dashboard: queries, largest vs smallest township",
            " vs ".join(
                str(item["queries"]) for item in data["results"] if item["label"].startswith("d.")
            ),
            "the same",
            met=len(data["township_queries"]) == 1,
        ),
        *(
            Row(
                f"{page['work']}, {page['township']} (~{page['households']:,} households)",
                f"{page['median_ms']:.1f} ms median, {page['queries']} queries "
                f"({page['fresh_ms']:.0f} ms with every village counted afresh)",
                f"median < {page['target_ms']} ms",
                f"{page['median_ms'] / base:.0f} × login page",
                page["median_ms"] < page["target_ms"],
            )
            for page in data.get("township_pages", [])
        ),
        review_row(data),
    ]


def review_row(data: dict) -> Row:
    """The year's review, made as its job makes it: under 2 s it may stay in the request for
    a small year (the assessment page makes it a job above ``JOBS_IMMEDIATE_ROWS`` households);
    over 2 s it would have to be a job always."""
    made = {
        item["label"][3:]: item for item in data["results"] if item["label"][:2] in ("g.", "h.")
    }
    workbook, pdf = made["the year's review workbook"], made["the year's review PDF"]
    return Row(
        "the year's review (考核表 xlsx, 点评总结 PDF), made for the city",
        f"workbook {workbook['median_ms']:.0f} ms, PDF {pdf['median_ms']:.0f} ms median, "
        f"{workbook['queries']} queries",
        "< 2 s (else always a job)",
        f"{workbook['median_ms'] / data['city_ms']:.1f} × city dashboard",
        max(workbook["median_ms"], pdf["median_ms"]) < 2000,
    )


def jian_rows(result: Run, path: Path, haimen: Path | None) -> list[Row]:
    """Ji'an's set (``bench_jian.py``) and, when Haimen's dashboards were measured in the same
    run (``haimen``: bench_dashboard.py's figures), the two shapes' query counts side by side."""
    work = "Ji'an city dashboard"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return [failed(f"{work} at Ji'an's scale", "the same query counts", result)]
    try:
        theirs = json.loads(haimen.read_text(encoding="utf-8")) if haimen else None
    except (OSError, ValueError):
        theirs = None
    base, city = data["baseline_ms"], data["city_ms"]
    counties, townships = data["county_pages"], data["township_pages"]
    rows = [
        Row(
            f"{work}, {data['policies']:,} policies, {data['counties']} counties, "
            f"{data['townships']} townships, {data['villages']:,} villages, "
            f"{data['claims']:,} claims",
            f"{city:.1f} ms median, {data['city_queries']} queries "
            f"({data['city_fresh_ms']:.0f} ms with every village counted afresh)",
            "none (Haimen's: < 100 ms at 290 villages)",
            f"{city / theirs['city_ms']:.1f} × Haimen's city dashboard"
            if theirs
            else f"{city / base:.0f} × login page ({base:.1f} ms)",
            counts=False,
        ),
        Row(
            f"{work}: queries, all data vs half the counties' data (both counted directly)",
            f"{data['direct_queries']} vs {data['half_queries']} "
            f"({data['direct_ms']:.1f} ms and {data['half_ms']:.1f} ms)",
            "the same",
            met=data["direct_queries"] == data["half_queries"],
        ),
        Row(
            "Ji'an county dashboard: queries, largest vs smallest county "
            f"({counties[0]['county']}, {counties[-1]['county']})",
            " vs ".join(f"{page['queries']} ({page['median_ms']:.1f} ms)" for page in counties),
            "the same",
            met=len(data["county_queries"]) == 1,
        ),
        Row(
            "Ji'an township dashboard: queries, largest vs smallest township",
            " vs ".join(f"{page['queries']} ({page['median_ms']:.1f} ms)" for page in townships),
            "the same",
            met=len(data["township_queries"]) == 1,
        ),
    ]
    work = "dashboards' queries at depth four (Ji'an) vs three (Haimen)"
    if theirs is None:
        haimen_state = (
            "Haimen's bench wrote no figures in this run"
            if haimen
            else "Haimen's not measured in this run (`bench.py --only dashboard --only jian`)"
        )
        rows.append(
            Row(
                work,
                f"Ji'an: city {data['city_queries']}, township {townships[0]['queries']}; "
                + haimen_state,
                "the same",
                counts=False,
            )
        )
        return rows
    haimen_township = min(theirs["township_queries"])
    rows.append(
        Row(
            work,
            f"city {data['city_queries']} vs {theirs['city_queries']}, "
            f"township {townships[0]['queries']} vs {haimen_township}",
            "the same",
            met=data["city_queries"] == theirs["city_queries"]
            and data["township_queries"] == theirs["township_queries"],
        )
    )
    return rows


def jobs_rows(result: Run, path: Path) -> list[Row]:
    target = "request < 200 ms"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return [failed("background jobs: the requests that start them", target, result)]
    return [
        Row(
            f"job: {item['work'][3:]}, {item['size']}",
            f"request {item['request_ms']:.0f} ms; the job {item['job_s']:.1f} s in a worker "
            f"(one request of {item['synchronous']} before)",
            target,
            met=item["met"],
        )
        for item in data
    ]


def load_row() -> Row:
    """The last `make load` results left in test-artifacts/load/, if any, read as
    scripts/load_test.py reads them for its own table."""
    target = "p95 < 500 ms, zero errors"
    results = LOAD_RESULTS / "locust.json"
    try:
        run_of = json.loads((LOAD_RESULTS / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        run_of = {}
    users = run_of.get("users", 300)
    work = f"deadline load: {users} concurrent cadres on gunicorn"
    if users < 300:
        target = "300 cadres: " + target
    if not results.exists():
        return Row(work, "see `make load` (not run by `make bench`)", target, counts=False)
    try:
        lines, _ = read_results(results)
    except (ValueError, KeyError):
        return Row(work, f"see `make load` ({results.relative_to(ROOT)} unreadable)", target)
    total = Line.total("all requests", lines)
    p95 = total.percentile(0.95)
    when = datetime.fromtimestamp(results.stat().st_mtime).astimezone()
    return Row(
        work,
        f"p95 {p95} ms, {total.failures} errors in {total.requests:,} requests "
        f"(last `make load`, {when:%Y-%m-%d %H:%M}; not run by `make bench`, not counted)",
        target,
        met=p95 < 500 and total.failures == 0,
        counts=False,
    )


# --- report ---------------------------------------------------------------------------------


def width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def text_table(rows: list[Row]) -> str:
    header = ("work", "figure", "target", "× baseline", "met")
    cells = [header] + [(r.work, r.figure, r.target, r.ratio, r.verdict.strip("*")) for r in rows]
    widths = [max(width(row[i]) for row in cells) for i in range(len(header))]
    lines = []
    for index, row in enumerate(cells):
        lines.append(
            "  ".join(cell + " " * (widths[i] - width(cell)) for i, cell in enumerate(row))
        )
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def markdown_table(rows: list[Row]) -> str:
    lines = ["| work | figure | target | × baseline | met |", "|---|---|---|---|---|"]
    for row in rows:
        cells = [row.work, row.figure, row.target, row.ratio, row.verdict]
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines)


def machine() -> str:
    memory = ""
    try:
        with open("/proc/meminfo") as handle:
            kb = int(handle.readline().split()[1])
        memory = f", {kb / 2**20:.0f} GB RAM"
    except (OSError, ValueError, IndexError):
        pass
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as handle:
            cpu = next(
                line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")
            )
    except (OSError, StopIteration):
        pass
    postgres = subprocess.run(
        ["psql", "-h", os.environ.get("PGHOST", "127.0.0.1"), "-p"]
        + [os.environ.get("PGPORT", "5432"), "-U", "postgres", "-Atc", "SHOW server_version"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    return (
        f"{os.cpu_count()} CPU cores ({cpu}){memory}; PostgreSQL {postgres or '?'} on the same "
        f"machine; Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )


def machine_speed() -> str:
    """How fast one core of this machine is, to compare runs made on different machines: the
    CPU time of one login's password hash (PBKDF2-SHA256 at Django's iteration count) and of a
    pure-Python loop of 10 million additions, the least of three tries each."""
    import hashlib

    def least(work) -> float:
        times = []
        for _ in range(3):
            started = time.process_time()
            work()
            times.append(time.process_time() - started)
        return min(times)

    def loop():
        total = 0
        for number in range(10_000_000):
            total += number

    iterations = 1_000_000  # Django 5.2's PBKDF2PasswordHasher
    hashing = least(lambda: hashlib.pbkdf2_hmac("sha256", b"password", b"salt", iterations))
    return (
        f"one login's password hash (PBKDF2, {iterations:,} iterations) {hashing:.2f} s of CPU, "
        f"a Python loop of 10 million additions {least(loop):.2f} s"
    )


def load_average() -> str:
    """The 1-minute load average now: other work on the machine slows every figure."""
    return f"{os.getloadavg()[0]:.1f}"


def write_doc(
    rows: list[Row], runs: list[Run], total: float, loads: tuple[str, str], speed: str
) -> None:
    now = datetime.now().astimezone()
    missed = [row.work for row in rows if row.counts and row.met is False]
    missed_line = (
        "Missed in this run: " + "; ".join(missed) + "."
        if missed
        else "Every target measured by `make bench` was met in this run."
    )
    durations = ", ".join(f"{run.name} {run.seconds / 60:.1f} min" for run in runs)
    DOC.write_text(
        f"""# Performance

The targets of docs/design.md section 6, measured by `make bench` (`scripts/bench.py`) on
{now:%Y-%m-%d %H:%M %Z}. This file is written by that command: run it again rather than editing.

Machine: {machine()}. Speed of one core, measured at the start: {speed}; figures from
machines of different speed are not comparable, ratios to a floor measured in the same run are.

Load average (1 minute) {loads[0]} at the start, {loads[1]} at the end, on {os.cpu_count()} cores:
other work sharing the CPUs (tests, other servers) inflates every time below.

{markdown_table(rows)}

{missed_line}

"× baseline" compares with a baseline measured in the same run: for pages, the login page
(a trivial Django view: middleware, session, template, no query) requested the same way by the
same benchmark; for the export, bare openpyxl writing the same rows (fetched into a list
beforehand) in write-only mode, with bare XlsxWriter (constant memory, ``write_row``) beside
it; for the import, its floor: calamine alone reading the same file plus COPY alone of the same
rows into the household table (constraints checked, rolled back), each in a fresh process.
Page times are server times through Django's test client in process, DEBUG off, median of 20
requests after warm-ups (the roster PDF: of 5); "queries" is the number of SQL queries of one
request. Peak memory is the peak resident set of a fresh
process doing the work, Django included.

Bench scale: 200,000 households, 400,000 policies and 5,000 claims over Haimen's 290 villages
and 19 townships (`fixtures/haimen_areas.csv`). The dashboard's query count is also measured
with half the townships' data deleted, against all of it, both in a transaction rolled back
afterwards (where every village is counted directly, nothing kept being used), and the township
dashboard's for the township with the most villages and the one with the fewest: the count
does not grow with the rows. The township's rosters and reconciliation pages are those of the
township with the most villages; their figures (and the city dashboard's) are kept between
requests and counted again only for villages that changed (`enrollment.selectors.village_cache`),
so beside each the same page is timed with every village counted afresh. A "job" row times
the request that starts the work (once, after two GETs of the page it is made from) and, beside
it, the job's own run in a `manage.py db_worker` on the same machine, read from the job record;
"before" is that work done inside one request, as measured before it became a job.

Ji'an's scale (`scripts/bench_jian.py`): the same 200,000 households and 400,000 policies over
Ji'an's 13 counties (`fixtures/jian_areas.csv`) extended with generated townships and villages
(demo names and codes: 190 townships, 2,563 villages), insured by China Life and, in three
southern counties, Taikang. Its city dashboard has no time target of its own (Haimen's 100 ms is
set at 290 villages) and is shown beside Haimen's; its query counts must stay the same with half
the counties' data deleted, for the largest and the smallest county and township, and as
Haimen's (depth four against three).

Whole run: {total / 60:.0f} min ({durations}).

## Reproduce

```sh
make bench                                    # all of the above, then this file (~{
            max(round(total / 60), 1)
        } min)
make load                                     # the deadline load test (gunicorn + locust)
.venv/bin/python scripts/bench_import.py      # one benchmark at a time; each creates and
.venv/bin/python scripts/bench_roster.py      # drops a database of its own on the PostgreSQL
.venv/bin/python scripts/bench_policies.py    # found through PGHOST/PGPORT
.venv/bin/python scripts/bench_dashboard.py   # (default 127.0.0.1:5432, user postgres)
.venv/bin/python scripts/bench_jian.py        # the dashboards at Ji'an's scale
.venv/bin/python scripts/bench_jobs.py        # the requests that start background jobs
PROFILE=sql .venv/bin/python scripts/bench_dashboard.py   # each query's time, EXPLAIN ANALYZE
```

`make bench` is not part of `make test`.
""",
        encoding="utf-8",
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only",
        action="append",
        choices=BENCHES,
        help="run only this benchmark (repeatable); docs/performance.md is then left alone",
    )
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="tiny sizes, to check the machinery (figures meaningless, the doc left alone)",
    )
    options = parser.parse_args()
    chosen = options.only or BENCHES
    small = SMOKE if options.smoke else dict.fromkeys(BENCHES, [])
    started, load_before = time.perf_counter(), load_average()
    speed = machine_speed()
    print(f"machine speed: {speed}", flush=True)
    rows: list[Row] = []
    runs: list[Run] = []
    with tempfile.TemporaryDirectory() as folder:
        for name in chosen:
            if name == "import":
                runs.append(run(name, [str(SCRIPTS / "bench_import.py"), *small[name]]))
                rows += import_rows(runs[-1])
            elif name == "roster":
                runs.append(run(name, [str(SCRIPTS / "bench_roster.py"), *small[name]]))
                rows += roster_rows(runs[-1])
            elif name == "policies":
                runs.append(run(name, [str(SCRIPTS / "bench_policies.py"), *small[name]]))
                rows += policies_rows(runs[-1])
            elif name == "dashboard":
                figures = Path(folder, "dashboard.json")
                runs.append(
                    run(
                        name,
                        [str(SCRIPTS / "bench_dashboard.py"), "--json", str(figures), *small[name]],
                    )
                )
                rows += dashboard_rows(runs[-1], figures)
            elif name == "jian":
                figures = Path(folder, "jian.json")
                runs.append(
                    run(
                        name, [str(SCRIPTS / "bench_jian.py"), "--json", str(figures), *small[name]]
                    )
                )
                haimen = Path(folder, "dashboard.json") if "dashboard" in chosen else None
                rows += jian_rows(runs[-1], figures, haimen)
            elif name == "jobs":
                figures = Path(folder, "jobs.json")
                runs.append(
                    run(
                        name, [str(SCRIPTS / "bench_jobs.py"), "--json", str(figures), *small[name]]
                    )
                )
                rows += jobs_rows(runs[-1], figures)
    rows.append(load_row())
    total = time.perf_counter() - started

    print()
    print(text_table(rows))
    print(f"\n{' + '.join(f'{r.name} {r.seconds:.0f} s' for r in runs)} = {total:.0f} s")
    if set(chosen) == set(BENCHES) and not options.smoke:
        write_doc(rows, runs, total, (load_before, load_average()), speed)
        print(f"written to {DOC.relative_to(ROOT)}")
    missed = [row for row in rows if row.counts and row.met is False]
    if missed:
        print("MISSED: " + "; ".join(row.work for row in missed))
        return 1
    print("all targets met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
