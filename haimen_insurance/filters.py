import django_filters
from django.db.models import Q

from .models import Area, AuditEvent, User
from .roles import Role


class AreaFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="名称或代码", method="search")
    kind = django_filters.ChoiceFilter(label="类别", choices=Area.Kind.choices, empty_label="全部")

    class Meta:
        model = Area
        fields = ["q", "kind"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__contains=value) | Q(code__startswith=value))


class UserFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="用户名或姓名", method="search")
    role = django_filters.ChoiceFilter(label="角色", choices=Role.choices, empty_label="全部角色")
    status = django_filters.ChoiceFilter(
        label="状态", choices=[("active", "启用"), ("inactive", "停用")], method="by_status"
    )

    class Meta:
        model = User
        fields = ["q", "role", "status"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(username__icontains=value) | Q(full_name__contains=value))

    def by_status(self, queryset, name, value):
        return queryset.filter(is_active=(value == "active"))


class AuditEventFilter(django_filters.FilterSet):
    action = django_filters.CharFilter(label="操作代码", lookup_expr="startswith")
    object_type = django_filters.CharFilter(label="对象类型")
    at = django_filters.DateFromToRangeFilter(label="日期")

    class Meta:
        model = AuditEvent
        fields = ["action", "object_type", "at"]
