"""Campaigns (参保年度), the products each offers, and the insurer of each township."""

from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from haimen_insurance.models import Area, Insurer, area_scope


class CampaignQuerySet(models.QuerySet):
    def for_user(self, user):
        """A campaign is city-wide: every signed-in user sees it (their rows inside it are
        scoped by the models that hold them)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        return self


class Campaign(models.Model):
    """One year of the programme: its cover, the age rule and the four phase deadlines."""

    year = models.PositiveSmallIntegerField("参保年度", unique=True)
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
        ]

    def __str__(self):
        return f"{self.year}年度"

    def get_absolute_url(self):
        return reverse("enrollment:campaign_detail", args=[self.pk])

    @property
    def phases(self) -> list[tuple[str, object]]:
        return [
            ("核查准备", self.verification_deadline),
            ("宣传发动", self.mobilisation_deadline),
            ("全面实施", self.implementation_deadline),
            ("点评总结", self.review_deadline),
        ]


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

    objects = CampaignQuerySet.as_manager()

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


# DESIGN.md section 1: what a new campaign offers unless the city officer changes it.
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


class TownshipInsurerQuerySet(models.QuerySet):
    def for_user(self, user):
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
