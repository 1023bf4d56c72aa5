"""Plain indexes for the audit trail: without the second index for LIKE 'prefix%' that
``db_index=True`` adds to a text field on PostgreSQL (nothing queries them), and without the
index of the object type alone, which the index on (object type, object id) serves: a register
import of 100,000 households writes 100,000 events."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("haimen_insurance", "0011_job_review_kinds"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="action",
            field=models.CharField(
                choices=[
                    ("user.create", "新建用户"),
                    ("user.update", "修改用户"),
                    ("user.deactivate", "停用用户"),
                    ("user.activate", "启用用户"),
                    ("user.reset_password", "重置密码"),
                    ("user.change_password", "修改本人密码"),
                    ("export.download", "下载含完整身份证号的文件"),
                    ("area.assign_insurer", "指定承保公司"),
                    ("register_import.upload", "上传登记文件"),
                    ("register_import.discard", "登记文件有错误，未导入"),
                    ("register_import.apply", "导入登记文件"),
                    ("household.import_create", "导入新增登记"),
                    ("household.import_update", "导入更新登记"),
                    ("household.create", "新增独生子女证登记"),
                    ("household.update", "修改独生子女证登记"),
                    ("household.revoke", "注销独生子女证"),
                    ("household.move_away", "登记迁出"),
                    ("household.restore", "恢复为有效证"),
                    ("campaign.create", "建立参保年度"),
                    ("campaign.update", "修改参保年度"),
                    ("campaign.roll_over", "续保生成下一年度"),
                    ("campaign.open", "开放参保年度"),
                    ("campaign.delete", "删除参保年度"),
                    ("assessment.rule", "设置考核评分规则"),
                    ("assessment.rule_delete", "删除考核评分规则"),
                    ("review.note", "填写点评总结"),
                    ("campaign.township_insurer", "指定乡镇承保公司"),
                    ("product.update", "修改险种"),
                    ("roster.decide", "登记参保情况"),
                    ("roster.clear", "撤销登记"),
                    ("roster.enrol_all", "一键登记参保"),
                    ("roster.submit", "提交名册"),
                    ("roster.approve", "审核通过名册"),
                    ("roster.return", "退回名册"),
                    ("township_report.draft", "生成乡镇汇总表"),
                    ("township_report.report", "上报乡镇汇总表"),
                    ("transfer.record", "登记保费划拨"),
                    ("policies.issue", "出具保单"),
                    ("claim.report", "报案"),
                    ("claim.document", "登记理赔材料"),
                    ("claim.document_remove", "撤销理赔材料"),
                    ("claim.documents_complete", "材料齐全"),
                    ("claim.submit", "移交保险公司"),
                    ("claim.escalate", "疑难上报"),
                    ("claim.approve", "核定赔付"),
                    ("claim.reject", "拒赔"),
                    ("claim.pay", "赔付"),
                    ("claim.close", "结案"),
                ],
                max_length=50,
                verbose_name="操作",
            ),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="object_type",
            field=models.CharField(max_length=100, verbose_name="对象类型"),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["action"], name="audit_action_idx"),
        ),
    ]
