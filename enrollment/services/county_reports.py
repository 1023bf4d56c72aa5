"""The county report (县级汇总上报): where the townships belong to counties, the county's
officer rolls its townships' reports up once every one of them has reported, and reports the
county's total to the city.

Each step locks the report, checks its state against ``COUNTY_REPORT_TRANSITIONS``, writes the
audit event and refuses anything else with a Chinese message; who may is asked of
``enrollment.access``.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from haimen_insurance.access import deny_unless
from haimen_insurance.audit import audit_record
from haimen_insurance.audit_labels import AuditAction
from haimen_insurance.models import Area

from ..access import may_make_county_report
from ..models import COUNTY_REPORT_TRANSITIONS, Campaign, CountyReport, CountyReportLine
from ..selectors.county_reports import Totals, county_progress

_NOT_THE_OFFICER = "只有本县（区）计生委可以汇总和上报县级汇总表。"


def county_report_draft(*, actor, campaign: Campaign, county: Area) -> CountyReport:
    """Roll the county's township reports up into its county report (drafted): one line per
    township with its report's figures, and their totals. Refused, naming them, while any
    township of the county with villages in the campaign has not reported; a report already
    reported to the city is not drafted again."""
    deny_unless(may_make_county_report(actor, county.pk), _NOT_THE_OFFICER)
    if not county.is_county:
        raise ValidationError(f"{county.name}不是县（区），没有县级汇总。")
    with transaction.atomic():
        progress = county_progress(campaign_ids=[campaign.pk], county=county, lock=True)[
            campaign.pk
        ]
        if not progress.townships:
            raise ValidationError(f"{county.name}{campaign}没有乡镇（园区）名册，不能县级汇总。")
        if progress.waiting:
            raise ValidationError(
                "全部乡镇（园区）上报汇总表后才能县级汇总。尚未上报："
                + progress.waiting_text()
                + "。"
            )
        report, _ = CountyReport.objects.select_for_update().get_or_create(
            campaign=campaign,
            county=county,
            defaults={"status": COUNTY_REPORT_TRANSITIONS.target("draft")},
        )
        if not report.allows("draft"):
            raise ValidationError(
                f"{county.name}{campaign}县级汇总表{report.get_status_display()}，不能重新汇总。"
            )
        report.lines.all().delete()
        lines = CountyReportLine.objects.bulk_create(
            CountyReportLine(
                report=report,
                township=row.township,
                township_report=row.report,
                households=row.report.households,
                policies=row.report.policies,
                persons=row.report.persons,
                premium=row.report.premium,
            )
            for row in progress.townships
        )
        totals = Totals()
        for line in lines:
            totals.add(line)
        report.households, report.policies = totals.households, totals.policies
        report.persons, report.premium = totals.persons, totals.premium
        report.drafted_by, report.drafted_at = actor, timezone.now()
        report.save(
            update_fields=[
                "households",
                "policies",
                "persons",
                "premium",
                "drafted_by",
                "drafted_at",
            ]
        )
        audit_record(
            actor=actor,
            action=AuditAction.COUNTY_REPORT_DRAFT,
            obj=report,
            area=county,
            changes={
                "townships": len(lines),
                "households": report.households,
                "policies": report.policies,
                "persons": report.persons,
                "premium": report.premium,
            },
        )
    return report


def county_report_submit(*, actor, report: CountyReport) -> CountyReport:
    """Report the county's total to the city; from then on the county report is fixed."""
    with transaction.atomic():
        report = (
            CountyReport.objects.select_for_update(of=("self",))
            .select_related("county", "campaign")
            .get(pk=report.pk)
        )
        deny_unless(may_make_county_report(actor, report.county_id), _NOT_THE_OFFICER)
        if not report.allows("report"):
            raise ValidationError(
                f"{report.county.name}{report.campaign}县级汇总表"
                f"{report.get_status_display()}，不能重复上报。"
            )
        report.status = COUNTY_REPORT_TRANSITIONS.target("report")
        report.reported_by, report.reported_at = actor, timezone.now()
        report.save(update_fields=["status", "reported_by", "reported_at"])
        audit_record(
            actor=actor,
            action=AuditAction.COUNTY_REPORT_REPORT,
            obj=report,
            area=report.county,
            changes={
                "status": [CountyReport.Status.DRAFTED, CountyReport.Status.REPORTED],
                "premium": report.premium,
            },
        )
    return report
