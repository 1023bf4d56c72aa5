"""The floor's background jobs: the export of a filtered list as a workbook, which the audit
trail (here) and the claims register (``claims.tasks``) share, and the audit trail's own (see
``haimen_insurance.jobs``)."""

import hashlib
from types import SimpleNamespace

from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from .exports import audit_workbook
from .filters import AuditEventFilter
from .jobs.models import JobKind
from .jobs.queue import task
from .jobs.services import JobResult, job_run, job_start, workbook_result
from .models import AuditEvent


def filtered_target(prefix: str, user, query: str) -> str:
    """One job per user and filter: the same export asked twice is one job."""
    digest = hashlib.sha1(query.encode()).hexdigest()[:16]  # noqa: S324 (a key, not a secret)
    return f"{prefix}:{user.pk}:{digest}"


def filtered(filterset_class, queryset, job):
    """The queryset as the list page filtered it when the job was started."""
    request = SimpleNamespace(user=job.started_by)
    return filterset_class(
        QueryDict(job.params.get("query", "")), queryset=queryset, request=request
    ).qs


class Counted:
    """An iterable that reports each ``every`` items to ``progress``."""

    def __init__(self, items, progress, every: int = 500):
        self.items, self.progress, self.every = items, progress, every

    def iterator(self, chunk_size=None):
        count = 0
        for item in self.items.iterator(chunk_size=chunk_size or 2000):
            yield item
            count += 1
            if count == self.every:
                self.progress(count)
                count = 0
        if count:
            self.progress(count)

    def select_related(self, *fields):
        return Counted(self.items.select_related(*fields), self.progress, self.every)

    def __iter__(self):
        return self.iterator()


# A list page's export -------------------------------------------------------------------------


def start_filtered_export(
    *, actor, kind: str, task, prefix: str, label: str, url_name: str, query: str
):
    """Start exporting the list page ``url_name`` as ``actor`` filtered it (``query``, the
    page's query string): one job per user and filter, named ``label`` (审计日志) on the
    后台任务 page and linking back to the filtered list."""
    return job_start(
        actor=actor,
        kind=kind,
        task=task,
        target=filtered_target(prefix, actor, query),
        target_label=label + ("（按筛选条件）" if query else "（全部）"),
        target_url=reverse(url_name) + (f"?{query}" if query else ""),
        params={"query": query},
    )


def filtered_export(
    job, progress, *, filterset_class, queryset, workbook, label: str, unit: str
) -> JobResult:
    """The work of a job ``start_filtered_export`` started: ``queryset`` (what the starter may
    see) filtered as the page was, written by ``workbook(rows, full_ids=...)`` as the direct
    download writes it, with IDs in full only for a starter who sees them so, whose download
    is then audited as ``<label>（Excel）``."""
    full = job.started_by.sees_full_ids
    rows = filtered(filterset_class, queryset, job)
    progress.step(f"写入{label}", rows.count())
    writer = workbook(Counted(rows, progress), full_ids=full)
    return workbook_result(
        writer,
        name=f"{label}_{timezone.localdate():%Y%m%d}.xlsx",
        note=f"共 {writer.rows_written:,} {unit}。",
        audit=f"{label}（Excel）" if full else "",
    )


# The audit trail ------------------------------------------------------------------------------

AUDIT = "审计日志"


def start_audit_export(*, actor, query: str):
    return start_filtered_export(
        actor=actor,
        kind=JobKind.AUDIT_EXPORT,
        task=audit_export,
        prefix="audit",
        label=AUDIT,
        url_name="audit_list",
        query=query,
    )


def _audit_export(job, progress):
    events = AuditEvent.objects.for_user(job.started_by).select_related("actor", "area")
    return filtered_export(
        job,
        progress,
        filterset_class=AuditEventFilter,
        queryset=events,
        workbook=audit_workbook,
        label=AUDIT,
        unit="条",
    )


@task()
def audit_export(job_id: int) -> None:
    job_run(job_id, _audit_export)
