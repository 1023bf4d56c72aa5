"""Spreadsheets of the shared app: the audit trail."""

from django.utils import timezone

from .audit import audited_model, readable_changes
from .audit_labels import action_label
from .xlsx import TEXT, Column, XlsxWriter

AUDIT_COLUMNS = [
    Column("时间", TEXT, width=20),
    Column("操作人"),
    Column("角色"),
    Column("操作", width=18),
    Column("对象类型"),
    Column("对象", width=30),
    Column("区域"),
    Column("变更内容", width=60),
]


def _type_label(object_type: str) -> str:
    model = audited_model(object_type)
    return str(model._meta.verbose_name) if model is not None else object_type


def audit_workbook(events, *, full_ids: bool) -> XlsxWriter:
    writer = XlsxWriter()
    writer.sheet("审计日志", AUDIT_COLUMNS)
    for event in events.iterator(chunk_size=2000):
        changes = "；".join(
            f"{label}：{new}" if old is None else f"{label}：{old} → {new}"
            for label, old, new in readable_changes(event, full_ids=full_ids)
        )
        actor = event.actor
        writer.row(
            [
                f"{timezone.localtime(event.at):%Y-%m-%d %H:%M:%S}",
                actor.display_name if actor else "系统",
                actor.get_role_display() if actor else "",
                action_label(event.action),
                _type_label(event.object_type),
                event.object_repr,
                event.area.name if event.area else "",
                changes,
            ]
        )
    return writer
