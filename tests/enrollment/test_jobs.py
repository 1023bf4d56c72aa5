"""Background jobs as their users see them, on the test settings' immediate backend (the job
runs inside the request that starts it): the campaign page's policy list export, the 后台任务
page, the scoped download and its expiry, the one-job-per-target constraint, failures in
Chinese with the traceback in the log, and a job whose worker died. The real worker and the
kill are in ``test_jobs_worker.py``."""

import io
import logging
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from enrollment import tasks as enrollment_tasks
from enrollment.services.policies import policies_issue, transfer_record
from haimen_insurance.jobs import services as job_services
from haimen_insurance.jobs.models import Job, JobKind
from haimen_insurance.models import AuditEvent
from tests.enrollment.conftest import build_household, build_reported_report, transfer_values

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(world, campaign):
    """海门镇's report, funded and issued: five families, ten policies."""
    for village, name in [(world.village_a1, "陈小雨"), (world.village_a1, "王一鸣")]:
        build_household(village, child_name=name)
    for name in ("李佳怡", "周子涵", "吴思远"):
        build_household(world.village_a2, child_name=name)
    report = build_reported_report(campaign, world.town_a)
    transfer_record(actor=None, report=report, **transfer_values(report))
    report.refresh_from_db()
    policies_issue(actor=None, report=report)
    report.refresh_from_db()
    return report


def rows_of(response):
    content = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def start_export(client, campaign):
    return client.post(reverse("enrollment:campaign_policy_list", args=[campaign.pk]), follow=True)


def test_the_city_exports_the_years_policy_list_as_a_job_and_downloads_it(
    world, issued, client_for
):
    city = client_for(world.user("city"))
    page = start_export(city, issued.campaign)
    job = Job.objects.get()
    assert (job.kind, job.status) == (JobKind.POLICY_LIST, "done")
    assert job.started_by == world.user("city")
    assert job.done == job.total == 10
    text = page.content.decode()
    assert "导出保单清单" in text and "已完成" in text and "共 10 份保单。" in text
    assert f'href="{reverse("job_download", args=[job.pk])}"' in text

    rows = rows_of(city.get(reverse("job_download", args=[job.pk])))
    assert len(rows) == 1 + 10 + 1  # header, ten policies, totals
    ids = [row[7] for row in rows[1:-1]]
    assert ids and all(value[6:14] == "********" for value in ids)
    assert not AuditEvent.objects.filter(action="export.download").exists()  # masked: no audit

    listing = city.get(reverse("job_list")).content.decode()
    assert "后台任务" in listing and f'id="job-{job.pk}"' in listing


def test_the_insurer_exports_its_own_policies_with_ids_in_full_and_the_download_is_audited(
    world, issued, client_for
):
    insurer = client_for(world.user("insurer_a"))
    start_export(insurer, issued.campaign)
    job = Job.objects.get()
    assert job.target == f"campaign:{issued.campaign.pk}:insurer:{world.insurer_a.pk}"
    rows = rows_of(insurer.get(reverse("job_download", args=[job.pk])))
    assert all("*" not in row[7] for row in rows[1:-1])
    event = AuditEvent.objects.get(action="export.download")
    assert event.changes == {"文件": "保单清单（Excel）", "行数": 10}

    # Another insurer's staff neither sees the job nor downloads its file.
    other = client_for(world.user("insurer_b"))
    assert other.get(reverse("job_download", args=[job.pk])).status_code == 404
    assert other.get(reverse("job_progress", args=[job.pk])).status_code == 404
    assert f'id="job-{job.pk}"' not in other.get(reverse("job_list")).content.decode()


def test_only_city_and_insurer_export_a_whole_year(world, issued, client_for):
    township = client_for(world.user("township_a"))
    response = township.post(reverse("enrollment:campaign_policy_list", args=[issued.campaign.pk]))
    assert response.status_code == 403
    assert not Job.objects.exists()


def test_a_city_officer_sees_every_job_but_downloads_only_their_own(world, issued, client_for):
    start_export(client_for(world.user("insurer_a")), issued.campaign)
    job = Job.objects.get()
    city = client_for(world.user("city"))
    assert f'id="job-{job.pk}"' in city.get(reverse("job_list")).content.decode()
    assert city.get(reverse("job_download", args=[job.pk])).status_code == 404


def test_an_expired_file_is_removed_by_the_sweep_and_no_longer_offered(world, issued, client_for):
    city = client_for(world.user("city"))
    start_export(city, issued.campaign)
    job = Job.objects.get()
    name = job.result_file.name
    assert job.result_file.storage.exists(name)
    Job.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    response = city.get(reverse("job_download", args=[job.pk]), follow=True)
    assert "已过保留期" in response.content.decode()
    call_command("jobs_sweep", stdout=io.StringIO())
    job.refresh_from_db()
    assert not job.result_file and not job.result_file.storage.exists(name)
    assert "已过保留期并已删除" in city.get(reverse("job_list")).content.decode()


def test_two_active_jobs_of_one_kind_on_one_target_are_refused_by_the_database(world):
    values = {
        "kind": JobKind.POLICY_LIST,
        "started_by": world.user("city"),
        "target": "campaign:1:city",
        "target_label": "x",
        "task_path": "enrollment.tasks.policy_list_export",
    }
    Job.objects.create(**values)
    with pytest.raises(IntegrityError), transaction.atomic():
        Job.objects.create(**values)
    Job.objects.create(**values, status=Job.Status.DONE)  # finished ones do not count


def test_a_second_start_while_one_runs_returns_the_running_job(world, issued):
    running = Job.objects.create(
        kind=JobKind.POLICY_LIST,
        started_by=world.user("city"),
        target=f"campaign:{issued.campaign.pk}:city",
        target_label="x",
        task_path="enrollment.tasks.policy_list_export",
        status=Job.Status.RUNNING,
        heartbeat_at=timezone.now(),
    )
    job, started = enrollment_tasks.start_policy_list(
        actor=world.user("city"), campaign=issued.campaign
    )
    assert (job, started) == (running, False)


def test_a_job_that_raises_shows_a_chinese_message_and_logs_the_traceback(
    world, issued, client_for, monkeypatch, caplog
):
    def broken(job, progress):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(enrollment_tasks, "_policy_list", broken)
    city = client_for(world.user("city"))
    with caplog.at_level(logging.ERROR, logger="haimen_insurance.jobs"):
        page = start_export(city, issued.campaign).content.decode()
    job = Job.objects.get()
    assert job.status == "failed" and job.error == job_services.FAILED_MESSAGE
    assert job_services.FAILED_MESSAGE in page and "Traceback" not in page
    assert "ZeroDivisionError" in caplog.text
    # It can be started again.
    monkeypatch.undo()
    start_export(city, issued.campaign)
    assert Job.objects.filter(status="done").count() == 1


def stale_job(world, kind, **values):
    """A job of ``kind`` running since five minutes ago whose heartbeat stopped then (its worker
    died); ``values`` set any other field."""
    lost = timezone.now() - timedelta(minutes=5)
    defaults = {"started_by": world.user("city"), "target": "t", "target_label": "x"}
    defaults |= {"task_path": "enrollment.tasks.policy_list_export", "attempts": 1}
    defaults |= {"started_at": lost, "heartbeat_at": lost}
    return Job.objects.create(kind=kind, status=Job.Status.RUNNING, **(defaults | values))


def test_a_job_whose_worker_died_is_shown_failed_on_the_page(world, client_for):
    job = stale_job(world, JobKind.REGISTER_IMPORT)
    fresh = stale_job(world, JobKind.ROLL_OVER)
    Job.objects.filter(pk=fresh.pk).update(heartbeat_at=timezone.now())
    page = client_for(world.user("city")).get(reverse("job_list")).content.decode()
    job.refresh_from_db()
    fresh.refresh_from_db()
    assert job.status == "failed"
    assert "后台进程中断" in job.error and "没有写入任何数据" in job.error
    assert "后台进程中断" in page
    assert fresh.status == "running"  # its heartbeat is recent


def test_an_export_whose_worker_died_is_queued_again_once(world, issued):
    job = stale_job(world, JobKind.POLICY_LIST, params={"campaign": issued.campaign.pk})
    assert job_services.jobs_fail_stale() == 1
    job.refresh_from_db()
    assert job.status == "done" and job.attempts == 2  # run again at once (immediate backend)

    second = stale_job(world, JobKind.POLICY_LIST, params={"campaign": issued.campaign.pk})
    Job.objects.filter(pk=second.pk).update(attempts=2, target="u")
    job_services.jobs_fail_stale()
    second.refresh_from_db()
    assert second.status == "failed"


def test_a_large_roll_over_runs_as_a_job_and_links_to_the_new_year(
    world, issued, client_for, settings
):
    settings.JOBS_IMMEDIATE_ROWS = 2  # five enrolled families: over the limit
    city = client_for(world.user("city"))
    campaign = issued.campaign
    page = city.post(
        reverse("enrollment:campaign_roll_over", args=[campaign.pk]), follow=True
    ).content.decode()
    job = Job.objects.get(kind=JobKind.ROLL_OVER)
    new = campaign.__class__.objects.get(year=campaign.year + 1)
    assert job.status == "done" and job.done == job.total == 5
    assert job.result_url == new.get_absolute_url()
    assert "已生成2014年度" in job.result_note and "5 户仍符合条件" in job.result_note
    assert "续保生成下一年度" in page and job.result_note in page
    assert f'href="{new.get_absolute_url()}"' in page


def test_a_failed_roll_over_shows_why_on_the_campaign_page(world, issued, client_for, settings):
    settings.JOBS_IMMEDIATE_ROWS = 2
    campaign = issued.campaign
    city = client_for(world.user("city"))
    city.post(reverse("enrollment:campaign_roll_over", args=[campaign.pk]))
    # The same again: the service refuses (the year exists); the job says so in Chinese.
    Job.objects.all().delete()
    page = city.post(
        reverse("enrollment:campaign_roll_over", args=[campaign.pk]), follow=True
    ).content.decode()
    job = Job.objects.get()
    assert job.status == "failed" and job.error == "2014年度已经建立，不能再次续保生成。"
    assert job.error in page


def test_a_large_townships_policy_list_is_a_job_for_the_insurer(
    world, issued, client_for, settings
):
    settings.JOBS_IMMEDIATE_ROWS = 5  # ten policies
    insurer = client_for(world.user("insurer_a"))
    page = insurer.get(
        reverse("enrollment:policy_list_xlsx", args=[issued.pk]), follow=True
    ).content.decode()
    job = Job.objects.get()
    assert (job.kind, job.status, job.target) == ("policy_list", "done", f"report:{issued.pk}")
    assert "共 10 份保单。" in page and "2013年度保单清单_海门镇.xlsx" in page
    rows = rows_of(insurer.get(reverse("job_download", args=[job.pk])))
    assert len(rows) == 12 and all("*" not in row[7] for row in rows[1:-1])
    assert AuditEvent.objects.get(action="export.download").changes["行数"] == 10
