"""Claims (理赔): an incident of an insured person under an issued policy, its documents, the
insurer's decision within the caps, the payment and its delivery.

States (docs/design.md section 4): reported → documents complete → with insurer → (escalated) →
approved / rejected → paid → closed. ``CLAIM_TRANSITIONS`` (at the foot) declares each step once:
the services in ``claims/services.py`` check and make them, ``claims/access.py`` and the claim
page's buttons read them.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from enrollment.models import InsuredPerson, Policy
from haimen_insurance.models import Area, Insurer, area_scope
from haimen_insurance.roles import INSURER_ROLES
from haimen_insurance.transitions import Machine, Transition


class ClaimQuerySet(models.QuerySet):
    def for_user(self, user):
        """The insurer sees the claims on its policies; everyone else those of their area."""
        if user.is_authenticated and user.is_active and user.role in INSURER_ROLES:
            return self.filter(insurer_id=user.insurer_id)
        return self.filter(area_scope(user, village="village"))


class Claim(models.Model):
    class Benefit(models.TextChoices):
        ACCIDENT_DEATH = "accident_death", "意外身故"
        ACCIDENT_DISABILITY = "accident_disability", "意外伤残"
        MEDICAL = "medical", "意外医疗"

    class Status(models.TextChoices):
        REPORTED = "reported", "已报案"
        DOCUMENTS_COMPLETE = "documents_complete", "材料齐全"
        WITH_INSURER = "with_insurer", "保险公司审核中"
        ESCALATED = "escalated", "疑难上报"
        APPROVED = "approved", "已核定赔付"
        REJECTED = "rejected", "拒赔"
        PAID = "paid", "已赔付"
        CLOSED = "closed", "已结案"

    class Rejection(models.TextChoices):
        NOT_COVERED = "not_covered", "不属于保险责任"
        OUTSIDE_PERIOD = "outside_period", "出险不在保险期间内"
        EXCLUSION = "exclusion", "属于责任免除情形"
        NO_PROOF = "no_proof", "材料不能证明事故或损失"
        PAID_ELSEWHERE = "paid_elsewhere", "费用已由其他途径全额报销"
        CAP_USED = "cap_used", "保险金额已用完"
        OTHER = "other", "其他"

    number = models.CharField("案件号", max_length=30, unique=True)
    campaign = models.ForeignKey(
        "enrollment.Campaign", verbose_name="参保年度", on_delete=models.PROTECT, related_name="+"
    )
    policy = models.ForeignKey(
        Policy, verbose_name="保单", on_delete=models.PROTECT, related_name="claims"
    )
    person = models.ForeignKey(
        InsuredPerson, verbose_name="被保险人", on_delete=models.PROTECT, related_name="claims"
    )
    village = models.ForeignKey(
        Area, verbose_name="村（社区）", on_delete=models.PROTECT, related_name="claims"
    )
    insurer = models.ForeignKey(
        Insurer, verbose_name="承保公司", on_delete=models.PROTECT, related_name="claims"
    )
    benefit = models.CharField("保险责任", max_length=25, choices=Benefit.choices)
    disability_grade = models.PositiveSmallIntegerField("伤残等级", null=True, blank=True)
    incident_date = models.DateField("出险日期")
    incident_place = models.CharField("出险地点", max_length=200)
    description = models.TextField("事故经过", max_length=2000)
    amount_claimed = models.DecimalField("申请金额（元）", max_digits=12, decimal_places=2)
    expenses = models.DecimalField(
        "医疗费用（元）", max_digits=12, decimal_places=2, null=True, blank=True
    )
    paid_elsewhere = models.DecimalField(
        "其他途径已报销（元）", max_digits=12, decimal_places=2, null=True, blank=True
    )
    status = models.CharField(
        "状态", max_length=20, choices=Status.choices, default=Status.REPORTED
    )
    late_report = models.BooleanField("超过48小时报案", default=False)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="报案人",
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    reported_at = models.DateTimeField("报案时间")
    documents_completed_at = models.DateTimeField("材料齐全时间", null=True, blank=True)
    received_at = models.DateTimeField("保险公司受理时间", null=True, blank=True)
    due_date = models.DateField("应结案日期", null=True, blank=True)
    escalation_reason = models.CharField("上报原因", max_length=300, blank=True)
    approved_amount = models.DecimalField(
        "核定赔付金额（元）", max_digits=12, decimal_places=2, null=True, blank=True
    )
    rejection_code = models.CharField(
        "拒赔原因", max_length=20, choices=Rejection.choices, blank=True
    )
    rejection_text = models.CharField("拒赔说明", max_length=500, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="核定人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField("核定时间", null=True, blank=True)
    paid_on = models.DateField("赔付日期", null=True, blank=True)
    paid_amount = models.DecimalField(
        "赔付金额（元）", max_digits=12, decimal_places=2, null=True, blank=True
    )
    paid_account = models.CharField("收款账户", max_length=60, blank=True)
    delivered_on = models.DateField("送赔款上门日期", null=True, blank=True)
    delivered_by = models.CharField("送达人", max_length=100, blank=True)
    received_by_family = models.CharField("家属签收人", max_length=50, blank=True)
    settled_on = models.DateField("办结日期", null=True, blank=True)  # paid, or rejected
    closed_at = models.DateTimeField("结案时间", null=True, blank=True)

    objects = ClaimQuerySet.as_manager()

    class Meta:
        verbose_name = "理赔案件"
        verbose_name_plural = "理赔案件"
        ordering = ["-reported_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_claimed__gte=0),
                name="claim_amount_not_negative",
                violation_error_message="申请金额不能为负数。",
            ),
            models.CheckConstraint(
                condition=~Q(benefit="accident_disability")
                | Q(disability_grade__gte=1, disability_grade__lte=10),
                name="claim_disability_has_grade",
                violation_error_message="意外伤残须填写 1 至 10 级伤残等级。",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_code=""),
                name="claim_rejection_has_reason",
                violation_error_message="拒赔须选择原因。",
            ),
            models.CheckConstraint(
                condition=Q(approved_amount__isnull=True) | Q(approved_amount__gte=0),
                name="claim_approved_not_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["person", "benefit", "status"]),
            models.Index(fields=["campaign", "village"]),
        ]
        permissions = [
            ("report_claim", "报案及收集理赔材料"),
            ("decide_claim", "理赔核定与赔付"),
        ]

    def __str__(self):
        return f"理赔 {self.number}"

    def get_absolute_url(self):
        return reverse("claims:claim_detail", args=[self.pk])

    @property
    def disability_percent(self) -> int | None:
        """The share of the accident cap the claim's disability grade pays, in percent."""
        return disability_percent(self.disability_grade) if self.disability_grade else None


def disability_percent(grade: int) -> int:
    """Disability pays the grade's share of the accident cap: grade 1 = 100 %, each further grade
    10 points less (grade 10 = 10 %)."""
    return 110 - 10 * grade


class ClaimDocument(models.Model):
    """One item of the documents checklist, ticked with the date it was received, optionally with
    a scan."""

    claim = models.ForeignKey(
        Claim, verbose_name="理赔案件", on_delete=models.CASCADE, related_name="documents"
    )
    item = models.CharField("材料", max_length=30)
    received_on = models.DateField("收到日期")
    file = models.FileField("扫描件", upload_to="claims/%Y/%m/", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "理赔材料"
        verbose_name_plural = "理赔材料"
        ordering = ["claim", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["claim", "item"], name="claim_document_once")
        ]

    def __str__(self):
        return f"{self.claim} {self.item}"


_S = Claim.Status


# Each step of a claim: the states it may start from and the state it leads to (None: the step
# does not change the state). A claim is created reported; a closed claim never changes again.
CLAIM_TRANSITIONS = Machine(
    "Claim",
    Claim.Status,
    {
        "report": Transition("报案", frozenset(), _S.REPORTED),
        "document_tick": Transition("登记理赔材料", frozenset({_S.REPORTED})),
        "document_remove": Transition("撤销理赔材料", frozenset({_S.REPORTED})),
        "documents_complete": Transition(
            "确认材料齐全", frozenset({_S.REPORTED}), _S.DOCUMENTS_COMPLETE
        ),
        "submit": Transition("移交保险公司", frozenset({_S.DOCUMENTS_COMPLETE}), _S.WITH_INSURER),
        "escalate": Transition("疑难上报", frozenset({_S.WITH_INSURER}), _S.ESCALATED),
        "approve": Transition("核定赔付", frozenset({_S.WITH_INSURER, _S.ESCALATED}), _S.APPROVED),
        "reject": Transition("拒赔", frozenset({_S.WITH_INSURER, _S.ESCALATED}), _S.REJECTED),
        "pay": Transition("登记赔付", frozenset({_S.APPROVED}), _S.PAID),
        "close": Transition("结案", frozenset({_S.PAID, _S.REJECTED}), _S.CLOSED),
    },
)
