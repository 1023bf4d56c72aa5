#!/usr/bin/env python
"""Time reading a register file alone: ``read_register`` on a 100,000-row file, no database.

    .venv/bin/python scripts/bench_read.py [--rows 100000] [--format xlsx|xls|ods|csv] [--runs 3]

The file is written like scripts/bench_import.py writes it (valid households, the xlsx as Excel
and WPS save it: shared strings, the dimension up front), with made-up village names, so no
database is needed: only the reading is timed (the upload limits' check included), each run a
fresh process, with its wall time, CPU time and peak resident memory (Django included).
An .xls holds at most 65,536 rows, so ``--format xls`` is capped there.
"""

import argparse
import csv
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))


def _django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "haimen_insurance.settings.test")
    import django

    django.setup()


def _rows(count: int):
    from bench_import import EMPLOYERS, person_name, resident_id

    first_day = date(2000, 1, 2)
    for i in range(count):
        day, batch = i % 4700, i // 4700
        birth = first_day + timedelta(days=day)
        male = i % 2 == 1
        surname = person_name(i, 0)[0]
        village = f"第{i % 290 + 1}村"
        yield [
            f"HM{i + 1:07d}",
            f"第{i % 19 + 1}镇",
            village,
            surname + person_name(i, 1)[1:],
            resident_id(date(1968, 1, 1) + timedelta(days=(i * 7) % 4000), (i % 400) * 2 + 1),
            person_name(i, 2),
            resident_id(date(1970, 1, 1) + timedelta(days=(i * 11) % 4000), (i % 400) * 2),
            surname + person_name(i, 3)[1:],
            resident_id(birth, batch * 2 + (1 if male else 0)),
            birth,
            "男" if male else "女",
            "农业" if i % 10 else "非农业",
            birth + timedelta(days=400),
            EMPLOYERS[i % len(EMPLOYERS)] if i % 10 == 3 else "",
            f"139{i % 100_000_000:08d}",
            f"{village}{i % 30 + 1}组{i % 200 + 1}号",
        ]


def generate(path: Path, count: int, kind: str) -> None:
    _django()
    from enrollment.register_files import HEADERS

    if kind == "xlsx":
        from bench_import import as_excel_saves_it
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("独生子女证登记")
        sheet.append(list(HEADERS))
        for row in _rows(count):
            sheet.append(row)
        workbook.save(path)
        as_excel_saves_it(path)
    elif kind == "xls":
        import xlwt

        workbook = xlwt.Workbook(encoding="utf-8")
        sheet = workbook.add_sheet("独生子女证登记")
        dates = xlwt.easyxf(num_format_str="YYYY-MM-DD")
        for column, header in enumerate(HEADERS):
            sheet.write(0, column, header)
        for line, row in enumerate(_rows(min(count, 65_535)), start=1):
            for column, value in enumerate(row):
                if isinstance(value, date):
                    sheet.write(line, column, value, dates)
                else:
                    sheet.write(line, column, value)
        workbook.save(str(path))
    elif kind == "ods":
        from tests.enrollment.spreadsheets import ods_bytes

        path.write_bytes(ods_bytes([list(HEADERS), *_rows(count)]))
    else:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(HEADERS)
        for row in _rows(count):
            writer.writerow([v.isoformat() if isinstance(v, date) else v for v in row])
        path.write_bytes(buffer.getvalue().encode("utf-8-sig"))


def measure(path: Path) -> None:
    _django()
    from enrollment.register_files import read_register

    content = path.read_bytes()
    started, cpu = time.perf_counter(), time.process_time()
    result = read_register(content, filename=path.name, today=date(2024, 6, 1))
    elapsed = time.perf_counter() - started
    if result.errors:
        raise SystemExit(f"the generated file has errors: {result.errors[:5]}")
    print(
        json.dumps(
            {
                "read_s": round(elapsed, 2),
                "cpu_s": round(time.process_time() - cpu, 2),
                "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                "rows": len(result.rows),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--format", choices=["xlsx", "xls", "ods", "csv"], default="xlsx")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--file", help="read this file instead of generating one")
    parser.add_argument("--step", choices=["generate", "measure"], help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.step == "generate":
        generate(Path(options.file), options.rows, options.format)
        return
    if options.step == "measure":
        measure(Path(options.file))
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(options.file or Path(folder, f"登记.{options.format}"))
        if not options.file:
            subprocess.run(
                [sys.executable, __file__, "--step", "generate", "--file", str(path)]
                + ["--rows", str(options.rows), "--format", options.format],
                check=True,
            )
        print(f"{path.name}: {path.stat().st_size / 2**20:.1f} MB")
        for run in range(options.runs):
            output = subprocess.run(
                [sys.executable, __file__, "--step", "measure", "--file", str(path)],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            print(f"run {run + 1}: {output.strip()}")


if __name__ == "__main__":
    main()
