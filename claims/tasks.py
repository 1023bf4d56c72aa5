"""Claims' background jobs: the claims register's export, a filtered list's export of the floor
(``haimen_insurance.tasks.start_filtered_export``)."""

from haimen_insurance.jobs.models import JobKind
from haimen_insurance.jobs.queue import task
from haimen_insurance.jobs.services import job_run
from haimen_insurance.tasks import filtered_export, start_filtered_export

from .exports import claims_workbook
from .filters import ClaimFilter
from .models import Claim

REGISTER = "理赔登记"


def claims_for(user):
    return Claim.objects.for_user(user).select_related(
        "person", "village__parent", "policy__product", "insurer"
    )


def start_claims_export(*, actor, query: str):
    return start_filtered_export(
        actor=actor,
        kind=JobKind.CLAIMS_EXPORT,
        task=claims_export,
        prefix="claims",
        label=REGISTER,
        url_name="claims:claim_list",
        query=query,
    )


def _claims_export(job, progress):
    return filtered_export(
        job,
        progress,
        filterset_class=ClaimFilter,
        queryset=claims_for(job.started_by).order_by("-reported_at", "-pk"),
        workbook=claims_workbook,
        label=REGISTER,
        unit="件",
    )


@task()
def claims_export(job_id: int) -> None:
    job_run(job_id, _claims_export)
