"""The one helper every service calls to leave an audit event."""

from datetime import date, datetime
from decimal import Decimal

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from .models import Area, AuditEvent
from .privacy import BIRTH_DATE_FIELDS, mask_ids_in, shown_birth_date

# What each action code reads as in the audit trail.
ACTION_LABELS = {
    "user.create": "新建用户",
    "user.update": "修改用户",
    "user.deactivate": "停用用户",
    "user.activate": "启用用户",
    "user.reset_password": "重置密码",
    "user.change_password": "修改本人密码",
    "export.download": "下载含完整身份证号的文件",
    "area.assign_insurer": "指定承保公司",
    "register_import.upload": "上传登记文件",
    "register_import.discard": "登记文件有错误，未导入",
    "register_import.apply": "导入登记文件",
    "household.import_create": "导入新增登记",
    "household.import_update": "导入更新登记",
    "household.create": "新增独生子女证登记",
    "household.update": "修改独生子女证登记",
    "household.revoke": "注销独生子女证",
    "household.move_away": "登记迁出",
    "household.restore": "恢复为有效证",
    "campaign.create": "建立参保年度",
    "campaign.update": "修改参保年度",
    "campaign.roll_over": "续保生成下一年度",
    "campaign.open": "开放参保年度",
    "campaign.delete": "删除参保年度",
    "assessment.rule": "设置考核评分规则",
    "assessment.rule_delete": "删除考核评分规则",
    "review.note": "填写点评总结",
    "campaign.township_insurer": "指定乡镇承保公司",
    "product.update": "修改险种",
    "roster.decide": "登记参保情况",
    "roster.clear": "撤销登记",
    "roster.enrol_all": "一键登记参保",
    "roster.submit": "提交名册",
    "roster.approve": "审核通过名册",
    "roster.return": "退回名册",
    "township_report.draft": "生成乡镇汇总表",
    "township_report.report": "上报乡镇汇总表",
    "transfer.record": "登记保费划拨",
    "policies.issue": "出具保单",
    "claim.report": "报案",
    "claim.document": "登记理赔材料",
    "claim.document_remove": "撤销理赔材料",
    "claim.documents_complete": "材料齐全",
    "claim.submit": "移交保险公司",
    "claim.escalate": "疑难上报",
    "claim.approve": "核定赔付",
    "claim.reject": "拒赔",
    "claim.pay": "赔付",
    "claim.close": "结案",
}


# What each key of an event's changes reads as, where the key is not a field of the event's
# object (a model field reads as its verbose_name). ``prefix*`` covers keys made with a code.
CHANGE_LABELS = {
    # register files (上传登记文件, 登记文件有错误，未导入, 导入登记文件)
    "filename": "文件名",
    "rows": "行数",
    "new": "新增户数",
    "changed": "更新户数",
    "unchanged": "未变户数",
    "error_rows": "有错误的行数",
    "new_count": "新增户数",
    "changed_count": "更新户数",
    "unchanged_count": "未变户数",
    # users and areas
    "role": "角色",
    "area": "所属区域",
    "insurer": "承保公司",
    # rosters and township reports
    "decision": "参保情况",
    "reason": "原因",
    "status": "状态",
    "enrolled": "登记参保户数",
    "skipped": "未登记户数",
    "households": "户数",
    "policies": "保单数",
    "persons": "人数",
    "premium": "保费（元）",
    "shares:*": "份数",
    # assessment rules
    "threshold": "达标线（%）",
    "points": "分值",
    "pro_rata": "未达标按比例得分",
    # claims
    "person": "被保险人",
    "benefit": "保险责任",
    "incident_date": "出险日期",
    "amount_claimed": "申请金额（元）",
    "late_report": "超过48小时报案",
    "due_date": "应结案日期",
    "escalation_reason": "上报原因",
    "approved_amount": "核定金额（元）",
    "rejection_code": "拒赔原因",
    "rejection_text": "拒赔说明",
    "paid_amount": "赔付金额（元）",
    "paid_on": "赔付日期",
    "delivered_on": "送赔款上门日期",
    "received_by_family": "家属签收人",
}


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if hasattr(value, "pk"):
        return str(value)
    return value


def changed_values(before: dict, after: dict) -> dict:
    """{field: [old, new]} for the fields whose value differs, ready for ``changes``."""
    return {
        field: [_plain(before.get(field)), _plain(value)]
        for field, value in after.items()
        if before.get(field) != value
    }


def audit_record(*, actor, action: str, obj, changes: dict | None = None, area: Area | None = None):
    """Append one audit event. Call it inside the service's transaction."""
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        area=area,
        changes={key: _plain(value) for key, value in (changes or {}).items()},
    )


def audit_download(*, actor, export: str, rows: int, obj=None, area: Area | None = None):
    """Record a download that carries resident IDs in full: who (the actor), when, which export
    (of ``obj`` where it is one object's), and how many rows. The views call it only when the
    IDs in the file are not masked."""
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action="export.download",
        object_type=obj._meta.label_lower if obj is not None else "export",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=(str(obj) if obj is not None else export)[:200],
        area=area,
        changes={"文件": export, "行数": rows},
    )


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)


def change_label(object_type: str, name: str) -> str:
    """How the key ``name`` of an event on ``object_type`` reads: the field's verbose_name, or
    the label of ``CHANGE_LABELS``."""
    field = _model_field(object_type, name)
    if field is not None and hasattr(field, "verbose_name"):
        return str(field.verbose_name)
    if name in CHANGE_LABELS:
        return CHANGE_LABELS[name]
    prefix, _, code = name.partition(":")
    if code and f"{prefix}:*" in CHANGE_LABELS:
        return f"{_code_label(code)}{CHANGE_LABELS[f'{prefix}:*']}"
    return name


def _code_label(code: str) -> str:
    """A product's code (``shares:child_safety``) as its name."""
    product = apps.get_model("enrollment", "Product")
    return str(dict(product.Code.choices).get(code, code))


def _model_field(object_type: str, name: str):
    try:
        return apps.get_model(object_type)._meta.get_field(name)
    except (LookupError, ValueError, FieldDoesNotExist):
        return None


def _shown(name: str, field, value, *, full_ids: bool) -> str:
    if value in (None, ""):
        return "—"
    if name in BIRTH_DATE_FIELDS:
        return shown_birth_date(value, full_ids=full_ids)
    if isinstance(field, models.BooleanField):
        return "是" if value else "否"
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    text = str(value)
    return text if full_ids else mask_ids_in(text)


def readable_changes(event: AuditEvent, *, full_ids: bool) -> list[tuple[str, str | None, str]]:
    """(field label, old or None, new) for each change of ``event``, as a reader may see them:
    labels and choices in Chinese, resident IDs masked and birth dates cut to the year unless
    ``full_ids``."""
    rows = []
    for name, values in (event.changes or {}).items():
        field = _model_field(event.object_type, name)
        label = change_label(event.object_type, name)
        if isinstance(values, list) and len(values) == 2:
            old, new = values
            rows.append(
                (
                    label,
                    _shown(name, field, old, full_ids=full_ids),
                    _shown(name, field, new, full_ids=full_ids),
                )
            )
        else:
            rows.append((label, None, _shown(name, field, values, full_ids=full_ids)))
    return rows
