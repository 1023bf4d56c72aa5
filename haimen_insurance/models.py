"""What every app shares: areas, insurers, users with their role and scope, and the audit trail."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.urls import reverse

from .audit_labels import AuditAction, action_label
from .roles import (
    CITY_ROLES,
    FULL_ID_ROLES,
    INSURER_ROLES,
    TOWNSHIP_ROLES,
    VILLAGE_ROLES,
    Role,
)


def area_scope(user, *, village: str | None = None, township: str | None = None) -> Q:
    """The one scoping rule: a Q that keeps the rows inside the user's area or insurer.

    Pass the lookup path from the model to its village (``village="household__village"``) or,
    for township-level rows, to its township (``township="township"``).

    Insurer staff get the townships their insurer covers today (``Area.insurer``). Rows that
    belong to a campaign are scoped by ``enrollment.models.campaigns.campaign_scope`` instead,
    which for an insurer reads the campaign's own choice of insurer.
    """
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.role in CITY_ROLES:
        return Q()
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
        if user.role in CITY_ROLES:
            return self
        if user.role in TOWNSHIP_ROLES:
            return self.filter(Q(pk=user.area_id) | Q(parent_id=user.area_id))
        if user.role in INSURER_ROLES:
            return self.filter(
                Q(insurer_id=user.insurer_id) | Q(parent__insurer_id=user.insurer_id)
            )
        if user.role in VILLAGE_ROLES:
            return self.filter(pk=user.area_id)
        return self.none()

    def townships(self):
        return self.filter(kind__in=Area.TOWNSHIP_KINDS)

    def villages(self):
        return self.filter(kind__in=Area.VILLAGE_KINDS)


class Area(models.Model):
    """City → township (镇/乡/街道/园区) → village (村/社区), with the 12-digit statistical code."""

    class Kind(models.TextChoices):
        CITY = "市", "市"
        TOWN = "镇", "镇"
        XIANG = "乡", "乡"
        STREET = "街道", "街道"
        PARK = "园区", "园区"
        VILLAGE = "村", "村"
        COMMUNITY = "社区", "社区"

    TOWNSHIP_KINDS = (Kind.TOWN, Kind.XIANG, Kind.STREET, Kind.PARK)
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
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("area_detail", args=[self.pk])

    @property
    def is_city(self):
        return self.kind == self.Kind.CITY

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
        return "乡镇（园区）" if self.is_township else "村（社区）"


class InsurerQuerySet(models.QuerySet):
    def for_user(self, user):
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.role in CITY_ROLES:
            return self
        if user.role in INSURER_ROLES:
            return self.filter(pk=user.insurer_id)
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


class UserQuerySet(models.QuerySet):
    def with_role(self):
        """The people who work in the app: one of the six roles, never a superuser or staff
        account (those are for break-glass operation through the command line and the
        read-only admin, and the app neither shows nor touches them)."""
        return self.filter(is_superuser=False, is_staff=False).exclude(role="")

    def for_user(self, user):
        if not user.is_authenticated or not user.is_active:
            return self.none()
        users = self.with_role()
        if user.role in CITY_ROLES:
            return users
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
                    Q(role__in=["village_cadre", "township_officer", "township_finance"])
                    & Q(area__isnull=False, insurer__isnull=True)
                )
                | Q(role="insurer_staff", area__isnull=True, insurer__isnull=False)
                | Q(
                    role__in=["city_officer", "leader", ""], area__isnull=True, insurer__isnull=True
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
        return "海门市" if self.role in CITY_ROLES else ""

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
