"""python manage.py import_register FILE [--dry-run]"""

import sys
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from enrollment.services.register_import import register_import_apply, register_import_check


class Command(BaseCommand):
    help = (
        "导入独生子女证登记文件（.xlsx、.xls、.ods 或 .csv，列名见系统中的导入模板）。"
        "逐行检查并报告每个错误（行号、列、原因）；只要有一行有错误就不写入任何数据。"
        "证号已登记的按证号更新，不会重复登记。以市级权限运行。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file", metavar="FILE", help="登记文件的路径（.xlsx、.xls、.ods 或 .csv）。"
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="只检查并报告新增、更新、未变的户数，不写入任何数据。",
        )

    def handle(self, *args, file, dry_run, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        with tqdm(desc="检查", unit="行", file=sys.stderr, leave=False) as bar:
            plan = register_import_check(actor=None, file=path, progress=bar.update)
        for notice in plan.notices:
            self.stdout.write(
                f"提示 {notice}" + (f"：{notice.old} → {notice.new}" if notice.old else "")
            )
        for error in plan.errors:
            self.stderr.write(str(error))
        if plan.errors:
            raise CommandError(plan.error_banner)
        counts = f"新增 {len(plan.new)} 户，更新 {len(plan.changed)} 户，未变 {plan.unchanged} 户"
        if dry_run:
            self.stdout.write(f"检查通过（试运行，未写入任何数据）：{counts}。")
            return
        to_write = len(plan.new) + len(plan.changed)
        with tqdm(
            desc="写入",
            unit="户",
            total=to_write,
            disable=not to_write,
            file=sys.stderr,
            leave=False,
        ) as bar:
            try:
                result = register_import_apply(actor=None, plan=plan, progress=bar.update)
            except ValidationError as error:
                raise CommandError("；".join(error.messages)) from error
        self.stdout.write(self.style.SUCCESS(result.message))
