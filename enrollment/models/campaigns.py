"""Campaigns (参保年度), the products each offers, and the insurer of each township."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from haimen_insurance.models import Area, Insurer, area_scope
from haimen_insurance.roles import INSURER_ROLES

from ..access import may_see_campaigns_being_prepared

# The programme's first year; a new campaign is at most next year's.
FIRST_YEAR = 2012


def latest_year(today: date) -> int:
    return today.year + 1


def one_year_on(day: date) -> date | None:
    """The same day one year on (29 February → 28 February); None past the calendar's end."""
    if day.year >= date.max.year:
        return None
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def one_year_back(day: date) -> date | None:
    if day.year <= date.min.year:
        return None
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


# The dates that must fall within a year either side of the coverage start.
WINDOW_FIELDS = (
    ("age_date", "年龄判定日"),
    ("verification_deadline", "核查准备截止"),
    ("mobilisation_deadline", "宣传发动截止"),
    ("implementation_deadline", "全面实施截止"),
    ("review_deadline", "点评总结截止"),
)


def campaign_bound_errors(
    year: int | None, values: dict, *, today: date, new: bool = True
) -> dict[str, str]:
    """{field: reason} for a year or date outside its sane range: the year (of a ``new``
    campaign) from FIRST_YEAR to next year, the cover starting in that year and lasting at most
    a year, the age date and every deadline within a year either side of the coverage start.
    A value that is missing (None) is left to the required checks."""
    errors = {}
    if year is not None and new:
        if year < FIRST_YEAR:
            errors["year"] = f"参保年度不能早于 {FIRST_YEAR} 年。"
        elif year > latest_year(today):
            errors["year"] = f"参保年度不能晚于 {latest_year(today)} 年（最多提前建立下一年度）。"
    start, end = values.get("coverage_start"), values.get("coverage_end")
    if start is None:
        return errors
    if year is not None and "year" not in errors and start.year != year:
        errors["coverage_start"] = f"保险期间起应在 {year} 年内。"
    latest_end = one_year_on(start)
    if end is not None and latest_end is not None and end > latest_end:
        errors["coverage_end"] = (
            f"保险期间不能超过一年：保险期间止最晚为 {latest_end.isoformat()}。"
        )
    earliest, latest = one_year_back(start) or date.min, latest_end or date.max
    for name, label in WINDOW_FIELDS:
        value = values.get(name)
        if value is not None and not earliest <= value <= latest:
            window = f"{earliest.isoformat()} 至 {latest.isoformat()}"
            errors[name] = f"{label}应在保险期间起前后一年之内（{window}）。"
    return errors


class CampaignQuerySet(models.QuerySet):
    def for_user(self, user):
        """A campaign is city-wide once open: every signed-in user sees it (their rows inside
        it are scoped by the models that hold them). One being prepared is the city's only."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if may_see_campaigns_being_prepared(user):
            return self
        return self.filter(status=Campaign.Status.OPEN)


class Campaign(models.Model):
    """One year of the programme: its cover, the age rule and the four phase deadlines.

    A new campaign is being prepared (筹备中): only the city sees it, and it may still be
    deleted. The city officer opens it (已开放); from then on it is the year everybody works in
    (the newest open one), and it stays."""

    class Status(models.TextChoices):
        PREPARING = "preparing", "筹备中"
        OPEN = "open", "已开放"

    year = models.PositiveSmallIntegerField("参保年度", unique=True)
    status = models.CharField(
        "状态", max_length=10, choices=Status.choices, default=Status.PREPARING
    )
    opened_at = models.DateTimeField("开放时间", null=True, blank=True)
    coverage_start = models.DateField("保险期间起")
    coverage_end = models.DateField("保险期间止")
    age_limit = models.PositiveSmallIntegerField("年龄界限（周岁）", default=14)
    age_date = models.DateField("年龄判定日", help_text="子女在这一天未满年龄界限才符合条件。")
    verification_deadline = models.DateField("核查准备截止")
    mobilisation_deadline = models.DateField("宣传发动截止")
    implementation_deadline = models.DateField("全面实施截止")
    review_deadline = models.DateField("点评总结截止")
    created_at = models.DateTimeField("建立时间", auto_now_add=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = "参保年度"
        verbose_name_plural = "参保年度"
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(coverage_end__gt=F("coverage_start")),
                name="campaign_coverage_ends_after_start",
                violation_error_message="保险期间止必须晚于保险期间起。",
            ),
            models.CheckConstraint(
                condition=Q(age_limit__gte=1, age_limit__lte=18),
                name="campaign_age_limit_in_range",
                violation_error_message="年龄界限应在 1 到 18 周岁之间。",
            ),
            models.CheckConstraint(
                condition=Q(mobilisation_deadline__gte=F("verification_deadline"))
                & Q(implementation_deadline__gte=F("mobilisation_deadline"))
                & Q(review_deadline__gte=F("implementation_deadline")),
                name="campaign_deadlines_in_order",
                violation_error_message="四个阶段的截止日期须依次排列：核查准备、宣传发动、全面实施、点评总结。",
            ),
            models.CheckConstraint(
                condition=Q(status="open", opened_at__isnull=False)
                | Q(status="preparing", opened_at__isnull=True),
                name="campaign_opened_at_with_status",
                violation_error_message="开放时间与状态不一致。",
            ),
        ]

    def __str__(self):
        return f"{self.year}年度"

    def get_absolute_url(self):
        return reverse("enrollment:campaign_detail", args=[self.pk])

    def clean(self):
        values = {name: getattr(self, name) for name, _ in WINDOW_FIELDS}
        values.update(coverage_start=self.coverage_start, coverage_end=self.coverage_end)
        # The year is checked when the campaign is made; an existing one keeps its year.
        errors = campaign_bound_errors(
            self.year, values, today=timezone.localdate(), new=self._state.adding
        )
        if errors:
            raise ValidationError(errors)

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def phases(self) -> list[tuple[str, object]]:
        return [
            ("核查准备", self.verification_deadline),
            ("宣传发动", self.mobilisation_deadline),
            ("全面实施", self.implementation_deadline),
            ("点评总结", self.review_deadline),
        ]


class CampaignRowQuerySet(models.QuerySet):
    def for_user(self, user):
        """The rows (products, assessment rules) of the campaigns the user sees."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if may_see_campaigns_being_prepared(user):
            return self
        return self.filter(campaign__status=Campaign.Status.OPEN)


class Product(models.Model):
    """One insurance product of a campaign: premium per share and the caps of its benefits."""

    class Code(models.TextChoices):
        CHILD_SAFETY = "child_safety", "独生子女平安保险"
        PARENT_HEALTH = "parent_health", "独生子女父母安康保险"

    campaign = models.ForeignKey(
        Campaign, verbose_name="参保年度", on_delete=models.CASCADE, related_name="products"
    )
    code = models.CharField("险种", max_length=20, choices=Code.choices)
    premium = models.DecimalField("每份保费（元）", max_digits=10, decimal_places=2)
    accident_cap = models.DecimalField("意外身故/伤残保额（元）", max_digits=12, decimal_places=2)
    medical_cap = models.DecimalField("意外医疗保额（元）", max_digits=12, decimal_places=2)
    caps_per_person = models.BooleanField("保额按人计", default=False)
    medical_deductible = models.DecimalField(
        "医疗免赔额（元）", max_digits=10, decimal_places=2, default=Decimal("0.00")
    )
    reimbursement_ratio = models.DecimalField(
        "医疗赔付比例", max_digits=5, decimal_places=4, default=Decimal("1.0000")
    )

    objects = CampaignRowQuerySet.as_manager()

    class Meta:
        verbose_name = "险种"
        verbose_name_plural = "险种"
        ordering = ["campaign", "code"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "code"], name="product_once_per_campaign"),
            models.CheckConstraint(
                condition=Q(premium__gt=0),
                name="product_premium_positive",
                violation_error_message="每份保费必须大于 0。",
            ),
            models.CheckConstraint(
                condition=Q(accident_cap__gte=0, medical_cap__gte=0, medical_deductible__gte=0),
                name="product_amounts_not_negative",
                violation_error_message="保额和免赔额不能为负数。",
            ),
            models.CheckConstraint(
                condition=Q(reimbursement_ratio__gt=0, reimbursement_ratio__lte=1),
                name="product_ratio_in_range",
                violation_error_message="医疗赔付比例应大于 0、不超过 100%。",
            ),
        ]

    def __str__(self):
        return self.get_code_display()

    @property
    def insures_child(self) -> bool:
        return self.code == self.Code.CHILD_SAFETY

    @property
    def short_name(self) -> str:
        return "平安险" if self.insures_child else "安康险"


# docs/design.md section 1: what a new campaign offers unless the city officer changes it.
DEFAULT_PRODUCTS = {
    Product.Code.CHILD_SAFETY: {
        "premium": Decimal("20.00"),
        "accident_cap": Decimal("10000.00"),
        "medical_cap": Decimal("2000.00"),
        "caps_per_person": False,
    },
    Product.Code.PARENT_HEALTH: {
        "premium": Decimal("20.00"),
        "accident_cap": Decimal("10000.00"),
        "medical_cap": Decimal("1000.00"),
        "caps_per_person": True,
    },
}


def _insurer_staff(user) -> bool:
    return user.is_authenticated and user.is_active and user.role in INSURER_ROLES


def covered_in_campaign(user, *, campaign: str, township: str) -> Q:
    """The insurer's rule for the rows of a campaign: those whose township the user's insurer
    covers *in that row's campaign* (``TownshipInsurer``), not the townships it covers today
    (``Area.insurer``, which only seeds a new campaign's choice). Pass the lookup paths from
    the model to its campaign and its township."""
    return Q(
        Exists(
            TownshipInsurer.objects.filter(
                campaign=OuterRef(campaign),
                township=OuterRef(township),
                insurer_id=user.insurer_id,
            )
        )
    )


def campaign_scope(
    user, *, campaign: str, village: str | None = None, township: str | None = None
) -> Q:
    """The scoping rule of every row that belongs to a campaign: ``area_scope`` for every role
    but insurer staff, who see the townships their insurer covers in the row's campaign
    (``covered_in_campaign``). Pass the lookup path to the campaign, and the one to the
    village (``village="roster__village"``) or, for township-level rows, to the township."""
    if _insurer_staff(user):
        return covered_in_campaign(
            user, campaign=campaign, township=township or f"{village}__parent"
        )
    return area_scope(user, village=village, township=township)


def campaign_areas(user, campaign):
    """``Area.objects.for_user`` for the pages of one campaign: insurer staff see the townships
    their insurer covers in ``campaign`` and their villages; everyone else the areas of their
    scope. Chain ``.townships()`` or ``.villages()`` as on ``Area.objects``."""
    if _insurer_staff(user):
        covered = TownshipInsurer.objects.filter(
            campaign=campaign, insurer_id=user.insurer_id
        ).values("township")
        return Area.objects.filter(Q(pk__in=covered) | Q(parent__in=covered))
    return Area.objects.for_user(user)


class TownshipInsurerQuerySet(models.QuerySet):
    def for_user(self, user):
        """Insurer staff see the campaigns' choices of their own insurer (the rule of
        ``covered_in_campaign`` itself); everyone else those of the townships they see."""
        if _insurer_staff(user):
            return self.filter(insurer_id=user.insurer_id)
        return self.filter(area_scope(user, township="township"))


class TownshipInsurer(models.Model):
    """Which insurer covers a township in a campaign."""

    campaign = models.ForeignKey(
        Campaign, verbose_name="参保年度", on_delete=models.CASCADE, related_name="insurers"
    )
    township = models.ForeignKey(
        Area, verbose_name="乡镇（园区）", on_delete=models.PROTECT, related_name="+"
    )
    insurer = models.ForeignKey(
        Insurer, verbose_name="承保公司", on_delete=models.PROTECT, related_name="+"
    )

    objects = TownshipInsurerQuerySet.as_manager()

    class Meta:
        verbose_name = "乡镇承保公司"
        verbose_name_plural = "乡镇承保公司"
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "township"], name="township_insurer_once_per_campaign"
            )
        ]

    def __str__(self):
        return f"{self.campaign} {self.township} {self.insurer}"
