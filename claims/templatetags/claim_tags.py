"""What claims shows on the pages of the apps below it. The household page of enrollment lists
the household's claims with ``{% load claim_tags %}{% household_claims household %}``, so
enrollment's code never imports claims (the dependency is the template's, and runs upward only
in the template)."""

from django import template

from claims import access
from claims.models import Claim

register = template.Library()


@register.inclusion_tag("claims/_household_claims.html", takes_context=True)
def household_claims(context, household):
    """The claims under the household's policies that the signed-in user may see, newest first."""
    user = context["request"].user
    claims = (
        Claim.objects.for_user(user)
        .filter(policy__household=household)
        .select_related("person")
        .order_by("-reported_at")
    )
    return {
        "claims": claims,
        "household": household,
        "can_view": access.may_view_claims(user),
        "can_report": access.may_report_claims(user),
    }
