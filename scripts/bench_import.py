#!/usr/bin/env python
"""Benchmark the register import: a 100,000-row xlsx, checked and written, timed and measured
beside the floor: calamine reading the same file, and COPY of the same rows.

    .venv/bin/python scripts/bench_import.py [--rows 100000] [--keep]

Creates the PostgreSQL database ``haimen_bench_import`` (dropped first if it exists, and at the
end unless ``--keep``), migrates it and loads Haimen's areas, then writes a register file with
valid households spread over every seeded village. Each measurement is a fresh process, so its
peak resident memory (``ru_maxrss``) is its own (Django itself included), and its times are
taken inside it (Django's start-up left out). First the floor, in the empty register:

- calamine alone: the file's bytes opened with python-calamine and every row handed out as
  Python values (no checks, no Django);
- COPY alone: the same rows, already made into COPY's text lines (not timed), sent with one
  COPY into the household table and its deferred foreign keys checked, then rolled back.

Their sum is the floor of an import. Then four imports, each ``register_import_check`` +
``register_import_apply``:

1. the file into the empty register (every row new);
2. the same file again (every row unchanged: nothing written);
3. the same rows as openpyxl writes them (inline strings, no dimension);
4. the file with every phone number changed (every row updated and audited).

Files are written the way Excel and WPS save them (shared strings, the sheet's dimension first),
which is what township offices upload; run 3 shows the cost of openpyxl's own layout.

``PROFILE=py`` prints a cProfile of each import's check and write (standard error).

The database server is found through PGHOST/PGPORT (default 127.0.0.1:5432, user postgres).
Targets (docs/design.md section 6): run 1 under 10 s and within 3 × the floor measured in the
same run; run 4 under 15 s; every run's peak under 300 MB. Exits 1 when one is missed.
"""

import argparse
import io
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import date, timedelta
from pathlib import Path

import benchdb

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "haimen_bench_import"
SURNAMES = "张王李赵刘陈杨黄周吴徐孙朱马胡郭林何高罗郑梁谢宋唐许邓冯韩曹曾彭萧蔡潘田董袁于余叶蒋杜苏魏程吕丁沈任姚卢傅钟姜崔谭廖范汪陆金石戴贾韦夏邱方侯邹熊孟秦白江阎薛尹段雷黎史龙陶贺顾毛郝龚邵万钱严赖覃洪武莫孔"  # noqa: E501
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力飞波宁鹏云莉海燕晨浩宇轩欣怡梓涵子豪俊杰嘉"  # noqa: E501
EMPLOYERS = ["海门港务有限公司", "海门市第一中学", "海门市人民医院", "江苏中南建设集团"]


def _env() -> dict:
    return benchdb.env(DATABASE)


def _django():
    benchdb.setup()


def resident_id(birth: date, sequence: int) -> str:
    from enrollment.resident_ids import check_character

    body = f"320684{birth:%Y%m%d}{sequence:03d}"
    return body + check_character(body)


def person_name(i: int, salt: int) -> str:
    surname = SURNAMES[(i * 7 + salt) % len(SURNAMES)]
    return surname + GIVEN[(i * 13 + salt) % len(GIVEN)] + GIVEN[(i * 31 + salt * 3) % len(GIVEN)]


def generate(path: Path, rows: int, *, phone_offset: int = 0, excel_layout: bool = True) -> None:
    """Areas loaded (first call), then an xlsx of ``rows`` valid households."""
    _django()
    from django.conf import settings
    from openpyxl import Workbook

    from enrollment.register_files import HEADERS
    from haimen_insurance.models import Area
    from haimen_insurance.services import areas_load_csv

    if not Area.objects.exists():
        areas_load_csv(path=settings.BASE_DIR / "fixtures" / "haimen_areas.csv")
    villages = list(Area.objects.villages().select_related("parent").order_by("code"))
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("独生子女证登记")
    sheet.append(list(HEADERS))
    first_day = date(2000, 1, 2)
    for i in range(rows):
        village = villages[i % len(villages)]
        day, batch = i % 4700, i // 4700
        birth = first_day + timedelta(days=day)
        male = i % 2 == 1
        child_id = resident_id(birth, batch * 2 + (1 if male else 0))
        father_birth = date(1968, 1, 1) + timedelta(days=(i * 7) % 4000)
        mother_birth = date(1970, 1, 1) + timedelta(days=(i * 11) % 4000)
        surname = person_name(i, 0)[0]
        sheet.append(
            [
                f"HM{i + 1:07d}",
                village.parent.name,
                village.name,
                surname + person_name(i, 1)[1:],
                resident_id(father_birth, (i % 400) * 2 + 1),
                person_name(i, 2),
                resident_id(mother_birth, (i % 400) * 2),
                surname + person_name(i, 3)[1:],
                child_id,
                birth,
                "男" if male else "女",
                "农业" if i % 10 else "非农业",
                birth + timedelta(days=400),
                EMPLOYERS[i % len(EMPLOYERS)] if i % 10 == 3 else "",
                f"139{(i + phone_offset) % 100_000_000:08d}",
                f"{village.name}{i % 30 + 1}组{i % 200 + 1}号",
            ]
        )
    workbook.save(path)
    if excel_layout:
        as_excel_saves_it(path)


def as_excel_saves_it(path: Path) -> None:
    """Rewrite an openpyxl-written workbook the way Excel and WPS save one: every text in the
    shared-strings table (openpyxl writes each as an inline string) and the sheet's dimension
    up front (openpyxl's write-only mode leaves it out, so a reader must scan the sheet twice)."""
    with zipfile.ZipFile(path) as source:
        parts = {item: source.read(item) for item in source.namelist()}
    sheet_name = "xl/worksheets/sheet1.xml"
    sheet = parts[sheet_name].decode()
    index: dict[str, int] = {}

    def shared(match):
        number = index.setdefault(match[3], len(index))
        return f'<c r="{match[1]}"{match[2]} t="s"><v>{number}</v></c>'

    sheet = re.sub(
        r'<c r="([A-Z]+[0-9]+)"((?: s="[0-9]+")?) t="inlineStr"><is><t>(.*?)</t></is></c>',
        shared,
        sheet,
    )
    last_row = re.findall(r'<row r="([0-9]+)"', sheet)[-1]
    sheet = sheet.replace("<sheetViews>", f'<dimension ref="A1:P{last_row}" /><sheetViews>', 1)
    parts[sheet_name] = sheet.encode()
    parts["xl/sharedStrings.xml"] = (
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'count="{len(index)}" uniqueCount="{len(index)}">'
        + "".join(f"<si><t>{text}</t></si>" for text in index)
        + "</sst>"
    ).encode()
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    )
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        b'<Relationship Id="rIdSharedStrings" Type="http://schemas.openxmlformats.org/'
        b'officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
        b"</Relationships>",
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)


def _rss_peak_mb() -> int:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def floor_read(path: Path) -> None:
    """Calamine alone: the file's bytes opened and every row handed out; a JSON line."""
    from python_calamine import load_workbook

    started, cpu = time.perf_counter(), time.process_time()
    content = path.read_bytes()
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook.get_sheet_by_index(0)
    workbook.close()
    rows = sum(1 for _ in sheet.iter_rows())
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "seconds": round(seconds, 2),
                "cpu_s": round(time.process_time() - cpu, 2),
                "peak_mb": _rss_peak_mb(),
                "rows": rows - 1,
            }
        )
    )


def floor_copy(path: Path) -> None:
    """COPY alone: the file's rows as household lines (made beforehand, not timed), one COPY
    into the household table and its deferred constraints checked, then rolled back."""
    _django()
    from django.db import connection, transaction
    from django.utils import timezone
    from python_calamine import load_workbook

    from enrollment.models import Household
    from enrollment.register_files import FIELD_OF_HEADER, HEADERS, HUKOUS, SEXES, TOWNSHIP
    from haimen_insurance.bulk import copy_line
    from haimen_insurance.models import Area

    villages = {
        (township, name): pk
        for pk, name, township in Area.objects.villages().values_list("pk", "name", "parent__name")
    }
    sheet = load_workbook(str(path)).get_sheet_by_index(0)
    rows = sheet.iter_rows()
    header = next(rows)
    assert tuple(header) == HEADERS, header
    now = timezone.now()
    columns = ["id", *(FIELD_OF_HEADER[h] for h in HEADERS if h != TOWNSHIP)]
    columns = ["village_id" if name == "village" else name for name in columns]
    columns += ["receives_reward", "status", "status_reason", "created_at", "updated_at"]
    table = Household._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, sheet.height - 1],
        )
        keys = iter([key for (key,) in cursor.fetchall()])
        lines = []
        for values in rows:
            (number, township, village, *people, birth, sex, hukou, issued) = values[:13]
            employer, phone, address = values[13:16]
            lines.append(
                copy_line(
                    [
                        next(keys),
                        number,
                        villages[(township, village)],
                        *people,
                        birth,
                        SEXES[sex],
                        HUKOUS[hukou],
                        issued,
                        employer,
                        phone,
                        address,
                        True,
                        "valid",
                        "",
                        now,
                        now,
                    ]
                )
                + "\n"
            )
        text = io.StringIO("".join(lines))
        del lines
        started, cpu = time.perf_counter(), time.process_time()
        cursor.cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", text)
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    print(json.dumps({"seconds": round(seconds, 2), "cpu_s": round(time.process_time() - cpu, 2)}))


def measure(path: Path) -> None:
    """One import in this process; prints a JSON line with the numbers. With ``PROFILE=py``,
    the check and the write are each profiled (cProfile) and their 25 costliest functions by
    own time printed to standard error."""
    _django()
    from enrollment.services.register_import import register_import_apply, register_import_check

    profiled = _profiled if os.environ.get("PROFILE") == "py" else _unprofiled
    started, cpu = time.perf_counter(), time.process_time()
    plan = profiled("check", lambda: register_import_check(actor=None, file=path))
    checked = time.perf_counter()
    if plan.errors:
        raise SystemExit(f"the generated file has errors: {plan.errors[:5]}")
    result = profiled("write", lambda: register_import_apply(actor=None, plan=plan))
    finished = time.perf_counter()
    print(
        json.dumps(
            {
                "check_s": round(checked - started, 2),
                "apply_s": round(finished - checked, 2),
                "total_s": round(finished - started, 2),
                "cpu_s": round(time.process_time() - cpu, 1),
                "peak_mb": _rss_peak_mb(),
                "new": result.new,
                "changed": result.changed,
                "unchanged": result.unchanged,
            }
        )
    )


def _unprofiled(label: str, work):
    return work()


def _profiled(label: str, work):
    import cProfile
    import pstats

    profile = cProfile.Profile()
    result = profile.runcall(work)
    sys.stderr.write(f"--- {label}: the 25 costliest functions by own time\n")
    pstats.Stats(profile, stream=sys.stderr).sort_stats("tottime").print_stats(25)
    return result


def _run(*args) -> str:
    completed = subprocess.run(
        [sys.executable, __file__, *args], env=_env(), cwd=ROOT, capture_output=True, text=True
    )
    if completed.returncode or os.environ.get("PROFILE"):
        sys.stderr.write(completed.stderr)
    if completed.returncode:
        raise SystemExit(f"step {args[0]} {args[1]} failed")
    return completed.stdout


def _measured(*args) -> dict:
    return json.loads(_run(*args).strip().splitlines()[-1])


TIME_TARGET_S = 10
FLOOR_TARGET = 3
MEMORY_TARGET_MB = 300
CHANGED_TARGET_S = 15


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--step",
        choices=["generate", "measure", "floor-read", "floor-copy"],
        help=argparse.SUPPRESS,
    )
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--phone-offset", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--openpyxl-layout", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.step == "generate":
        generate(
            Path(options.file),
            options.rows,
            phone_offset=options.phone_offset,
            excel_layout=not options.openpyxl_layout,
        )
        return
    step = {"measure": measure, "floor-read": floor_read, "floor-copy": floor_copy}
    if options.step in step:
        step[options.step](Path(options.file))
        return

    load = f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    with benchdb.database(DATABASE, keep=options.keep), tempfile.TemporaryDirectory() as folder:
        excel = Path(folder, "登记.xlsx")
        plain = Path(folder, "登记-openpyxl.xlsx")
        phones = Path(folder, "登记-改电话.xlsx")
        started = time.perf_counter()
        rows = ["--rows", str(options.rows)]
        _run("--step", "generate", "--file", str(excel), *rows)
        _run("--step", "generate", "--file", str(plain), *rows, "--openpyxl-layout")
        _run("--step", "generate", "--file", str(phones), *rows, "--phone-offset", "1")
        print(
            f"{options.rows:,} rows: {excel.stat().st_size / 2**20:.1f} MB as Excel saves it, "
            f"{plain.stat().st_size / 2**20:.1f} MB as openpyxl writes it "
            f"(generated in {time.perf_counter() - started:.0f} s); {load} at the start",
            flush=True,
        )
        read = _measured("--step", "floor-read", "--file", str(excel))
        copy = _measured("--step", "floor-copy", "--file", str(excel))
        # The rolled-back rows leave dead entries under the same keys in every index: gone.
        benchdb.admin("VACUUM enrollment_household", DATABASE)
        floor = read["seconds"] + copy["seconds"]
        print(
            f"floor: calamine reading the file {read['seconds']:.1f} s (peak {read['peak_mb']} MB)"
            f" + COPY of the same rows {copy['seconds']:.1f} s = {floor:.1f} s",
            flush=True,
        )
        runs = []
        for label, path in [
            ("1. into the empty register", excel),
            ("2. the same file again", excel),
            ("3. same, openpyxl's layout", plain),
            ("4. every phone changed", phones),
        ]:
            runs.append((label, _measured("--step", "measure", "--file", str(path))))
            print(f"{label} done: {runs[-1][1]['total_s']:.1f} s", flush=True)
        load += f", {os.getloadavg()[0]:.1f} at the end"

    targets = {
        "1": (
            f"< {TIME_TARGET_S} s, ≤ {FLOOR_TARGET} × floor, < {MEMORY_TARGET_MB} MB",
            lambda n: (
                n["total_s"] < TIME_TARGET_S
                and n["total_s"] <= FLOOR_TARGET * floor
                and n["peak_mb"] < MEMORY_TARGET_MB
            ),
        ),
        "4": (
            f"< {CHANGED_TARGET_S} s, < {MEMORY_TARGET_MB} MB",
            lambda n: n["total_s"] < CHANGED_TARGET_S and n["peak_mb"] < MEMORY_TARGET_MB,
        ),
    }
    within_memory = (f"< {MEMORY_TARGET_MB} MB", lambda n: n["peak_mb"] < MEMORY_TARGET_MB)
    print()
    print(f"{'import':<28} {'figure':<66} {'× floor':>8}  target")
    print(
        f"{'floor: calamine alone':<28} {read['seconds']:>5.1f} s "
        f"(reading and handing out every row; CPU {read['cpu_s']:.1f} s), "
        f"peak {read['peak_mb']} MB"
    )
    print(
        f"{'floor: COPY alone':<28} {copy['seconds']:>5.1f} s "
        f"(the same rows into the household table, constraints checked)"
    )
    print(f"{'floor: calamine + COPY':<28} {floor:>5.1f} s")
    missed = []
    for label, numbers in runs:
        target, met = targets.get(label[0], within_memory)
        verdict = "OK" if met(numbers) else "MISSED"
        if verdict == "MISSED":
            missed.append(label)
        figure = (
            f"{numbers['total_s']:>5.1f} s (check {numbers['check_s']:.1f} s + write "
            f"{numbers['apply_s']:.1f} s; Python CPU {numbers['cpu_s']:.1f} s), peak "
            f"{numbers['peak_mb']} MB, new {numbers['new']:,} / changed {numbers['changed']:,} / "
            f"unchanged {numbers['unchanged']:,}"
        )
        print(f"{label:<28} {figure:<66} {numbers['total_s'] / floor:>7.2f}×  {target} {verdict}")
    print(load)
    if missed:
        print("MISSED: " + "; ".join(missed))
        raise SystemExit(1)
    print("all targets met")


if __name__ == "__main__":
    main()
