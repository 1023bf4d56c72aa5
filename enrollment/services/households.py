"""Every write to the register: add, edit, revoke, move away, restore.

Only the village cadre of the household's village writes here; township officers and the city
view and search. Resident IDs are normalised (a 15-digit first-generation number is upgraded and
the upgrade reported back), checked against the entered birth date and sex, and a child may be on
one valid certificate only: the service says so in Chinese, and the database constraint
``household_child_once_among_valid`` is the last guard when two cadres save at the same moment.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from haimen_insurance.access import deny_unless
from haimen_insurance.audit import audit_record, changed_values
from haimen_insurance.audit_labels import AuditAction
from haimen_insurance.models import Area

from ..access import may_write_household
from ..models import Household
from ..models.register import FIRST_CERTIFICATE_DATE
from ..resident_ids import ResidentIdError, check_against, parse_resident_id

# The fields a cadre enters; village and status are not among them (status moves only through
# revoke, move away and restore below).
EDITABLE_FIELDS = (
    "certificate_no",
    "hukou",
    "certificate_date",
    "receives_reward",
    "employer_name",
    "phone",
    "address",
    "child_name",
    "child_id_number",
    "child_birth_date",
    "child_sex",
    "father_name",
    "father_id_number",
    "mother_name",
    "mother_id_number",
)
_TEXT_FIELDS = (
    "certificate_no",
    "employer_name",
    "phone",
    "address",
    "child_name",
    "father_name",
    "mother_name",
)
_REQUIRED = {
    "certificate_no": "请填写证号。",
    "hukou": "请选择户籍性质。",
    "child_name": "请填写子女姓名。",
    "child_id_number": "请填写子女身份证号。",
    "child_birth_date": "请填写子女出生日期。",
    "child_sex": "请选择子女性别。",
}
VILLAGE_PAYER = "村集体"
CHILD_TAKEN = "该子女身份证号已登记在另一本有效证上"
_CHILD_CONSTRAINT = "household_child_once_among_valid"
_SEX_LABELS = {"male": "男", "female": "女"}
_PARENTS = (("father", "父亲", "male"), ("mother", "母亲", "female"))


def _check_may_write(actor, village_id: int) -> None:
    deny_unless(
        may_write_household(actor, village_id),
        "只有本村（社区）计生专干可以登记和修改本村的独生子女证。",
    )


def _check_field_names(fields: dict) -> None:
    unknown = sorted(set(fields) - set(EDITABLE_FIELDS))
    if unknown:
        raise TypeError(f"household fields not editable here: {', '.join(unknown)}")


def _blank_values() -> dict:
    values = dict.fromkeys(EDITABLE_FIELDS, "")
    values.update(certificate_date=None, child_birth_date=None, receives_reward=True)
    return values


def clean_household_values(values: dict, *, today: date) -> tuple[dict, list[str]]:
    """Check one register entry; return the cleaned values and notices for the user.

    Raises ``ValidationError`` keyed by field with every problem found, in Chinese. Notices say
    what was changed on the way in (a 15-digit ID upgraded to 18 characters).
    """
    values = dict(values)
    for field in _TEXT_FIELDS:
        values[field] = (values.get(field) or "").strip()
    if values["employer_name"] == VILLAGE_PAYER:
        values["employer_name"] = ""
    values["receives_reward"] = bool(values.get("receives_reward"))
    errors: dict[str, str] = {}
    notices: list[str] = []

    for field, message in _REQUIRED.items():
        if values.get(field) in ("", None):
            errors[field] = message
    if values["hukou"] and values["hukou"] not in Household.Hukou.values:
        errors["hukou"] = "户籍性质只能是农业或非农业。"
    if values["child_sex"] and values["child_sex"] not in Household.Sex.values:
        errors["child_sex"] = "子女性别只能是男或女。"
    if values["certificate_date"] and values["certificate_date"] > today:
        errors["certificate_date"] = "领证日期晚于今天，请核对。"
    elif values["certificate_date"] and values["certificate_date"] < FIRST_CERTIFICATE_DATE:
        errors["certificate_date"] = (
            f"领证日期不能早于 {FIRST_CERTIFICATE_DATE:%Y-%m-%d}"
            f"（独生子女证自 {FIRST_CERTIFICATE_DATE.year} 年起发放），请核对。"
        )

    def resident_id(field: str, label: str):
        raw = (values.get(field) or "").strip()
        values[field] = raw
        if not raw:
            return None
        try:
            rid = parse_resident_id(raw, today=today)
        except ResidentIdError as error:
            errors[field] = f"{label}身份证号：{error}"
            return None
        values[field] = rid.number
        if rid.upgraded_from:
            notices.append(
                f"{label}身份证号 {rid.upgraded_from} 是15位旧号，已自动升级为18位：{rid.number}。"
            )
        return rid

    child = resident_id("child_id_number", "子女")
    if child is not None:
        for field, problems in (
            (
                "child_birth_date",
                check_against(child, birth_date=values["child_birth_date"], sex=None),
            ),
            ("child_sex", check_against(child, birth_date=None, sex=values["child_sex"] or None)),
        ):
            if problems and field not in errors:
                errors[field] = "；".join(problems) + "。"

    for prefix, label, sex in _PARENTS:
        rid = resident_id(f"{prefix}_id_number", label)
        name_field, id_field = f"{prefix}_name", f"{prefix}_id_number"
        if values[id_field] and not values[name_field]:
            errors[name_field] = f"填写了{label}身份证号，请同时填写{label}姓名。"
        if values[name_field] and not values[id_field]:
            errors.setdefault(id_field, f"请填写{label}身份证号。")
        if rid is not None and rid.sex != sex:
            errors[id_field] = (
                f"{label}身份证号显示为{_SEX_LABELS[rid.sex]}性，请核对是否把父亲和母亲填反了。"
            )
    parent_ids = ("father_id_number", "mother_id_number")
    if not any(values[field] or field in errors for field in parent_ids):
        errors["father_id_number"] = "父亲和母亲至少登记一人（姓名和身份证号）。"
    if values["father_id_number"] and values["father_id_number"] == values["mother_id_number"]:
        errors.setdefault("mother_id_number", "母亲身份证号与父亲相同，请核对。")
    for prefix, label, _ in _PARENTS:
        if values["child_id_number"] and values["child_id_number"] == values[f"{prefix}_id_number"]:
            errors.setdefault("child_id_number", f"子女身份证号与{label}相同，请核对。")

    if errors:
        raise ValidationError(errors)
    return values, notices


def _child_taken_message(actor, child_id_number: str, *, exclude_pk: int | None) -> str | None:
    """The Chinese refusal when the child is already on another valid certificate, else None.

    The other certificate is named only when the actor may see it.
    """
    other = (
        Household.objects.valid()
        .filter(child_id_number=child_id_number)
        .exclude(pk=exclude_pk)
        .select_related("village")
        .first()
    )
    if other is None:
        return None
    if Household.objects.for_user(actor).filter(pk=other.pk).exists():
        return f"{CHILD_TAKEN}（证号 {other.certificate_no}，{other.village.name}）。"
    return f"{CHILD_TAKEN}。"


def _check_unique(actor, values: dict, *, household: Household | None) -> None:
    exclude_pk = household.pk if household else None
    errors = {}
    if (
        Household.objects.filter(certificate_no=values["certificate_no"])
        .exclude(pk=exclude_pk)
        .exists()
    ):
        errors["certificate_no"] = f"证号 {values['certificate_no']} 已经登记过，证号不能重复。"
    if household is None or household.status == Household.Status.VALID:
        message = _child_taken_message(actor, values["child_id_number"], exclude_pk=exclude_pk)
        if message:
            errors["child_id_number"] = message
    if errors:
        raise ValidationError(errors)


def _save(actor, household: Household, **save_kwargs) -> None:
    """Save under a savepoint; the unique constraints refuse what a concurrent save got first."""
    try:
        with transaction.atomic():
            household.save(**save_kwargs)
    except IntegrityError as error:
        constraint = getattr(getattr(error.__cause__, "diag", None), "constraint_name", "") or ""
        if constraint == _CHILD_CONSTRAINT:
            message = _child_taken_message(
                actor, household.child_id_number, exclude_pk=household.pk
            )
            raise ValidationError({"child_id_number": message or f"{CHILD_TAKEN}。"}) from error
        if "certificate_no" in constraint:
            raise ValidationError(
                {"certificate_no": f"证号 {household.certificate_no} 已经登记过，证号不能重复。"}
            ) from error
        raise


@transaction.atomic
def household_create(*, actor, village: Area, **fields) -> tuple[Household, list[str]]:
    """Register a certificate in ``village``; returns the household and notices for the user."""
    _check_may_write(actor, village.pk)
    _check_field_names(fields)
    if not village.is_village:
        raise ValidationError("独生子女证只能登记在村（社区）。")
    values, notices = clean_household_values(
        {**_blank_values(), **fields}, today=timezone.localdate()
    )
    _check_unique(actor, values, household=None)
    household = Household(village=village, **values)
    _save(actor, household)
    entered = {field: value for field, value in values.items() if value not in ("", None)}
    audit_record(
        actor=actor,
        action=AuditAction.HOUSEHOLD_CREATE,
        obj=household,
        area=village,
        changes=changed_values({}, entered),
    )
    return household, notices


@transaction.atomic
def household_update(*, actor, household: Household, **fields) -> tuple[Household, list[str]]:
    """Change the entered fields of a certificate; returns it and notices for the user."""
    _check_may_write(actor, household.village_id)
    _check_field_names(fields)
    household = Household.objects.select_for_update().get(pk=household.pk)
    before = {field: getattr(household, field) for field in EDITABLE_FIELDS}
    values, notices = clean_household_values({**before, **fields}, today=timezone.localdate())
    changes = changed_values(before, values)
    if not changes:
        return household, notices
    _check_unique(actor, values, household=household)
    for field in changes:
        setattr(household, field, values[field])
    _save(actor, household, update_fields=[*changes, "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.HOUSEHOLD_UPDATE,
        obj=household,
        area=household.village,
        changes=changes,
    )
    return household, notices


def _leave(*, actor, household: Household, reason: str, status: str, action: str) -> Household:
    _check_may_write(actor, household.village_id)
    household = Household.objects.select_for_update().get(pk=household.pk)
    reason = (reason or "").strip()
    verb = Household.Status(status).label.removeprefix("已")
    if not reason:
        raise ValidationError({"reason": f"请填写{verb}原因。"})
    if len(reason) > 200:
        raise ValidationError({"reason": f"{verb}原因最多200个字，现在是{len(reason)}个字。"})
    if household.status != Household.Status.VALID:
        raise ValidationError(
            f"证号 {household.certificate_no} 当前为“{household.get_status_display()}”，"
            f"只有有效的证才能{verb}。"
        )
    before = {"status": household.status, "status_reason": household.status_reason}
    after = {"status": status, "status_reason": reason}
    household.status = status
    household.status_reason = reason
    household.save(update_fields=["status", "status_reason", "updated_at"])
    audit_record(
        actor=actor,
        action=action,
        obj=household,
        area=household.village,
        changes=changed_values(before, after),
    )
    return household


@transaction.atomic
def household_revoke(*, actor, household: Household, reason: str) -> Household:
    """The certificate is revoked (注销), e.g. a second child was born; the reason is kept."""
    return _leave(
        actor=actor,
        household=household,
        reason=reason,
        status=Household.Status.REVOKED,
        action=AuditAction.HOUSEHOLD_REVOKE,
    )


@transaction.atomic
def household_move_away(*, actor, household: Household, reason: str) -> Household:
    """The family moved away (迁出); the certificate stays on record with the reason."""
    return _leave(
        actor=actor,
        household=household,
        reason=reason,
        status=Household.Status.MOVED,
        action=AuditAction.HOUSEHOLD_MOVE_AWAY,
    )


@transaction.atomic
def household_restore(*, actor, household: Household) -> Household:
    """Back to valid (e.g. revoked by mistake), if the child is on no other valid certificate."""
    _check_may_write(actor, household.village_id)
    household = Household.objects.select_for_update().get(pk=household.pk)
    if household.status == Household.Status.VALID:
        raise ValidationError(f"证号 {household.certificate_no} 已经是有效的证。")
    message = _child_taken_message(actor, household.child_id_number, exclude_pk=household.pk)
    if message:
        raise ValidationError(f"不能恢复为有效：{message}")
    before = {"status": household.status, "status_reason": household.status_reason}
    after = {"status": Household.Status.VALID, "status_reason": ""}
    household.status = Household.Status.VALID
    household.status_reason = ""
    try:
        _save(actor, household, update_fields=["status", "status_reason", "updated_at"])
    except ValidationError as error:
        raise ValidationError(f"不能恢复为有效：{'；'.join(error.messages)}") from error
    audit_record(
        actor=actor,
        action=AuditAction.HOUSEHOLD_RESTORE,
        obj=household,
        area=household.village,
        changes=changed_values(before, after),
    )
    return household
