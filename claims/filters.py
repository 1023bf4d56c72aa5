"""Filters of the claims register."""

import django_filters
from django.db.models import Q

from haimen_insurance.area_pickers import AreaChoiceFilter
from haimen_insurance.models import Area

from .models import Claim


def _villages(request):
    if request is None:
        return Area.objects.none()
    return Area.objects.for_user(request.user).villages()


class ClaimFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="案件号、被保险人或身份证号", method="search")
    status = django_filters.ChoiceFilter(
        label="状态", choices=Claim.Status.choices, empty_label="全部状态"
    )
    benefit = django_filters.ChoiceFilter(
        label="保险责任", choices=Claim.Benefit.choices, empty_label="全部责任"
    )
    village = AreaChoiceFilter(label="村（社区）", queryset=_villages, empty_label="全部村（社区）")
    reported_from = django_filters.DateFilter(
        label="报案日期起", field_name="reported_at", lookup_expr="date__gte"
    )
    reported_to = django_filters.DateFilter(
        label="报案日期止", field_name="reported_at", lookup_expr="date__lte"
    )

    class Meta:
        model = Claim
        fields = ["q", "status", "benefit", "village", "reported_from", "reported_to"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__iexact=value)
            | Q(person__name__contains=value)
            | Q(person__id_number=value.upper())
        )
