"""The roof's background jobs: the year's review (点评总结) as its workbook and as its PDF, made
in a worker for a large year (see ``haimen_insurance.jobs``). The assessment page starts them
with ``start_review``; a small year's review is made in the request, as before."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from enrollment.models import Campaign, RosterEntry
from haimen_insurance.jobs.models import JobKind
from haimen_insurance.jobs.queue import task
from haimen_insurance.jobs.services import file_result, job_run, job_start, workbook_result

from . import access
from .pdf import year_review_pdf
from .review import review_workbook, year_review

REVIEW_KINDS = (JobKind.REVIEW_WORKBOOK, JobKind.REVIEW_PDF)


def review_file_name(campaign: Campaign, kind: str) -> str:
    """The download's name, the same from the request and from the job."""
    if kind == JobKind.REVIEW_PDF:
        return f"{campaign.year}年度点评总结.pdf"
    return f"{campaign.year}年度考核与点评总结.xlsx"


def review_in_background(campaign: Campaign) -> bool:
    """Whether the year's review is made by a job: the households on its rosters, which the
    review's sums run over, are more than ``JOBS_IMMEDIATE_ROWS``."""
    households = RosterEntry.objects.filter(roster__campaign=campaign).count()
    return households > settings.JOBS_IMMEDIATE_ROWS


def review_target(user, campaign: Campaign) -> str:
    """One review of each kind per person and year at a time (the file is only its starter's)."""
    return f"review:{campaign.pk}:{user.pk}"


def review_page(campaign: Campaign) -> str:
    return f"{reverse('assessment')}?campaign={campaign.year}"


def start_review(*, actor, campaign: Campaign, kind: str):
    """Start making the year's review workbook (``JobKind.REVIEW_WORKBOOK``) or PDF
    (``JobKind.REVIEW_PDF``) for ``actor``, a city role."""
    if kind not in REVIEW_KINDS:
        raise ValueError(f"not a review: {kind}")
    if not access.may_view_city_dashboard(actor):
        raise PermissionDenied("只有市计生委和市领导可以生成年度点评总结。")
    return job_start(
        actor=actor,
        kind=kind,
        task=review_export,
        target=review_target(actor, campaign),
        target_label=f"{campaign}考核与点评总结",
        target_url=review_page(campaign),
        params={"campaign": campaign.pk},
    )


def _review(job, progress):
    campaign = Campaign.objects.get(pk=job.params["campaign"])
    progress.steps(("汇总本年度数据", 1), ("写入文件", 1))
    review = year_review(campaign=campaign, user=job.started_by)
    progress(1)
    name = review_file_name(campaign, job.kind)
    note = f"共 {len(review.assessment.rows)} 个乡镇（园区）。"
    if review.assessment.has_counties:
        note = f"共 {len(review.assessment.county_rows)} 个县（区）、{note[2:]}"
    if job.kind == JobKind.REVIEW_PDF:
        result = file_result(year_review_pdf(review), name=name, note=note)
    else:
        result = workbook_result(review_workbook(review), name=name, note=note)
    progress(1)
    return result


@task()
def review_export(job_id: int) -> None:
    job_run(job_id, _review)
