"""Jobs on the real queue: the database backend and ``manage.py db_worker`` in a process of its
own, against the test database (committed data: ``transactional_db``).

A worker killed (SIGKILL) in the middle of a register import leaves no household written, the
job is shown failed with a Chinese message once its heartbeat stops, and a second start on a new
worker imports the file."""

import signal
import time

import pytest
from django.urls import reverse

from enrollment.models import Household, RegisterImport
from enrollment.services.register_import import register_import_upload
from enrollment.tasks import start_policy_list, start_register_import
from haimen_insurance.jobs.models import Job
from haimen_insurance.models import AuditEvent
from tests.enrollment.test_register_files import household_values, write_csv
from tests.workers import wait_for

pytestmark = pytest.mark.django_db(transaction=True)

ROWS = 30_000


def a_large_upload(world, tmp_path) -> RegisterImport:
    rows = [
        household_values(f"HM{n:06d}", village="东兴村" if n % 2 else "新河村") for n in range(ROWS)
    ]
    path = write_csv(tmp_path / "登记.csv", rows)
    return register_import_upload(actor=world.user("city"), file=path, filename=path.name)


def test_a_worker_killed_during_an_import_writes_nothing_and_a_second_start_imports(
    world, job_worker, client_for, tmp_path, settings
):
    upload = a_large_upload(world, tmp_path)
    assert upload.status == "pending" and upload.new_count == ROWS
    city = world.user("city")
    job, started = start_register_import(actor=city, upload=upload)
    assert started and job.status == "queued"

    worker = job_worker()

    def writing():
        job.refresh_from_db()
        return job.status == "running" and job.phase == "写入登记"

    wait_for(writing, timeout=120)
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)

    assert Household.objects.count() == 0
    assert not AuditEvent.objects.filter(action__startswith="household.import_").exists()
    upload.refresh_from_db()
    assert upload.status == "pending"

    # Once its heartbeat is older than the limit, the page shows it failed, in Chinese.
    settings.JOBS_STALE_SECONDS = 1
    time.sleep(1.5)
    client = client_for(city)
    page = client.get(reverse("enrollment:register_import_preview", args=[upload.pk])).text
    job.refresh_from_db()
    assert job.status == "failed"
    assert "后台进程中断" in page and "没有写入任何数据" in page
    assert "确认导入" in page  # it can be started again

    client.post(reverse("enrollment:register_import_confirm", args=[upload.pk]))
    again = Job.objects.exclude(pk=job.pk).get()
    job_worker()
    wait_for(lambda: Job.objects.filter(pk=again.pk, status="done").exists(), timeout=180)
    assert Household.objects.count() == ROWS
    upload.refresh_from_db()
    assert upload.status == "applied"
    page = client.get(reverse("enrollment:register_import_preview", args=[upload.pk])).text
    assert "已导入" in page or "导入完成" in page


def test_a_job_that_raises_in_the_worker_fails_in_chinese(world, job_worker):
    """The worker's job raises (no campaign with that key): the job is failed with the plain
    message and the worker carries on with the next job."""
    from enrollment.models import Campaign
    from tests.enrollment.conftest import build_campaign

    campaign = build_campaign()
    city = world.user("city")
    job, _ = start_policy_list(actor=city, campaign=campaign)
    Job.objects.filter(pk=job.pk).update(params={"campaign": 999_999})
    second = build_campaign(2014)
    other, _ = start_policy_list(actor=city, campaign=second)
    job_worker()
    wait_for(lambda: not Job.objects.active().exists(), timeout=60)
    job.refresh_from_db()
    other.refresh_from_db()
    assert job.status == "failed" and "后台任务执行出错" in job.error
    assert "Traceback" not in job.error and Campaign.DoesNotExist.__name__ not in job.error
    assert other.status == "done" and other.result_note == "共 0 份保单。"
