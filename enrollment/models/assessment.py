"""Assessment (考核): the city officer's scoring rules for a campaign, kept as data."""

from django.db import models
from django.db.models import Q

from .campaigns import Campaign, CampaignRowQuerySet


class AssessmentRule(models.Model):
    """Points a township earns on one measure: full points at or above the threshold; below it,
    nothing, or a share of the points in proportion (按比例) when ``pro_rata``."""

    class Metric(models.TextChoices):
        COVERAGE_RATE = "coverage_rate", "投保率"
        ROSTERS_APPROVED = "rosters_approved", "名册审核通过率"
        REPORTED_ON_TIME = "reported_on_time", "按期汇总上报"
        CLAIMS_WITHIN_STANDARD = "claims_within_standard", "理赔服务标准达标率"

    campaign = models.ForeignKey(
        Campaign,
        verbose_name="参保年度",
        on_delete=models.CASCADE,
        related_name="assessment_rules",
    )
    metric = models.CharField("考核项目", max_length=30, choices=Metric.choices)
    threshold = models.DecimalField("达标线（%）", max_digits=5, decimal_places=2)
    points = models.DecimalField("分值", max_digits=5, decimal_places=2)
    pro_rata = models.BooleanField("未达标按比例得分", default=True)

    objects = CampaignRowQuerySet.as_manager()

    class Meta:
        verbose_name = "考核评分规则"
        verbose_name_plural = "考核评分规则"
        ordering = ["campaign", "metric"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "metric"], name="assessment_rule_once"),
            models.CheckConstraint(
                condition=Q(threshold__gt=0, threshold__lte=100),
                name="assessment_threshold_in_range",
                violation_error_message="达标线应大于 0%、不超过 100%。",
            ),
            models.CheckConstraint(
                condition=Q(points__gt=0),
                name="assessment_points_positive",
                violation_error_message="分值必须大于 0。",
            ),
        ]

    def __str__(self):
        return f"{self.campaign} {self.get_metric_display()}"


# The rules a campaign starts with (docs/design.md section 1: 90 % coverage earned 10 points).
DEFAULT_RULES = [
    (AssessmentRule.Metric.COVERAGE_RATE, "90.00", "10.00", True),
    (AssessmentRule.Metric.REPORTED_ON_TIME, "100.00", "5.00", False),
    (AssessmentRule.Metric.CLAIMS_WITHIN_STANDARD, "100.00", "5.00", True),
]
