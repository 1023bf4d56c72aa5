"""The floor's background jobs: the audit trail's export (see ``haimen_insurance.jobs``)."""

import hashlib
from types import SimpleNamespace

from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from .exports import audit_workbook
from .filters import AuditEventFilter
from .jobs.models import JobKind
from .jobs.queue import task
from .jobs.services import job_run, job_start, workbook_result
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


def start_audit_export(*, actor, query: str):
    return job_start(
        actor=actor,
        kind=JobKind.AUDIT_EXPORT,
        task=audit_export,
        target=filtered_target("audit", actor, query),
        target_label="审计日志" + ("（按筛选条件）" if query else "（全部）"),
        target_url=reverse("audit_list") + (f"?{query}" if query else ""),
        params={"query": query},
    )


def _audit_export(job, progress):
    user = job.started_by
    events = filtered(
        AuditEventFilter, AuditEvent.objects.for_user(user).select_related("actor", "area"), job
    )
    progress.step("写入审计日志", events.count())
    writer = audit_workbook(Counted(events, progress), full_ids=user.sees_full_ids)
    return workbook_result(
        writer,
        name=f"审计日志_{timezone.localdate():%Y%m%d}.xlsx",
        note=f"共 {writer.rows_written:,} 条。",
        audit="审计日志（Excel）" if user.sees_full_ids else "",
    )


@task()
def audit_export(job_id: int) -> None:
    job_run(job_id, _audit_export)
