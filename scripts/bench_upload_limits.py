#!/usr/bin/env python
"""Time and memory of reading hostile spreadsheets: a 2,000,000-row register and a zip bomb.

    .venv/bin/python scripts/bench_upload_limits.py [--rows 2000000] [--legit-rows 300000]

Builds, in a temporary folder, the files the upload limits are there for, then reads each one
the way an upload is read (``read_register``, no database needed) in a fresh process and prints
its wall time, peak resident memory (``ru_maxrss``, Django itself included) and first error:

1. ``rows``: a register of ``--rows`` valid households (shared strings and the sheet's
   dimension, as Excel saves it), the sheet XML written directly so the build stays fast;
2. ``compact``: ``--rows`` rows of three short cells, a few MB (it unpacks to less than the
   size limit, so only the row count can refuse it);
3. ``bomb``: a workbook whose sharedStrings.xml is hundreds of MB of one repeated text,
   deflated to a few hundred KB;
4. ``sparse``: a workbook of a few bytes whose only rows claim row numbers in the millions;
5. ``legit``: a register of ``--legit-rows`` households, the largest a prefecture needs, which
   must be read (it shows what the limits leave room for and the guard's own cost);
6. ``csv``: the ``--rows`` register as a CSV file;
7. ``far``: a header and one cell at CV300000, within the row and column limits, whose used area
   is 30,000,000 cells (the reader would hold about a GB for it);
8. ``xls``: an .xls of a few KB with a header and one cell at row 65,536, column 96 (the reader
   of .xls holds every sheet as it opens the file: half a GB).
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
SURNAMES = "张王李赵刘陈杨黄周吴徐孙朱马胡郭林何高罗郑梁谢宋唐许邓冯韩曹曾彭萧蔡潘田董袁"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力飞波宁鹏云莉"


def _django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "haimen_insurance.settings.test")
    import django

    django.setup()


def _package(path: Path, sheet_xml, shared_strings) -> None:
    """An .xlsx of one sheet; ``sheet_xml`` and ``shared_strings`` yield bytes."""
    content_types = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
    )
    root_rels = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    )
    workbook = (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{REL}">'
        '<sheets><sheet name="登记" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    workbook_rels = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("_rels/.rels", root_rels)
        archive.writestr("xl/workbook.xml", workbook)
        archive.writestr("xl/_rels/workbook.xml.rels", workbook_rels)
        for name, parts in (
            ("xl/worksheets/sheet1.xml", sheet_xml),
            ("xl/sharedStrings.xml", shared_strings),
        ):
            with archive.open(name, "w", force_zip64=True) as member:
                for part in parts:
                    member.write(part)


def _households(rows: int):
    """``rows`` valid households as lists of 16 values (the template's column order)."""
    from enrollment.resident_ids import check_character

    def resident_id(birth: date, sequence: int) -> str:
        body = f"320684{birth:%Y%m%d}{sequence:03d}"
        return body + check_character(body)

    def name(i: int, salt: int) -> str:
        return (
            SURNAMES[(i * 7 + salt) % len(SURNAMES)]
            + GIVEN[(i * 13 + salt) % len(GIVEN)]
            + GIVEN[(i * 31 + salt * 3) % len(GIVEN)]
        )

    first_day = date(2000, 1, 2)
    for i in range(rows):
        day, batch = i % 4700, i // 4700
        birth = first_day + timedelta(days=day)
        male = i % 2 == 1
        yield [
            f"HM{i + 1:07d}",
            "海门镇",
            f"东兴{i % 300}村",
            name(i, 1),
            resident_id(date(1968, 1, 1) + timedelta(days=(i * 7) % 4000), (i % 400) * 2 + 1),
            name(i, 2),
            resident_id(date(1970, 1, 1) + timedelta(days=(i * 11) % 4000), (i % 400) * 2),
            name(i, 3),
            resident_id(birth, batch * 2 + (1 if male else 0)),
            birth.isoformat(),
            "男" if male else "女",
            "农业" if i % 10 else "非农业",
            (birth + timedelta(days=400)).isoformat(),
            "",
            f"139{i % 100_000_000:08d}",
            f"东兴{i % 300}村{i % 30 + 1}组{i % 200 + 1}号",
        ]


def _columns():
    return [chr(ord("A") + index) for index in range(16)]


def build_register(path: Path, rows: int) -> None:
    from enrollment.register_files import HEADERS

    strings: dict[str, int] = {}

    def sheet():
        yield (
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}">'
            f'<dimension ref="A1:P{rows + 1}"/><sheetData>'
        ).encode()
        letters = _columns()
        for line, values in enumerate((list(HEADERS), *_households(rows)), start=1):
            cells = "".join(
                f'<c r="{letter}{line}" t="s"><v>{strings.setdefault(value, len(strings))}</v></c>'
                for letter, value in zip(letters, values, strict=True)
                if value
            )
            yield f'<row r="{line}">{cells}</row>'.encode()
        yield b"</sheetData></worksheet>"

    def shared():
        yield f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}">'.encode()
        for text in strings:
            yield f"<si><t>{text}</t></si>".encode()
        yield b"</sst>"

    # The sheet is written first, so the strings are all known when the table is written.
    _package(path, sheet(), shared())


def build_compact(path: Path, rows: int) -> None:
    """``rows`` rows of three cells (a number and two of a few texts): what fits 2,000,000 rows
    in a file of a few MB, under the unpacked-size limit, so only the row count refuses it."""
    texts = ["海门镇", "东兴村", "新河村", "男", "女"]

    def sheet():
        yield f'<worksheet xmlns="{MAIN}"><sheetData>'.encode()
        for line in range(1, rows + 1):
            yield (
                f'<row r="{line}"><c r="A{line}"><v>{line}</v></c>'
                f'<c r="B{line}" t="s"><v>{line % 3}</v></c>'
                f'<c r="C{line}" t="s"><v>{3 + line % 2}</v></c></row>'
            ).encode()
        yield b"</sheetData></worksheet>"

    strings = "".join(f"<si><t>{text}</t></si>" for text in texts)
    _package(path, sheet(), [f'<sst xmlns="{MAIN}">{strings}</sst>'.encode()])


def build_csv(path: Path, rows: int) -> None:
    from enrollment.register_files import HEADERS

    with path.open("w", encoding="utf-8-sig", newline="") as out:
        out.write(",".join(HEADERS) + "\n")
        for values in _households(rows):
            out.write(",".join(values) + "\n")


def build_bomb(path: Path, megabytes: int = 300) -> None:
    block = "<si><t>海门</t></si>" * 1000

    def shared():
        yield f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}">'.encode()
        encoded = block.encode()
        for _ in range(megabytes * 1024 * 1024 // len(encoded)):
            yield encoded
        yield b"</sst>"

    sheet = [
        f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row>'
        "</sheetData></worksheet>".encode()
    ]
    _package(path, sheet, shared())


def build_sparse(path: Path) -> None:
    from enrollment.register_files import HEADERS

    header = "".join(
        f'<c r="{letter}1" t="inlineStr"><is><t>{text}</t></is></c>'
        for letter, text in zip(_columns(), HEADERS, strict=True)
    )
    sheet = [
        f'<worksheet xmlns="{MAIN}"><sheetData><row r="1">{header}</row>'
        '<row r="20000000"><c r="A20000000" t="inlineStr"><is><t>x</t></is></c></row>'
        "</sheetData></worksheet>".encode()
    ]
    _package(path, sheet, [f'<sst xmlns="{MAIN}"/>'.encode()])


def build_far(path: Path) -> None:
    from enrollment.register_files import HEADERS

    header = "".join(
        f'<c r="{letter}1" t="inlineStr"><is><t>{text}</t></is></c>'
        for letter, text in zip(_columns(), HEADERS, strict=True)
    )
    sheet = [
        f'<worksheet xmlns="{MAIN}"><sheetData><row r="1">{header}</row>'
        '<row r="300000"><c r="CV300000" t="inlineStr"><is><t> </t></is></c></row>'
        "</sheetData></worksheet>".encode()
    ]
    _package(path, sheet, [f'<sst xmlns="{MAIN}"/>'.encode()])


def build_xls(path: Path) -> None:
    import xlwt

    from enrollment.register_files import HEADERS

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("登记")
    for column, header in enumerate(HEADERS):
        sheet.write(0, column, header)
    sheet.write(65535, 95, " ")
    book.save(str(path))


def measure(path: Path) -> None:
    """Read one file as an upload is read; prints a JSON line."""
    _django()
    from enrollment.register_files import read_register

    content = path.read_bytes()
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    result = read_register(content, filename=path.name, today=date(2024, 6, 1))
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "file_mb": round(len(content) / 1024 / 1024, 2),
                "read_s": round(elapsed, 2),
                "peak_mb": round(peak / 1024),
                "before_reading_mb": round(baseline / 1024),
                "rows_read": len(result.rows),
                "errors": len(result.errors),
                "first_error": str(result.errors[0]) if result.errors else "",
            },
            ensure_ascii=False,
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--legit-rows", type=int, default=300_000)
    parser.add_argument(
        "--only", nargs="*", help="some of: rows compact bomb sparse legit csv far xls"
    )
    parser.add_argument("--folder", help="keep the files here, and reuse those already built")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.measure:
        measure(Path(options.measure))
        return
    _django()
    builders = {
        "rows": ("登记-超行.xlsx", lambda path: build_register(path, options.rows)),
        "compact": ("登记-超行-紧凑.xlsx", lambda path: build_compact(path, options.rows)),
        "bomb": ("登记-压缩炸弹.xlsx", build_bomb),
        "sparse": ("登记-稀疏行号.xlsx", build_sparse),
        "legit": ("登记-上限内.xlsx", lambda path: build_register(path, options.legit_rows)),
        "csv": ("登记-超行.csv", lambda path: build_csv(path, options.rows)),
        "far": ("登记-远处单元格.xlsx", build_far),
        "xls": ("登记-远处单元格.xls", build_xls),
    }
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(options.folder or temporary)
        folder.mkdir(parents=True, exist_ok=True)
        for key, (name, build) in builders.items():
            if options.only and key not in options.only:
                continue
            path = folder / name
            started = time.perf_counter()
            if not path.exists():
                build(path)
            built = time.perf_counter() - started
            with zipfile.ZipFile(path) if path.suffix == ".xlsx" else open(os.devnull) as archive:
                unpacked = (
                    sum(item.file_size for item in archive.infolist())
                    if path.suffix == ".xlsx"
                    else path.stat().st_size
                )
            completed = subprocess.run(
                [sys.executable, __file__, "--measure", str(path)],
                cwd=ROOT,
                capture_output=True,
                text=True,
            )
            if completed.returncode:
                sys.stderr.write(completed.stderr)
                raise SystemExit(f"{key} failed")
            numbers = json.loads(completed.stdout.strip().splitlines()[-1])
            numbers = {"file": key, "unpacked_mb": round(unpacked / 1024 / 1024), **numbers}
            print(json.dumps({**numbers, "build_s": round(built, 1)}, ensure_ascii=False))
            sys.stdout.flush()


if __name__ == "__main__":
    main()
