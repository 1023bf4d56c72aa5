"""Every area picker of the app: one label, one field, one filter.

Haimen has some 300 villages and several share a name (东兴村, 新河村, …), so a village is
always shown with its township: 「海门镇 / 东兴村」. A township or the city shows its own name.
The pickers' querysets read each village's township in the same query (``select_related``), so
the labels cost no query per village, and the select carries ``data-hm-search``:
``static/js/app.js`` turns a long one into a searchable list (Tom Select, static/vendor/).
"""

import django_filters
from django import forms
from django_filters.fields import ModelChoiceField as FilterModelChoiceField

SEARCHABLE = "data-hm-search"


def area_label(area) -> str:
    """「乡镇 / 村」 for a village, the name alone for a township or the city."""
    if area.is_village and area.parent_id is not None:
        return f"{area.parent.name} / {area.name}"
    return area.name


def picker_areas(queryset):
    """``queryset`` as a picker lists it: in code order, each village with its township."""
    return queryset.select_related("parent").order_by("code")


class _AreaLabels:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.widget.attrs[SEARCHABLE] = ""

    def label_from_instance(self, obj):
        return area_label(obj)


class AreaChoiceField(_AreaLabels, forms.ModelChoiceField):
    """A form's area picker."""


class _FilterAreaChoiceField(_AreaLabels, FilterModelChoiceField):
    pass


class AreaChoiceFilter(django_filters.ModelChoiceFilter):
    """A list's area filter; ``queryset`` may be a callable of the request, as django-filter
    allows, and is passed through ``picker_areas``."""

    field_class = _FilterAreaChoiceField

    def get_queryset(self, request):
        return picker_areas(super().get_queryset(request))
