import django_filters
from django.apps import apps
from django.db.models import Q

from .area_pickers import AreaChoiceFilter
from .audit import object_type_labels
from .audit_labels import AuditAction
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


def _object_types():
    """(model label, its Chinese name) of every model an event may be about."""
    return sorted(
        (model._meta.label_lower, str(model._meta.verbose_name))
        for app in ("haimen_insurance", "enrollment", "claims", "oversight")
        for model in apps.get_app_config(app).get_models()
    )


def _actors(request):
    if request is None:
        return User.objects.none()
    return User.objects.for_user(request.user).order_by("username")


def _areas(request):
    if request is None:
        return Area.objects.none()
    return Area.objects.for_user(request.user)


class AuditEventFilter(django_filters.FilterSet):
    """For auditors: who, where, what kind of object, which action, when."""

    actor = django_filters.ModelChoiceFilter(label="操作人", queryset=_actors, empty_label="全部")
    area = AreaChoiceFilter(
        label="区域（含下辖）", queryset=_areas, empty_label="全部", method="within"
    )
    object_type = django_filters.ChoiceFilter(
        label="对象类型", choices=_object_types, empty_label="全部", method="of_type"
    )
    action = django_filters.ChoiceFilter(
        label="操作", choices=sorted(AuditAction.choices), empty_label="全部"
    )
    date_from = django_filters.DateFilter(label="日期起", field_name="at", lookup_expr="date__gte")
    date_to = django_filters.DateFilter(label="日期止", field_name="at", lookup_expr="date__lte")

    class Meta:
        model = AuditEvent
        fields = ["actor", "area", "object_type", "action", "date_from", "date_to"]

    def of_type(self, queryset, name, object_type):
        """Events about that kind of object, under its label or a former one (a model that
        moved app keeps its old events' label)."""
        return queryset.filter(object_type__in=object_type_labels(object_type))

    def within(self, queryset, name, area):
        """Events of the area itself and of the areas under it, at any depth (by the code's
        prefix, ``Area.objects.within``)."""
        return queryset.filter(area__code__startswith=area.prefix)
