"""The claims register and the insurer's queue, with days to settle and the service standard."""

import django_tables2 as tables
from django.utils import timezone
from django.utils.html import format_html

from haimen_insurance.money import format_yuan

from .models import Claim
from .selectors import AWAITING_DECISION, days_to_settle, met_standard


class ClaimTable(tables.Table):
    number = tables.Column(verbose_name="案件号", linkify=True)
    person = tables.Column(verbose_name="被保险人", accessor="person__name")
    village = tables.Column(verbose_name="村（社区）", accessor="village__name")
    benefit = tables.Column(verbose_name="保险责任")
    incident_date = tables.DateColumn(verbose_name="出险日期", format="Y-m-d")
    amount_claimed = tables.Column(verbose_name="申请（元）", attrs={"td": {"class": "text-end"}})
    approved_amount = tables.Column(verbose_name="核定（元）", attrs={"td": {"class": "text-end"}})
    status = tables.Column(verbose_name="状态")
    due_date = tables.DateColumn(verbose_name="应结案日期", format="Y-m-d")
    settle = tables.Column(verbose_name="办结天数", accessor="pk", orderable=False)
    standard = tables.Column(verbose_name="服务标准", accessor="pk", orderable=False)

    class Meta:
        model = Claim
        fields = [
            "number",
            "person",
            "village",
            "benefit",
            "incident_date",
            "amount_claimed",
            "approved_amount",
            "status",
            "due_date",
            "settle",
            "standard",
        ]
        sequence = fields
        attrs = {"class": "table table-sm table-hover align-middle bg-white", "id": "claims"}
        empty_text = "没有符合条件的理赔案件。"

    def render_amount_claimed(self, value):
        return format_yuan(value)

    def render_approved_amount(self, value):
        return format_yuan(value)

    def render_due_date(self, record, value):
        if value is None:
            return "—"
        if record.status in AWAITING_DECISION and value < timezone.localdate():
            return format_html(
                '<span class="badge text-bg-danger">已超期</span> {}', f"{value:%Y-%m-%d}"
            )
        return f"{value:%Y-%m-%d}"

    def render_settle(self, record):
        days = days_to_settle(record)
        return "—" if days is None else f"{days} 天"

    def render_standard(self, record):
        met = met_standard(record)
        if met is None:
            return "—"
        if met:
            return format_html('<span class="badge text-bg-success">{}</span>', "达标")
        return format_html('<span class="badge text-bg-warning">{}</span>', "超时")
