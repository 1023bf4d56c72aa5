#!/usr/bin/env python
"""Benchmark the workbook writer alone: the policy list's rows, bare openpyxl against ours.

No database: ``--rows`` rows shaped like ``policy_list_rows`` yields them (the policy list's 15
columns: names, IDs, birth dates and policy numbers as strings, shares an int, the premium a
Decimal, a second insured person on half the rows) are cycled from a pool of 10,000 distinct
rows, so making them costs next to nothing and holds no memory. Each writer runs in its own
process, in turn, ``--runs`` times:

a. bare openpyxl: a write-only workbook, the header and every row appended, saved;
b. ``enrollment.exports.policy_list_workbook`` (``haimen_insurance.xlsx``) + save.

Printed: the write + save seconds measured inside the process (best and median of the runs),
the process's peak RSS, the file size, and b's time as a multiple of a's.

    python scripts/bench_xlsx_writers.py --rows 400000 --runs 2
"""

import argparse
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POOL = 10_000


def _django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "haimen_insurance.settings.test")
    os.environ.setdefault("DATABASE_URL", "sqlite:///:memory:")
    import django

    django.setup()


def _resident_id(number: int) -> str:
    return (
        f"320684{1970 + number % 40}{1 + number % 12:02d}{1 + number % 28:02d}{number % 1000:03d}X"
    )


def _pool() -> list[tuple]:
    rows = []
    for number in range(POOL):
        child = _resident_id(number)
        parent = _resident_id(number + 7) if number % 2 else None
        rows.append(
            (
                f"海门镇{number % 20}",
                f"东兴村{number % 300}",
                f"320684{number:08d}",
                "独生子女意外伤害保险" if number % 2 else "独生子女家庭综合保险",
                1,
                Decimal("20.00"),
                f"张小明{number}",
                child,
                f"{child[6:10]}-{child[10:12]}-{child[12:14]}",
                f"张建华{number}" if parent else None,
                parent,
                f"{parent[6:10]}-{parent[10:12]}-{parent[12:14]}" if parent else None,
                f"PICC2013031{number:06d}",
                "2013-01-01",
                "2013-12-31",
            )
        )
    return rows


def _rows(count: int):
    return itertools.islice(itertools.cycle(_pool()), count)


def _openpyxl(path: Path, count: int) -> dict:
    from openpyxl import Workbook

    from enrollment.selectors.policies import POLICY_LIST_HEADERS

    rows = _rows(count)
    started, cpu = time.perf_counter(), time.process_time()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("保单清单")
    sheet.append(list(POLICY_LIST_HEADERS))
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return {"seconds": time.perf_counter() - started, "cpu": time.process_time() - cpu}


def _ours(path: Path, count: int) -> dict:
    from enrollment.exports import policy_list_workbook

    rows = _rows(count)
    started, cpu = time.perf_counter(), time.process_time()
    writer = policy_list_workbook(rows, title="保单清单")
    writer.save(path)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {"seconds": seconds, "cpu": cpu, "rows": writer.rows_written}


def _child(step: str, path: Path, count: int) -> tuple[dict, float]:
    process = subprocess.Popen(
        [sys.executable, __file__, "--step", step, "--file", str(path), "--rows", str(count)],
        stdout=subprocess.PIPE,
        cwd=ROOT,
    )
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"{step} failed")
    return json.loads(output.decode().strip().splitlines()[-1]), usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=400_000)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--step", choices=["openpyxl", "ours"], help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.step:
        _django()
        step = {"openpyxl": _openpyxl, "ours": _ours}[options.step]
        print(json.dumps(step(Path(options.file), options.rows)))
        return

    results = {"openpyxl": [], "ours": []}
    with tempfile.TemporaryDirectory() as folder:
        for run in range(options.runs):
            for step in results:
                path = Path(folder, f"{step}.xlsx")
                figures, peak = _child(step, path, options.rows)
                figures.update(peak_mb=peak, file_mb=path.stat().st_size / 2**20)
                results[step].append(figures)
                print(
                    f"run {run + 1} {step:<9}{figures['seconds']:7.1f} s wall"
                    f"{figures['cpu']:7.1f} s CPU{peak:7.0f} MB peak",
                    flush=True,
                )
    base = min(figure["seconds"] for figure in results["openpyxl"])
    base_cpu = min(figure["cpu"] for figure in results["openpyxl"])
    print(f"\n{options.rows:,} rows × 15 columns, {options.runs} run(s) each (best of the runs)")
    print(
        f"{'writer':<30}{'wall s':>8}{'× base':>8}{'CPU s':>8}{'× base':>8}"
        f"{'median wall':>12}{'peak MB':>9}{'MB file':>9}"
    )
    for step, label in (
        ("openpyxl", "a. bare openpyxl write-only"),
        ("ours", "b. ours (XlsxWriter)"),
    ):
        seconds = [figure["seconds"] for figure in results[step]]
        cpu = min(figure["cpu"] for figure in results[step])
        print(
            f"{label:<30}{min(seconds):>8.1f}{min(seconds) / base:>8.2f}{cpu:>8.1f}"
            f"{cpu / base_cpu:>8.2f}{statistics.median(seconds):>12.1f}"
            f"{max(f['peak_mb'] for f in results[step]):>9.0f}{results[step][-1]['file_mb']:>9.1f}"
        )


if __name__ == "__main__":
    main()
