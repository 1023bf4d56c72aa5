"""The documents checklist of each benefit: (code, label, required).

"Documents complete" needs every required item ticked; the others are asked for where they apply
(a discharge summary only after a hospital stay). A medical claim that another payer has paid
towards (其他途径已报销 more than zero) needs that payer's settlement: for such a claim the item is
required (``checklist(benefit, claim=claim)``).
"""

from decimal import Decimal

from .models import Claim

ID_AND_BANK_CARD = ("id_bank_card", "被保险人（受益人）身份证及银行卡", True)
ACCIDENT_PROOF = ("accident_proof", "意外事故证明（交警、派出所、单位或村委会）", True)

CHECKLISTS = {
    Claim.Benefit.ACCIDENT_DEATH: [
        ("death_certificate", "死亡证明", True),
        ("hukou_or_cremation", "户口注销证明或火化证明", True),
        ACCIDENT_PROOF,
        ("beneficiary_proof", "受益人关系证明", True),
        ID_AND_BANK_CARD,
    ],
    Claim.Benefit.ACCIDENT_DISABILITY: [
        ("disability_assessment", "伤残鉴定书（注明伤残等级）", True),
        ("medical_record", "病历", True),
        ACCIDENT_PROOF,
        ID_AND_BANK_CARD,
    ],
    Claim.Benefit.MEDICAL: [
        ("invoices", "医疗费用发票", True),
        ("medical_record", "病历", True),
        ("expense_list", "费用清单", True),
        ("discharge_summary", "出院小结（住院时）", False),
        ("other_settlement", "其他途径报销结算单（已报销时）", False),  # see OTHER_SETTLEMENT
        ID_AND_BANK_CARD,
    ],
}


OTHER_SETTLEMENT = ("other_settlement", "其他途径报销结算单", True)


def checklist(benefit: str, *, claim: Claim | None = None) -> list[tuple[str, str, bool]]:
    """The benefit's items; for ``claim``, the settlement is required once another payer paid."""
    items = CHECKLISTS[Claim.Benefit(benefit)]
    if claim is not None and (claim.paid_elsewhere or Decimal("0.00")) > 0:
        items = [OTHER_SETTLEMENT if item[0] == OTHER_SETTLEMENT[0] else item for item in items]
    return items


def item_label(benefit: str, code: str) -> str:
    return next((label for item, label, _ in checklist(benefit) if item == code), code)


def missing_required(claim: Claim, ticked: set[str]) -> list[str]:
    """Labels of the required items of ``claim`` not yet ticked."""
    return [
        label
        for code, label, required in checklist(claim.benefit, claim=claim)
        if required and code not in ticked
    ]
