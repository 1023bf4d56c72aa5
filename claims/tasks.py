"""Claims' background jobs: the claims register's export (see ``haimen_insurance.jobs``)."""

from django.urls import reverse
from django.utils import timezone

from haimen_insurance.jobs.models import JobKind
from haimen_insurance.jobs.queue import task
from haimen_insurance.jobs.services import job_run, job_start, workbook_result
from haimen_insurance.tasks import Counted, filtered, filtered_target

from .exports import claims_workbook
from .filters import ClaimFilter
from .models import Claim


def claims_for(user):
    return Claim.objects.for_user(user).select_related(
        "person", "village__parent", "policy__product", "insurer"
    )


def start_claims_export(*, actor, query: str):
    return job_start(
        actor=actor,
        kind=JobKind.CLAIMS_EXPORT,
        task=claims_export,
        target=filtered_target("claims", actor, query),
        target_label="理赔登记" + ("（按筛选条件）" if query else "（全部）"),
        target_url=reverse("claims:claim_list") + (f"?{query}" if query else ""),
        params={"query": query},
    )


def _claims_export(job, progress):
    user = job.started_by
    claims = filtered(ClaimFilter, claims_for(user).order_by("-reported_at", "-pk"), job)
    progress.step("写入理赔登记", claims.count())
    writer = claims_workbook(Counted(claims, progress), full_ids=user.sees_full_ids)
    return workbook_result(
        writer,
        name=f"理赔登记_{timezone.localdate():%Y%m%d}.xlsx",
        note=f"共 {writer.rows_written:,} 件。",
        audit="理赔登记（Excel）" if user.sees_full_ids else "",
    )


@task()
def claims_export(job_id: int) -> None:
    job_run(job_id, _claims_export)
