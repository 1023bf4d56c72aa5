import django_tables2 as tables
from django.utils.html import format_html, format_html_join

from .audit import readable_changes
from .audit_labels import action_label
from .models import Area, AuditEvent, User


class AreaTable(tables.Table):
    code = tables.Column(verbose_name="区划代码")
    name = tables.Column(linkify=True, verbose_name="名称")
    kind = tables.Column(verbose_name="类别")
    parent = tables.Column(verbose_name="上级", accessor="parent__name", default="—")
    insurer = tables.Column(verbose_name="承保公司", accessor="insurer__name", default="—")

    class Meta:
        model = Area
        fields = ["code", "name", "kind", "parent", "insurer"]
        orderable = False


class UserTable(tables.Table):
    username = tables.Column(linkify=True, verbose_name="用户名")
    full_name = tables.Column(verbose_name="姓名")
    role = tables.Column(verbose_name="角色")
    scope = tables.Column(verbose_name="所属", accessor="scope_label", orderable=False)
    is_active = tables.BooleanColumn(verbose_name="启用", yesno="启用,停用")
    last_login = tables.DateTimeColumn(verbose_name="最近登录", format="Y-m-d H:i", default="从未")

    class Meta:
        model = User
        fields = ["username", "full_name", "role", "scope", "is_active", "last_login"]


class AuditEventTable(tables.Table):
    at = tables.DateTimeColumn(verbose_name="时间", format="Y-m-d H:i:s")
    actor = tables.Column(verbose_name="操作人", default="系统")
    action = tables.Column(verbose_name="操作")
    object_repr = tables.Column(verbose_name="对象")
    area = tables.Column(verbose_name="区域", default="—")
    changes = tables.Column(verbose_name="变更内容", orderable=False, empty_values=())

    class Meta:
        model = AuditEvent
        fields = ["at", "actor", "action", "object_repr", "area", "changes"]
        orderable = False

    def render_action(self, value):
        return action_label(value)

    def render_changes(self, record):
        """Readable changes; resident IDs masked for the roles that do not see them in full."""
        rows = readable_changes(record, full_ids=self.request.user.sees_full_ids)
        if not rows:
            return "—"
        return format_html_join(
            "",
            "<div>{}</div>",
            (
                (
                    format_html("{}：{}", label, new)
                    if old is None
                    else format_html("{}：{} → {}", label, old, new),
                )
                for label, old, new in rows
            ),
        )
