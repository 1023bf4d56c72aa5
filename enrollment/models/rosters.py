"""Village rosters (名册) with one entry per household, and township reports (乡镇汇总上报).

An entry keeps a snapshot of the names and IDs as enrolled, so a later register edit never
rewrites a submitted roster. The database holds the rule of 「一个不多」: a person is insured at
most once per product and campaign.

The status of a roster and of a township report moves only as ``ROSTER_TRANSITIONS`` and
``REPORT_TRANSITIONS`` (below each model) declare: the services check and write them, the access
rules (``enrollment.access``) and the pages' buttons read them.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from haimen_insurance.models import Area, area_scope
from haimen_insurance.roles import INSURER_ROLES
from haimen_insurance.transitions import Machine, Transition

from ..access import may_see_campaigns_being_prepared
from .campaigns import Campaign, Product, campaign_scope
from .register import Household


class RosterQuerySet(models.QuerySet):
    def for_user(self, user):
        """The rosters of the user's area (an insurer's: of the townships it covers in the
        roster's campaign), in the campaigns the user sees."""
        rosters = self.filter(campaign_scope(user, campaign="campaign", village="village"))
        if may_see_campaigns_being_prepared(user):
            return rosters
        return rosters.filter(campaign__status=Campaign.Status.OPEN)


class Roster(models.Model):
    """The roster of one village for one campaign."""

    class Status(models.TextChoices):
        DRAFT = "draft", "填报中"
        SUBMITTED = "submitted", "已提交待审核"
        RETURNED = "returned", "已退回"
        APPROVED = "approved", "审核通过"

    campaign = models.ForeignKey(
        Campaign, verbose_name="参保年度", on_delete=models.PROTECT, related_name="rosters"
    )
    village = models.ForeignKey(
        Area, verbose_name="村（社区）", on_delete=models.PROTECT, related_name="rosters"
    )
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    return_reason = models.CharField("退回原因", max_length=300, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="填报人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    # Submitted by the township officer on the village's behalf (乡镇代村填报).
    submitted_on_behalf = models.BooleanField("乡镇代为提交", default=False, db_default=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    locked_at = models.DateTimeField("上报锁定时间", null=True, blank=True)
    created_at = models.DateTimeField("建立时间", auto_now_add=True)

    objects = RosterQuerySet.as_manager()

    class Meta:
        verbose_name = "参保名册"
        verbose_name_plural = "参保名册"
        ordering = ["campaign", "village__code"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "village"], name="roster_once_per_village"),
            models.CheckConstraint(
                condition=~Q(status="returned") | ~Q(return_reason=""),
                name="roster_returned_has_reason",
                violation_error_message="退回名册必须填写原因。",
            ),
        ]
        permissions = [
            ("submit_roster", "提交村名册"),
            ("review_roster", "审核村名册"),
        ]

    def __str__(self):
        return f"{self.campaign} {self.village.name}名册"

    def get_absolute_url(self):
        return reverse("enrollment:roster_detail", args=[self.pk])

    def allows(self, action: str) -> bool:
        """Whether ``action`` of ``ROSTER_TRANSITIONS`` may start from the roster's status; a
        roster locked by its township's report allows nothing any more."""
        return self.locked_at is None and ROSTER_TRANSITIONS.allows(action, self.status)

    @property
    def editable(self) -> bool:
        """The cadre may still change decisions."""
        return self.allows("edit")

    @property
    def reviewable(self) -> bool:
        """Submitted and waiting for the township's approval or return."""
        return self.allows("approve")

    @property
    def review_is_current(self) -> bool:
        """The review was of the current submission. After a return and a new submission the
        stored review is the previous one (a return), until the township reviews again."""
        if self.reviewed_at is None:
            return False
        return self.submitted_at is None or self.reviewed_at >= self.submitted_at

    @property
    def review_outcome(self) -> str:
        """What the stored review decided: an approval, or a return (every earlier review of a
        resubmitted roster was one)."""
        if self.review_is_current and self.status == self.Status.APPROVED:
            return "审核通过"
        return "退回"


def register_snapshot(household: Household, eligibility: str) -> dict:
    """What a roster entry keeps of the register as decided (its snapshot), by entry field: the
    certificate, the child's name, who pays the reward and the eligibility judged (a
    ``Reason``). Every writer of entries takes it from here, and the staleness check compares
    the same fields."""
    return {
        "certificate_no": household.certificate_no,
        "child_name": household.child_name,
        "payer": household.employer_name,
        "eligibility": str(eligibility),
    }


_R = Roster.Status
ROSTER_TRANSITIONS = Machine(
    "roster",
    Roster.Status,
    {
        # Deciding a household, taking a decision back, enrolling every undecided household.
        "edit": Transition("修改", frozenset({_R.DRAFT, _R.RETURNED})),
        "submit": Transition("提交", frozenset({_R.DRAFT, _R.RETURNED}), _R.SUBMITTED),
        "approve": Transition("审核通过", frozenset({_R.SUBMITTED}), _R.APPROVED),
        "return": Transition("退回", frozenset({_R.SUBMITTED}), _R.RETURNED),
        # The township report rolls the approved rosters up; reporting it locks them
        # (``locked_at``), their status stays.
        "lock": Transition("汇总上报", frozenset({_R.APPROVED})),
    },
)


class RosterEntryQuerySet(models.QuerySet):
    def for_user(self, user):
        entries = self.filter(
            campaign_scope(user, campaign="roster__campaign", village="roster__village")
        )
        if may_see_campaigns_being_prepared(user):
            return entries
        return entries.filter(roster__campaign__status=Campaign.Status.OPEN)


class RosterEntry(models.Model):
    """One household's decision in a roster, with a snapshot of the register as decided."""

    class Decision(models.TextChoices):
        ENROLLED = "enrolled", "参保"
        DECLINED = "declined", "自愿放弃"
        NOT_ELIGIBLE = "not_eligible", "不符合条件"

    roster = models.ForeignKey(
        Roster, verbose_name="名册", on_delete=models.CASCADE, related_name="entries"
    )
    household = models.ForeignKey(
        Household, verbose_name="独生子女证", on_delete=models.PROTECT, related_name="entries"
    )
    decision = models.CharField("参保情况", max_length=15, choices=Decision.choices)
    reason = models.CharField("原因", max_length=200, blank=True)
    eligibility = models.CharField("登记核查结果", max_length=15)
    certificate_no = models.CharField("证号", max_length=40)
    child_name = models.CharField("子女姓名", max_length=50)
    payer = models.CharField("奖励金发放单位", max_length=100, blank=True)
    # The entry's products summed (kept by the services with the products), so counts over a
    # city's entries need no join to the products.
    policies = models.PositiveSmallIntegerField("保单数", default=0)
    premium = models.DecimalField("保费（元）", max_digits=10, decimal_places=2, default=0)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField("登记时间", auto_now=True)
    # Decided by the township officer on the village's behalf (乡镇代村填报); ``decided_by``
    # says who.
    on_behalf = models.BooleanField("乡镇代填", default=False, db_default=False)

    objects = RosterEntryQuerySet.as_manager()

    class Meta:
        verbose_name = "名册登记"
        verbose_name_plural = "名册登记"
        ordering = ["roster", "certificate_no"]
        constraints = [
            models.UniqueConstraint(fields=["roster", "household"], name="entry_once_per_roster"),
            models.CheckConstraint(
                condition=Q(decision="enrolled") | ~Q(reason=""),
                name="entry_decline_has_reason",
                violation_error_message="自愿放弃或不符合条件必须填写原因。",
            ),
        ]
        indexes = [
            models.Index(
                fields=["roster", "decision"],
                include=["policies", "premium"],
                name="entry_roster_decision",
            )
        ]

    def __str__(self):
        return f"{self.certificate_no} {self.child_name} {self.get_decision_display()}"

    def take_snapshot(self, household: Household, eligibility: str) -> None:
        """Copy the register's values (``register_snapshot``) onto the entry, unsaved."""
        for name, value in register_snapshot(household, eligibility).items():
            setattr(self, name, value)

    def snapshot_differs(self, household: Household, eligibility: str) -> bool:
        """Whether the register's values changed since the entry's snapshot was taken."""
        snapshot = register_snapshot(household, eligibility)
        return any(getattr(self, name) != value for name, value in snapshot.items())

    @property
    def payer_label(self) -> str:
        return self.payer or "村集体"


class EntryProduct(models.Model):
    """A product a household is enrolled in (one policy): its shares and premium."""

    entry = models.ForeignKey(
        RosterEntry, verbose_name="名册登记", on_delete=models.CASCADE, related_name="products"
    )
    product = models.ForeignKey(
        Product, verbose_name="险种", on_delete=models.PROTECT, related_name="+"
    )
    shares = models.PositiveSmallIntegerField("份数", default=1)
    premium = models.DecimalField("保费（元）", max_digits=10, decimal_places=2)

    class Meta:
        verbose_name = "参保险种"
        verbose_name_plural = "参保险种"
        ordering = ["entry", "product__code"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "product"], name="entry_product_once"),
            models.CheckConstraint(
                condition=Q(shares__gte=1, shares__lte=10),
                name="entry_product_shares_in_range",
                violation_error_message="份数应在 1 到 10 份之间。",
            ),
        ]

    def __str__(self):
        return f"{self.product} {self.shares}份"


class InsuredPersonQuerySet(models.QuerySet):
    def for_user(self, user):
        """An insurer sees the people of its policies (issued in the name of the campaign's
        insurer); everyone else those of their area."""
        if user.is_authenticated and user.is_active and user.role in INSURER_ROLES:
            return self.filter(entry_product__policy__insurer_id=user.insurer_id)
        return self.filter(area_scope(user, village="entry_product__entry__roster__village"))


class InsuredPerson(models.Model):
    """A person insured under one product, as enrolled. Unique per product and campaign."""

    class Relation(models.TextChoices):
        CHILD = "child", "子女"
        FATHER = "father", "父亲"
        MOTHER = "mother", "母亲"

    entry_product = models.ForeignKey(
        EntryProduct, verbose_name="参保险种", on_delete=models.CASCADE, related_name="persons"
    )
    campaign = models.ForeignKey(
        Campaign, verbose_name="参保年度", on_delete=models.PROTECT, related_name="+"
    )
    product = models.ForeignKey(
        Product, verbose_name="险种", on_delete=models.PROTECT, related_name="+"
    )
    relation = models.CharField("关系", max_length=10, choices=Relation.choices)
    name = models.CharField("姓名", max_length=50)
    id_number = models.CharField("身份证号", max_length=18)

    objects = InsuredPersonQuerySet.as_manager()

    class Meta:
        verbose_name = "被保险人"
        verbose_name_plural = "被保险人"
        ordering = ["entry_product", "relation"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "product", "id_number"],
                name="insured_once_per_product_and_campaign",
                violation_error_message="此人在本年度已参保该险种。",
            )
        ]
        indexes = [models.Index(fields=["campaign", "id_number"])]

    def __str__(self):
        return f"{self.name}（{self.get_relation_display()}）"


class TownshipReportQuerySet(models.QuerySet):
    def for_user(self, user):
        """An insurer sees the reports of the townships it covers in that campaign (the
        campaign's choice of insurer, which may differ from the township's current one)."""
        return self.filter(campaign_scope(user, campaign="campaign", township="township"))


class TownshipReport(models.Model):
    """The township's roll-up of its approved village rosters, reported to finance and the
    insurer. Totals are copied from the rosters when the report is made."""

    class Status(models.TextChoices):
        DRAFTED = "drafted", "已汇总待上报"
        REPORTED = "reported", "已上报"
        FUNDED = "funded", "保费已划拨"
        ISSUED = "issued", "保单已出具"

    campaign = models.ForeignKey(
        Campaign, verbose_name="参保年度", on_delete=models.PROTECT, related_name="reports"
    )
    township = models.ForeignKey(
        Area, verbose_name="乡镇（园区）", on_delete=models.PROTECT, related_name="reports"
    )
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFTED)
    households = models.PositiveIntegerField("参保户数", default=0)
    policies = models.PositiveIntegerField("保单数", default=0)
    persons = models.PositiveIntegerField("被保险人数", default=0)
    premium = models.DecimalField("保费合计（元）", max_digits=14, decimal_places=2, default=0)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="汇总人",
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    drafted_at = models.DateTimeField("汇总时间", null=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上报人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reported_at = models.DateTimeField("上报时间", null=True, blank=True)

    objects = TownshipReportQuerySet.as_manager()

    class Meta:
        verbose_name = "乡镇汇总上报"
        verbose_name_plural = "乡镇汇总上报"
        ordering = ["campaign", "township__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "township"], name="report_once_per_township"
            )
        ]
        permissions = [("make_township_report", "乡镇汇总上报")]

    def __str__(self):
        return f"{self.campaign} {self.township.name}汇总"

    def get_absolute_url(self):
        return reverse("enrollment:township_report", args=[self.pk])

    def allows(self, action: str) -> bool:
        """Whether ``action`` of ``REPORT_TRANSITIONS`` may start from the report's status."""
        return REPORT_TRANSITIONS.allows(action, self.status)

    @property
    def issuable(self) -> bool:
        """Funded: the insurer may issue the policies now."""
        return self.allows("issue")

    @property
    def policy_list_ready(self) -> bool:
        """Funded or issued: the insurer has the report's policy list."""
        return self.status in POLICY_LIST_STATES

    @property
    def is_reported(self) -> bool:
        """Reported, and whatever followed (funded, issued): what a county report rolls up."""
        return self.status in REPORTED_STATES


_T = TownshipReport.Status
REPORT_TRANSITIONS = Machine(
    "township_report",
    TownshipReport.Status,
    {
        # Rolling the approved rosters up: a new report starts drafted, a drafted one may be
        # drafted again; once reported it stays as it is.
        "draft": Transition("重新汇总", frozenset({_T.DRAFTED}), _T.DRAFTED),
        "report": Transition("上报", frozenset({_T.DRAFTED}), _T.REPORTED),
        "fund": Transition("登记划拨", frozenset({_T.REPORTED}), _T.FUNDED),
        "issue": Transition("出具保单", frozenset({_T.FUNDED}), _T.ISSUED),
    },
)
# The report's states in which the insurer has its policy list: funded, and issued after it.
POLICY_LIST_STATES = REPORT_TRANSITIONS.sources("issue") | {REPORT_TRANSITIONS.target("issue")}
# The report's states once reported: every state but those it may still be drafted again from.
REPORTED_STATES = frozenset(TownshipReport.Status.values) - REPORT_TRANSITIONS.sources("draft")


class TownshipReportLine(models.Model):
    """One village × product × funding source of a township report."""

    report = models.ForeignKey(
        TownshipReport, verbose_name="乡镇汇总", on_delete=models.CASCADE, related_name="lines"
    )
    village = models.ForeignKey(
        Area, verbose_name="村（社区）", on_delete=models.PROTECT, related_name="+"
    )
    product = models.ForeignKey(
        Product, verbose_name="险种", on_delete=models.PROTECT, related_name="+"
    )
    payer = models.CharField("奖励金发放单位", max_length=100, blank=True)
    households = models.PositiveIntegerField("户数")
    policies = models.PositiveIntegerField("保单数")
    persons = models.PositiveIntegerField("被保险人数")
    premium = models.DecimalField("保费（元）", max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = "汇总明细"
        verbose_name_plural = "汇总明细"
        ordering = ["report", "village__code", "product__code", "payer"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "village", "product", "payer"], name="report_line_once"
            )
        ]

    def __str__(self):
        return f"{self.village.name} {self.product} {self.payer_label}"

    @property
    def payer_label(self) -> str:
        return self.payer or "村集体"
