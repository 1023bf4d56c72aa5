"""python manage.py jobs_sweep"""

from django.core.management.base import BaseCommand

from ...jobs.services import jobs_fail_stale, jobs_remove_expired


class Command(BaseCommand):
    help = (
        "清理后台任务：把后台进程已中断的任务标为失败（只生成文件的任务重新排队），"
        "删除已过保留期的结果文件。后台队列在每个结果文件到期时会自动执行一次。"
    )

    def handle(self, *args, **options):
        stale = jobs_fail_stale()
        removed = jobs_remove_expired()
        self.stdout.write(f"中断的任务 {stale} 个，删除过期文件 {removed} 个。")
