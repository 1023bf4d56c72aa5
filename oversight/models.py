"""The roof's own data: a campaign's assessment (考核) rules, kept as data, and the written part
of the year's review (点评总结).

Both models lived in ``enrollment`` until they moved here (migrations ``enrollment`` 0010 and
``oversight`` 0001 move the state and rename the tables; the rows stay). Audit events written
before the move name them by their old label: ``former_labels`` tells the audit's readers.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from enrollment.models import Campaign
from enrollment.models.campaigns import CampaignRowQuerySet, campaign_scope
from haimen_insurance.models import Area


class AssessmentRule(models.Model):
    """Points a township (or, where the city has counties, a county) earns on one measure: full
    points at or above the threshold; below it, nothing, or a share of the points in proportion
    (按比例) when ``pro_rata``. ``level`` is whom the rule scores: the townships (every rule of
    a city without counties) or the counties, each on its townships' figures rolled up."""

    # The audit trail is never rewritten: events before the move carry this label.
    former_labels = ("enrollment.assessmentrule",)

    class Metric(models.TextChoices):
        COVERAGE_RATE = "coverage_rate", "投保率"
        ROSTERS_APPROVED = "rosters_approved", "名册审核通过率"
        REPORTED_ON_TIME = "reported_on_time", "按期汇总上报"
        CLAIMS_WITHIN_STANDARD = "claims_within_standard", "理赔服务标准达标率"

    class Level(models.TextChoices):
        TOWNSHIP = "township", "乡镇（园区）"
        COUNTY = "county", "县（区）"

    campaign = models.ForeignKey(
        Campaign,
        verbose_name="参保年度",
        on_delete=models.CASCADE,
        related_name="assessment_rules",
    )
    level = models.CharField(
        "考核对象", max_length=10, choices=Level.choices, default=Level.TOWNSHIP
    )
    metric = models.CharField("考核项目", max_length=30, choices=Metric.choices)
    threshold = models.DecimalField("达标线（%）", max_digits=5, decimal_places=2)
    points = models.DecimalField("分值", max_digits=5, decimal_places=2)
    pro_rata = models.BooleanField("未达标按比例得分", default=True)

    objects = CampaignRowQuerySet.as_manager()

    class Meta:
        verbose_name = "考核评分规则"
        verbose_name_plural = "考核评分规则"
        ordering = ["campaign", "level", "metric"]
        # The roof's pages: the dashboards, the assessment and the review (every role's group
        # gets it through ``haimen_insurance.roles``).
        permissions = [("view_dashboard", "查看仪表板与考核")]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "level", "metric"], name="assessment_rule_once_per_level"
            ),
            models.CheckConstraint(
                condition=Q(threshold__gt=0, threshold__lte=100),
                name="assessment_threshold_in_range",
                violation_error_message="达标线应大于 0%、不超过 100%。",
            ),
            models.CheckConstraint(
                condition=Q(level__in=["township", "county"]),
                name="assessment_rule_level_known",
            ),
            models.CheckConstraint(
                condition=Q(points__gt=0),
                name="assessment_points_positive",
                violation_error_message="分值必须大于 0。",
            ),
        ]

    def __str__(self):
        if self.level == self.Level.COUNTY:
            return f"{self.campaign} 县（区）{self.get_metric_display()}"
        return f"{self.campaign} {self.get_metric_display()}"


# The rules a campaign starts with (docs/design.md section 1: 90 % coverage earned 10 points).
DEFAULT_RULES = [
    (AssessmentRule.Metric.COVERAGE_RATE, "90.00", "10.00", True),
    (AssessmentRule.Metric.REPORTED_ON_TIME, "100.00", "5.00", False),
    (AssessmentRule.Metric.CLAIMS_WITHIN_STANDARD, "100.00", "5.00", True),
]
# Where the city has counties, the city assesses them too (Ji'an: 10 points at 90 % coverage),
# each on its townships' figures rolled up; a county's reporting on time is the share of its
# townships that reported by the deadline, scored in proportion.
DEFAULT_COUNTY_RULES = [
    (AssessmentRule.Metric.COVERAGE_RATE, "90.00", "10.00", True),
    (AssessmentRule.Metric.REPORTED_ON_TIME, "100.00", "5.00", True),
    (AssessmentRule.Metric.CLAIMS_WITHIN_STANDARD, "100.00", "5.00", True),
]


class ReviewNoteQuerySet(CampaignRowQuerySet):
    def for_user(self, user):
        """The city roles read every area's text; a township's roles read their township's."""
        return (
            super()
            .for_user(user)
            .filter(campaign_scope(user, campaign="campaign", township="area"))
        )


class ReviewNote(models.Model):
    """One area's review text for one campaign: what went well, what fell short, what to do
    (「总结点评，肯定成绩，找出不足，完善措施」), written by the city officer for the city and by
    each township officer for their township."""

    former_labels = ("enrollment.reviewnote",)

    FIELDS = ("achievements", "shortcomings", "measures")

    campaign = models.ForeignKey(
        Campaign, verbose_name="参保年度", on_delete=models.CASCADE, related_name="review_notes"
    )
    area = models.ForeignKey(
        Area, verbose_name="区域", on_delete=models.PROTECT, related_name="review_notes"
    )
    achievements = models.TextField("肯定成绩", blank=True)
    shortcomings = models.TextField("找出不足", blank=True)
    measures = models.TextField("完善措施", blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="填写人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField("填写时间", auto_now=True)

    objects = ReviewNoteQuerySet.as_manager()

    class Meta:
        verbose_name = "点评总结"
        verbose_name_plural = "点评总结"
        ordering = ["campaign", "area__code"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "area"], name="review_note_once_per_area")
        ]

    def __str__(self):
        return f"{self.campaign} {self.area.name}点评总结"

    @property
    def written(self) -> bool:
        return any(getattr(self, name).strip() for name in self.FIELDS)
