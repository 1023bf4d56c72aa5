"""Campaign set-up by the city officer: the year, its dates, products and township insurers.

A new campaign is being prepared (筹备中) until the city officer opens it (``campaign_open``);
until then only the city sees it, and ``campaign_delete`` may remove it while nothing hangs off
it. Products and premiums are fixed once any village roster of the campaign has been submitted:
both the product edit and the roster submit lock the campaign row, so they cannot cross.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from haimen_insurance.access import deny_unless
from haimen_insurance.audit import audit_record, changed_values
from haimen_insurance.audit_labels import AuditAction
from haimen_insurance.models import Area, Insurer

from ..access import may_set_up_campaigns
from ..models import (
    Campaign,
    CountyShareAmount,
    Policy,
    PremiumShare,
    Product,
    Roster,
    RosterEntry,
    TownshipInsurer,
    TownshipReport,
)
from ..models.campaigns import DEFAULT_PRODUCTS
from .shares import ShareInput, default_shares, described, share_errors, shares_allow_premium

CAMPAIGN_FIELDS = (
    "coverage_start",
    "coverage_end",
    "age_limit",
    "age_date",
    "verification_deadline",
    "mobilisation_deadline",
    "implementation_deadline",
    "review_deadline",
)
PRODUCT_FIELDS = (
    "premium",
    "accident_cap",
    "medical_cap",
    "caps_per_person",
    "medical_deductible",
    "reimbursement_ratio",
)


def check_city_officer(actor) -> None:
    deny_unless(may_set_up_campaigns(actor), "只有市计生委可以设置参保年度。")


def _validate(campaign: Campaign) -> None:
    try:
        campaign.full_clean(exclude=["year"] if campaign.pk else None)
    except ValidationError as error:
        raise ValidationError(error.messages) from error


def campaign_create(*, actor, year: int, products: dict | None = None, **fields) -> Campaign:
    """A campaign with both products (docs/design.md defaults, overridden by ``products``:
    ``{code: {field: value}}``), each township's current insurer, and a draft roster for every
    village."""
    check_city_officer(actor)
    if Campaign.objects.filter(year=year).exists():
        raise ValidationError(f"{year}年度已经建立。")
    campaign = Campaign(
        year=year, **{name: fields[name] for name in CAMPAIGN_FIELDS if name in fields}
    )
    _validate(campaign)
    with transaction.atomic():
        try:
            campaign.save()
        except IntegrityError as error:
            raise ValidationError(f"{year}年度已经建立。") from error
        for code, defaults in DEFAULT_PRODUCTS.items():
            values = {**defaults, **((products or {}).get(code, {}))}
            product = Product(campaign=campaign, code=code, **values)
            try:
                product.full_clean(exclude=["campaign"])
            except ValidationError as error:
                raise ValidationError(
                    [f"{product}：{message}" for message in error.messages]
                ) from error
            product.save()
            PremiumShare.objects.bulk_create(default_shares(product))
        townships = Area.objects.townships().filter(insurer__isnull=False)
        TownshipInsurer.objects.bulk_create(
            TownshipInsurer(campaign=campaign, township=township, insurer_id=township.insurer_id)
            for township in townships
        )
        Roster.objects.bulk_create(
            Roster(campaign=campaign, village=village) for village in Area.objects.villages()
        )
        audit_record(
            actor=actor,
            action=AuditAction.CAMPAIGN_CREATE,
            obj=campaign,
            changes=changed_values(
                {}, {"year": year, **{n: getattr(campaign, n) for n in CAMPAIGN_FIELDS}}
            ),
        )
    return campaign


def campaign_update(*, actor, campaign: Campaign, **fields) -> Campaign:
    """Change the campaign's dates or age rule. The age rule is fixed once a roster is
    submitted, like the products."""
    check_city_officer(actor)
    unknown = set(fields) - set(CAMPAIGN_FIELDS)
    if unknown:
        raise ValueError(f"unknown campaign fields: {sorted(unknown)}")
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        before = {name: getattr(campaign, name) for name in fields}
        changes = changed_values(before, fields)
        if not changes:
            return campaign
        if {"age_limit", "age_date"} & set(changes) and campaign_has_submissions(campaign):
            raise ValidationError("已有村名册提交，年龄界限和年龄判定日不能再修改。")
        for name, value in fields.items():
            setattr(campaign, name, value)
        _validate(campaign)
        campaign.save(update_fields=list(changes))
        audit_record(actor=actor, action=AuditAction.CAMPAIGN_UPDATE, obj=campaign, changes=changes)
    return campaign


def campaign_open(*, actor, campaign: Campaign) -> Campaign:
    """Open a campaign being prepared: from now on it is the year everybody works in (the
    newest open one), its rosters reach the villages, and it can no longer be deleted."""
    check_city_officer(actor)
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if campaign.status != Campaign.Status.PREPARING:
            raise ValidationError(f"{campaign}已经开放。")
        _validate(campaign)  # dates saved before the bounds existed are caught here
        campaign.status = Campaign.Status.OPEN
        campaign.opened_at = timezone.now()
        campaign.save(update_fields=["status", "opened_at"])
        audit_record(
            actor=actor,
            action=AuditAction.CAMPAIGN_OPEN,
            obj=campaign,
            changes={"status": [Campaign.Status.PREPARING, Campaign.Status.OPEN]},
        )
    return campaign


def campaign_hangers_on(campaign: Campaign) -> list[str]:
    """What hangs off a campaign and keeps it from being deleted, in Chinese (empty: nothing)."""
    found = []
    if RosterEntry.objects.filter(roster__campaign=campaign).exists():
        found.append("名册已有登记")
    if Roster.objects.filter(campaign=campaign).exclude(status=Roster.Status.DRAFT).exists():
        found.append("已有名册提交")
    if TownshipReport.objects.filter(campaign=campaign).exists():
        found.append("已有乡镇汇总表")
    if Policy.objects.filter(campaign=campaign).exists():
        found.append("已有保单")
    return found


def campaign_delete(*, actor, campaign: Campaign) -> None:
    """Delete a campaign being prepared that nothing hangs off yet (no decision in any of its
    rosters, no report or policy), with its draft rosters, products, insurers and assessment
    rules (set-up, like the products)."""
    check_city_officer(actor)
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if campaign.status != Campaign.Status.PREPARING:
            raise ValidationError(f"{campaign}已经开放，不能删除。")
        # Its rosters locked too, so that no decision is written while the campaign goes.
        list(Roster.objects.select_for_update().filter(campaign=campaign).values_list("pk"))
        hangers_on = campaign_hangers_on(campaign)
        if hangers_on:
            raise ValidationError(f"{campaign}的{'、'.join(hangers_on)}，不能删除。")
        audit_record(
            actor=actor,
            action=AuditAction.CAMPAIGN_DELETE,
            obj=campaign,
            changes=changed_values(
                {name: getattr(campaign, name) for name in ("year", *CAMPAIGN_FIELDS)},
                dict.fromkeys(("year", *CAMPAIGN_FIELDS)),
            ),
        )
        Roster.objects.filter(campaign=campaign).delete()
        campaign.delete()  # its products and township insurers go with it


def campaign_has_submissions(campaign: Campaign) -> bool:
    return Roster.objects.filter(campaign=campaign, submitted_at__isnull=False).exists()


def product_update(*, actor, product: Product, **fields) -> Product:
    """Change a product's premium or caps; refused once any roster has been submitted."""
    check_city_officer(actor)
    unknown = set(fields) - set(PRODUCT_FIELDS)
    if unknown:
        raise ValueError(f"unknown product fields: {sorted(unknown)}")
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=product.campaign_id)
        product = Product.objects.select_for_update().get(pk=product.pk)
        changes = changed_values({name: getattr(product, name) for name in fields}, fields)
        if not changes:
            return product
        if campaign_has_submissions(campaign):
            raise ValidationError(f"{campaign}已有村名册提交，险种和保费不能再修改。")
        if "premium" in changes:
            errors = shares_allow_premium(product, fields["premium"])
            if errors:
                raise ValidationError(errors)
        for name, value in fields.items():
            setattr(product, name, value)
        try:
            product.full_clean(exclude=["campaign", "code"])
        except ValidationError as error:
            raise ValidationError(error.messages) from error
        product.save(update_fields=list(changes))
        audit_record(actor=actor, action=AuditAction.PRODUCT_UPDATE, obj=product, changes=changes)
    return product


def township_insurer_set(*, actor, campaign: Campaign, township: Area, insurer: Insurer):
    """Choose the insurer of a township for a campaign; fixed once the township has reported."""
    check_city_officer(actor)
    with transaction.atomic():
        reports = TownshipReport.objects.select_for_update().filter(
            campaign=campaign, township=township
        )
        if any(not report.allows("draft") for report in reports):
            raise ValidationError(f"{township.name}已上报，承保公司不能再更换。")
        row, created = TownshipInsurer.objects.select_for_update().get_or_create(
            campaign=campaign, township=township, defaults={"insurer": insurer}
        )
        if not created and row.insurer_id == insurer.pk:
            return row
        before = None if created else str(row.insurer)
        row.insurer = insurer
        row.save(update_fields=["insurer"])
        audit_record(
            actor=actor,
            action=AuditAction.CAMPAIGN_TOWNSHIP_INSURER,
            obj=row,
            area=township,
            changes={"insurer": [before, str(insurer)]},
        )
    return row


def _removed(before: dict, after: dict) -> dict:
    """The payers that no longer share: {label: [old, None]}."""
    return {label: [value, None] for label, value in before.items() if label not in after}


def premium_shares_set(*, actor, product: Product, shares: list[ShareInput]) -> list[PremiumShare]:
    """Replace ``product``'s premium shares by ``shares``; refused once any roster of the
    campaign is submitted, or when they do not add up (``share_errors``)."""
    check_city_officer(actor)
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=product.campaign_id)
        product = Product.objects.select_for_update().get(pk=product.pk)
        if campaign_has_submissions(campaign):
            raise ValidationError(f"{campaign}已有村名册提交，保费分担不能再修改。")
        errors = share_errors(product, shares, product.premium)
        if errors:
            raise ValidationError(errors)
        current = list(
            PremiumShare.objects.select_for_update()
            .filter(product=product)
            .prefetch_related("county_amounts__county")
        )
        before = described(
            ShareInput(
                share.payer,
                share.amount,
                share.takes_rest,
                {amount.county.name: amount.amount for amount in share.county_amounts.all()},
            )
            for share in current
        )
        names = dict(Area.objects.counties().values_list("pk", "name"))
        after = described(
            ShareInput(
                share.payer,
                None if share.takes_rest else share.amount,
                share.takes_rest,
                {names[pk]: amount for pk, amount in (share.by_county or {}).items()},
            )
            for share in shares
        )
        if before == after:
            return current
        PremiumShare.objects.filter(product=product).delete()
        made = []
        for share in sorted(shares, key=lambda share: PremiumShare.Payer.values.index(share.payer)):
            row = PremiumShare.objects.create(
                campaign=campaign,
                product=product,
                payer=share.payer,
                amount=None if share.takes_rest else share.amount,
                takes_rest=share.takes_rest,
            )
            CountyShareAmount.objects.bulk_create(
                CountyShareAmount(share=row, county_id=county, amount=amount)
                for county, amount in (share.by_county or {}).items()
            )
            made.append(row)
        audit_record(
            actor=actor,
            action=AuditAction.PREMIUM_SHARES_SET,
            obj=product,
            changes=changed_values(before, after) | _removed(before, after),
        )
    return made
