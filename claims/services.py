"""Every write of the claims app. Each transition locks the claim, checks its state and who acts,
writes the audit event and refuses anything else with a Chinese message. An approval also locks
the policy, so two approvals on one cap are decided one after the other."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from enrollment.models import Campaign, InsuredPerson, Policy
from haimen_insurance.access import deny_unless
from haimen_insurance.audit import audit_record
from haimen_insurance.audit_labels import AuditAction
from haimen_insurance.money import format_yuan

from . import access
from .access import INSURER_ONLY, REPORTERS_ONLY
from .documents import checklist, item_label, missing_required
from .models import CLAIM_TRANSITIONS, Claim, ClaimDocument
from .selectors import DOOR_DELIVERY_FROM, cap_line, formula_amount, service_due_date

LATE_AFTER = timedelta(hours=48)
S = Claim.Status


def _locked(claim: Claim, action: str) -> Claim:
    """The claim, locked, if ``action`` may start from its state (``CLAIM_TRANSITIONS``)."""
    claim = (
        Claim.objects.select_for_update(of=("self",))
        .select_related("village", "policy__product", "policy__entry_product", "person")
        .get(pk=claim.pk)
    )
    if not CLAIM_TRANSITIONS.allows(action, claim.status):
        raise ValidationError(f"案件{claim.get_status_display()}，不能进行这一步。")
    return claim


def _audit(actor, action, claim, changes):
    audit_record(actor=actor, action=action, obj=claim, area=claim.village, changes=changes)


def _next_number(campaign: Campaign) -> str:
    """LP<year>-<5-digit sequence>; the campaign row is locked so two reports never share one."""
    Campaign.objects.select_for_update().get(pk=campaign.pk)
    count = Claim.objects.filter(campaign=campaign).count()
    return f"LP{campaign.year}-{count + 1:05d}"


def claim_report(
    *,
    actor,
    person: InsuredPerson,
    benefit: str,
    incident_date: date,
    incident_place: str,
    description: str,
    amount_claimed: Decimal,
    disability_grade: int | None = None,
    expenses: Decimal | None = None,
    paid_elsewhere: Decimal | None = None,
    now=None,
) -> Claim:
    """Report an incident of an insured person under an issued policy. A report more than 48
    hours after the incident day is accepted and marked late."""
    now = now or timezone.now()
    policy = (
        Policy.objects.select_related("campaign", "village", "product")
        .filter(entry_product=person.entry_product_id, status=Policy.Status.ISSUED)
        .first()
    )
    if policy is None:
        raise ValidationError(f"{person.name}没有有效保单，不能报案。")
    deny_unless(access.may_report_for(actor, policy.village), REPORTERS_ONLY)
    errors = []
    if not policy.coverage_start <= incident_date <= policy.coverage_end:
        errors.append(
            f"出险日期 {incident_date:%Y-%m-%d} 不在保险期间内"
            f"（{policy.coverage_start:%Y-%m-%d} 至 {policy.coverage_end:%Y-%m-%d}）。"
        )
    if incident_date > timezone.localtime(now).date():
        errors.append("出险日期不能晚于今天。")
    if benefit == Claim.Benefit.ACCIDENT_DISABILITY and disability_grade not in range(1, 11):
        errors.append("意外伤残须填写 1 至 10 级伤残等级。")
    if benefit == Claim.Benefit.MEDICAL:
        if expenses is None:
            errors.append("意外医疗须填写医疗费用。")
        elif (paid_elsewhere or 0) > expenses:
            errors.append("其他途径已报销的金额不能超过医疗费用。")
    if errors:
        raise ValidationError(errors)
    incident_day_end = timezone.make_aware(
        datetime.combine(incident_date + timedelta(days=1), time.min)
    )
    with transaction.atomic():
        claim = Claim.objects.create(
            number=_next_number(policy.campaign),
            campaign=policy.campaign,
            policy=policy,
            person=person,
            village=policy.village,
            insurer_id=policy.insurer_id,
            benefit=benefit,
            disability_grade=disability_grade
            if benefit == Claim.Benefit.ACCIDENT_DISABILITY
            else None,
            incident_date=incident_date,
            incident_place=incident_place.strip(),
            description=description.strip(),
            amount_claimed=amount_claimed,
            expenses=expenses if benefit == Claim.Benefit.MEDICAL else None,
            paid_elsewhere=(paid_elsewhere or Decimal("0.00"))
            if benefit == Claim.Benefit.MEDICAL
            else None,
            # The incident's hour is not known: the 48 hours run from the end of its day.
            late_report=now - incident_day_end > LATE_AFTER,
            reported_by=actor,
            reported_at=now,
        )
        _audit(
            actor,
            AuditAction.CLAIM_REPORT,
            claim,
            {
                "person": person.name,
                "benefit": claim.benefit,
                "incident_date": incident_date,
                "amount_claimed": amount_claimed,
                "late_report": claim.late_report,
            },
        )
    return claim


def claim_document_tick(*, actor, claim: Claim, item: str, received_on: date, file=None):
    """Tick one checklist item with the day it was received (and a scan, if there is one)."""
    if item not in {code for code, _, _ in checklist(claim.benefit)}:
        raise ValidationError("这项材料不在本案的材料清单中。")
    if received_on > timezone.localdate():
        raise ValidationError("收到日期不能晚于今天。")
    with transaction.atomic():
        claim = _locked(claim, "document_tick")
        deny_unless(access.may_tick_documents(actor, claim), REPORTERS_ONLY)
        replaced = (
            ClaimDocument.objects.filter(claim=claim, item=item).exclude(file="").first()
            if file
            else None
        )
        document, created = ClaimDocument.objects.update_or_create(
            claim=claim,
            item=item,
            defaults={"received_on": received_on, "recorded_by": actor}
            | ({"file": file} if file else {}),
        )
        _audit(
            actor,
            AuditAction.CLAIM_DOCUMENT,
            claim,
            {
                "材料": item_label(claim.benefit, item),
                "收到日期": received_on,
            }
            | ({"扫描件": document.file.name.rsplit("/", 1)[-1]} if document.file else {})
            | ({"替换的扫描件": _scan_name(replaced.file)} if replaced else {}),
        )
        if replaced:
            _delete_scan_on_commit(replaced.file)
    return document


def _scan_name(file) -> str:
    return file.name.rsplit("/", 1)[-1]


def _delete_scan_on_commit(file) -> None:
    """A scan replaced or removed leaves the disk once the change is committed (the timeline
    keeps its name); nobody keeps a copy of an ID card the claim no longer needs."""
    storage, name = file.storage, file.name
    transaction.on_commit(lambda: storage.delete(name))


def claim_document_remove(*, actor, claim: Claim, item: str) -> None:
    with transaction.atomic():
        claim = _locked(claim, "document_remove")
        deny_unless(access.may_remove_document(actor, claim), REPORTERS_ONLY)
        documents = list(ClaimDocument.objects.filter(claim=claim, item=item))
        scans = [document.file for document in documents if document.file]
        deleted, _ = ClaimDocument.objects.filter(claim=claim, item=item).delete()
        if deleted:
            _audit(
                actor,
                AuditAction.CLAIM_DOCUMENT_REMOVE,
                claim,
                {"材料": item_label(claim.benefit, item)}
                | (
                    {"删除的扫描件": "、".join(_scan_name(scan) for scan in scans)} if scans else {}
                ),
            )
        for scan in scans:
            _delete_scan_on_commit(scan)


def claim_documents_complete(*, actor, claim: Claim) -> Claim:
    with transaction.atomic():
        claim = _locked(claim, "documents_complete")
        deny_unless(access.may_complete_documents(actor, claim), REPORTERS_ONLY)
        ticked = set(claim.documents.values_list("item", flat=True))
        missing = missing_required(claim, ticked)
        if missing:
            raise ValidationError("材料还不齐全，缺：" + "、".join(missing) + "。")
        claim.status, claim.documents_completed_at = S.DOCUMENTS_COMPLETE, timezone.now()
        claim.save(update_fields=["status", "documents_completed_at"])
        _audit(
            actor,
            AuditAction.CLAIM_DOCUMENTS_COMPLETE,
            claim,
            {"status": [S.REPORTED, claim.status]},
        )
    return claim


def claim_submit(*, actor, claim: Claim) -> Claim:
    """Hand the complete file to the insurer; the service standard's clock starts."""
    with transaction.atomic():
        claim = _locked(claim, "submit")
        deny_unless(access.may_submit(actor, claim), REPORTERS_ONLY)
        now = timezone.now()
        claim.status, claim.received_at = S.WITH_INSURER, now
        claim.due_date = service_due_date(claim, timezone.localtime(now).date())
        claim.save(update_fields=["status", "received_at", "due_date"])
        _audit(
            actor,
            AuditAction.CLAIM_SUBMIT,
            claim,
            {"status": [S.DOCUMENTS_COMPLETE, claim.status], "due_date": claim.due_date},
        )
    return claim


def claim_escalate(*, actor, claim: Claim, reason: str) -> Claim:
    reason = reason.strip()
    if not reason:
        raise ValidationError("请填写疑难上报的原因。")
    with transaction.atomic():
        claim = _locked(claim, "escalate")
        deny_unless(access.may_escalate(actor, claim), INSURER_ONLY)
        received = timezone.localtime(claim.received_at).date()
        claim.status, claim.escalation_reason = S.ESCALATED, reason
        claim.due_date = service_due_date(claim, received, escalated=True)
        claim.save(update_fields=["status", "escalation_reason", "due_date"])
        _audit(
            actor,
            AuditAction.CLAIM_ESCALATE,
            claim,
            {
                "status": [S.WITH_INSURER, S.ESCALATED],
                "escalation_reason": reason,
                "due_date": claim.due_date,
            },
        )
    return claim


def claim_approve(*, actor, claim: Claim, amount: Decimal) -> Claim:
    """Approve an amount within what remains of the cap for the person (or policy), benefit and
    campaign. The policy row is locked first, so concurrent approvals cannot together exceed it."""
    if amount <= 0:
        raise ValidationError("核定赔付金额必须大于 0；不予赔付请选择拒赔。")
    with transaction.atomic():
        Policy.objects.select_for_update().get(pk=claim.policy_id)
        claim = _locked(claim, "approve")
        deny_unless(access.may_approve(actor, claim), INSURER_ONLY)
        line = cap_line(claim)
        _check_limits(claim, line, amount)
        before = claim.status
        claim.status, claim.approved_amount = S.APPROVED, amount
        claim.decided_by, claim.decided_at = actor, timezone.now()
        claim.save(update_fields=["status", "approved_amount", "decided_by", "decided_at"])
        _audit(
            actor,
            AuditAction.CLAIM_APPROVE,
            claim,
            {"status": [before, S.APPROVED], "approved_amount": amount},
        )
    return claim


def _check_limits(claim: Claim, line, amount: Decimal) -> None:
    """Refuse an amount over the amount claimed, the loss the formula allows or the remaining cap,
    naming the tightest limit exceeded."""
    shown = format_yuan(amount)
    formula = formula_amount(claim, line)
    limits = [
        (
            claim.amount_claimed,
            f"核定金额 {shown} 元超过申请金额 {format_yuan(claim.amount_claimed)} 元。",
        ),
        (formula.amount, f"核定金额 {shown} 元超过{formula.explained}。"),
        (
            line.remaining,
            f"核定金额 {shown} 元超过{line.label}剩余额度 {format_yuan(line.remaining)} 元"
            f"（保额 {format_yuan(line.cap)} 元，已核定 {format_yuan(line.used)} 元）。",
        ),
    ]
    exceeded = [(limit, message) for limit, message in limits if amount > limit]
    if exceeded:
        raise ValidationError(min(exceeded, key=lambda pair: pair[0])[1])


def claim_reject(*, actor, claim: Claim, code: str, text: str) -> Claim:
    if code not in Claim.Rejection.values:
        raise ValidationError("请选择拒赔原因。")
    text = text.strip()
    if not text:
        raise ValidationError("请写明拒赔的具体理由，告知参保家庭。")
    with transaction.atomic():
        claim = _locked(claim, "reject")
        deny_unless(access.may_reject(actor, claim), INSURER_ONLY)
        before, now = claim.status, timezone.now()
        claim.status, claim.rejection_code, claim.rejection_text = S.REJECTED, code, text
        claim.decided_by, claim.decided_at = actor, now
        claim.settled_on = timezone.localtime(now).date()
        claim.save(
            update_fields=[
                "status",
                "rejection_code",
                "rejection_text",
                "decided_by",
                "decided_at",
                "settled_on",
            ]
        )
        _audit(
            actor,
            AuditAction.CLAIM_REJECT,
            claim,
            {"status": [before, S.REJECTED], "rejection_code": code, "rejection_text": text},
        )
    return claim


def claim_pay(
    *,
    actor,
    claim: Claim,
    paid_on: date,
    amount: Decimal,
    account: str,
    delivered_on: date | None = None,
    delivered_by: str = "",
    received_by_family: str = "",
) -> Claim:
    """Record the payment of the approved amount; 5,000 yuan or more is delivered to the family's
    door, and the delivery is recorded with it."""
    with transaction.atomic():
        claim = _locked(claim, "pay")
        deny_unless(access.may_pay(actor, claim), INSURER_ONLY)
        errors = []
        if amount != claim.approved_amount:
            errors.append(
                f"赔付金额 {format_yuan(amount)} 元与核定金额 "
                f"{format_yuan(claim.approved_amount)} 元不符。"
            )
        if paid_on > timezone.localdate():
            errors.append("赔付日期不能晚于今天。")
        if claim.decided_at and paid_on < timezone.localtime(claim.decided_at).date():
            errors.append("赔付日期不能早于核定日期。")
        if not account.strip():
            errors.append("请填写收款账户。")
        door = amount >= DOOR_DELIVERY_FROM
        if door and not (delivered_on and delivered_by.strip() and received_by_family.strip()):
            errors.append("赔款 5000 元以上须送赔款上门：请填写送达日期、送达人和家属签收人。")
        if errors:
            raise ValidationError(errors)
        claim.status, claim.paid_on, claim.paid_amount = S.PAID, paid_on, amount
        claim.paid_account, claim.settled_on = account.strip(), paid_on
        if door:
            claim.delivered_on, claim.delivered_by = delivered_on, delivered_by.strip()
            claim.received_by_family = received_by_family.strip()
        claim.save(
            update_fields=[
                "status",
                "paid_on",
                "paid_amount",
                "paid_account",
                "settled_on",
                "delivered_on",
                "delivered_by",
                "received_by_family",
            ]
        )
        _audit(
            actor,
            AuditAction.CLAIM_PAY,
            claim,
            {"status": [S.APPROVED, S.PAID], "paid_amount": amount, "paid_on": paid_on}
            | (
                {"delivered_on": delivered_on, "received_by_family": claim.received_by_family}
                if door
                else {}
            ),
        )
    return claim


def claim_close(*, actor, claim: Claim) -> Claim:
    """Close a paid or rejected claim; a closed claim never changes again."""
    with transaction.atomic():
        claim = _locked(claim, "close")
        deny_unless(access.may_close(actor, claim), INSURER_ONLY)
        before = claim.status
        claim.status, claim.closed_at = S.CLOSED, timezone.now()
        claim.save(update_fields=["status", "closed_at"])
        _audit(actor, AuditAction.CLAIM_CLOSE, claim, {"status": [before, S.CLOSED]})
    return claim
