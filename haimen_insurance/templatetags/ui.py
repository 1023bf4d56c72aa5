"""Small template helpers: Bootstrap classes on form widgets, masked resident IDs, money."""

from decimal import Decimal

from django import forms, template

from haimen_insurance.money import format_yuan

register = template.Library()


@register.filter
def bs(field):
    """Render a bound field's widget with the Bootstrap class that fits it."""
    widget = field.field.widget
    if isinstance(widget, (forms.CheckboxInput, forms.RadioSelect, forms.CheckboxSelectMultiple)):
        css = "form-check-input"
    elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
        css = "form-select"
    else:
        css = "form-control"
    if field.errors:
        css += " is-invalid"
    return field.as_widget(attrs={"class": css})


@register.filter
def yuan(amount):
    """1200 → 1,200.00"""
    if amount in (None, ""):
        return "—"
    return format_yuan(Decimal(amount))
