"""What every app shares: areas, insurers, users with their role and scope, and the audit trail."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse

from .audit_labels import AuditAction, action_label
from .programmes import programme
from .roles import (
    CITY_ROLES,
    CITY_SCOPE_ROLES,
    COUNTY_ROLES,
    FULL_ID_ROLES,
    INSURER_ROLES,
    TOWNSHIP_ROLES,
    VILLAGE_ROLES,
    Role,
)

# The 12-digit statistical area code (统计用区划代码) is hierarchical: 2 digits of province, 2 of
# prefecture, 2 of county, 3 of township, 3 of village. An area's *prefix* is its code without
# the zeros of the levels below it (吉安市 360800000000 → 3608, a county-level city such as
# 海门市 320684000000 → 320684, a township → 9 digits, a village → all 12), and every area under
# it has a code that starts with it: "everything under X" is one indexed ``code LIKE 'X%'``,
# whatever the depth (Django's PostgreSQL backend adds a ``varchar_pattern_ops`` index beside the
# unique one). ``Area`` checks that every child's code starts with its parent's prefix (its
# ``clean``, on every save, and a trigger on PostgreSQL), and a check constraint that each kind's
# code has the shape of its level.
LEVEL_DIGITS = (2, 4, 6, 9, 12)


def code_prefix(code: str) -> str:
    """The significant digits of a 12-digit area code: the code up to the last non-zero level."""
    for digits in LEVEL_DIGITS:
        if not code[digits:].strip("0"):
            return code[:digits]
    return code


def _user_prefix(user) -> str:
    """The code prefix of the county a county-role user works for (its area is loaded with it by
    the sign-in backend)."""
    return user.area.prefix


def area_scope(user, *, village: str | None = None, township: str | None = None) -> Q:
    """The one scoping rule: a Q that keeps the rows inside the user's area or insurer.

    Pass the lookup path from the model to its village (``village="household__village"``) or,
    for township-level rows, to its township (``township="township"``).

    A county's users see the rows whose village (or township) code starts with the county's
    prefix: one join, as the township's ``village__parent_id``. Insurer staff get the townships
    their insurer covers today (``Area.insurer``). Rows that belong to a campaign are scoped by
    ``enrollment.models.campaigns.campaign_scope`` instead, which for an insurer reads the
    campaign's own choice of insurer.
    """
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.role in CITY_SCOPE_ROLES:
        return Q()
    if user.role in COUNTY_ROLES:
        return Q(**{f"{village or township}__code__startswith": _user_prefix(user)})
    if village is not None:
        township = f"{village}__parent"
    if user.role in TOWNSHIP_ROLES:
        return Q(**{f"{township}_id": user.area_id})
    if user.role in INSURER_ROLES:
        return Q(**{f"{township}__insurer_id": user.insurer_id})
    if user.role in VILLAGE_ROLES and village is not None:
        return Q(**{f"{village}_id": user.area_id})
    return Q(pk__in=[])


class AreaQuerySet(models.QuerySet):
    def for_user(self, user):
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.role in CITY_SCOPE_ROLES:
            return self
        if user.role in COUNTY_ROLES:
            return self.filter(code__startswith=_user_prefix(user))
        if user.role in TOWNSHIP_ROLES:
            return self.filter(Q(pk=user.area_id) | Q(parent_id=user.area_id))
        if user.role in INSURER_ROLES:
            return self.filter(
                Q(insurer_id=user.insurer_id) | Q(parent__insurer_id=user.insurer_id)
            )
        if user.role in VILLAGE_ROLES:
            return self.filter(pk=user.area_id)
        return self.none()

    def within(self, area):
        """``area`` and every area under it, at any depth (one ``code LIKE 'prefix%'``)."""
        return self.filter(code__startswith=area.prefix)

    def counties(self):
        return self.filter(kind__in=Area.COUNTY_KINDS)

    def townships(self):
        return self.filter(kind__in=Area.TOWNSHIP_KINDS)

    def villages(self):
        return self.filter(kind__in=Area.VILLAGE_KINDS)


# Each level's kinds (``Area.Kind`` values), and the shape of its code: the top area a
# prefecture (4 significant digits) or a county-level city (6), a county 6, a township 9, a
# village 12, the rest zeros. The check constraint ``area_code_fits_kind`` reads them.
KINDS_BY_LEVEL = {
    "city": ("市",),
    "county": ("区", "县", "县级市"),
    "township": ("镇", "乡", "街道", "园区", "农场", "林场"),
    "village": ("村", "社区"),
}
_NZ2 = "(0[1-9]|[1-9][0-9])"  # two digits, not both zero: a level that exists
_NZ3 = "(00[1-9]|0[1-9][0-9]|[1-9][0-9]{2})"
CODE_SHAPES = {
    "city": rf"^[0-9]{{2}}{_NZ2}[0-9]{{2}}0{{6}}$",
    "county": rf"^[0-9]{{4}}{_NZ2}0{{6}}$",
    "township": rf"^[0-9]{{6}}{_NZ3}000$",
    "village": rf"^[0-9]{{6}}{_NZ3}{_NZ3}$",
}


class Area(models.Model):
    """The programme's top area (a prefecture-level city such as 吉安市, or a county-level city
    such as 海门市) → optional county (区/县/县级市) → township (镇/乡/街道/园区/农场/林场) →
    village (村/社区), with the 12-digit statistical code."""

    class Kind(models.TextChoices):
        CITY = "市", "市"
        DISTRICT = "区", "区"
        COUNTY = "县", "县"
        COUNTY_CITY = "县级市", "县级市"
        TOWN = "镇", "镇"
        XIANG = "乡", "乡"
        STREET = "街道", "街道"
        PARK = "园区", "园区"
        FARM = "农场", "农场"
        FOREST_FARM = "林场", "林场"
        VILLAGE = "村", "村"
        COMMUNITY = "社区", "社区"

    COUNTY_KINDS = (Kind.DISTRICT, Kind.COUNTY, Kind.COUNTY_CITY)
    TOWNSHIP_KINDS = (
        Kind.TOWN,
        Kind.XIANG,
        Kind.STREET,
        Kind.PARK,
        Kind.FARM,
        Kind.FOREST_FARM,
    )
    VILLAGE_KINDS = (Kind.VILLAGE, Kind.COMMUNITY)

    code = models.CharField("区划代码", max_length=12, unique=True)
    name = models.CharField("名称", max_length=50)
    kind = models.CharField("类别", max_length=4, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    insurer = models.ForeignKey(
        "Insurer",
        verbose_name="承保公司",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="townships",
        help_text="仅乡镇（园区）填写：该乡镇由哪家保险公司承保。",
    )

    objects = AreaQuerySet.as_manager()

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9]{12}$"), name="area_code_12_digits"
            ),
            models.UniqueConstraint(fields=["parent", "name"], name="area_name_unique_in_parent"),
            models.CheckConstraint(
                condition=Q(kind="市", parent__isnull=True)
                | (~Q(kind="市") & Q(parent__isnull=False)),
                name="area_only_city_has_no_parent",
            ),
            models.CheckConstraint(
                condition=Q(
                    *[
                        Q(kind__in=KINDS_BY_LEVEL[level], code__regex=shape)
                        for level, shape in CODE_SHAPES.items()
                    ],
                    _connector=Q.OR,
                ),
                name="area_code_fits_kind",
                violation_error_message=(
                    "区划代码与类别不符：县（区）代码后 6 位为 0，乡镇（园区）后 3 位为 0，"
                    "村（社区）后 3 位不全为 0。"
                ),
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # The tree is an invariant of every write, not only of forms: scoping reads it. (A save
        # of other fields, such as a township's insurer, leaves it as it was.)
        fields = kwargs.get("update_fields")
        touches_tree = fields is None or bool({"code", "kind", "parent", "parent_id"} & set(fields))
        if self.parent_id is not None and touches_tree:
            error = self.tree_error()
            if error:
                raise ValidationError({"parent": error})
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("area_detail", args=[self.pk])

    @property
    def prefix(self) -> str:
        """The code's significant digits: every area under this one has a code starting so."""
        return code_prefix(self.code)

    @property
    def is_city(self):
        return self.kind == self.Kind.CITY

    @property
    def is_county(self):
        return self.kind in self.COUNTY_KINDS

    @property
    def is_township(self):
        return self.kind in self.TOWNSHIP_KINDS

    @property
    def is_village(self):
        return self.kind in self.VILLAGE_KINDS

    @property
    def level_label(self):
        if self.is_city:
            return "市"
        if self.is_county:
            return "县（区）"
        return "乡镇（园区）" if self.is_township else "村（社区）"

    @property
    def township(self) -> "Area | None":
        """The township this area belongs to: itself, or a village's parent (None above)."""
        if self.is_township:
            return self
        return self.parent if self.is_village else None

    @property
    def county(self) -> "Area | None":
        """The county this area belongs to: itself, its parent or grandparent; None where the
        programme has no counties (Haimen), and for the top area. Reads the parents (select
        ``parent__parent`` to read them in the same query)."""
        area = self
        while area is not None and not area.is_county:
            if area.is_city:
                return None
            area = area.parent
        return area

    def tree_error(self, parent: "Area | None" = None) -> str | None:
        """Why this area does not fit under ``parent`` (its own parent by default), in Chinese;
        None when it fits. The same rule as the PostgreSQL trigger ``haimen_area_tree``."""
        parent = self.parent if parent is None else parent
        if parent is None:
            return None
        fits = (
            (self.is_village and parent.is_township)
            or (self.is_township and (parent.is_county or parent.is_city))
            or (self.is_county and parent.is_city)
        )
        if not fits:
            kind, parent_kind = self.get_kind_display(), parent.get_kind_display()
            return f"{kind}不能属于{parent_kind}（{parent.name}）。"
        if not self.code.startswith(parent.prefix) or self.code == parent.code:
            return (
                f"区划代码 {self.code} 不在上级 {parent.name}（{parent.code}）之下："
                f"应以 {parent.prefix} 开头。"
            )
        return None

    def clean(self):
        super().clean()
        if self.parent_id is not None:
            error = self.tree_error()
            if error:
                raise ValidationError({"parent": error})


class InsurerQuerySet(models.QuerySet):
    def for_user(self, user):
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.role in CITY_SCOPE_ROLES:
            return self
        if user.role in INSURER_ROLES:
            return self.filter(pk=user.insurer_id)
        if user.role in COUNTY_ROLES:
            covered = Area.objects.within(user.area).townships().values("insurer")
            return self.filter(pk__in=covered)
        if user.role in TOWNSHIP_ROLES:
            return self.filter(townships=user.area_id)
        if user.role in VILLAGE_ROLES:
            return self.filter(townships__children=user.area_id)
        return self.none()


class Insurer(models.Model):
    code = models.CharField("代码", max_length=20, unique=True)
    name = models.CharField("名称", max_length=100, unique=True)
    phone = models.CharField("报案电话", max_length=30, blank=True)

    objects = InsurerQuerySet.as_manager()

    class Meta:
        verbose_name = "保险公司"
        verbose_name_plural = "保险公司"
        ordering = ["code"]

    def __str__(self):
        return self.name


def role_scope_error(role: str, area: Area | None, insurer: Insurer | None) -> dict | None:
    """Why ``role`` cannot have this scope ({field: Chinese message}), None when it fits: each
    role is tied to exactly the area (or insurer) its work needs. ``User.clean`` and the user
    services ask it; the database constraint ``user_scope_matches_role`` keeps the part a row
    can check (an area, or an insurer, or neither)."""
    if role not in Role.values:
        return {"role": "请选择系统中的一个角色。"}
    label = Role(role).label
    if role in VILLAGE_ROLES and (area is None or not area.is_village):
        return {"area": "村（社区）计生专干必须属于一个村（社区）。"}
    if role in TOWNSHIP_ROLES and area is not None and area.is_county:
        return {"area": f"{label}属于一个乡镇（园区），不能属于县（区）{area.name}。"}
    if role in TOWNSHIP_ROLES and (area is None or not area.is_township):
        return {"area": f"{label}必须属于一个乡镇（园区）。"}
    if role in COUNTY_ROLES and (area is None or not area.is_county):
        return {"area": f"{label}必须属于一个县（区）。"}
    if role in INSURER_ROLES and insurer is None:
        return {"insurer": "保险公司人员必须属于一家保险公司。"}
    if role in INSURER_ROLES and area is not None:
        return {"area": "保险公司人员不属于某个区域，请留空。"}
    if role not in INSURER_ROLES and insurer is not None:
        return {"insurer": "只有保险公司人员才选择保险公司。"}
    if role in CITY_SCOPE_ROLES and area is not None:
        return {"area": "市级用户覆盖全市，请不要选择区域。"}
    return None


class UserQuerySet(models.QuerySet):
    def with_role(self):
        """The people who work in the app: one of the roles, never a superuser or staff
        account (those are for break-glass operation through the command line and the
        read-only admin, and the app neither shows nor touches them)."""
        return self.filter(is_superuser=False, is_staff=False).exclude(role="")

    def for_user(self, user):
        if not user.is_authenticated or not user.is_active:
            return self.none()
        users = self.with_role()
        if user.role in CITY_ROLES:
            return users
        if user.role == Role.COUNTY_OFFICER:
            return users.filter(area__code__startswith=_user_prefix(user))
        if user.role in TOWNSHIP_ROLES:
            return users.filter(Q(area_id=user.area_id) | Q(area__parent_id=user.area_id))
        if user.role in INSURER_ROLES:
            return users.filter(insurer_id=user.insurer_id)
        return users.filter(pk=user.pk)


class HaimenUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """A person with exactly one role, tied to exactly the area or insurer that role needs."""

    full_name = models.CharField("姓名", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    role = models.CharField("角色", max_length=20, choices=Role.choices, blank=True)
    area = models.ForeignKey(
        Area, verbose_name="所属区域", on_delete=models.PROTECT, null=True, blank=True
    )
    insurer = models.ForeignKey(
        Insurer, verbose_name="所属保险公司", on_delete=models.PROTECT, null=True, blank=True
    )
    # Set with a password the system made (a new account, a reset), cleared when the user sets
    # their own: until then every page but the password change sends them there.
    must_change_password = models.BooleanField("须修改密码", default=False, db_default=False)

    objects = HaimenUserManager()

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        ordering = ["username"]
        permissions = [("manage_users", "管理用户（新建、停用、重置密码）")]
        constraints = [
            models.CheckConstraint(
                name="user_scope_matches_role",
                condition=(
                    Q(
                        role__in=[
                            "village_cadre",
                            "township_officer",
                            "township_finance",
                            "county_officer",
                            "county_finance",
                        ]
                    )
                    & Q(area__isnull=False, insurer__isnull=True)
                )
                | Q(role="insurer_staff", area__isnull=True, insurer__isnull=False)
                | Q(
                    role__in=["city_officer", "city_finance", "leader", ""],
                    area__isnull=True,
                    insurer__isnull=True,
                ),
            ),
            # An account is either a person with a role or a break-glass administrator, never
            # both: a role never comes with the admin, and the admin never with a role.
            models.CheckConstraint(
                name="user_role_or_staff",
                condition=Q(role="") | Q(is_staff=False, is_superuser=False),
            ),
        ]

    def __str__(self):
        return self.display_name

    def clean(self):
        super().clean()
        if self.role:
            error = role_scope_error(self.role, self.area, self.insurer)
            if error:
                raise ValidationError(error)

    def get_absolute_url(self):
        return reverse("user_detail", args=[self.pk])

    @property
    def display_name(self):
        return self.full_name or self.username

    @property
    def scope_label(self):
        """The area or insurer this user works for, as shown in the header."""
        if self.insurer_id:
            return self.insurer.name
        if self.area_id:
            return self.area.name
        return programme().city if self.role in CITY_SCOPE_ROLES else ""

    @property
    def sees_full_ids(self):
        return self.role in FULL_ID_ROLES


class AuditEventQuerySet(models.QuerySet):
    def for_user(self, user):
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.role in CITY_ROLES:
            return self
        # Everyone else sees the events recorded against an area they see.
        return self.filter(area__in=Area.objects.for_user(user))

    def update(self, **kwargs):
        raise PermissionDenied("审计记录不可修改。")

    def delete(self):
        raise PermissionDenied("审计记录不可删除。")


class AuditEvent(models.Model):
    """Append-only: who did what to which object, when, with the changed values."""

    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        User, verbose_name="操作人", on_delete=models.PROTECT, null=True, related_name="+"
    )
    action = models.CharField("操作", max_length=50, choices=AuditAction.choices)
    object_type = models.CharField("对象类型", max_length=100)
    object_id = models.CharField("对象编号", max_length=64)
    object_repr = models.CharField("对象", max_length=200)
    area = models.ForeignKey(
        Area, verbose_name="区域", on_delete=models.PROTECT, null=True, related_name="+"
    )
    changes = models.JSONField("变更内容", default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"
        ordering = ["-at", "-pk"]
        # Plain indexes (db_index=True on a text field adds a second one for LIKE on
        # PostgreSQL, which nothing queries); the object's index serves its type alone too.
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["action"], name="audit_action_idx"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionDenied("审计记录不可修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("审计记录不可删除。")

    def get_action_label(self):
        return action_label(self.action)


# The job record lives beside its machinery (haimen_insurance/jobs).
from .jobs.models import Job, JobKind  # noqa: E402, F401
