"""County reports (县级汇总上报): where the townships belong to counties (Ji'an), a county rolls
its townships' reports up once every one of them has reported, and reports the total to the
city. A programme without counties (Haimen) has none.

The report keeps one line per township, with the township report's figures copied when the
county report is drafted; a drafted report may be drafted again (the figures refreshed), a
reported one stays as it is. The status moves only as ``COUNTY_REPORT_TRANSITIONS`` declares:
the services check and write it, the access rules (``enrollment.access``) and the buttons read
it.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse

from haimen_insurance.access import active
from haimen_insurance.models import Area
from haimen_insurance.roles import CITY_ROLES, COUNTY_ROLES
from haimen_insurance.transitions import Machine, Transition

from .campaigns import Campaign
from .rosters import TownshipReport


class CountyReportQuerySet(models.QuerySet):
    def for_user(self, user):
        """The city roles see every county's report, a county's officer and finance office
        their own county's; nobody else sees any (a township's people, the villages' and the
        insurers' work below the county)."""
        if not active(user):
            return self.none()
        if user.role in CITY_ROLES:
            return self
        if user.role in COUNTY_ROLES:
            return self.filter(county_id=user.area_id)
        return self.none()


class CountyReport(models.Model):
    """A county's roll-up of its townships' reports for one campaign, reported to the city.
    Totals are copied from the township reports when the county report is drafted."""

    class Status(models.TextChoices):
        DRAFTED = "drafted", "已汇总待上报"
        REPORTED = "reported", "已上报"

    campaign = models.ForeignKey(
        Campaign, verbose_name="参保年度", on_delete=models.PROTECT, related_name="county_reports"
    )
    county = models.ForeignKey(
        Area, verbose_name="县（区）", on_delete=models.PROTECT, related_name="county_reports"
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
        blank=True,
        related_name="+",
    )
    drafted_at = models.DateTimeField("汇总时间", null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上报人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reported_at = models.DateTimeField("上报时间", null=True, blank=True)

    objects = CountyReportQuerySet.as_manager()

    class Meta:
        verbose_name = "县级汇总上报"
        verbose_name_plural = "县级汇总上报"
        ordering = ["campaign", "county__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "county"], name="county_report_once_per_county"
            )
        ]
        permissions = [("make_county_report", "县级汇总上报")]

    def __str__(self):
        return f"{self.campaign} {self.county.name}县级汇总"

    def get_absolute_url(self):
        url = reverse("enrollment:county_report", args=[self.county_id])
        return f"{url}?campaign={self.campaign.year}"

    def allows(self, action: str) -> bool:
        """Whether ``action`` of ``COUNTY_REPORT_TRANSITIONS`` may start from the status."""
        return COUNTY_REPORT_TRANSITIONS.allows(action, self.status)

    @property
    def is_reported(self) -> bool:
        """Reported to the city: fixed for good."""
        return not self.allows("draft")


_C = CountyReport.Status
COUNTY_REPORT_TRANSITIONS = Machine(
    "county_report",
    CountyReport.Status,
    {
        # Rolling the townships' reports up: a new report starts drafted, a drafted one may be
        # drafted again (its figures refreshed); once reported it stays as it is.
        "draft": Transition("重新汇总", frozenset({_C.DRAFTED}), _C.DRAFTED),
        "report": Transition("上报", frozenset({_C.DRAFTED}), _C.REPORTED),
    },
)


class CountyReportLine(models.Model):
    """One township of a county report: its report and that report's figures, as copied when
    the county report was drafted."""

    report = models.ForeignKey(
        CountyReport, verbose_name="县级汇总", on_delete=models.CASCADE, related_name="lines"
    )
    township = models.ForeignKey(
        Area, verbose_name="乡镇（园区）", on_delete=models.PROTECT, related_name="+"
    )
    township_report = models.ForeignKey(
        TownshipReport, verbose_name="乡镇汇总", on_delete=models.PROTECT, related_name="+"
    )
    households = models.PositiveIntegerField("参保户数")
    policies = models.PositiveIntegerField("保单数")
    persons = models.PositiveIntegerField("被保险人数")
    premium = models.DecimalField("保费（元）", max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = "县级汇总明细"
        verbose_name_plural = "县级汇总明细"
        ordering = ["report", "township__code"]
        constraints = [
            models.UniqueConstraint(fields=["report", "township"], name="county_report_line_once")
        ]

    def __str__(self):
        return f"{self.report} {self.township.name}"
