"""The one-child-certificate register (独生子女证登记) and its uploaded files."""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from haimen_insurance.models import Area, area_scope

from ..access import may_see_every_register_import

# The one-child certificate (独生子女证) was first issued in 1979: no certificate is older.
FIRST_CERTIFICATE_DATE = date(1979, 1, 1)


class HouseholdQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(area_scope(user, village="village"))

    def valid(self):
        return self.filter(status=Household.Status.VALID)


class Household(models.Model):
    """One one-child certificate: the family, its child, and who pays the reward."""

    class Status(models.TextChoices):
        VALID = "valid", "有效"
        REVOKED = "revoked", "已注销"
        MOVED = "moved", "已迁出"

    class Hukou(models.TextChoices):
        RURAL = "rural", "农业"
        URBAN = "urban", "非农业"

    class Sex(models.TextChoices):
        MALE = "male", "男"
        FEMALE = "female", "女"

    certificate_no = models.CharField("证号", max_length=40)
    village = models.ForeignKey(
        Area,
        verbose_name="村（社区）",
        on_delete=models.PROTECT,
        related_name="households",
        db_index=False,  # the index on (village, status) serves it
    )
    address = models.CharField("家庭住址", max_length=200, blank=True)
    phone = models.CharField("联系电话", max_length=40, blank=True)
    hukou = models.CharField("户籍性质", max_length=10, choices=Hukou.choices)
    father_name = models.CharField("父亲姓名", max_length=50, blank=True)
    father_id_number = models.CharField("父亲身份证号", max_length=18, blank=True)
    mother_name = models.CharField("母亲姓名", max_length=50, blank=True)
    mother_id_number = models.CharField("母亲身份证号", max_length=18, blank=True)
    child_name = models.CharField("子女姓名", max_length=50)
    child_id_number = models.CharField("子女身份证号", max_length=18)
    child_birth_date = models.DateField("子女出生日期")
    child_sex = models.CharField("子女性别", max_length=6, choices=Sex.choices)
    certificate_date = models.DateField("领证日期", null=True, blank=True)
    receives_reward = models.BooleanField("领取奖励金", default=True)
    employer_name = models.CharField(
        "奖励金发放单位",
        max_length=100,
        blank=True,
        help_text="留空表示由村集体发放；否则填写发放奖励金的企事业单位名称。",
    )
    status = models.CharField(
        "证件状态", max_length=10, choices=Status.choices, default=Status.VALID
    )
    status_reason = models.CharField("注销或迁出原因", max_length=200, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        verbose_name = "独生子女证登记"
        verbose_name_plural = "独生子女证登记"
        ordering = ["village__code", "certificate_no"]
        constraints = [
            models.UniqueConstraint(
                fields=["certificate_no"], name="household_certificate_no_unique"
            ),
            models.UniqueConstraint(
                fields=["child_id_number"],
                condition=Q(status="valid"),
                name="household_child_once_among_valid",
                violation_error_message="该子女身份证号已登记在另一本有效的独生子女证上。",
            ),
            models.CheckConstraint(
                condition=~Q(father_id_number="", mother_id_number=""),
                name="household_has_a_parent",
                violation_error_message="父亲和母亲至少登记一人。",
            ),
            models.CheckConstraint(
                condition=Q(status="valid", status_reason="") | ~Q(status="valid"),
                name="household_valid_has_no_reason",
            ),
            models.CheckConstraint(
                condition=Q(status="valid") | ~Q(status_reason=""),
                name="household_revoked_has_reason",
                violation_error_message="注销或迁出必须填写原因。",
            ),
        ]
        # Plain indexes, declared here rather than with unique=True or db_index=True on the
        # fields, which on PostgreSQL add a second index for LIKE 'prefix%' that nothing here
        # queries: every index is written again for each of the 100,000 rows an import adds.
        indexes = [
            models.Index(fields=["village", "status"]),
            models.Index(fields=["father_id_number"], name="household_father_id_idx"),
            models.Index(fields=["mother_id_number"], name="household_mother_id_idx"),
            models.Index(fields=["child_id_number"], name="household_child_id_idx"),
        ]
        permissions = [
            ("import_register", "导入独生子女证登记"),
            ("view_verification", "查看核查汇总"),
        ]

    def __str__(self):
        return f"{self.certificate_no} {self.child_name}"

    def get_absolute_url(self):
        return reverse("enrollment:household_detail", args=[self.pk])

    @property
    def pays_village(self):
        return not self.employer_name

    @property
    def payer_label(self):
        return self.employer_name or "村集体"

    @property
    def parents(self):
        """(name, id number) of each registered parent: one for a single-parent family."""
        return [
            (name, number)
            for name, number in (
                (self.father_name, self.father_id_number),
                (self.mother_name, self.mother_id_number),
            )
            if number
        ]


class RegisterImportQuerySet(models.QuerySet):
    def for_user(self, user):
        """The uploader sees their own imports; a city officer sees every import."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if may_see_every_register_import(user):
            return self
        return self.filter(uploaded_by=user)


class RegisterImport(models.Model):
    """One uploaded register file: kept with what its check found until it is imported."""

    class Status(models.TextChoices):
        PENDING = "pending", "待确认"
        APPLIED = "applied", "已导入"
        DISCARDED = "discarded", "有错误，未导入"

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上传人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="为空表示由命令行导入。",
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    filename = models.CharField("文件名", max_length=200)
    content = models.BinaryField("文件内容")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    row_count = models.PositiveIntegerField("行数", default=0)
    new_count = models.PositiveIntegerField("新增户数", default=0)
    changed_count = models.PositiveIntegerField("更新户数", default=0)
    unchanged_count = models.PositiveIntegerField("未变户数", default=0)
    error_row_count = models.PositiveIntegerField("有错误的行数", default=0)
    report = models.JSONField("检查结果", default=dict, blank=True)
    applied_at = models.DateTimeField("导入时间", null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="确认导入人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = RegisterImportQuerySet.as_manager()

    class Meta:
        verbose_name = "登记文件导入"
        verbose_name_plural = "登记文件导入"
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self):
        return f"{self.filename}（{timezone.localtime(self.uploaded_at):%Y-%m-%d %H:%M}）"

    def get_absolute_url(self):
        return reverse("enrollment:register_import_preview", args=[self.pk])
