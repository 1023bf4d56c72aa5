"""Tables of the register and of policy search, with resident IDs masked (and birth dates cut to
the year) for the roles that do not see IDs in full."""

import django_tables2 as tables
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from haimen_insurance.privacy import shown_birth_date, shown_id

from .models import Household, Policy

STATUS_BADGES = {
    Household.Status.VALID: "text-bg-success",
    Household.Status.REVOKED: "text-bg-secondary",
    Household.Status.MOVED: "text-bg-warning",
}


class HouseholdTable(tables.Table):
    certificate_no = tables.Column(verbose_name="证号", linkify=True)
    child_name = tables.Column(verbose_name="子女姓名")
    child_id_number = tables.Column(verbose_name="子女身份证号")
    child_birth_date = tables.Column(verbose_name="出生日期")
    child_sex = tables.Column(verbose_name="性别")
    township = tables.Column(verbose_name="乡镇（园区）", accessor="village__parent__name")
    village = tables.Column(verbose_name="村（社区）", accessor="village__name")
    parents = tables.Column(verbose_name="父亲 / 母亲", accessor="father_name", empty_values=())
    hukou = tables.Column(verbose_name="户籍")
    payer = tables.Column(verbose_name="奖励金发放", accessor="employer_name", empty_values=())
    status = tables.Column(verbose_name="状态")

    class Meta:
        model = Household
        fields = [
            "certificate_no",
            "child_name",
            "child_id_number",
            "child_birth_date",
            "child_sex",
            "township",
            "village",
            "parents",
            "hukou",
            "payer",
            "status",
        ]
        orderable = False
        empty_text = "没有符合条件的登记。"

    def __init__(self, *args, sees_full_ids: bool = False, **kwargs):
        self.sees_full_ids = sees_full_ids
        super().__init__(*args, **kwargs)

    def render_child_id_number(self, value):
        return shown_id(value, full=self.sees_full_ids)

    def render_child_birth_date(self, value):
        return shown_birth_date(value, full_ids=self.sees_full_ids)

    def render_parents(self, record):
        return f"{record.father_name or '—'} / {record.mother_name or '—'}"

    def render_payer(self, record):
        return record.payer_label

    def render_status(self, record):
        return format_html(
            '<span class="badge {}">{}</span>',
            STATUS_BADGES[record.status],
            record.get_status_display(),
        )


class PolicyTable(tables.Table):
    number = tables.Column(verbose_name="保单号")
    product = tables.Column(verbose_name="险种", accessor="product__code")
    persons = tables.Column(
        verbose_name="被保险人", accessor="pk", orderable=False, attrs={"td": {"class": "hm-wrap"}}
    )
    certificate_no = tables.Column(verbose_name="证号", accessor="household__certificate_no")
    village = tables.Column(verbose_name="村（社区）", accessor="village__name")
    coverage = tables.Column(verbose_name="保险期间", accessor="coverage_start")
    insurer = tables.Column(verbose_name="承保公司", accessor="insurer__code")
    status = tables.Column(verbose_name="状态")
    certificate = tables.Column(verbose_name="", accessor="pk", orderable=False)

    class Meta:
        model = Policy
        fields = [
            "number",
            "certificate",
            "product",
            "persons",
            "certificate_no",
            "village",
            "coverage",
            "insurer",
            "status",
        ]
        sequence = fields
        attrs = {"class": "table table-sm table-hover align-middle bg-white", "id": "policies"}
        empty_text = "没有符合条件的保单。"

    def __init__(self, *args, full_ids: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.full_ids = full_ids

    def render_product(self, record):
        return record.product.short_name

    def render_persons(self, record):
        return format_html_join(
            mark_safe("<br>"),
            '{}（{}） <span class="text-muted small">{}</span>',
            (
                (
                    person.name,
                    person.get_relation_display(),
                    shown_id(person.id_number, full=self.full_ids),
                )
                for person in record.entry_product.persons.all()
            ),
        )

    def render_coverage(self, record):
        return f"{record.coverage_start:%Y-%m-%d} 至 {record.coverage_end:%Y-%m-%d}"

    def render_insurer(self, record):
        return record.insurer.name

    def render_status(self, record):
        return record.shown_status

    def render_certificate(self, record):
        return format_html(
            '<a class="btn btn-outline-secondary btn-sm" href="{}">参保凭证</a>',
            record.get_absolute_url(),
        )
