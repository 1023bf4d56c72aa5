"""Enrollment's background jobs: each task runs one of the app's services in a worker through
``haimen_insurance.jobs.services.job_run``, with the job's progress as the service's
``progress`` callable. The views start them with ``start_*`` below."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.core.files.storage import default_storage
from django.urls import reverse

from haimen_insurance.jobs.models import JobKind
from haimen_insurance.jobs.queue import task
from haimen_insurance.jobs.services import JobError, JobResult, job_run, job_start, workbook_result
from haimen_insurance.privacy import shown_birth_date, shown_id

from .access import may_export_year_policy_list
from .exports import policy_list_workbook
from .models import Campaign, Policy, RegisterImport, RosterEntry, TownshipReport
from .selectors.policies import policy_list_rows
from .services.register_import import register_import_confirm, register_import_upload
from .services.rollover import RollOver, campaign_roll_over

# Policy list ---------------------------------------------------------------------------------

_ID_COLUMNS = (7, 10)  # 身份证号, 第二被保险人身份证号
_BIRTH_COLUMNS = (8, 11)


def policy_list_scope(user, campaign: Campaign) -> tuple[str, str, int | None]:
    """(target key, label, insurer id) of the policy list ``user`` may export for a year: the
    city's for the city roles, their own company's for insurer staff."""
    if not may_export_year_policy_list(user):
        raise JobError("只有市计生委、市领导和保险公司可以导出整年度的保单清单。")
    if user.insurer_id is None:  # a city role: the whole year
        return f"campaign:{campaign.pk}:city", f"{campaign}全市", None
    key = f"campaign:{campaign.pk}:insurer:{user.insurer_id}"
    return key, f"{campaign}{user.insurer.name}", user.insurer_id


def start_policy_list(*, actor, campaign: Campaign, now: bool = False):
    target, label, insurer_id = policy_list_scope(actor, campaign)
    return job_start(
        actor=actor,
        kind=JobKind.POLICY_LIST,
        task=policy_list_export,
        target=target,
        target_label=label,
        target_url=campaign.get_absolute_url(),
        params={"campaign": campaign.pk, "insurer": insurer_id},
        now=now,
    )


def _masked(rows):
    """The rows as a reader who sees IDs masked may see them (birth dates as the year)."""
    for row in rows:
        row = list(row)
        for column in _ID_COLUMNS:
            if row[column]:
                row[column] = shown_id(row[column], full=False)
        for column in _BIRTH_COLUMNS:
            if row[column]:
                row[column] = shown_birth_date(row[column], full_ids=False)
        yield row


def _counted(rows, progress, every: int = 1000):
    count = 0
    for row in rows:
        yield row
        count += 1
        if count == every:
            progress(count)
            count = 0
    if count:
        progress(count)


def start_report_policy_list(*, actor, report: TownshipReport):
    """A township report's policy list (the insurer's download, to fill in its numbers)."""
    return job_start(
        actor=actor,
        kind=JobKind.POLICY_LIST,
        task=policy_list_export,
        target=f"report:{report.pk}",
        target_label=f"{report.campaign}{report.township.name}",
        target_url=report.get_absolute_url(),
        params={"campaign": report.campaign_id, "report": report.pk},
    )


def _report_policy_list(job, progress) -> JobResult:
    report = TownshipReport.objects.select_related("campaign", "township").get(
        pk=job.params["report"]
    )
    progress.step("写入保单清单", report.policies)
    rows = policy_list_rows(campaign_id=report.campaign_id, report=report)
    writer = policy_list_workbook(_counted(rows, progress), title="保单清单")
    return workbook_result(
        writer,
        name=f"{report.campaign.year}年度保单清单_{report.township.name}.xlsx",
        note=f"共 {writer.rows_written:,} 份保单。",
        audit="保单清单（Excel）",
    )


def _policy_list(job, progress) -> JobResult:
    if job.params.get("report"):
        return _report_policy_list(job, progress)
    campaign = Campaign.objects.get(pk=job.params["campaign"])
    insurer_id = job.params.get("insurer")
    policies = Policy.objects.filter(campaign=campaign)
    if insurer_id is not None:
        policies = policies.filter(insurer=insurer_id)
    total = policies.count()
    progress.step("写入保单清单", total)
    rows = policy_list_rows(campaign_id=campaign.pk, insurer_id=insurer_id)
    full = job.started_by.sees_full_ids
    if not full:
        rows = _masked(rows)
    writer = policy_list_workbook(_counted(rows, progress), title="保单清单")
    scope = job.insurer.name if job.insurer_id and insurer_id else "全市"
    return workbook_result(
        writer,
        name=f"{campaign.year}年度保单清单_{scope}.xlsx",
        note=f"共 {writer.rows_written:,} 份保单。",
        audit="保单清单（Excel）" if full else "",
    )


@task()
def policy_list_export(job_id: int) -> None:
    job_run(job_id, _policy_list)


# Register import -----------------------------------------------------------------------------


def start_register_check(*, actor, file, filename: str):
    """Keep an uploaded register file in storage and check it in the background; the job
    leads to the preview when done."""
    suffix = Path(filename).suffix.lower()[:10]
    stored = default_storage.save(f"jobs/uploads/{uuid.uuid4().hex}{suffix}", file)
    return job_start(
        actor=actor,
        kind=JobKind.REGISTER_CHECK,
        task=register_check,
        target=f"upload:{stored}",
        target_label=filename,
        target_url=reverse("enrollment:register_import"),
        params={"path": stored, "filename": filename},
    )


def _register_check(job, progress) -> JobResult:
    path = job.params["path"]
    progress.step("检查文件（已读行数）")
    try:
        with default_storage.open(path, "rb") as handle:
            content = handle.read()
        upload = register_import_upload(
            actor=job.started_by,
            file=content,
            filename=job.params["filename"],
            progress=progress,
        )
    finally:
        default_storage.delete(path)
    if upload.error_row_count:
        note = f"检查完毕：共 {upload.row_count:,} 行，其中 {upload.error_row_count:,} 行有错误。"
    else:
        note = (
            f"检查完毕：共 {upload.row_count:,} 行，新增 {upload.new_count:,} 户，"
            f"更新 {upload.changed_count:,} 户。请在预览页确认导入。"
        )
    return JobResult(url=upload.get_absolute_url(), note=note)


@task()
def register_check(job_id: int) -> None:
    job_run(job_id, _register_check)


def start_register_import(*, actor, upload: RegisterImport):
    return job_start(
        actor=actor,
        kind=JobKind.REGISTER_IMPORT,
        task=register_import,
        target=f"register_import:{upload.pk}",
        target_label=upload.filename,
        target_url=upload.get_absolute_url(),
        params={"upload": upload.pk},
    )


def _register_import(job, progress) -> JobResult:
    upload = RegisterImport.objects.defer("content").get(pk=job.params["upload"])
    progress.steps(
        ("核对文件", upload.row_count),
        ("写入登记", upload.new_count + upload.changed_count),
    )
    upload = RegisterImport.objects.get(pk=upload.pk)
    result = register_import_confirm(actor=job.started_by, upload=upload, progress=progress)
    return JobResult(url=upload.get_absolute_url(), note=result.message)


@task()
def register_import(job_id: int) -> None:
    job_run(job_id, _register_import)


# Roll-over -----------------------------------------------------------------------------------


def roll_over_size(campaign: Campaign) -> int:
    """The households a roll-over of ``campaign`` proposes again: last year's enrolled."""
    return RosterEntry.objects.filter(
        roster__campaign=campaign, decision=RosterEntry.Decision.ENROLLED
    ).count()


def roll_over_message(rolled: RollOver) -> str:
    return (
        f"已生成{rolled.campaign}：上年度参保家庭 {rolled.continuing} 户仍符合条件，"
        "已列为续保；"
        f"{rolled.aged_out} 户子女已满 {rolled.campaign.age_limit} 周岁、"
        f"{rolled.no_longer_eligible} 户因其他原因不再符合，已标为不符合条件；"
        + (
            f"{rolled.left_undecided} 户的家庭成员已随另一户续保，留待村里登记；"
            if rolled.left_undecided
            else ""
        )
        + "新领证家庭待各村登记。新年度处于筹备中：核对日期、险种和承保公司后开放，"
        "各村（社区）才能开始填报。"
    )


def start_roll_over(*, actor, campaign: Campaign):
    return job_start(
        actor=actor,
        kind=JobKind.ROLL_OVER,
        task=roll_over,
        target=f"campaign:{campaign.pk}",
        target_label=str(campaign),
        target_url=campaign.get_absolute_url(),
        params={"campaign": campaign.pk},
    )


def _roll_over(job, progress) -> JobResult:
    campaign = Campaign.objects.get(pk=job.params["campaign"])
    progress.step("续保核对并写入新年度名册", roll_over_size(campaign))
    rolled = campaign_roll_over(actor=job.started_by, campaign=campaign, progress=progress)
    return JobResult(url=rolled.campaign.get_absolute_url(), note=roll_over_message(rolled))


@task()
def roll_over(job_id: int) -> None:
    job_run(job_id, _roll_over)
