"""Village rosters: decisions, submit / approve / return, and the township report.

Each transition locks the roster (or report), checks its state against ``ROSTER_TRANSITIONS``
(``REPORT_TRANSITIONS``), writes the audit event and refuses anything else with a Chinese message;
who may is asked of ``enrollment.access``. The database refuses the same person insured twice
for one product and campaign (``insured_once_per_product_and_campaign``); the services turn that
into a message naming the village where the person is already enrolled.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from haimen_insurance.access import deny_unless
from haimen_insurance.audit import audit_record
from haimen_insurance.audit_labels import AuditAction
from haimen_insurance.models import Area

from ..access import (
    fills_on_behalf,
    may_fill_roster,
    may_make_township_report,
    may_review_rosters,
)
from ..eligibility import Reason, judge
from ..models import (
    REPORT_TRANSITIONS,
    ROSTER_TRANSITIONS,
    Campaign,
    EntryProduct,
    Household,
    InsuredPerson,
    Product,
    Roster,
    RosterEntry,
    TownshipReport,
    TownshipReportLine,
)
from ..models.rosters import register_snapshot
from ..selectors.rosters import Problem, roster_problems, township_reconciliation


class RosterProblems(ValidationError):
    """A refusal with a list of problems, each linking to its household."""

    def __init__(self, message: str, problems: list[Problem]):
        super().__init__(message)
        self.problems = problems


def persons_for(household: Household, product: Product) -> list[tuple[str, str, str]]:
    """(relation, name, id number) of the people ``product`` insures in ``household``: the child,
    or each registered parent (a single-parent family insures one)."""
    if product.insures_child:
        return [(InsuredPerson.Relation.CHILD, household.child_name, household.child_id_number)]
    parents = (
        (InsuredPerson.Relation.FATHER, household.father_name, household.father_id_number),
        (InsuredPerson.Relation.MOTHER, household.mother_name, household.mother_id_number),
    )
    return [parent for parent in parents if parent[2]]


def insured_persons(campaign: Campaign, lines, households: dict) -> list[InsuredPerson]:
    """The insured persons (unsaved) of new entry products, ``households`` by primary key."""
    return [
        InsuredPerson(
            entry_product=line,
            campaign=campaign,
            product=line.product,
            relation=relation,
            name=name,
            id_number=id_number,
        )
        for line in lines
        for relation, name, id_number in persons_for(
            households[line.entry.household_id], line.product
        )
    ]


# What the audit event of a decision, enrol-all or submit by the township officer carries.
ON_BEHALF = {"代填": "乡镇代村填报"}


def _check_filler(actor, roster: Roster) -> bool:
    """Refuse anyone but the roster's fillers (``access.may_fill_roster``); whether ``actor``
    fills in on the village's behalf (the township's officer)."""
    deny_unless(
        may_fill_roster(actor, roster),
        "只有本村（社区）计生专干，或本乡镇（园区）计生办代村填报，才能填报本村名册。",
    )
    return fills_on_behalf(actor, roster)


def _on_behalf(changes: dict, on_behalf: bool) -> dict:
    return {**changes, **ON_BEHALF} if on_behalf else changes


_NOT_THE_OFFICER = "只有本乡镇（园区）计生办可以审核和上报。"


def _locked_editable_roster(roster: Roster, action: str = "edit") -> Roster:
    """The roster locked, while its campaign is open and ``action`` (edit, submit) may start."""
    roster = Roster.objects.select_for_update().select_related("campaign").get(pk=roster.pk)
    if roster.campaign.status != Campaign.Status.OPEN:
        raise ValidationError(f"{roster.campaign}尚未开放，名册还不能填报。")
    if not roster.allows(action):
        raise ValidationError(f"名册{roster.get_status_display()}，不能再修改。")
    return roster


def _snapshot(entry: RosterEntry, household: Household, eligibility: Reason) -> None:
    entry.take_snapshot(household, eligibility)


def _stale(entry: RosterEntry, household: Household, eligibility: Reason) -> bool:
    """Whether the register changed since the entry's snapshot was taken."""
    if entry.snapshot_differs(household, eligibility):
        return True
    return any(
        sorted((p.relation, p.name, p.id_number) for p in line.persons.all())
        != sorted(persons_for(household, line.product))
        for line in entry.products.all()
    )


def _holder_of(campaign: Campaign, product: Product, id_number: str) -> str:
    """Where a person is already insured under ``product``: for the refusal message."""
    other = (
        InsuredPerson.objects.filter(campaign=campaign, product=product, id_number=id_number)
        .select_related("entry_product__entry__roster__village__parent")
        .first()
    )
    if other is None:
        return "另一本名册"
    village = other.entry_product.entry.roster.village
    return f"{village.parent.name}{village.name}（证号 {other.entry_product.entry.certificate_no}）"


def _insure(
    entry: RosterEntry, household: Household, shares: dict[Product, int], *, fresh: bool = False
) -> None:
    """Replace the entry's products and insured persons (``fresh``: a new entry, which has
    none); refuses a person insured elsewhere."""
    if not fresh:
        entry.products.all().delete()
    campaign = entry.roster.campaign
    entry.policies, entry.premium = 0, Decimal("0.00")
    for product, count in shares.items():
        people = persons_for(household, product)
        if not people:
            continue
        line = EntryProduct.objects.create(
            entry=entry, product=product, shares=count, premium=product.premium * count
        )
        entry.policies += 1
        entry.premium += line.premium
        try:
            with transaction.atomic():
                InsuredPerson.objects.bulk_create(
                    InsuredPerson(
                        entry_product=line,
                        campaign=campaign,
                        product=product,
                        relation=relation,
                        name=name,
                        id_number=id_number,
                    )
                    for relation, name, id_number in people
                )
        except IntegrityError as error:
            taken = set(
                InsuredPerson.objects.filter(
                    campaign=campaign,
                    product=product,
                    id_number__in=[id_number for _, _, id_number in people],
                ).values_list("id_number", flat=True)
            )
            relation, name, id_number = next(
                (person for person in people if person[2] in taken), people[0]
            )
            raise ValidationError(
                f"{name}（{InsuredPerson.Relation(relation).label}）已在"
                f"{_holder_of(campaign, product, id_number)}参保{product}，不能重复参保。"
            ) from error
    entry.save(update_fields=["policies", "premium"])


def entry_decide(
    *,
    actor,
    roster: Roster,
    household: Household,
    decision: str,
    reason: str = "",
    shares: dict[Product, int] | None = None,
) -> RosterEntry:
    """Record one household's decision. Enrolled takes ``shares`` ({product: shares}; every
    product with one share when omitted); declined and not eligible take a reason. The
    township officer's decision is marked as made on the village's behalf."""
    on_behalf = _check_filler(actor, roster)
    reason = reason.strip()
    with transaction.atomic():
        roster = _locked_editable_roster(roster)
        campaign = roster.campaign
        household = Household.objects.select_for_update().get(pk=household.pk)
        if household.village_id != roster.village_id:
            raise ValidationError("这户不在本村（社区）的登记中。")
        eligibility = judge(household, age_date=campaign.age_date, age_limit=campaign.age_limit)
        if decision == RosterEntry.Decision.ENROLLED:
            if not eligibility.eligible:
                raise ValidationError(f"这户不符合参保条件（{eligibility.label}），不能登记参保。")
            reason = ""
            products = dict.fromkeys(campaign.products.all(), 1)
            if shares is not None:
                products = {product: count for product, count in shares.items() if count}
            if not products:
                raise ValidationError("参保至少选择一个险种。")
        elif decision in (RosterEntry.Decision.DECLINED, RosterEntry.Decision.NOT_ELIGIBLE):
            if not reason:
                raise ValidationError(f"请填写{RosterEntry.Decision(decision).label}的原因。")
        else:
            raise ValidationError("请选择参保、自愿放弃或不符合条件。")
        entry = RosterEntry.objects.filter(roster=roster, household=household).first()
        before = entry.decision if entry else ""
        fresh = entry is None
        entry = entry or RosterEntry(roster=roster, household=household)
        entry.roster = roster  # the locked one, with its campaign
        entry.decision, entry.reason, entry.decided_by = decision, reason, actor
        entry.on_behalf = on_behalf
        if decision != RosterEntry.Decision.ENROLLED:
            entry.policies, entry.premium = 0, Decimal("0.00")
        _snapshot(entry, household, eligibility.reason)
        entry.save()
        if decision == RosterEntry.Decision.ENROLLED:
            _insure(entry, household, products, fresh=fresh)
        elif not fresh:
            entry.products.all().delete()
        audit_record(
            actor=actor,
            action=AuditAction.ROSTER_DECIDE,
            obj=entry,
            area=roster.village_id,
            changes=_on_behalf(
                {
                    "decision": [before, decision],
                    "reason": reason,
                    **{
                        f"shares:{product.code}": count
                        for product, count in (products.items() if decision == "enrolled" else ())
                    },
                },
                on_behalf,
            ),
        )
    return entry


def entry_clear(*, actor, roster: Roster, household: Household) -> None:
    """Take a household's decision back: it is undecided again."""
    on_behalf = _check_filler(actor, roster)
    with transaction.atomic():
        roster = _locked_editable_roster(roster)
        entry = RosterEntry.objects.filter(roster=roster, household=household).first()
        if entry is None:
            return
        audit_record(
            actor=actor,
            action=AuditAction.ROSTER_CLEAR,
            obj=entry,
            area=roster.village,
            changes=_on_behalf({"decision": [entry.decision, ""]}, on_behalf),
        )
        entry.delete()


@dataclass(frozen=True)
class BulkResult:
    enrolled: int
    skipped: list[str]  # households left undecided, with why


def roster_enrol_all(*, actor, roster: Roster) -> BulkResult:
    """Enrol every undecided eligible household in every product with one share. A household
    whose child or parent is already insured elsewhere is left undecided and listed."""
    on_behalf = _check_filler(actor, roster)
    with transaction.atomic():
        roster = _locked_editable_roster(roster)
        campaign = roster.campaign
        products = list(campaign.products.all())
        undecided = [
            household
            for household in Household.objects.valid()
            .filter(village=roster.village)
            .exclude(entries__roster=roster)
            .select_for_update()
            if judge(household, age_date=campaign.age_date, age_limit=campaign.age_limit).eligible
        ]
        wanted = {
            (product.pk, id_number): household
            for household in undecided
            for product in products
            for _, _, id_number in persons_for(household, product)
        }
        taken = set(
            InsuredPerson.objects.filter(
                campaign=campaign, id_number__in={id_number for _, id_number in wanted}
            ).values_list("product_id", "id_number")
        )
        skipped_households = {wanted[key].pk for key in taken if key in wanted}
        chosen = [household for household in undecided if household.pk not in skipped_households]
        insured = {
            household.pk: [product for product in products if persons_for(household, product)]
            for household in chosen
        }
        entries = RosterEntry.objects.bulk_create(
            RosterEntry(
                roster=roster,
                household=household,
                decision=RosterEntry.Decision.ENROLLED,
                **register_snapshot(household, Reason.ELIGIBLE),
                policies=len(insured[household.pk]),
                premium=sum((product.premium for product in insured[household.pk]), Decimal(0)),
                decided_by=actor,
                on_behalf=on_behalf,
            )
            for household in chosen
        )
        lines = EntryProduct.objects.bulk_create(
            EntryProduct(entry=entry, product=product, shares=1, premium=product.premium)
            for entry, household in zip(entries, chosen, strict=True)
            for product in insured[household.pk]
        )
        households = {household.pk: household for household in chosen}
        try:
            with transaction.atomic():
                InsuredPerson.objects.bulk_create(insured_persons(campaign, lines, households))
        except IntegrityError as error:
            raise ValidationError("有家庭刚刚被其他名册登记参保，请刷新后重试。") from error
        skipped = [
            f"{household.certificate_no} {household.child_name}：家庭成员已在其他名册参保"
            for household in undecided
            if household.pk in skipped_households
        ]
        audit_record(
            actor=actor,
            action=AuditAction.ROSTER_ENROL_ALL,
            obj=roster,
            area=roster.village,
            changes=_on_behalf({"enrolled": len(entries), "skipped": len(skipped)}, on_behalf),
        )
    return BulkResult(enrolled=len(entries), skipped=skipped)


def roster_submit(*, actor, roster: Roster) -> Roster:
    """Submit the roster to the township: refused with every problem listed. Households that
    the register finds not eligible get a not-eligible entry with the register's reason, and
    every entry's snapshot is taken from the register as it is now. Submitted by the township
    officer, the roster (and the not-eligible entries written here) is marked as on the
    village's behalf."""
    on_behalf = _check_filler(actor, roster)
    with transaction.atomic():
        Campaign.objects.select_for_update().get(pk=roster.campaign_id)  # products stay fixed
        roster = _locked_editable_roster(roster, "submit")
        campaign = roster.campaign
        problems = roster_problems(roster)
        if problems:
            raise RosterProblems(f"名册还有 {len(problems)} 个问题，不能提交：", problems)
        households = (
            Household.objects.filter(village=roster.village_id)
            .filter(Q(status=Household.Status.VALID) | Q(entries__roster=roster))
            .distinct()
        )
        entries = {
            entry.household_id: entry
            for entry in roster.entries.prefetch_related("products__product", "products__persons")
        }
        for household in households:
            eligibility = judge(household, age_date=campaign.age_date, age_limit=campaign.age_limit)
            entry = entries.get(household.pk)
            if entry is None:  # not eligible by the register (problems found no undecided)
                entry = RosterEntry(
                    roster=roster,
                    household=household,
                    decision=RosterEntry.Decision.NOT_ELIGIBLE,
                    reason=eligibility.label,
                    decided_by=actor,
                    on_behalf=on_behalf,
                )
            if entry.pk is None or _stale(entry, household, eligibility.reason):
                _snapshot(entry, household, eligibility.reason)
                entry.save()
                if entry.decision == RosterEntry.Decision.ENROLLED:
                    lines = entry.products.all()
                    _insure(entry, household, {line.product: line.shares for line in lines})
        before = roster.status
        roster.status = ROSTER_TRANSITIONS.target("submit")
        roster.submitted_by, roster.submitted_at = actor, timezone.now()
        roster.submitted_on_behalf = on_behalf
        roster.return_reason = ""
        roster.save(
            update_fields=[
                "status",
                "submitted_by",
                "submitted_at",
                "submitted_on_behalf",
                "return_reason",
            ]
        )
        audit_record(
            actor=actor,
            action=AuditAction.ROSTER_SUBMIT,
            obj=roster,
            area=roster.village,
            changes=_on_behalf({"status": [before, Roster.Status.SUBMITTED]}, on_behalf),
        )
    return roster


def _locked_submitted_roster(actor, roster: Roster, action: str) -> Roster:
    """The roster locked, for its township's officer, while ``action`` (approve, return) may
    start."""
    roster = Roster.objects.select_for_update().select_related("village").get(pk=roster.pk)
    deny_unless(may_review_rosters(actor, roster.village.parent_id), _NOT_THE_OFFICER)
    if not roster.allows(action):
        raise ValidationError(
            f"名册当前状态为「{roster.get_status_display()}」，只有已提交待审核的名册可以审核。"
        )
    return roster


def _approve(actor, roster: Roster) -> Roster:
    """Approve a locked, submitted roster and audit it."""
    roster.status = ROSTER_TRANSITIONS.target("approve")
    roster.reviewed_by, roster.reviewed_at = actor, timezone.now()
    roster.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    audit_record(
        actor=actor,
        action=AuditAction.ROSTER_APPROVE,
        obj=roster,
        area=roster.village,
        changes={"status": [Roster.Status.SUBMITTED, Roster.Status.APPROVED]},
    )
    return roster


def roster_approve(*, actor, roster: Roster) -> Roster:
    with transaction.atomic():
        return _approve(actor, _locked_submitted_roster(actor, roster, "approve"))


def not_approvable(rosters) -> list[str]:
    """「村名（状态）」 of each roster of ``rosters`` that is not submitted for review."""
    return [
        f"{roster.village.name}（{roster.get_status_display()}）"
        for roster in rosters
        if not roster.allows("approve")
    ]


def rosters_approve(*, actor, rosters) -> list[Roster]:
    """Approve several village rosters at once, all or nothing: the rows are locked (in key
    order, so two officers at once wait for each other rather than deadlock), and while any of
    them is not submitted for review none is approved and the refusal names every such roster.
    Each approval writes its own ``roster.approve`` event."""
    keys = sorted({roster.pk for roster in rosters})
    if not keys:
        raise ValidationError("请先勾选要审核通过的名册。")
    with transaction.atomic():
        locked = list(
            Roster.objects.select_for_update(of=("self",))
            .select_related("village")
            .filter(pk__in=keys)
            .order_by("pk")
        )
        for roster in locked:
            deny_unless(may_review_rosters(actor, roster.village.parent_id), _NOT_THE_OFFICER)
        refused = not_approvable(locked)
        if refused:
            raise ValidationError(
                "以下名册不是「已提交待审核」状态，不能审核通过："
                + "、".join(refused)
                + "。所选名册一本也没有审核通过，请取消勾选后重试。"
            )
        approved = [_approve(actor, roster) for roster in locked]
    return sorted(approved, key=lambda roster: roster.village.code)


def roster_return(*, actor, roster: Roster, reason: str) -> Roster:
    reason = reason.strip()
    if not reason:
        raise ValidationError("退回名册请填写原因，村（社区）专干会看到它。")
    with transaction.atomic():
        roster = _locked_submitted_roster(actor, roster, "return")
        roster.status = ROSTER_TRANSITIONS.target("return")
        roster.return_reason = reason
        roster.reviewed_by, roster.reviewed_at = actor, timezone.now()
        roster.save(update_fields=["status", "return_reason", "reviewed_by", "reviewed_at"])
        audit_record(
            actor=actor,
            action=AuditAction.ROSTER_RETURN,
            obj=roster,
            area=roster.village,
            changes={"status": [Roster.Status.SUBMITTED, Roster.Status.RETURNED], "reason": reason},
        )
    return roster


def township_report_draft(*, actor, campaign: Campaign, township: Area) -> TownshipReport:
    """Roll the approved village rosters up into the township report (drafted). Refused while
    any village roster is not approved or the reconciliation page is not empty."""
    deny_unless(may_make_township_report(actor, township.pk), _NOT_THE_OFFICER)
    with transaction.atomic():
        rosters = list(
            Roster.objects.select_for_update()
            .filter(campaign=campaign, village__parent=township)
            .select_related("village")
            .order_by("village__code")
        )
        waiting = [
            roster.village.name
            for roster in rosters
            if not ROSTER_TRANSITIONS.allows("lock", roster.status)
        ]
        if not rosters or waiting:
            raise ValidationError(
                "全部村（社区）名册审核通过后才能汇总。尚未通过："
                + ("、".join(waiting) if waiting else "本乡镇没有名册")
            )
        reconciliation = township_reconciliation(campaign=campaign, township=township, user=None)
        if not reconciliation.empty:
            raise ValidationError(
                f"「一个不多，一个不漏」核对还有 {reconciliation.count} 个问题，处理后才能汇总。"
            )
        report, _ = TownshipReport.objects.select_for_update().get_or_create(
            campaign=campaign,
            township=township,
            defaults={"status": REPORT_TRANSITIONS.target("draft")},
        )
        if not report.allows("draft"):
            raise ValidationError(
                f"{township.name}的汇总表{report.get_status_display()}，不能重新汇总。"
            )
        report.lines.all().delete()
        rows = (
            EntryProduct.objects.filter(entry__roster__in=rosters)
            .annotate(persons_count=Count("persons"))
            .values_list(
                "entry__roster__village", "product", "entry__payer", "premium", "persons_count"
            )
            .order_by()
        )
        totals = defaultdict(
            lambda: {"households": 0, "policies": 0, "persons": 0, "premium": Decimal("0.00")}
        )
        for village, product, payer, premium, persons in rows:
            line = totals[village, product, payer]
            line["households"] += 1  # a household has one policy per product
            line["policies"] += 1
            line["persons"] += persons
            line["premium"] += premium
        lines = TownshipReportLine.objects.bulk_create(
            TownshipReportLine(
                report=report, village_id=village, product_id=product, payer=payer, **values
            )
            for (village, product, payer), values in totals.items()
        )
        report.households = RosterEntry.objects.filter(
            roster__in=rosters, decision=RosterEntry.Decision.ENROLLED
        ).count()
        report.policies = sum(line.policies for line in lines)
        report.persons = sum(line.persons for line in lines)
        report.premium = sum((line.premium for line in lines), Decimal("0.00"))
        report.drafted_by, report.drafted_at = actor, timezone.now()
        report.save()
        audit_record(
            actor=actor,
            action=AuditAction.TOWNSHIP_REPORT_DRAFT,
            obj=report,
            area=township,
            changes={
                "households": report.households,
                "policies": report.policies,
                "persons": report.persons,
                "premium": report.premium,
            },
        )
    return report


def township_report_submit(*, actor, report: TownshipReport) -> TownshipReport:
    """Report the township total to the finance office and the insurer; the rosters lock."""
    with transaction.atomic():
        report = (
            TownshipReport.objects.select_for_update().select_related("township").get(pk=report.pk)
        )
        deny_unless(may_make_township_report(actor, report.township_id), _NOT_THE_OFFICER)
        if not report.allows("report"):
            raise ValidationError(f"汇总表{report.get_status_display()}，不能重复上报。")
        now = timezone.now()
        Roster.objects.filter(
            campaign=report.campaign_id,
            village__parent=report.township_id,
            status__in=ROSTER_TRANSITIONS.sources("lock"),
        ).update(locked_at=now)
        report.status = REPORT_TRANSITIONS.target("report")
        report.reported_by, report.reported_at = actor, now
        report.save(update_fields=["status", "reported_by", "reported_at"])
        audit_record(
            actor=actor,
            action=AuditAction.TOWNSHIP_REPORT_REPORT,
            obj=report,
            area=report.township,
            changes={
                "status": [TownshipReport.Status.DRAFTED, TownshipReport.Status.REPORTED],
                "premium": report.premium,
            },
        )
    return report
