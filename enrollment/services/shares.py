"""The rules of a product's premium shares (保费分担), for the campaign services that set them
(``services.campaigns.premium_shares_set``, by the city officer) and make a campaign's products.

A set of shares is refused, nothing written, when a county share is asked for where the city
has no counties, when not exactly one share takes the rest, or when the fixed shares of any
county come to more than the premium per share (the rest would be negative).
"""

from dataclasses import dataclass
from decimal import Decimal

from haimen_insurance.models import Area
from haimen_insurance.money import format_yuan

from ..models import PremiumShare, Product

Payer = PremiumShare.Payer
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class ShareInput:
    """One payer's share as the city officer sets it: an amount per share unit, or the rest;
    for the county share, the counties whose amount differs ({county id: amount})."""

    payer: str
    amount: Decimal | None = None
    takes_rest: bool = False
    by_county: dict | None = None


def default_shares(product: Product) -> list[PremiumShare]:
    """A new product's shares: the township takes it all (Haimen's campaign, and today's
    behaviour wherever nobody has set shares)."""
    return [
        PremiumShare(
            campaign_id=product.campaign_id,
            product=product,
            payer=Payer.TOWNSHIP,
            amount=None,
            takes_rest=True,
        )
    ]


def share_errors(product: Product, shares: list[ShareInput], premium: Decimal) -> list[str]:
    """Why ``shares`` cannot be the shares of ``product`` at ``premium`` per share (Chinese);
    empty when they can. Reads the counties (one query where a county share is asked for)."""
    errors = []
    payers = [share.payer for share in shares]
    if any(payer not in Payer.values for payer in payers):
        return ["分担方不正确。"]
    if len(set(payers)) != len(payers):
        errors.append("同一分担方只能设置一次。")
    rest = [share for share in shares if share.takes_rest]
    if len(rest) != 1:
        errors.append(f"{product}须有且只有一方承担其余部分。")
    for share in shares:
        label = Payer(share.payer).label
        if share.takes_rest:
            if share.by_county:
                errors.append(f"{label}承担其余部分，不能再按县（区）设置金额。")
            continue
        if share.amount is None:
            errors.append(f"请填写{label}每份分担的金额，或选它承担其余部分。")
        elif share.amount < 0:
            errors.append(f"{label}每份分担的金额不能为负数。")
    if errors:
        return errors
    county_share = next((share for share in shares if share.payer == Payer.COUNTY), None)
    counties = {}
    if county_share is not None:
        counties = {county.pk: county for county in Area.objects.counties().order_by("code")}
        if not counties:
            return ["本市不设县（区），不能设置县（区）财政分担。"]
        unknown = set(county_share.by_county or {}) - set(counties)
        if unknown:
            return ["县（区）分担金额只能按本市的县（区）设置。"]
        if any(amount < 0 for amount in (county_share.by_county or {}).values()):
            return ["县（区）每份分担的金额不能为负数。"]
    elif any(share.by_county for share in shares):
        return ["只有县（区）财政分担可以按县（区）设置不同金额。"]

    def fixed(county_id):
        total = ZERO
        for share in shares:
            if share.takes_rest:
                continue
            amount = share.amount
            if share.payer == Payer.COUNTY and county_id in (share.by_county or {}):
                amount = share.by_county[county_id]
            total += amount
        return total

    places = [(None, "")] + [(pk, county.name) for pk, county in counties.items()]
    for county_id, name in places:
        total = fixed(county_id)
        if total > premium:
            where = f"（{name}）" if name else ""
            errors.append(
                f"{product}各方固定分担合计 {format_yuan(total)} 元{where}超过每份保费 "
                f"{format_yuan(premium)} 元，分担之和须等于每份保费。"
            )
    return errors


def described(shares) -> dict:
    """The audit's picture of a product's shares: {payer label: amount or 其余部分}."""
    described = {}
    for share in shares:
        label = Payer(share.payer).label
        if share.takes_rest:
            described[label] = "其余部分"
        else:
            described[label] = format_yuan(share.amount)
        for county, amount in sorted((share.by_county or {}).items()):
            described[f"{label}（{county}）"] = format_yuan(amount)
    return described


def shares_allow_premium(product: Product, premium: Decimal) -> list[str]:
    """Why ``product``'s current shares would not fit a new premium per share (Chinese)."""
    current = PremiumShare.objects.filter(product=product).prefetch_related("county_amounts")
    shares = [
        ShareInput(
            share.payer,
            share.amount,
            share.takes_rest,
            {amount.county_id: amount.amount for amount in share.county_amounts.all()},
        )
        for share in current
    ]
    if not shares:
        return []
    return share_errors(product, shares, premium)
