"""The premium transfer of a township report (资金划拨) and the policies issued from it (保单).

A policy is one household's enrolment in one product (an ``EntryProduct``): the child's policy
insures the child, the parents' policy insures each parent. Its number is unique city-wide.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from haimen_insurance.models import Area, Insurer, area_scope
from haimen_insurance.roles import INSURER_ROLES

from .campaigns import Campaign, Product
from .register import Household
from .rosters import EntryProduct, TownshipReport
from .shares import PayerOffice


class FundTransferQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(report__in=TownshipReport.objects.for_user(user))


class FundTransfer(models.Model):
    """One finance office's transfer of its shares of a report's premium to the insurer: the
    township's finance office (乡镇财政所) the money collected locally, a county's and the city's
    finance office their shares (``enrollment.models.shares``). One per report and office."""

    report = models.ForeignKey(
        TownshipReport,
        verbose_name="乡镇汇总",
        on_delete=models.PROTECT,
        related_name="transfers",
    )
    payer = models.CharField(
        "划拨单位",
        max_length=10,
        choices=PayerOffice.choices,
        default=PayerOffice.TOWNSHIP,
        db_default=PayerOffice.TOWNSHIP,
    )
    transfer_date = models.DateField("划拨日期")
    voucher_no = models.CharField("凭证号", max_length=40)
    amount = models.DecimalField("划拨金额（元）", max_digits=14, decimal_places=2)
    payer_name = models.CharField("付款单位", max_length=100)
    payer_account = models.CharField("付款账号", max_length=40)
    payer_bank = models.CharField("付款开户行", max_length=100)
    payee_name = models.CharField("收款单位", max_length=100)
    payee_account = models.CharField("收款账号", max_length=40)
    payee_bank = models.CharField("收款开户行", max_length=100)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="经办人",
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    objects = FundTransferQuerySet.as_manager()

    class Meta:
        verbose_name = "保费划拨"
        verbose_name_plural = "保费划拨"
        ordering = ["-transfer_date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="transfer_amount_positive",
                violation_error_message="划拨金额必须大于 0。",
            ),
            models.UniqueConstraint(
                fields=["report", "payer"],
                name="transfer_once_per_office",
                violation_error_message="该单位已登记过本汇总表的划拨。",
            ),
        ]
        permissions = [("record_transfer", "登记保费划拨")]

    def __str__(self):
        return f"资金划拨 {self.voucher_no}"


class PolicyQuerySet(models.QuerySet):
    def for_user(self, user):
        """An insurer sees the policies it issued (each in the name of the insurer its campaign
        names for the township, ``TownshipInsurer``); everyone else those of their area."""
        if user.is_authenticated and user.is_active and user.role in INSURER_ROLES:
            return self.filter(insurer_id=user.insurer_id)
        return self.filter(area_scope(user, village="village"))

    def reading_as(self, code: str):
        """The policies whose ``shown_status`` is ``code``: 有效 while the cover runs, 已到期
        once it has ended (before ``timezone.localdate()``) or when so recorded."""
        issued = Q(status=Policy.Status.ISSUED)
        ended = Q(coverage_end__lt=timezone.localdate())
        if code == Policy.Status.ISSUED:
            return self.filter(issued & ~ended)
        if code == Policy.Status.EXPIRED:
            return self.filter((issued & ended) | Q(status=Policy.Status.EXPIRED))
        return self.filter(status=code)


class Policy(models.Model):
    """One household's policy for one product of a campaign."""

    class Status(models.TextChoices):
        ISSUED = "issued", "有效"
        EXPIRED = "expired", "已到期"
        CANCELLED = "cancelled", "已注销"

    campaign = models.ForeignKey(
        Campaign, verbose_name="参保年度", on_delete=models.PROTECT, related_name="policies"
    )
    report = models.ForeignKey(
        TownshipReport,
        verbose_name="乡镇汇总",
        on_delete=models.PROTECT,
        related_name="issued_policies",
    )
    entry_product = models.OneToOneField(
        EntryProduct, verbose_name="参保险种", on_delete=models.PROTECT, related_name="policy"
    )
    product = models.ForeignKey(
        Product, verbose_name="险种", on_delete=models.PROTECT, related_name="policies"
    )
    household = models.ForeignKey(
        Household, verbose_name="独生子女证", on_delete=models.PROTECT, related_name="policies"
    )
    village = models.ForeignKey(
        Area, verbose_name="村（社区）", on_delete=models.PROTECT, related_name="policies"
    )
    insurer = models.ForeignKey(
        Insurer, verbose_name="承保公司", on_delete=models.PROTECT, related_name="policies"
    )
    number = models.CharField("保单号", max_length=40, unique=True)
    coverage_start = models.DateField("保险期间起")
    coverage_end = models.DateField("保险期间止")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.ISSUED)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="出单人",
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    issued_at = models.DateTimeField("出单时间", auto_now_add=True)

    objects = PolicyQuerySet.as_manager()

    class Meta:
        verbose_name = "保单"
        verbose_name_plural = "保单"
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(coverage_end__gt=models.F("coverage_start")),
                name="policy_coverage_ends_after_start",
            )
        ]
        indexes = [models.Index(fields=["campaign", "insurer"])]
        permissions = [("issue_policy", "出具保单")]

    def __str__(self):
        return f"保单 {self.number}"

    def get_absolute_url(self):
        return reverse("enrollment:policy_certificate", args=[self.pk])

    @property
    def shown_status(self) -> str:
        """The status as people read it: an issued policy whose cover has ended (before today,
        ``timezone.localdate()``) reads 已到期 without anything written."""
        return Policy.Status(self.shown_status_code).label

    @property
    def shown_status_code(self) -> str:
        if self.status == Policy.Status.ISSUED and self.coverage_end < timezone.localdate():
            return Policy.Status.EXPIRED
        return self.status
