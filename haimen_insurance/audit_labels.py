"""How the audit trail reads: every action code with its label (``AuditAction``, the choices of
``AuditEvent.action``) and the label of each key of an event's changes. Data only, so that both
the model and the audit helpers (``audit.py``, which imports the model) can import it without a
circle."""

from django.db import models


class AuditAction(models.TextChoices):
    """Every action the audit trail records: the code kept in ``AuditEvent.action`` and what it
    reads as. The services name the member (``AuditAction.ROSTER_SUBMIT``), never a string."""

    USER_CREATE = "user.create", "新建用户"
    USER_UPDATE = "user.update", "修改用户"
    USER_DEACTIVATE = "user.deactivate", "停用用户"
    USER_ACTIVATE = "user.activate", "启用用户"
    USER_RESET_PASSWORD = "user.reset_password", "重置密码"
    USER_CHANGE_PASSWORD = "user.change_password", "修改本人密码"
    EXPORT_DOWNLOAD = "export.download", "下载含完整身份证号的文件"
    AREA_ASSIGN_INSURER = "area.assign_insurer", "指定承保公司"
    REGISTER_IMPORT_UPLOAD = "register_import.upload", "上传登记文件"
    REGISTER_IMPORT_DISCARD = "register_import.discard", "登记文件有错误，未导入"
    REGISTER_IMPORT_APPLY = "register_import.apply", "导入登记文件"
    HOUSEHOLD_IMPORT_CREATE = "household.import_create", "导入新增登记"
    HOUSEHOLD_IMPORT_UPDATE = "household.import_update", "导入更新登记"
    HOUSEHOLD_CREATE = "household.create", "新增独生子女证登记"
    HOUSEHOLD_UPDATE = "household.update", "修改独生子女证登记"
    HOUSEHOLD_REVOKE = "household.revoke", "注销独生子女证"
    HOUSEHOLD_MOVE_AWAY = "household.move_away", "登记迁出"
    HOUSEHOLD_RESTORE = "household.restore", "恢复为有效证"
    CAMPAIGN_CREATE = "campaign.create", "建立参保年度"
    CAMPAIGN_UPDATE = "campaign.update", "修改参保年度"
    CAMPAIGN_ROLL_OVER = "campaign.roll_over", "续保生成下一年度"
    CAMPAIGN_OPEN = "campaign.open", "开放参保年度"
    CAMPAIGN_DELETE = "campaign.delete", "删除参保年度"
    ASSESSMENT_RULE = "assessment.rule", "设置考核评分规则"
    ASSESSMENT_RULE_DELETE = "assessment.rule_delete", "删除考核评分规则"
    REVIEW_NOTE = "review.note", "填写点评总结"
    CAMPAIGN_TOWNSHIP_INSURER = "campaign.township_insurer", "指定乡镇承保公司"
    PRODUCT_UPDATE = "product.update", "修改险种"
    PREMIUM_SHARES_SET = "premium_shares.set", "设置保费分担"
    ROSTER_DECIDE = "roster.decide", "登记参保情况"
    ROSTER_CLEAR = "roster.clear", "撤销登记"
    ROSTER_ENROL_ALL = "roster.enrol_all", "一键登记参保"
    ROSTER_SUBMIT = "roster.submit", "提交名册"
    ROSTER_APPROVE = "roster.approve", "审核通过名册"
    ROSTER_RETURN = "roster.return", "退回名册"
    TOWNSHIP_REPORT_DRAFT = "township_report.draft", "生成乡镇汇总表"
    TOWNSHIP_REPORT_REPORT = "township_report.report", "上报乡镇汇总表"
    COUNTY_REPORT_DRAFT = "county_report.draft", "县级汇总"
    COUNTY_REPORT_REPORT = "county_report.report", "县级上报"
    TRANSFER_RECORD = "transfer.record", "登记保费划拨"
    POLICIES_ISSUE = "policies.issue", "出具保单"
    CLAIM_REPORT = "claim.report", "报案"
    CLAIM_DOCUMENT = "claim.document", "登记理赔材料"
    CLAIM_DOCUMENT_REMOVE = "claim.document_remove", "撤销理赔材料"
    CLAIM_DOCUMENTS_COMPLETE = "claim.documents_complete", "材料齐全"
    CLAIM_SUBMIT = "claim.submit", "移交保险公司"
    CLAIM_ESCALATE = "claim.escalate", "疑难上报"
    CLAIM_APPROVE = "claim.approve", "核定赔付"
    CLAIM_REJECT = "claim.reject", "拒赔"
    CLAIM_PAY = "claim.pay", "赔付"
    CLAIM_CLOSE = "claim.close", "结案"


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
    "townships": "乡镇（园区）数",
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


_ACTION_LABELS = dict(AuditAction.choices)


def action_label(action: str) -> str:
    """What ``action`` reads as; a code no longer recorded reads as itself."""
    return str(_ACTION_LABELS.get(action, action))
