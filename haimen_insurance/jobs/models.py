"""The job record the app owns; the task queue's own rows (django-tasks-db) only carry it."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from ..roles import CITY_ROLES


class JobKind(models.TextChoices):
    """What a job does; its label names it on the 后台任务 page."""

    REGISTER_CHECK = "register_check", "检查独生子女证登记文件"
    REGISTER_IMPORT = "register_import", "导入独生子女证登记"
    ROLL_OVER = "roll_over", "续保生成下一年度"
    POLICY_LIST = "policy_list", "导出保单清单"
    AUDIT_EXPORT = "audit_export", "导出审计日志"
    CLAIMS_EXPORT = "claims_export", "导出理赔登记"
    REVIEW_WORKBOOK = "review_workbook", "导出考核表（Excel）"
    REVIEW_PDF = "review_pdf", "导出点评总结（PDF）"


# Kinds that only read and make a file (or, the check, the preview's one row at the end): a job
# of these whose worker died is queued once more. The others write the register or a campaign
# and end failed (nothing written: one transaction); the user starts them again.
RETRIED_KINDS = frozenset(
    {
        JobKind.REGISTER_CHECK,
        JobKind.POLICY_LIST,
        JobKind.AUDIT_EXPORT,
        JobKind.CLAIMS_EXPORT,
        JobKind.REVIEW_WORKBOOK,
        JobKind.REVIEW_PDF,
    }
)
MAX_ATTEMPTS = 2


def sees_every_job(user) -> bool:
    """City officers and leaders see every job; everybody else the jobs they started."""
    return user.is_authenticated and user.is_active and user.role in CITY_ROLES


class JobQuerySet(models.QuerySet):
    def for_user(self, user):
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if sees_every_job(user):
            return self
        return self.filter(started_by=user)

    def active(self):
        return self.filter(status__in=Job.ACTIVE)


class Job(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "进行中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    kind = models.CharField("类型", max_length=30, choices=JobKind.choices)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发起人",
        on_delete=models.PROTECT,
        related_name="jobs",
    )
    # The starter's scope when it started (what the work was allowed to reach).
    area = models.ForeignKey(
        "haimen_insurance.Area",
        verbose_name="区域",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    insurer = models.ForeignKey(
        "haimen_insurance.Insurer",
        verbose_name="保险公司",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # What it works on: a key (``campaign:3``, ``register_import:12``) for the constraint, and
    # how the page names and links it (the floor never imports the apps' models).
    target = models.CharField("对象键", max_length=100)
    target_label = models.CharField("对象", max_length=200)
    target_url = models.CharField("对象链接", max_length=300, blank=True)
    params = models.JSONField("参数", default=dict, blank=True)
    task_path = models.CharField("任务函数", max_length=200)
    task_id = models.CharField("队列编号", max_length=64, blank=True)

    status = models.CharField(
        "状态", max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    done = models.PositiveIntegerField("已完成", default=0)
    total = models.PositiveIntegerField("总数", null=True, blank=True)
    phase = models.CharField("阶段", max_length=50, blank=True)

    result_file = models.FileField("结果文件", upload_to="jobs/", blank=True, max_length=200)
    result_name = models.CharField("下载文件名", max_length=200, blank=True)
    result_url = models.CharField("结果链接", max_length=300, blank=True)
    result_note = models.CharField("结果", max_length=500, blank=True)
    result_rows = models.PositiveIntegerField("行数", null=True, blank=True)
    # The export as the audit names its download (set where the file carries IDs in full).
    result_audit = models.CharField("下载审计", max_length=100, blank=True)
    error = models.TextField("失败原因", blank=True)

    attempts = models.PositiveSmallIntegerField("执行次数", default=0)
    worker = models.CharField("执行进程", max_length=100, blank=True)
    created_at = models.DateTimeField("提交时间", default=timezone.now)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    heartbeat_at = models.DateTimeField("最近心跳", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    expires_at = models.DateTimeField("结果保留至", null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        verbose_name = "后台任务"
        verbose_name_plural = "后台任务"
        ordering = ["-created_at", "-pk"]
        constraints = [
            # A double click, or two officers at once, start one job, not two.
            models.UniqueConstraint(
                fields=["kind", "target"],
                condition=Q(status__in=["queued", "running"]),
                name="job_one_active_per_target",
            ),
        ]
        indexes = [models.Index(fields=["started_by", "-created_at"], name="job_starter_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.target_label}"

    def get_absolute_url(self):
        return reverse("job_list") + f"#job-{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def stale(self) -> bool:
        """Running, but its worker's heartbeat stopped (``services.jobs_fail_stale``)."""
        if self.status != self.Status.RUNNING or self.heartbeat_at is None:
            return False
        limit = timezone.now() - timedelta(seconds=settings.JOBS_STALE_SECONDS)
        return self.heartbeat_at < limit

    @property
    def retried(self) -> bool:
        return self.kind in RETRIED_KINDS

    @property
    def percent(self) -> int | None:
        if not self.total:
            return None
        return min(100, round(100 * self.done / self.total))

    @property
    def expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def downloadable(self) -> bool:
        return self.status == self.Status.DONE and bool(self.result_file) and not self.expired

    @property
    def seconds(self) -> float | None:
        """How long it ran (so far)."""
        if self.started_at is None:
            return None
        return ((self.finished_at or timezone.now()) - self.started_at).total_seconds()
