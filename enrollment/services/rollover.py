"""Roll-over (续保): next year's campaign made from this one.

The new campaign is being prepared until the city officer opens it. Dates move one year on,
products and their premium shares are copied (and stay editable until a roster is
submitted), each township keeps this year's insurer. The new draft rosters propose last year's
enrolled households as continuing with the same products and shares where they are still
eligible, mark those whose child has reached the age limit (or who are no longer eligible for
another reason) as not eligible, and leave new certificates and last year's declines undecided
for the cadre.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from haimen_insurance.audit import audit_record, audit_rows, audit_values
from haimen_insurance.audit_labels import AuditAction
from haimen_insurance.bulk import batched, insert_rows

from ..eligibility import Reason, judge
from ..models import (
    Campaign,
    CountyShareAmount,
    EntryProduct,
    Household,
    PremiumShare,
    Product,
    Roster,
    RosterEntry,
    TownshipInsurer,
)
from ..models.campaigns import campaign_bound_errors, one_year_on
from ..models.rosters import register_snapshot
from .campaigns import CAMPAIGN_FIELDS, PRODUCT_FIELDS, campaign_create, check_city_officer
from .register_import.check import CHUNK
from .rosters import insured_persons, persons_for


@dataclass(frozen=True)
class RollOver:
    campaign: Campaign
    continuing: int  # enrolled last year and proposed again
    aged_out: int  # enrolled last year, child now at the age limit
    no_longer_eligible: int  # enrolled last year, not eligible for another reason
    left_undecided: int = 0  # a family member now insured through another continuing family


def next_year(day: date) -> date:
    """The same day one year on; 29 February becomes 28 February."""
    moved = one_year_on(day)
    if moved is None:
        raise ValidationError(f"日期 {day:%Y-%m-%d} 顺延一年超出了日历范围，请先修改本年度的日期。")
    return moved


def _copy_shares(campaign, new) -> None:
    """Last year's premium shares (and counties' amounts) onto the new year's products, in
    place of the default (the township taking it all)."""
    products = {product.code: product for product in new.products.all()}
    shares = list(
        PremiumShare.objects.filter(campaign=campaign)
        .select_related("product")
        .prefetch_related("county_amounts")
    )
    if not shares:
        return
    PremiumShare.objects.filter(campaign=new).delete()
    for share in shares:
        copy = PremiumShare.objects.create(
            campaign=new,
            product=products[share.product.code],
            payer=share.payer,
            amount=share.amount,
            takes_rest=share.takes_rest,
        )
        CountyShareAmount.objects.bulk_create(
            CountyShareAmount(share=copy, county_id=amount.county_id, amount=amount.amount)
            for amount in share.county_amounts.all()
        )


def campaign_roll_over(*, actor, campaign: Campaign, progress=None) -> RollOver:
    """Next year's campaign, being prepared: the city reviews it, then opens it.

    ``progress(n)`` is called as last year's enrolled households are proposed."""
    check_city_officer(actor)
    if campaign.status != Campaign.Status.OPEN:
        raise ValidationError(f"{campaign}尚未开放，不能据此续保生成下一年度。")
    year = campaign.year + 1
    if Campaign.objects.filter(year=year).exists():
        raise ValidationError(f"{year}年度已经建立，不能再次续保生成。")
    too_late = campaign_bound_errors(year, {}, today=timezone.localdate()).get("year")
    if too_late:
        raise ValidationError(too_late)
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
        _copy_shares(campaign, new)
        for choice in TownshipInsurer.objects.filter(campaign=campaign):
            TownshipInsurer.objects.update_or_create(
                campaign=new, township_id=choice.township_id, defaults={"insurer": choice.insurer}
            )
        counts = _propose(campaign, new, progress)
        audit_record(
            actor=actor,
            action=AuditAction.CAMPAIGN_ROLL_OVER,
            obj=new,
            changes={
                "上一年度": campaign.year,
                "续保户数": counts.continuing,
                "子女满龄": counts.aged_out,
                "其他不再符合": counts.no_longer_eligible,
                "留待村里登记": counts.left_undecided,
            },
        )
    return counts


def _propose(old: Campaign, new: Campaign, progress=None) -> RollOver:
    """Decide, in the new draft rosters, the households enrolled in ``old``: a few thousand
    households per round of bulk inserts (entries, products, insured persons, one audit event
    per entry as ``entry_decide`` writes it), never queries per household."""
    new_products = {product.code: product for product in new.products.all()}
    rosters = {
        roster.village_id: roster
        for roster in Roster.objects.filter(campaign=new).select_related("village")
    }
    shares_of = {}
    for entry_id, code, shares in EntryProduct.objects.filter(
        entry__roster__campaign=old, entry__decision=RosterEntry.Decision.ENROLLED
    ).values_list("entry", "product__code", "shares"):
        shares_of.setdefault(entry_id, {})[new_products[code]] = shares
    every_product = dict.fromkeys(new_products.values(), 1)
    enrolled = (
        RosterEntry.objects.filter(roster__campaign=old, decision=RosterEntry.Decision.ENROLLED)
        .select_related("household")
        .order_by("pk")
    )
    counts = Counter()
    insured = set()  # (product id, ID number) of the new year's insured persons
    for chunk in batched(enrolled.iterator(chunk_size=CHUNK), CHUNK):
        proposals = []
        for old_entry in chunk:
            household = old_entry.household
            roster = rosters.get(household.village_id)
            if roster is None:
                continue
            proposal = _proposal(new, household, roster, shares_of.get(old_entry.pk, every_product))
            people = {
                (product.pk, id_number)
                for product in proposal.shares
                for _, _, id_number in persons_for(household, product)
            }
            if people & insured:
                # A parent now also on another continuing family's certificate: the cadre decides.
                counts["left_undecided"] += 1
                continue
            insured |= people
            counts[proposal.count_as] += 1
            proposals.append(proposal)
        _write(new, proposals)
        if progress is not None:
            progress(len(chunk))
    return RollOver(
        new,
        counts["continuing"],
        counts["aged_out"],
        counts["no_longer_eligible"],
        counts["left_undecided"],
    )


@dataclass
class _Proposal:
    entry: RosterEntry
    household: Household
    shares: dict[Product, int]  # empty unless enrolled
    count_as: str


def _proposal(new: Campaign, household, roster: Roster, shares: dict) -> _Proposal:
    """Last year's enrolled household in the new year: the same products and shares (those that
    insure somebody in it), or not eligible with the reason."""
    eligibility = judge(household, age_date=new.age_date, age_limit=new.age_limit)
    entry = RosterEntry(
        roster=roster,
        household=household,
        **register_snapshot(household, eligibility.reason),
    )
    if eligibility.eligible:
        shares = {product: count for product, count in shares.items() if count}
        shares = {product: n for product, n in shares.items() if persons_for(household, product)}
        entry.decision = RosterEntry.Decision.ENROLLED
        entry.policies = len(shares)
        entry.premium = sum((product.premium * n for product, n in shares.items()), Decimal(0))
        return _Proposal(entry, household, shares, "continuing")
    entry.decision = RosterEntry.Decision.NOT_ELIGIBLE
    if eligibility.reason == Reason.AGE:
        entry.reason = f"续保核对：子女已满 {new.age_limit} 周岁"
        return _Proposal(entry, household, {}, "aged_out")
    entry.reason = f"续保核对：{eligibility.label}"
    return _Proposal(entry, household, {}, "no_longer_eligible")


def _write(new: Campaign, proposals: list[_Proposal]) -> None:
    entries = _insert([proposal.entry for proposal in proposals])
    lines = _insert(
        [
            EntryProduct(
                entry=proposal.entry, product=product, shares=n, premium=product.premium * n
            )
            for proposal in proposals
            for product, n in proposal.shares.items()
        ]
    )
    households = {proposal.household.pk: proposal.household for proposal in proposals}
    _insert(insured_persons(new, lines, households))
    audit_rows(
        [
            audit_values(
                actor=None,  # the system proposes; the cadre's own decisions name the cadre
                action=AuditAction.ROSTER_DECIDE,
                obj=entry,
                area=proposal.entry.roster.village_id,
                changes={
                    "decision": ["", entry.decision],
                    "reason": entry.reason,
                    **{f"shares:{product.code}": n for product, n in proposal.shares.items()},
                },
            )
            for entry, proposal in zip(entries, proposals, strict=True)
        ]
    )


def _insert(objects: list) -> list:
    """Insert unsaved model instances of one model (with COPY on PostgreSQL: ``insert_rows``)
    and give each its key; returns them."""
    if not objects:
        return objects
    fields = [field for field in objects[0]._meta.concrete_fields if not field.primary_key]
    keys = insert_rows(
        type(objects[0]),
        [field.attname for field in fields],
        [tuple(field.pre_save(instance, add=True) for field in fields) for instance in objects],
    )
    for instance, key in zip(objects, keys, strict=True):
        instance.pk = key
    return objects
