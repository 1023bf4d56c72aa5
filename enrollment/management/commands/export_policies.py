"""python manage.py export_policies --campaign YEAR [--insurer CODE] FILE"""

import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from haimen_insurance.models import Insurer

from ...exports import policy_list_workbook
from ...models import Campaign, Policy
from ...selectors.policies import policy_list_rows


class Command(BaseCommand):
    help = "导出一个参保年度已出具的保单清单（.xlsx，每份保单一行，身份证号和保单号为文本）。"

    def add_arguments(self, parser):
        parser.add_argument("--campaign", type=int, required=True, help="参保年度，例如 2013。")
        parser.add_argument(
            "--insurer", help="只导出这家保险公司的保单（保险公司代码，例如 CLIC）。"
        )
        parser.add_argument("file", help="写入的 .xlsx 文件。")

    def handle(self, *args, campaign, insurer, file, **options):
        if not file.lower().endswith(".xlsx"):
            raise CommandError(f"文件名须以 .xlsx 结尾：{file}")
        found = Campaign.objects.filter(year=campaign).first()
        if found is None:
            raise CommandError(f"没有 {campaign} 参保年度。")
        insurer_id = None
        if insurer:
            insurer_id = Insurer.objects.filter(code=insurer).values_list("pk", flat=True).first()
            if insurer_id is None:
                raise CommandError(f"没有代码为 {insurer} 的保险公司。")
        policies = Policy.objects.filter(campaign=found)
        if insurer_id is not None:
            policies = policies.filter(insurer=insurer_id)
        total = policies.count()
        rows = policy_list_rows(campaign_id=found.pk, insurer_id=insurer_id)
        with tqdm(rows, desc="导出", unit="份", total=total, file=sys.stderr, leave=False) as bar:
            writer = policy_list_workbook(bar, title="保单清单")
        try:
            writer.save(file)
        except OSError as error:
            raise CommandError(f"无法写入 {file}：{error.strerror}") from error
        self.stdout.write(self.style.SUCCESS(f"已导出 {total} 份保单到 {file}。"))
