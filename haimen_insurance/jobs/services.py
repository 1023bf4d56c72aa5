"""Starting, running and sweeping jobs: the only code that writes a job's status.

``job_start`` records a job and puts its task on the queue in one transaction (the database
backend's queue row commits with the job, so a worker never sees one without the other); the
constraint on (kind, target) makes a second start of the same work return the job already
queued or running. ``job_run`` is what a task function calls in the worker: it marks the job
running, hands the work a ``Progress``, and records the outcome — the result file in storage,
or a link and a sentence — or the failure: a service's Chinese message as it is, anything else
as a plain Chinese sentence while the traceback goes to the log for the operator.

A worker that dies (killed, machine restarted) leaves its job running with a heartbeat that no
longer moves: ``jobs_fail_stale`` (called when a page shows jobs, when one is started and by
the sweep) marks such a job failed, or queues it once more where its kind only writes a file.
The work itself is transactional, so a dead import or roll-over has written nothing.
"""

from __future__ import annotations

import logging
import os
import socket
import tempfile
import threading
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import MAX_ATTEMPTS, Job

logger = logging.getLogger("haimen_insurance.jobs")

WORKER = f"{socket.gethostname()}:{os.getpid()}"
FAILED_MESSAGE = "后台任务执行出错，未完成。请稍后重新开始；如仍出错，请联系系统管理员。"
DIED_MESSAGE = "执行这个任务的后台进程中断了（服务器重启或进程被终止），任务未完成"
# Every kind that is not retried writes in one transaction: a dead one has written nothing.
DIED_NOTHING_WRITTEN = "，没有写入任何数据。请重新开始。"
DIED_RETRY = "，已重新排队。"


class JobError(Exception):
    """A failure to show the user as it is (a Chinese sentence)."""


@dataclass
class JobResult:
    """What a job made: a file to download (``path``, saved to storage under ``name``), and/or
    a link to what it made (``url``) with a sentence (``note``)."""

    path: Path | None = None
    name: str = ""
    url: str = ""
    note: str = ""
    rows: int | None = None
    audit: str = ""  # the export as the download's audit names it, where IDs are in full


def workbook_result(writer, *, name: str, note: str = "", audit: str = "") -> JobResult:
    """Save an ``XlsxWriter`` to a temporary file for ``job_run`` to store."""
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False)  # noqa: SIM115
    with handle:
        writer.save(handle)
    return JobResult(
        path=Path(handle.name), name=name, note=note, rows=writer.rows_written, audit=audit
    )


def file_result(content: bytes, *, name: str, note: str = "") -> JobResult:
    """A file made in memory (a PDF) in a temporary file for ``job_run`` to store."""
    handle = tempfile.NamedTemporaryFile(suffix=Path(name).suffix, delete=False)  # noqa: SIM115
    with handle:
        handle.write(content)
    return JobResult(path=Path(handle.name), name=name, note=note)


# Starting ----------------------------------------------------------------------------------


def job_start(
    *,
    actor,
    kind: str,
    task,
    target: str,
    target_label: str,
    target_url: str = "",
    params: dict | None = None,
    now: bool = False,
) -> tuple[Job, bool]:
    """Queue ``task`` (a task function taking the job's id) for ``actor``; returns the job and
    whether it was started now (False: the same work was already queued or running, and that
    job is returned). ``now`` runs it here instead of queueing it (the demo's seed)."""
    jobs_fail_stale(Job.objects.filter(kind=kind, target=target))
    with transaction.atomic():
        try:
            with transaction.atomic():
                job = Job.objects.create(
                    kind=kind,
                    started_by=actor,
                    area_id=actor.area_id,
                    insurer_id=actor.insurer_id,
                    target=target[:100],
                    target_label=target_label[:200],
                    target_url=target_url,
                    params=params or {},
                    task_path=task.module_path,
                )
        except IntegrityError:
            running = Job.objects.active().filter(kind=kind, target=target).first()
            if running is None:  # it ended in between
                raise ValidationError("这项工作刚刚结束，请刷新页面后再试。") from None
            return running, False
        if now:
            task.call(job.pk)
        else:
            _enqueue(job, task)
    job.refresh_from_db()
    return job, True


def _enqueue(job: Job, task) -> None:
    result = task.enqueue(job.pk)
    Job.objects.filter(pk=job.pk).update(task_id=str(result.id))


# Running -----------------------------------------------------------------------------------


class Progress:
    """The work's progress, as a service reports it: ``progress(n)`` adds n (the convention of
    tqdm's ``update``, which the command line passes instead), ``progress.step(label, total)``
    starts a phase, and ``progress.steps(...)`` lays out consecutive phases that the count moves
    through by itself (a service that checks and then writes calls one callable for both).

    In a worker a thread writes the progress and a heartbeat every ``JOBS_HEARTBEAT_SECONDS``
    through its own database connection, so the page sees it while the work's own transaction
    is still open. Inside a transaction (a test's immediate backend) there is no thread."""

    def __init__(self, job: Job, *, live: bool):
        self.job_id = job.pk
        self.done = 0
        self.total: int | None = None
        self.phase = ""
        self._steps: list[tuple[str, int]] = []
        self._offset = 0  # the count of the steps already passed
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._thread = None
        if live:
            self._thread = threading.Thread(target=self._beat, name=f"job-{job.pk}", daemon=True)
            self._thread.start()

    def step(self, phase: str, total: int | None = None) -> None:
        with self._lock:
            self._steps, self._offset = [], 0
            self.phase, self.total, self.done = phase, total, 0

    def steps(self, *steps: tuple[str, int]) -> None:
        """Consecutive phases (label, count); the bar runs over their sum."""
        with self._lock:
            self._steps = list(steps)
            self._offset = 0
            self.total = sum(count for _, count in steps)
            self.done = 0
            self.phase = steps[0][0] if steps else ""

    def __call__(self, n: int = 1) -> None:
        with self._lock:
            self.done += n
            if self.total is not None:
                self.done = min(self.done, self.total)
            while self._steps and self.done >= self._offset + self._steps[0][1] > 0:
                label, count = self._steps.pop(0)
                self._offset += count
                if self._steps:
                    self.phase = self._steps[0][0]

    update = __call__  # so it stands in for a tqdm bar

    def _values(self) -> dict:
        with self._lock:
            return {"done": self.done, "total": self.total, "phase": self.phase[:50]}

    def write(self) -> None:
        try:
            Job.objects.filter(pk=self.job_id, status=Job.Status.RUNNING).update(
                heartbeat_at=timezone.now(), **self._values()
            )
        except DatabaseError:  # SQLite busy with the work's own transaction: next beat
            logger.debug("job %s: progress not written this time", self.job_id, exc_info=True)

    def _beat(self) -> None:
        try:
            while not self._stopped.wait(settings.JOBS_HEARTBEAT_SECONDS):
                self.write()
        finally:
            connection.close()

    def stop(self) -> None:
        self._stopped.set()
        if self._thread is not None:
            self._thread.join()


def job_run(job_id: int, work) -> None:
    """Run ``work(job, progress) -> JobResult`` for the queued job ``job_id`` and record how
    it ended. Called by the task functions, in the worker."""
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING,
        started_at=now,
        heartbeat_at=now,
        finished_at=None,
        worker=WORKER,
        attempts=F("attempts") + 1,
        done=0,
        phase="开始",
    )
    if not claimed:  # gone, or already taken: a queue row delivered twice does nothing
        logger.warning("job %s is not queued; its task does nothing", job_id)
        return
    job = Job.objects.select_related("started_by", "area", "insurer").get(pk=job_id)
    progress = Progress(job, live=not connection.in_atomic_block)
    try:
        result = work(job, progress)
    except (ValidationError, PermissionDenied, JobError) as error:
        progress.stop()
        _failed(job, _message(error))
    except Exception:
        progress.stop()
        logger.exception("后台任务 %s（%s，%s）出错", job.pk, job.kind, job.target)
        _failed(job, FAILED_MESSAGE)
    else:
        progress.stop()
        _done(job, result or JobResult(), progress)


def _message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return "；".join(error.messages)
    return str(error) or FAILED_MESSAGE


def _failed(job: Job, message: str) -> None:
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.FAILED, error=message, finished_at=timezone.now()
    )


def _done(job: Job, result: JobResult, progress: Progress) -> None:
    job.refresh_from_db()
    now = timezone.now()
    values = progress._values()
    job.done = values["total"] if values["total"] is not None else values["done"]
    job.total = values["total"]
    job.phase = "完成"
    job.result_url = result.url
    job.result_note = result.note[:500]
    job.result_rows = result.rows
    job.result_audit = result.audit
    job.finished_at = now
    fields = ["done", "total", "phase", "result_url", "result_note", "result_rows"]
    fields += ["result_audit", "finished_at", "status"]
    if result.path is not None:
        job.result_name = result.name[:200]
        suffix = Path(result.name).suffix or ".bin"
        with open(result.path, "rb") as handle:
            job.result_file.save(f"{job.pk}{suffix}", File(handle), save=False)
        result.path.unlink(missing_ok=True)
        job.expires_at = now + timedelta(days=settings.JOBS_RESULT_DAYS)
        fields += ["result_name", "result_file", "expires_at"]
    job.status = Job.Status.DONE
    job.save(update_fields=fields)
    if job.expires_at is not None:
        _schedule_sweep(job.expires_at)


def _schedule_sweep(when) -> None:
    """The sweep runs again when this file expires (a deferred task: no loop of our own)."""
    from .tasks import jobs_sweep

    if jobs_sweep.get_backend().supports_defer:
        jobs_sweep.using(run_after=when + timedelta(minutes=1)).enqueue()


# Faults and expiry -------------------------------------------------------------------------


def jobs_fail_stale(jobs=None) -> int:
    """Jobs running without a heartbeat for ``JOBS_STALE_SECONDS`` lost their worker: end them
    failed, or queue them once more where their kind only makes a file (``RETRIED_KINDS``) and
    they have not used their attempts. Returns how many were found."""
    limit = timezone.now() - timedelta(seconds=settings.JOBS_STALE_SECONDS)
    candidates = (jobs if jobs is not None else Job.objects.all()).filter(
        status=Job.Status.RUNNING, heartbeat_at__lt=limit
    )
    if not candidates.exists():
        return 0
    found = 0
    with transaction.atomic():
        for job in candidates.select_for_update(skip_locked=True):
            found += 1
            _task_result_failed(job.task_id)
            if job.retried and job.attempts < MAX_ATTEMPTS:
                logger.warning("job %s lost its worker %s; queued again", job.pk, job.worker)
                job.status = Job.Status.QUEUED
                job.error = DIED_MESSAGE + DIED_RETRY
                job.phase = "等待重试"
                job.save(update_fields=["status", "error", "phase"])
                _enqueue(job, import_string(job.task_path))
            else:
                logger.warning("job %s lost its worker %s; failed", job.pk, job.worker)
                job.status = Job.Status.FAILED
                job.error = DIED_MESSAGE + DIED_NOTHING_WRITTEN
                job.finished_at = timezone.now()
                job.save(update_fields=["status", "error", "finished_at"])
                _remove_input(job)
    return found


def _remove_input(job: Job) -> None:
    """A job's input file in storage (``params["path"]``, the register upload waiting for its
    check), once the job will not run again."""
    path = job.params.get("path")
    if path:
        default_storage.delete(path)


def job_checked(job: Job | None) -> Job | None:
    """The job as a page shows it: one whose worker died is ended (or queued again) first.
    No query unless it is running with a stale heartbeat."""
    if job is not None and job.stale:
        jobs_fail_stale(Job.objects.filter(pk=job.pk))
        job.refresh_from_db()
    return job


def _task_result_failed(task_id: str) -> None:
    """The queue's own row of a dead job still says running: say failed (database backend)."""
    if not task_id:
        return
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # another backend keeps its own books
        return
    try:
        DBTaskResult.objects.filter(id=task_id, status="RUNNING").update(
            status="FAILED", finished_at=timezone.now()
        )
    except (DatabaseError, ValidationError):
        logger.debug("no queue row %s to mark failed", task_id, exc_info=True)


def jobs_remove_expired() -> int:
    """Delete the files of jobs whose results expired; returns how many."""
    removed = 0
    expired = Job.objects.filter(expires_at__lte=timezone.now()).exclude(result_file="")
    for job in expired:
        job.result_file.delete(save=False)
        job.result_file = ""
        job.save(update_fields=["result_file"])
        removed += 1
    return removed
