"""The year's review workbook and PDF as background jobs, on the test settings' immediate
backend (the job runs inside the request that starts it): a large year's assessment page offers
them as 后台生成 buttons, shows the job and its download; the file is the starter's only, and its
download is audited as the direct download is (the review names no resident: no download
event). A small year's review stays a link answered in the request."""

import io

import pdfplumber
import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from haimen_insurance.jobs.models import Job, JobKind
from haimen_insurance.models import AuditEvent
from tests.enrollment.test_jobs import stale_job
from tests.oversight.test_dashboard import rules, year  # noqa: F401 (the fixtures)

# Every test here reads the year of the dashboard tests, scored by the default rules.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("rules")]

ASSESSMENT = reverse("assessment")


@pytest.fixture
def large(settings):
    """The year (seven households on its rosters) counts as large."""
    settings.JOBS_IMMEDIATE_ROWS = 2


def pdf_text(content: bytes) -> str:
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        return "".join("".join((page.extract_text() or "").split()) for page in pdf.pages)


def downloads():
    return AuditEvent.objects.filter(action="export.download")


def test_a_large_years_review_workbook_is_a_job_downloaded_from_the_assessment_page(
    world, client_for, large
):
    city = client_for(world.user("city"))
    page = city.get(ASSESSMENT).content.decode()
    assert "考核表（Excel，后台生成）" in page and "点评总结（PDF，后台生成）" in page
    assert reverse("review_xlsx") not in page

    page = city.post(f"{reverse('review_xlsx_job')}?campaign=2013", follow=True)
    job = Job.objects.get()
    assert (job.kind, job.status, job.started_by) == (
        JobKind.REVIEW_WORKBOOK,
        "done",
        world.user("city"),
    )
    assert page.redirect_chain[-1][0] == f"{ASSESSMENT}?campaign=2013#job-{job.pk}"
    text = page.content.decode()
    assert "导出考核表（Excel）" in text and "已完成" in text and "共 2 个乡镇（园区）。" in text
    assert f'href="{reverse("job_download", args=[job.pk])}"' in text
    assert "下载 2013年度考核与点评总结.xlsx" in text

    response = city.get(reverse("job_download", args=[job.pk]))
    assert "2013" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    summary = {row[0]: row[1] for row in book["全市汇总"].iter_rows(min_row=3, values_only=True)}
    assert summary["符合条件户数"] == 6 and summary["参保户数"] == 4
    assert summary["保费合计（元）"] == 160 and summary["赔付金额（元）"] == 500
    townships = [row[:2] for row in book["各乡镇与考核"].iter_rows(min_row=3, values_only=True)]
    assert townships[:2] == [(1, "海门镇"), (2, "三星镇")]
    assert book.sheetnames[-1] == "点评总结"


def test_a_large_years_review_pdf_is_a_job_and_reads_the_totals(world, client_for, large):
    leader = client_for(world.user("leader"))
    leader.post(f"{reverse('review_pdf_job')}?campaign=2013")
    job = Job.objects.get()
    assert (job.kind, job.status, job.result_name) == (
        JobKind.REVIEW_PDF,
        "done",
        "2013年度点评总结.pdf",
    )
    response = leader.get(reverse("job_download", args=[job.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(b"".join(response.streaming_content))
    assert "海门市2013年度独生子女保险点评总结" in text
    assert "投保率66.67%" in text and "海门镇" in text and "13.89" in text
    assert "壹佰陆拾元整" in text


def test_only_its_starter_downloads_the_review_and_a_township_officer_cannot_start_one(
    world, client_for, large
):
    city = client_for(world.user("city"))
    city.post(f"{reverse('review_pdf_job')}?campaign=2013")
    job = Job.objects.get()

    township = client_for(world.user("township_a"))
    assert township.get(reverse("job_download", args=[job.pk])).status_code == 404
    assert township.get(reverse("job_progress", args=[job.pk])).status_code == 404
    assert f'id="job-{job.pk}"' not in township.get(reverse("job_list")).content.decode()
    assert township.post(f"{reverse('review_xlsx_job')}?campaign=2013").status_code == 403
    assert Job.objects.count() == 1

    # The leader sees the city officer's job (the city roles see every job), not its file.
    leader = client_for(world.user("leader"))
    assert f'id="job-{job.pk}"' in leader.get(reverse("job_list")).content.decode()
    assert leader.get(reverse("job_download", args=[job.pk])).status_code == 404
    city = client_for(world.user("city"))
    assert city.get(reverse("job_download", args=[job.pk])).status_code == 200


def test_the_review_jobs_download_is_audited_as_the_direct_download(world, client_for, settings):
    city = client_for(world.user("city"))
    # In the request (a small year): no download event, the file names no resident.
    assert city.get(f"{reverse('review_xlsx')}?campaign=2013").status_code == 200
    assert city.get(f"{reverse('review_pdf')}?campaign=2013").status_code == 200
    assert not downloads().exists()

    settings.JOBS_IMMEDIATE_ROWS = 2
    for name in ("review_xlsx_job", "review_pdf_job"):
        city.post(f"{reverse(name)}?campaign=2013")
    for job in Job.objects.all():
        assert (job.status, job.result_audit) == ("done", "")
        assert city.get(reverse("job_download", args=[job.pk])).status_code == 200
    assert not downloads().exists()


def test_a_large_years_review_address_sends_to_the_page_that_starts_the_job(
    world, client_for, large
):
    city = client_for(world.user("city"))
    for name in ("review_xlsx", "review_pdf"):
        response = city.get(f"{reverse(name)}?campaign=2013", follow=True)
        assert response.redirect_chain[-1][0] == f"{ASSESSMENT}?campaign=2013"
        assert "点评总结和考核表在后台生成" in response.content.decode()
    assert not Job.objects.exists()


def test_a_review_whose_worker_died_is_made_again_and_a_second_start_is_the_same_job(world):
    from enrollment.models import Campaign
    from haimen_insurance.jobs.services import jobs_fail_stale
    from oversight.tasks import review_target, start_review

    city, campaign = world.user("city"), Campaign.objects.get()
    values = {
        "target": review_target(city, campaign),
        "task_path": "oversight.tasks.review_export",
        "params": {"campaign": campaign.pk},
    }
    job = stale_job(world, JobKind.REVIEW_PDF, **values)
    assert jobs_fail_stale() == 1
    job.refresh_from_db()  # queued again, and made at once by the immediate backend
    assert (job.status, job.attempts, job.result_name) == ("done", 2, "2013年度点评总结.pdf")

    running = stale_job(world, JobKind.REVIEW_PDF, heartbeat_at=timezone.now(), **values)
    again, started = start_review(actor=city, campaign=campaign, kind=JobKind.REVIEW_PDF)
    assert (again.pk, started) == (running.pk, False)


def test_a_small_years_review_stays_a_link(world, client_for):
    page = client_for(world.user("city")).get(ASSESSMENT).content.decode()
    assert f'href="{reverse("review_xlsx")}?campaign=2013"' in page
    assert "后台生成" not in page
