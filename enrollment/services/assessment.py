"""The city officer sets a campaign's assessment rules; every change is audited."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from haimen_insurance.audit import audit_record, changed_values
from haimen_insurance.audit_labels import AuditAction

from ..models import AssessmentRule, Campaign
from ..models.assessment import DEFAULT_RULES
from .campaigns import check_city_officer

FIELDS = ("threshold", "points", "pro_rata")


def assessment_rule_set(
    *, actor, campaign: Campaign, metric: str, threshold: Decimal, points: Decimal, pro_rata: bool
) -> AssessmentRule:
    """Create or change the rule of one measure."""
    check_city_officer(actor)
    rule = AssessmentRule(
        campaign=campaign, metric=metric, threshold=threshold, points=points, pro_rata=pro_rata
    )
    try:
        rule.full_clean(exclude=["campaign"], validate_unique=False)
    except ValidationError as error:
        raise ValidationError(error.messages) from error
    with transaction.atomic():
        existing = AssessmentRule.objects.select_for_update().filter(
            campaign=campaign, metric=metric
        )
        before = existing.first()
        rule, _ = AssessmentRule.objects.update_or_create(
            campaign=campaign,
            metric=metric,
            defaults={"threshold": threshold, "points": points, "pro_rata": pro_rata},
        )
        audit_record(
            actor=actor,
            action=AuditAction.ASSESSMENT_RULE,
            obj=rule,
            changes=changed_values(
                {name: getattr(before, name) for name in FIELDS} if before else {},
                {"threshold": threshold, "points": points, "pro_rata": pro_rata},
            ),
        )
    return rule


def assessment_rule_delete(*, actor, rule: AssessmentRule) -> None:
    check_city_officer(actor)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.ASSESSMENT_RULE_DELETE,
            obj=rule,
            changes={"points": str(rule.points)},
        )
        rule.delete()


def assessment_rules_default(*, actor, campaign: Campaign) -> list[AssessmentRule]:
    """The default rules (90 % coverage → 10 points, ...) for a campaign without rules."""
    if campaign.assessment_rules.exists():
        raise ValidationError(f"{campaign}已有考核评分规则。")
    return [
        assessment_rule_set(
            actor=actor,
            campaign=campaign,
            metric=metric,
            threshold=Decimal(threshold),
            points=Decimal(points),
            pro_rata=pro_rata,
        )
        for metric, threshold, points, pro_rata in DEFAULT_RULES
    ]
