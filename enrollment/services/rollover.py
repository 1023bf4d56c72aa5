"""Roll-over (续保): next year's campaign made from this one.

Dates move one year on, products are copied (and stay editable until a roster is submitted), each
township keeps this year's insurer. The new draft rosters propose last year's enrolled households
as continuing with the same products and shares where they are still eligible, mark those whose
child has reached the age limit (or who are no longer eligible for another reason) as not
eligible, and leave new certificates and last year's declines undecided for the cadre.
"""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from haimen_insurance.audit import audit_record

from ..eligibility import Reason, judge
from ..models import Campaign, EntryProduct, Roster, RosterEntry, TownshipInsurer
from .campaigns import CAMPAIGN_FIELDS, PRODUCT_FIELDS, _check_city_officer, campaign_create
from .rosters import entry_decide


@dataclass(frozen=True)
class RollOver:
    campaign: Campaign
    continuing: int  # enrolled last year and proposed again
    aged_out: int  # enrolled last year, child now at the age limit
    no_longer_eligible: int  # enrolled last year, not eligible for another reason


def next_year(day: date) -> date:
    """The same day one year on; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def campaign_roll_over(*, actor, campaign: Campaign) -> RollOver:
    _check_city_officer(actor)
    year = campaign.year + 1
    if Campaign.objects.filter(year=year).exists():
        raise ValidationError(f"{year}年度已经建立，不能再次续保生成。")
    fields = {
        name: next_year(value) if isinstance(value, date) else value
        for name in CAMPAIGN_FIELDS
        for value in [getattr(campaign, name)]
    }
    products = {
        product.code: {name: getattr(product, name) for name in PRODUCT_FIELDS}
        for product in campaign.products.all()
    }
    with transaction.atomic():
        new = campaign_create(actor=actor, year=year, products=products, **fields)
        for choice in TownshipInsurer.objects.filter(campaign=campaign):
            TownshipInsurer.objects.update_or_create(
                campaign=new, township_id=choice.township_id, defaults={"insurer": choice.insurer}
            )
        counts = _propose(campaign, new)
        audit_record(
            actor=actor,
            action="campaign.roll_over",
            obj=new,
            changes={
                "上一年度": campaign.year,
                "续保户数": counts.continuing,
                "子女满龄": counts.aged_out,
                "其他不再符合": counts.no_longer_eligible,
            },
        )
    return RollOver(new, counts.continuing, counts.aged_out, counts.no_longer_eligible)


def _propose(old: Campaign, new: Campaign) -> RollOver:
    """Decide, in the new draft rosters, the households enrolled in ``old``."""
    new_products = {product.code: product for product in new.products.all()}
    rosters = {roster.village_id: roster for roster in Roster.objects.filter(campaign=new)}
    shares_of = {}
    for entry_id, code, shares in EntryProduct.objects.filter(
        entry__roster__campaign=old, entry__decision=RosterEntry.Decision.ENROLLED
    ).values_list("entry", "product__code", "shares"):
        shares_of.setdefault(entry_id, {})[new_products[code]] = shares
    continuing = aged_out = other = 0
    enrolled = (
        RosterEntry.objects.filter(roster__campaign=old, decision=RosterEntry.Decision.ENROLLED)
        .select_related("household")
        .order_by("pk")
    )
    for entry in enrolled:
        household = entry.household
        roster = rosters.get(household.village_id)
        if roster is None:
            continue
        eligibility = judge(household, age_date=new.age_date, age_limit=new.age_limit)
        if eligibility.eligible:
            entry_decide(
                actor=None,
                roster=roster,
                household=household,
                decision=RosterEntry.Decision.ENROLLED,
                shares=shares_of.get(entry.pk),
            )
            continuing += 1
            continue
        reason = f"续保核对：{eligibility.label}"
        if eligibility.reason == Reason.AGE:
            reason = f"续保核对：子女已满 {new.age_limit} 周岁"
            aged_out += 1
        else:
            other += 1
        entry_decide(
            actor=None,
            roster=roster,
            household=household,
            decision=RosterEntry.Decision.NOT_ELIGIBLE,
            reason=reason,
        )
    return RollOver(new, continuing, aged_out, other)
