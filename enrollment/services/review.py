"""The written part of the year's review: the city officer writes the city's, each township
officer their township's; every save is audited."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from haimen_insurance.audit import audit_record, changed_values
from haimen_insurance.audit_labels import AuditAction
from haimen_insurance.models import Area
from haimen_insurance.roles import Role

from ..models import Campaign, ReviewNote

LIMIT = 5000  # characters in each part


def _check_writer(actor, area: Area) -> None:
    if area.kind == Area.Kind.CITY:
        if actor is not None and actor.role != Role.CITY_OFFICER:
            raise PermissionDenied("只有市计生委可以填写全市的点评总结。")
    elif area.kind == Area.Kind.TOWN:
        if actor is not None and (actor.role != Role.TOWNSHIP_OFFICER or actor.area_id != area.pk):
            raise PermissionDenied("只有本乡镇（园区）计生办可以填写本乡镇的点评总结。")
    else:
        raise ValidationError("点评总结按全市或乡镇（园区）填写。")


def review_note_save(
    *, actor, campaign: Campaign, area: Area, achievements: str, shortcomings: str, measures: str
) -> ReviewNote:
    """Save the three parts (肯定成绩 / 找出不足 / 完善措施) of ``area``'s review of
    ``campaign``; an empty part stays empty."""
    _check_writer(actor, area)
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
            area=area if area.kind == Area.Kind.TOWN else None,
            changes=changed_values(before, values),
        )
    return note
