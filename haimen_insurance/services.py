"""Every write to users: create, update, deactivate, activate, reset the password."""

import csv
import secrets

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from .access import (
    INSURER_ASSIGNERS_ONLY,
    USER_MANAGERS_ONLY,
    deny_unless,
    may_assign_insurer,
    may_give_scope,
    may_manage_user,
    may_manage_users,
    user_management_refusal,
)
from .audit import audit_record, changed_values
from .audit_labels import AuditAction
from .models import Area, Insurer, User, role_scope_error
from .roles import Role

# Letters and digits that cannot be mistaken for each other when read aloud or copied by hand.
_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def generate_password(length: int = 10) -> str:
    return "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(length))


def _check_scope(role: str, area: Area | None, insurer: Insurer | None) -> None:
    """Each role is tied to exactly the area (or insurer) its work needs (``role_scope_error``)."""
    error = role_scope_error(role, area, insurer)
    if error:
        raise ValidationError(error)


def _lock_managed(actor, user: User) -> User:
    """The user, locked, if the app's user management may touch it (a person with one of the
    roles; superuser and staff accounts are refused as if they did not exist) and ``actor``
    may manage them."""
    try:
        user = User.objects.with_role().select_for_update().get(pk=user.pk)
    except User.DoesNotExist:
        raise PermissionDenied("该账号不由本系统的用户管理维护。") from None
    deny_unless(may_manage_user(actor, user), user_management_refusal(actor))
    return user


def _set_role_group(user: User) -> None:
    user.groups.set(Group.objects.filter(name=Role(user.role).label))


@transaction.atomic
def user_create(
    *,
    actor,
    username: str,
    role: str,
    full_name: str = "",
    phone: str = "",
    area: Area | None = None,
    insurer: Insurer | None = None,
    password: str | None = None,
) -> tuple[User, str]:
    """Create a user with one role and its scope; returns the user and the initial password.
    A password the system generates must be changed at the first login; one given by the
    caller (the demo's accounts, the test builders) is the person's own already."""
    deny_unless(may_manage_users(actor), USER_MANAGERS_ONLY)
    _check_scope(role, area, insurer)
    deny_unless(may_give_scope(actor, role, area), user_management_refusal(actor))
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": "该用户名已被使用。"})
    generated = not password
    password = password or generate_password()
    user = User(
        username=username,
        full_name=full_name,
        phone=phone,
        role=role,
        area=area,
        insurer=insurer,
        must_change_password=generated,
    )
    user.set_password(password)
    user.save()
    _set_role_group(user)
    audit_record(
        actor=actor,
        action=AuditAction.USER_CREATE,
        obj=user,
        area=area,
        changes={"role": role, "area": area, "insurer": insurer},
    )
    return user, password


@transaction.atomic
def user_update(
    *,
    actor,
    user: User,
    role: str,
    full_name: str,
    phone: str,
    area: Area | None,
    insurer: Insurer | None,
) -> User:
    _check_scope(role, area, insurer)
    user = _lock_managed(actor, user)
    deny_unless(may_give_scope(actor, role, area), user_management_refusal(actor))
    fields = ["role", "full_name", "phone", "area", "insurer"]
    before = {field: getattr(user, field) for field in fields}
    after = {"role": role, "full_name": full_name, "phone": phone, "area": area, "insurer": insurer}
    changes = changed_values(before, after)
    if not changes:
        return user
    for field, value in after.items():
        setattr(user, field, value)
    user.save(update_fields=["role", "full_name", "phone", "area_id", "insurer_id"])
    _set_role_group(user)
    audit_record(actor=actor, action=AuditAction.USER_UPDATE, obj=user, area=area, changes=changes)
    return user


@transaction.atomic
def user_deactivate(*, actor, user: User) -> User:
    user = _lock_managed(actor, user)
    if user.pk == actor.pk:
        raise ValidationError("不能停用自己的账号。")
    if not user.is_active:
        raise ValidationError("该用户已经停用。")
    user.is_active = False
    user.save(update_fields=["is_active"])
    audit_record(actor=actor, action=AuditAction.USER_DEACTIVATE, obj=user, area=user.area)
    return user


@transaction.atomic
def user_activate(*, actor, user: User) -> User:
    user = _lock_managed(actor, user)
    if user.is_active:
        raise ValidationError("该用户已经是启用状态。")
    user.is_active = True
    user.save(update_fields=["is_active"])
    audit_record(actor=actor, action=AuditAction.USER_ACTIVATE, obj=user, area=user.area)
    return user


@transaction.atomic
def user_reset_password(*, actor, user: User) -> str:
    """Give the user a new random password, shown once to the officer who reset it; the user
    must change it at the next login."""
    user = _lock_managed(actor, user)
    password = generate_password()
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    audit_record(actor=actor, action=AuditAction.USER_RESET_PASSWORD, obj=user, area=user.area)
    return password


@transaction.atomic
def user_password_change(*, actor: User, password: str) -> User:
    """The signed-in user sets their own new password (already checked against the old one and
    the password rules by the form)."""
    user = User.objects.select_for_update().get(pk=actor.pk)
    user.set_password(password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    audit_record(actor=actor, action=AuditAction.USER_CHANGE_PASSWORD, obj=user, area=user.area)
    return user


@transaction.atomic
def areas_load_csv(*, path) -> dict[str, int]:
    """Load (or update by code) the area tree from a CSV of code,name,kind,parent_code.

    Parents come before children in the file. Returns counts of created and updated areas.
    """
    counts = {"created": 0, "updated": 0}
    by_code = {area.code: area for area in Area.objects.all()}
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            parent_code = (row["parent_code"] or "").strip()
            if parent_code and parent_code not in by_code:
                raise ValidationError(
                    f"第{line}行：上级区划 {parent_code} 不存在（上级必须写在前面）。"
                )
            values = {
                "name": row["name"].strip(),
                "kind": row["kind"].strip(),
                "parent": by_code.get(parent_code),
            }
            area = by_code.get(row["code"].strip())
            if area is None:
                area = Area(code=row["code"].strip(), **values)
                area.full_clean()
                area.save()
                by_code[area.code] = area
                counts["created"] += 1
            elif any(getattr(area, field) != value for field, value in values.items()):
                for field, value in values.items():
                    setattr(area, field, value)
                area.full_clean()
                area.save(update_fields=list(values))
                counts["updated"] += 1
    return counts


@transaction.atomic
def insurer_assign_townships(*, actor, insurer: Insurer, townships) -> None:
    """Make ``insurer`` the insurer of each of ``townships``."""
    for township in Area.objects.select_for_update().filter(pk__in=[t.pk for t in townships]):
        deny_unless(may_assign_insurer(actor, township), INSURER_ASSIGNERS_ONLY)
        if not township.is_township:
            raise ValidationError(f"{township.name}不是乡镇（园区），不能指定承保公司。")
        if township.insurer_id == insurer.pk:
            continue
        before = township.insurer
        township.insurer = insurer
        township.save(update_fields=["insurer"])
        audit_record(
            actor=actor,
            action=AuditAction.AREA_ASSIGN_INSURER,
            obj=township,
            area=township,
            changes={"insurer": [str(before) if before else None, insurer.name]},
        )
