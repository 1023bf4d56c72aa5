"""Reads for issuance: the policies a report holds, the policy list the insurer downloads, a
household's policies for its certificate."""

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import groupby

from django.db.models import QuerySet

from ..models import EntryProduct, InsuredPerson, Policy, Product, RosterEntry, TownshipReport

# (certificate number, product code): how a policy is named in the insurer's number file.
PolicyKey = tuple[str, str]


@dataclass(frozen=True, slots=True)
class PolicyRow:
    entry_product_id: int
    product_id: int
    product_code: str
    household_id: int
    village_id: int
    certificate_no: str

    @property
    def key(self) -> PolicyKey:
        return (self.certificate_no, self.product_code)


def _report_entry_products(report: TownshipReport) -> QuerySet:
    return EntryProduct.objects.filter(
        entry__roster__campaign=report.campaign_id,
        entry__roster__village__parent=report.township_id,
        entry__decision=RosterEntry.Decision.ENROLLED,
    ).order_by("entry__roster__village__code", "entry__certificate_no", "product__code")


def report_policy_rows(report: TownshipReport) -> list[PolicyRow]:
    """One row per policy the report holds (enrolled household × product), in numbering order."""
    return [
        PolicyRow(*values)
        for values in _report_entry_products(report).values_list(
            "pk",
            "product",
            "product__code",
            "entry__household",
            "entry__roster__village",
            "entry__certificate_no",
        )
    ]


# The policy list: one row per policy; the parents' policy names both parents.
POLICY_LIST_HEADERS = (
    "乡镇（园区）",
    "村（社区）",
    "证号",
    "险种",
    "份数",
    "保费（元）",
    "被保险人",
    "身份证号",
    "出生日期",
    "第二被保险人",
    "第二被保险人身份证号",
    "第二被保险人出生日期",
    "保单号",
    "保险期间起",
    "保险期间止",
)


def birth_date_text(id_number: str) -> str:
    """The birth date an 18-digit resident ID holds, as text (YYYY-MM-DD)."""
    if len(id_number) != 18:
        return ""
    return f"{id_number[6:10]}-{id_number[10:12]}-{id_number[12:14]}"


def policy_list_rows(
    *, campaign_id: int, report: TownshipReport | None = None, insurer_id: int | None = None
) -> Iterator[tuple]:
    """The policy list as spreadsheet rows, streamed from one query whatever the row count.

    For a report: its enrolled households × products, with policy numbers once issued. For a
    campaign (optionally one insurer): the issued policies.
    """
    persons = InsuredPerson.objects.filter(campaign=campaign_id)
    if report is not None:
        persons = persons.filter(
            entry_product__entry__roster__village__parent=report.township_id,
            entry_product__entry__decision=RosterEntry.Decision.ENROLLED,
        )
    else:
        persons = persons.filter(entry_product__policy__isnull=False)
        if insurer_id is not None:
            persons = persons.filter(entry_product__policy__insurer=insurer_id)
    values = (
        persons.order_by(
            "entry_product__entry__roster__village__code",
            "entry_product__entry__certificate_no",
            "entry_product__product__code",
            "relation",
        )
        .values_list(
            "entry_product",
            "entry_product__entry__roster__village__parent__name",
            "entry_product__entry__roster__village__name",
            "entry_product__entry__certificate_no",
            "entry_product__product__code",
            "entry_product__shares",
            "entry_product__premium",
            "name",
            "id_number",
            "entry_product__policy__number",
            "entry_product__policy__coverage_start",
            "entry_product__policy__coverage_end",
        )
        .iterator(chunk_size=5000)
    )
    products = dict(Product.Code.choices)
    for _, group in groupby(values, key=lambda row: row[0]):
        first, *others = group
        second = others[0] if others else None
        start, end = first[10], first[11]
        yield (
            first[1],
            first[2],
            first[3],
            products[first[4]],
            first[5],
            first[6],
            first[7],
            first[8],
            birth_date_text(first[8]),
            second[7] if second else None,
            second[8] if second else None,
            birth_date_text(second[8]) if second else None,
            first[9],
            start.isoformat() if start else None,
            end.isoformat() if end else None,
        )


def household_policies(policy: Policy, user) -> QuerySet:
    """Every policy of ``policy``'s household in its campaign that ``user`` may see."""
    return (
        Policy.objects.for_user(user)
        .filter(campaign=policy.campaign_id, household=policy.household_id)
        .select_related("campaign", "product", "insurer", "entry_product__entry", "village__parent")
        .prefetch_related("entry_product__persons")
        .order_by("product__code")
    )
