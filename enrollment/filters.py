"""Search and filters of the register list and of policy search."""

import django_filters
from django.db.models import Q
from django.utils import timezone

from haimen_insurance.area_pickers import AreaChoiceFilter
from haimen_insurance.models import Area

from .access import sees_one_village
from .models import Campaign, Household, InsuredPerson, Policy, Product
from .resident_ids import ResidentIdError, parse_resident_id

PAYER_CHOICES = [("village", "村集体"), ("employer", "企事业单位")]


def _villages(request):
    return Area.objects.for_user(request.user).villages()


def _resident_id(value: str) -> str | None:
    """The 18-character form of an ID typed into the search box, or None if it is not one."""
    try:
        return parse_resident_id(value, today=timezone.localdate()).number
    except ResidentIdError:
        return None


class HouseholdFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="姓名、身份证号或证号", method="search")
    village = AreaChoiceFilter(label="村（社区）", queryset=_villages, empty_label="全部村（社区）")
    status = django_filters.ChoiceFilter(
        label="状态", choices=Household.Status.choices, empty_label="全部状态"
    )
    payer = django_filters.ChoiceFilter(
        label="奖励金发放", choices=PAYER_CHOICES, empty_label="全部", method="by_payer"
    )

    class Meta:
        model = Household
        fields = ["q", "village", "status", "payer"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if sees_one_village(self.request.user):
            del self.filters["village"]  # a cadre's list is one village already

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        found = (
            Q(certificate_no__icontains=value)
            | Q(child_name__contains=value)
            | Q(father_name__contains=value)
            | Q(mother_name__contains=value)
        )
        number = _resident_id(value)
        if number:
            found |= (
                Q(child_id_number=number) | Q(father_id_number=number) | Q(mother_id_number=number)
            )
        return queryset.filter(found)

    def by_payer(self, queryset, name, value):
        if value == "village":
            return queryset.filter(employer_name="")
        return queryset.exclude(employer_name="")


class PolicyFilter(django_filters.FilterSet):
    """Policy search: a policy number, an insured person's name or resident ID, or a
    certificate number; narrowed by year, product and status."""

    q = django_filters.CharFilter(label="姓名、身份证号、保单号或证号", method="search")
    # Policies are issued in open campaigns only, so one being prepared is never offered.
    campaign = django_filters.ModelChoiceFilter(
        label="参保年度",
        queryset=Campaign.objects.filter(status=Campaign.Status.OPEN),
        empty_label="全部年度",
    )
    product__code = django_filters.ChoiceFilter(
        label="险种", choices=Product.Code.choices, empty_label="全部险种"
    )
    # 有效 and 已到期 follow the cover's dates (Policy.shown_status), not only the stored status.
    status = django_filters.ChoiceFilter(
        label="状态", choices=Policy.Status.choices, empty_label="全部状态", method="by_status"
    )

    class Meta:
        model = Policy
        fields = ["q", "campaign", "product__code", "status"]

    def by_status(self, queryset, name, value):
        return queryset.reading_as(value) if value else queryset

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        number = _resident_id(value) or value
        matching = InsuredPerson.objects.filter(
            Q(name__contains=value) | Q(id_number=number)
        ).values("entry_product")
        return queryset.filter(
            Q(number__iexact=value)
            | Q(household__certificate_no=value)
            | Q(entry_product__in=matching)
        )
