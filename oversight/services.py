"""The roof's writes: the city officer sets a campaign's assessment rules (the townships', and
where the city has counties the counties'); the city officer
writes the city's review, each township officer their township's. Every change is audited."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from enrollment.models import Campaign
from haimen_insurance.access import deny_unless
from haimen_insurance.audit import audit_record, changed_values
from haimen_insurance.audit_labels import AuditAction
from haimen_insurance.models import Area

from .access import (
    RULE_SETTER,
    may_manage_assessment_rules,
    may_write_review_note,
    review_note_refusal,
)
from .models import DEFAULT_COUNTY_RULES, DEFAULT_RULES, AssessmentRule, ReviewNote

FIELDS = ("threshold", "points", "pro_rata")
LIMIT = 5000  # characters in each part of a review note
NO_COUNTIES = "本市下设乡镇（园区），没有县（区），不能设置县（区）考核评分规则。"
Level = AssessmentRule.Level


def has_counties() -> bool:
    """Whether the programme's tree has counties (a prefecture-level city such as Ji'an)."""
    return Area.objects.counties().exists()


def _check_rule_setter(actor) -> None:
    deny_unless(actor is None or may_manage_assessment_rules(actor), RULE_SETTER)


def assessment_rule_set(
    *,
    actor,
    campaign: Campaign,
    metric: str,
    threshold: Decimal,
    points: Decimal,
    pro_rata: bool,
    level: str = Level.TOWNSHIP,
) -> AssessmentRule:
    """Create or change the rule of one measure at one level (the townships', or the
    counties' where the city has counties)."""
    _check_rule_setter(actor)
    rule = AssessmentRule(
        campaign=campaign,
        level=level,
        metric=metric,
        threshold=threshold,
        points=points,
        pro_rata=pro_rata,
    )
    try:
        rule.full_clean(exclude=["campaign"], validate_unique=False)
    except ValidationError as error:
        raise ValidationError(error.messages) from error
    if level == Level.COUNTY and not has_counties():
        raise ValidationError(NO_COUNTIES)
    with transaction.atomic():
        existing = AssessmentRule.objects.select_for_update().filter(
            campaign=campaign, level=level, metric=metric
        )
        before = existing.first()
        rule, _ = AssessmentRule.objects.update_or_create(
            campaign=campaign,
            level=level,
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
    _check_rule_setter(actor)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.ASSESSMENT_RULE_DELETE,
            obj=rule,
            changes={"points": str(rule.points)},
        )
        rule.delete()


def assessment_rules_default(*, actor, campaign: Campaign) -> list[AssessmentRule]:
    """The default rules (90 % coverage → 10 points, ...) for a campaign without rules: the
    townships', and where the city has counties the counties' too."""
    if campaign.assessment_rules.exists():
        raise ValidationError(f"{campaign}已有考核评分规则。")
    defaults = [(Level.TOWNSHIP, each) for each in DEFAULT_RULES]
    if has_counties():
        defaults += [(Level.COUNTY, each) for each in DEFAULT_COUNTY_RULES]
    with transaction.atomic():
        return [
            assessment_rule_set(
                actor=actor,
                campaign=campaign,
                level=level,
                metric=metric,
                threshold=Decimal(threshold),
                points=Decimal(points),
                pro_rata=pro_rata,
            )
            for level, (metric, threshold, points, pro_rata) in defaults
        ]


def review_note_save(
    *, actor, campaign: Campaign, area: Area, achievements: str, shortcomings: str, measures: str
) -> ReviewNote:
    """Save the three parts (肯定成绩 / 找出不足 / 完善措施) of ``area``'s review of
    ``campaign``; an empty part stays empty. The city's is the city officer's, a township's
    (镇、乡、街道 or 园区) its officer's."""
    if not (area.is_city or area.is_township):
        raise ValidationError("点评总结按全市或乡镇（园区）填写。")
    deny_unless(actor is None or may_write_review_note(actor, area), review_note_refusal(area))
    values = {
        "achievements": achievements.strip(),
        "shortcomings": shortcomings.strip(),
        "measures": measures.strip(),
    }
    too_long = [
        str(ReviewNote._meta.get_field(name).verbose_name)
        for name, value in values.items()
        if len(value) > LIMIT
    ]
    if too_long:
        raise ValidationError(f"{'、'.join(too_long)}不能超过 {LIMIT} 字。")
    with transaction.atomic():
        Campaign.objects.select_for_update().get(pk=campaign.pk)
        note = ReviewNote.objects.select_for_update().filter(campaign=campaign, area=area).first()
        before = {name: getattr(note, name) for name in values} if note else {}
        if note is None:
            note = ReviewNote(campaign=campaign, area=area)
        for name, value in values.items():
            setattr(note, name, value)
        note.updated_by = actor if actor is not None and actor.is_authenticated else None
        note.save()
        audit_record(
            actor=actor,
            action=AuditAction.REVIEW_NOTE,
            obj=note,
            area=area if area.is_township else None,
            changes=changed_values(before, values),
        )
    return note
