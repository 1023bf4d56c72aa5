"""Reads for the county report: where a county's townships stand in a campaign (which have
reported, with their reports' figures) and the county's report, for the county report page, its
files, the workbench's to-do list and the service that drafts it.

A county's townships in a campaign are those with village rosters in it (a township without
villages has nothing to report). Four queries, however many campaigns, townships or reports.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from haimen_insurance.models import Area

from ..models import CountyReport, Roster, TownshipReport


@dataclass
class CountyTownship:
    """One township of the county in a campaign, with its report (None before it drafts one)."""

    township: Area
    report: TownshipReport | None = None

    @property
    def reported(self) -> bool:
        return self.report is not None and self.report.is_reported

    @property
    def status_label(self) -> str:
        """The report's status, or that the township has not rolled its rosters up yet."""
        return self.report.get_status_display() if self.report is not None else "尚未汇总"


@dataclass
class Totals:
    households: int = 0
    policies: int = 0
    persons: int = 0
    premium: Decimal = field(default_factory=lambda: Decimal("0.00"))

    def add(self, figures) -> None:
        """Add a report's (or a line's) four figures."""
        self.households += figures.households
        self.policies += figures.policies
        self.persons += figures.persons
        self.premium += figures.premium


@dataclass
class CountyProgress:
    """Where ``county`` stands in ``campaign``: its townships, and its report if drafted."""

    campaign_id: int
    county: Area
    townships: list[CountyTownship] = field(default_factory=list)
    report: CountyReport | None = None

    @property
    def waiting(self) -> list[Area]:
        """The townships whose report is not reported yet (none yet, or only drafted)."""
        return [row.township for row in self.townships if not row.reported]

    @property
    def ready(self) -> bool:
        """Every township has reported: the county may roll them up."""
        return bool(self.townships) and not self.waiting

    @property
    def reported_totals(self) -> Totals:
        """The reported townships' figures summed: what a county report drafted now holds."""
        totals = Totals()
        for row in self.townships:
            if row.reported:
                totals.add(row.report)
        return totals

    def waiting_text(self) -> str:
        """「甲镇、乙乡」: the townships not reported yet."""
        return "、".join(township.name for township in self.waiting)


def county_progress(
    *, campaign_ids: list[int], county: Area, user=None, lock: bool = False
) -> dict[int, CountyProgress]:
    """Where ``county`` stands in each campaign of ``campaign_ids``, by campaign key: its
    townships with village rosters in the campaign, each with its township report, and the
    county report. Read through ``user``'s scope (a page; None: the whole county, for a
    service that has checked its actor, which passes ``lock`` to lock the township reports it
    rolls up)."""
    areas, rosters = Area.objects, Roster.objects
    reports, county_reports = TownshipReport.objects, CountyReport.objects
    if user is not None:
        areas, rosters = Area.objects.for_user(user), Roster.objects.for_user(user)
        reports, county_reports = reports.for_user(user), county_reports.for_user(user)
    townships = {
        township.pk: township for township in areas.townships().within(county).order_by("code")
    }
    with_villages = set(
        rosters.filter(campaign__in=campaign_ids, village__parent__in=list(townships))
        .values_list("campaign", "village__parent")
        .distinct()
        .order_by()
    )
    township_reports = reports.filter(campaign__in=campaign_ids, township__in=list(townships))
    if lock:
        township_reports = township_reports.order_by("pk").select_for_update(of=("self",))
    by_key = {(report.campaign_id, report.township_id): report for report in township_reports}
    progress = {pk: CountyProgress(campaign_id=pk, county=county) for pk in campaign_ids}
    for pk, township in townships.items():
        for campaign_id in campaign_ids:
            if (campaign_id, pk) in with_villages:
                progress[campaign_id].townships.append(
                    CountyTownship(township, by_key.get((campaign_id, pk)))
                )
    for report in county_reports.filter(campaign__in=campaign_ids, county=county).select_related(
        "drafted_by", "reported_by"
    ):
        progress[report.campaign_id].report = report
    return progress
