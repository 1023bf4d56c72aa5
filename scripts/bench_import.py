#!/usr/bin/env python
"""Benchmark the register import: a 100,000-row xlsx, checked and written, timed and measured.

    .venv/bin/python scripts/bench_import.py [--rows 100000] [--keep]

Creates the PostgreSQL database ``haimen_bench_import`` (dropped first if it exists, and at the
end unless ``--keep``), migrates it and loads Haimen's areas, then writes a register file with
valid households spread over every seeded village. Each measured run is a fresh process doing
``register_import_check`` + ``register_import_apply``, so its peak resident memory
(``ru_maxrss``) is the import's own (Django itself included). Three runs:

1. the file into the empty register (every row new);
2. the same file again (every row unchanged: nothing written);
3. the same rows as openpyxl writes them (inline strings, no dimension: the slowest to read);
4. the file with every phone number changed (every row updated and audited).

Files are written the way Excel and WPS save them (shared strings, the sheet's dimension first),
which is what township offices upload; run 3 shows the cost of openpyxl's own layout.

The database server is found through PGHOST/PGPORT (default 127.0.0.1:5432, user postgres).
Target (docs/design.md section 6): under 60 s and under 500 MB.
"""

import argparse
import json
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


def measure(path: Path) -> None:
    """One import in this process; prints a JSON line with the numbers."""
    _django()
    from enrollment.services.register_import import register_import_apply, register_import_check

    started, cpu = time.perf_counter(), time.process_time()
    plan = register_import_check(actor=None, file=path)
    checked = time.perf_counter()
    if plan.errors:
        raise SystemExit(f"the generated file has errors: {plan.errors[:5]}")
    result = register_import_apply(actor=None, plan=plan)
    finished = time.perf_counter()
    print(
        json.dumps(
            {
                "check_s": round(checked - started, 1),
                "apply_s": round(finished - checked, 1),
                "total_s": round(finished - started, 1),
                "cpu_s": round(time.process_time() - cpu, 1),
                "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                "new": result.new,
                "changed": result.changed,
                "unchanged": result.unchanged,
            }
        )
    )


def _run(*args) -> str:
    completed = subprocess.run(
        [sys.executable, __file__, *args], env=_env(), cwd=ROOT, capture_output=True, text=True
    )
    if completed.returncode:
        sys.stderr.write(completed.stderr)
        raise SystemExit(f"step {args[0]} failed")
    return completed.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--step", choices=["generate", "measure"], help=argparse.SUPPRESS)
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
    if options.step == "measure":
        measure(Path(options.file))
        return

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
            f"(generated in {time.perf_counter() - started:.0f} s)"
        )
        for label, path in [
            ("1. into the empty register", excel),
            ("2. the same file again", excel),
            ("3. same, openpyxl's layout", plain),
            ("4. every phone changed", phones),
        ]:
            numbers = json.loads(_run("--step", "measure", "--file", str(path)))
            verdict = "OK" if numbers["total_s"] < 60 and numbers["peak_mb"] < 500 else "SLOW"
            print(
                f"{label:<28} {numbers['total_s']:>5.1f} s "
                f"(check {numbers['check_s']:.1f} s + write {numbers['apply_s']:.1f} s; "
                f"Python CPU {numbers['cpu_s']:.1f} s), peak {numbers['peak_mb']} MB, "
                f"new {numbers['new']:,} / changed {numbers['changed']:,} / "
                f"unchanged {numbers['unchanged']:,}  {verdict}"
            )


if __name__ == "__main__":
    main()
