"""Small template helpers: Bootstrap classes on form widgets, what a reader may see of resident IDs
and birth dates, money."""

from decimal import Decimal

from django import forms, template

from haimen_insurance.money import format_yuan
from haimen_insurance.privacy import shown_birth_date, shown_dates_in, shown_text

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


@register.filter
def birth_date(value, full_ids):
    """{{ household.child_birth_date|birth_date:user.sees_full_ids }} → 2005-03-14, or 2005年 for
    a reader who sees IDs masked."""
    return shown_birth_date(value, full_ids=bool(full_ids))


@register.filter
def ids_masked(text, full_ids):
    """{{ claim.description|ids_masked:user.sees_full_ids }}: free text with any resident ID in
    it masked unless the reader sees IDs in full."""
    return shown_text(text, full_ids=bool(full_ids))


@register.filter
def dates_masked(text, full_ids):
    """{{ reason|dates_masked:user.sees_full_ids }}: a message that may name a birth date, with
    its dates cut to the year unless the reader sees IDs in full."""
    return shown_dates_in(text, full_ids=bool(full_ids))
