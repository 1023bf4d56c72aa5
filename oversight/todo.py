"""The workbench's to-do list: what this user must do now, in every open campaign — not only the
newest, so that last year's unfinished work (a township funded but not issued, a roster never
submitted) stays on the workbench of whoever must finish it after the roll-over.

Each item has its link, its deadline (the campaign's 全面实施 deadline for rosters, reports,
transfers and policies; the 宣传发动 deadline for opening a year being prepared; a claim's due
date) and how many days are left or overdue. Every read goes through ``for_user``; a list costs a
fixed number of queries (two to four, by role), however many campaigns, rosters, reports or
claims there are. A campaign being prepared counts for nobody but the city officer, who opens it.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from claims.models import Claim
from claims.selectors import insurer_queue
from enrollment.access import transfer_office
from enrollment.models import Campaign, FundTransfer, Roster, TownshipReport
from enrollment.selectors.county_reports import county_progress
from enrollment.selectors.reports import townships_progress
from enrollment.selectors.shares import reports_shares_due
from haimen_insurance.money import format_yuan
from haimen_insurance.roles import Role

from .access import may_open_campaign

# Claims shown on the workbench at most; the rest are on the claims pages.
CLAIM_LIMIT = 10
# Claims a cadre or township officer helps with: documents still being gathered.
HELPING = (Claim.Status.REPORTED, Claim.Status.DOCUMENTS_COMPLETE)


@dataclass
class Todo:
    """One thing to do, with where to do it and by when."""

    title: str
    url: str
    action: str
    deadline: date | None
    today: date
    detail: str = ""
    campaign: Campaign | None = None

    @property
    def days_left(self) -> int | None:
        return None if self.deadline is None else (self.deadline - self.today).days

    @property
    def overdue(self) -> bool:
        return self.deadline is not None and self.deadline < self.today

    @property
    def remaining(self) -> str:
        """「还剩 N 天」, 「今天截止」 or 「已逾期 N 天」 ("" without a deadline)."""
        days = self.days_left
        if days is None:
            return ""
        if days > 0:
            return f"还剩 {days} 天"
        if days == 0:
            return "今天截止"
        return f"已逾期 {-days} 天"


@dataclass
class TodoList:
    items: list[Todo] = field(default_factory=list)
    # Lists cut short on the workbench: (text, link to the whole list).
    more: list[tuple[str, str]] = field(default_factory=list)
    # Finance and insurer: the reports of the open campaigns that reached them (newest year
    # first), for the table with the voucher and policy-list links.
    reports: list[TownshipReport] = field(default_factory=list)
    # How many reports wait for this user (finance: a transfer; insurer: policies).
    waiting: int = 0
    # The campaigns the user sees, oldest first (None: not read, for a user without a role).
    campaigns: list[Campaign] | None = None


def todo_list(user, *, today: date | None = None) -> TodoList:
    """What ``user`` must do now, soonest deadline first (overdue first)."""
    today = today or timezone.localdate()
    todo = TodoList()
    if not user.is_authenticated or not user.is_active or not user.role:
        return todo
    campaigns = list(Campaign.objects.for_user(user).order_by("year"))
    todo.campaigns = campaigns
    open_campaigns = [campaign for campaign in campaigns if campaign.is_open]
    build = {
        Role.VILLAGE_CADRE: _cadre,
        Role.TOWNSHIP_OFFICER: _township_officer,
        Role.TOWNSHIP_FINANCE: _finance,
        Role.COUNTY_OFFICER: _county_officer,
        Role.COUNTY_FINANCE: _finance,  # the county share of its townships' reports
        Role.CITY_FINANCE: _finance,  # the city share of every township's report
        Role.INSURER_STAFF: _insurer,
        Role.CITY_OFFICER: _city,
        Role.LEADER: _city,
    }.get(user.role)
    if build is not None:
        build(todo, user, open_campaigns, today)
    if may_open_campaign(user):
        for campaign in campaigns:
            if not campaign.is_open:
                todo.items.append(
                    Todo(
                        title=f"开放{campaign}（筹备中）",
                        detail="核对日期、险种和承保公司后开放，各村（社区）才能填报。",
                        url=campaign.get_absolute_url(),
                        action="核对并开放",
                        deadline=campaign.mobilisation_deadline,
                        today=today,
                        campaign=campaign,
                    )
                )
    todo.items.sort(key=lambda item: (item.deadline is None, item.deadline or today, item.title))
    return todo


def _rosters(user, campaigns):
    return (
        Roster.objects.for_user(user)
        .filter(campaign__in=[campaign.pk for campaign in campaigns])
        .select_related("campaign", "village")
        .order_by("campaign__year", "village__code")
    )


def _claims_to_help(todo: TodoList, user, today: date) -> None:
    claims = list(
        Claim.objects.for_user(user)
        .filter(status__in=HELPING)
        .select_related("person", "village")
        .order_by("reported_at")[: CLAIM_LIMIT + 1]
    )
    for claim in claims[:CLAIM_LIMIT]:
        step = "收集理赔材料" if claim.status == Claim.Status.REPORTED else "移交保险公司"
        todo.items.append(
            Todo(
                title=f"{step}：{claim.number} {claim.person.name}（{claim.village.name}）",
                detail=f"{claim.get_status_display()}，{claim.reported_at:%Y-%m-%d} 报案",
                url=claim.get_absolute_url(),
                action="打开案件",
                deadline=None,
                today=today,
            )
        )
    if len(claims) > CLAIM_LIMIT:
        todo.more.append(("还有更多收集材料中的理赔案件", reverse("claims:claim_list")))


def _cadre(todo: TodoList, user, campaigns, today: date) -> None:
    rosters = _rosters(user, campaigns).filter(
        status__in=[Roster.Status.DRAFT, Roster.Status.RETURNED], locked_at__isnull=True
    )
    for roster in rosters:
        returned = roster.status == Roster.Status.RETURNED
        todo.items.append(
            Todo(
                title=f"{'重新提交被退回的' if returned else '填报并提交'}"
                f"{roster.campaign}{roster.village.name}名册",
                detail=f"乡镇退回：{roster.return_reason}" if returned else "",
                url=roster.get_absolute_url(),
                action="打开名册",
                deadline=roster.campaign.implementation_deadline,
                today=today,
                campaign=roster.campaign,
            )
        )
    _claims_to_help(todo, user, today)


def _township_officer(todo: TodoList, user, campaigns, today: date) -> None:
    township = user.area
    counts: dict[int, dict[str, int]] = {campaign.pk: {} for campaign in campaigns}
    for roster in _rosters(user, campaigns):
        statuses = counts[roster.campaign_id]
        statuses[roster.status] = statuses.get(roster.status, 0) + 1
        if roster.status == Roster.Status.SUBMITTED:
            todo.items.append(
                Todo(
                    title=f"审核{roster.campaign}{roster.village.name}名册",
                    url=roster.get_absolute_url(),
                    action="审核",
                    deadline=roster.campaign.implementation_deadline,
                    today=today,
                    campaign=roster.campaign,
                )
            )
    reports = {
        report.campaign_id: report
        for report in TownshipReport.objects.for_user(user).filter(
            campaign__in=[campaign.pk for campaign in campaigns], township=township
        )
    }
    for campaign in campaigns:
        report = reports.get(campaign.pk)
        if report is not None and report.status != TownshipReport.Status.DRAFTED:
            continue
        statuses = counts[campaign.pk]
        approved, total = statuses.get(Roster.Status.APPROVED, 0), sum(statuses.values())
        if report is not None:
            title, action = f"上报{campaign}{township.name}汇总表", "上报"
            url = report.get_absolute_url()
            detail = "汇总表已生成，核对无误后上报财政所和保险公司。"
        else:
            title, action = f"汇总上报{campaign}{township.name}", "去汇总上报"
            url = reverse("enrollment:township_rosters", args=[township.pk])
            url = f"{url}?campaign={campaign.year}"
            detail = f"各村名册审核通过 {approved}/{total} 本。"
        todo.items.append(
            Todo(
                title=title,
                detail=detail,
                url=url,
                action=action,
                deadline=campaign.implementation_deadline,
                today=today,
                campaign=campaign,
            )
        )
    _claims_to_help(todo, user, today)


def _reached_reports(user, campaigns, *, office: str | None = None) -> list[TownshipReport]:
    """The reports of ``campaigns`` that have been reported, newest year first; with
    ``office``, each marked ``office_paid`` when that finance office has transferred."""
    reports = (
        TownshipReport.objects.for_user(user)
        .filter(campaign__in=[campaign.pk for campaign in campaigns])
        .exclude(status=TownshipReport.Status.DRAFTED)
        .select_related("campaign", "township__parent")
        .order_by("-campaign__year", "township__code")
    )
    if office is not None:
        paid = FundTransfer.objects.filter(report=OuterRef("pk"), payer=office)
        reports = reports.annotate(office_paid=Exists(paid))
    return list(reports)


def _report_step(todo: TodoList, user, campaigns, today: date, *, waiting, step) -> None:
    """The reported reports in reach, and a to-do item for each one in the ``waiting`` state:
    ``step(report)`` gives its (title, detail, url name, action)."""
    todo.reports = _reached_reports(user, campaigns)
    for report in todo.reports:
        if report.status != waiting:
            continue
        todo.waiting += 1
        title, detail, url_name, action = step(report)
        todo.items.append(
            Todo(
                title=f"{title}：{report.campaign}{report.township.name}",
                detail=detail,
                url=reverse(url_name, args=[report.pk]),
                action=action,
                deadline=report.campaign.implementation_deadline,
                today=today,
                campaign=report.campaign,
            )
        )


def _finance(todo: TodoList, user, campaigns, today: date) -> None:
    """A finance office's reports waiting for its transfer: reported, with something due from
    its office (the township's finance office: the township's, the village collectives' and
    the households' shares; a county's: the county share of its townships; the city's: the
    city share) and not yet transferred. Two queries more than the reports: the shares and the
    reports' lines (``reports_shares_due``); whether the office has transferred is read with
    the reports."""
    office = transfer_office(user)
    todo.reports = _reached_reports(user, campaigns, office=office)
    for report in todo.reports:
        # The township's own voucher keeps its link of the funded reports (划拨单).
        if report.office_paid and office != "township":
            report.office_voucher = reverse(
                "enrollment:transfer_voucher_of", args=[report.pk, office]
            )
    reported = [
        report for report in todo.reports if report.status == TownshipReport.Status.REPORTED
    ]
    dues = reports_shares_due(reported, transfers=False)
    for report in reported:
        due = dues[report.pk].office_due(office)
        report.office_due = due
        if due <= 0 or report.office_paid:
            continue
        todo.waiting += 1
        todo.items.append(
            Todo(
                title=f"登记保费划拨：{report.campaign}{report.township.name}",
                detail=f"应划拨保费 {format_yuan(due)} 元",
                url=reverse("enrollment:transfer_record", args=[report.pk]),
                action="核对并登记划拨",
                deadline=report.campaign.implementation_deadline,
                today=today,
                campaign=report.campaign,
            )
        )


def _insurer(todo: TodoList, user, campaigns, today: date) -> None:
    _report_step(
        todo,
        user,
        campaigns,
        today,
        waiting=TownshipReport.Status.FUNDED,
        step=lambda report: (
            "出具保单",
            f"保费已划拨，保单 {report.policies} 份",
            "enrollment:policy_issue",
            "下载清单、出具保单",
        ),
    )
    claims = list(insurer_queue(user)[: CLAIM_LIMIT + 1])
    for claim in claims[:CLAIM_LIMIT]:
        todo.items.append(
            Todo(
                title=f"理赔 {claim.number} {claim.person.name}（{claim.village.name}）",
                detail=claim.get_status_display(),
                url=claim.get_absolute_url(),
                action="办理",
                deadline=claim.due_date,
                today=today,
            )
        )
    if len(claims) > CLAIM_LIMIT:
        todo.more.append(("还有更多待办理赔", reverse("claims:claim_queue")))


def _city(todo: TodoList, user, campaigns, today: date) -> None:
    overview = reverse("enrollment:rosters_overview")
    for progress in townships_progress(campaigns=campaigns, user=user):
        campaign = progress.campaign
        if progress.not_reported:
            names = "、".join(area.name for area in progress.not_reported)
            todo.items.append(
                Todo(
                    title=f"{campaign}尚未上报的乡镇（园区） {len(progress.not_reported)} 个",
                    detail=names,
                    url=f"{overview}?campaign={campaign.year}",
                    action="查看各乡镇名册",
                    deadline=campaign.implementation_deadline,
                    today=today,
                    campaign=campaign,
                )
            )
        waiting = [
            f"{label}：{'、'.join(report.township.name for report in reports)}"
            for label, reports in (("待划拨", progress.reported), ("待出具保单", progress.funded))
            if reports
        ]
        if waiting:
            todo.items.append(
                Todo(
                    title=f"{campaign}已上报、尚未出具保单的乡镇（园区）"
                    f" {len(progress.reported) + len(progress.funded)} 个",
                    detail="；".join(waiting),
                    url=campaign.get_absolute_url(),
                    action="查看汇总上报",
                    deadline=campaign.implementation_deadline,
                    today=today,
                    campaign=campaign,
                )
            )


def _county_officer(todo: TodoList, user, campaigns, today: date) -> None:
    """The county's townships not reported or not issued (as the city's, read through
    ``for_user``), and 「县级汇总待上报」 in each open year whose townships have all reported while
    the county report is not drafted, or drafted and not yet reported to the city (by the
    review deadline: the roll-up level by level is the review's work). Four queries more."""
    _city(todo, user, campaigns, today)
    county = user.area
    progress = county_progress(
        campaign_ids=[campaign.pk for campaign in campaigns], county=county, user=user
    )
    for campaign in campaigns:
        each = progress[campaign.pk]
        report = each.report
        if not each.ready or (report is not None and report.is_reported):
            continue
        if report is None:
            detail = (
                f"各乡镇（园区）均已上报（{len(each.townships)} 个），请县级汇总后上报市计生委。"
            )
            action = "去县级汇总"
        else:
            detail = "县级汇总表已生成，核对无误后上报市计生委。"
            action = "核对并上报"
        url = reverse("enrollment:county_report", args=[county.pk])
        todo.items.append(
            Todo(
                title=f"{campaign}{county.name}县级汇总待上报",
                detail=detail,
                url=f"{url}?campaign={campaign.year}",
                action=action,
                deadline=campaign.review_deadline,
                today=today,
                campaign=campaign,
            )
        )
