"""The roster page's list of households, written in Python rather than by a template loop.

A page lists fifty households; rendered by the template, each row resolved some forty
variables and tags, and the loop cost more than the rest of the page together. The markup is
the same as the template's was, character for character; every value is escaped (``escape``: names,
reasons, employers are user text) as autoescaping did.
"""

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from haimen_insurance.money import format_yuan
from haimen_insurance.privacy import mask, shown_text

from ..eligibility import Reason
from ..models import RosterEntry
from ..selectors.rosters import EntryLine

BADGES = {
    RosterEntry.Decision.ENROLLED: '<span class="badge text-bg-success">参保</span>\n        ',
    RosterEntry.Decision.DECLINED: '<span class="badge text-bg-warning">自愿放弃</span>\n        ',
    "undecided": '<span class="badge text-bg-danger">未处理</span>\n        ',
    RosterEntry.Decision.NOT_ELIGIBLE: '<span class="badge text-bg-secondary">不符合条件</span>',
}
ON_BEHALF = '<span class="badge text-bg-info">乡镇代填</span>'
EMPTY = '\n  <div class="list-group-item text-muted">没有符合条件的家庭。</div>\n'


class ListedRow:
    """One household of the roster page (a household of ``roster_page_households``), its state
    as the page shows it: its entry's decision, or undecided / not eligible by the register."""

    def __init__(self, household, lines: list[EntryLine], *, full_ids: bool):
        self.household = household
        self.has_entry = household.entry_pk is not None
        self.eligible = household.eligibility == Reason.ELIGIBLE
        self.eligibility_label = Reason(household.eligibility).label
        self.full_ids = full_ids
        self.lines = lines

    @property
    def state(self) -> str:
        if self.has_entry:
            return self.household.decision
        return "undecided" if self.eligible else RosterEntry.Decision.NOT_ELIGIBLE

    @property
    def reason(self) -> str:
        if self.has_entry:
            return self.household.entry_reason
        return "" if self.eligible else self.eligibility_label

    def shown_id(self, number: str) -> str:
        return number if self.full_ids or not number else mask(number)

    @property
    def parents(self) -> list[str]:
        return [f"{name} {self.shown_id(number)}" for name, number in self.household.parents]

    @property
    def products(self) -> list[str]:
        return [f"{line.short_name} {line.shares} 份（{line.persons} 人）" for line in self.lines]

    @property
    def premium(self):
        return sum(line.premium for line in self.lines)


def _joined(items: list[str], separator: str) -> str:
    return escape(separator).join(escape(item) for item in items)


def _row(row: ListedRow, edit_url: str | None) -> str:
    """One row's markup; every value escaped (``escape``) where it is put in."""
    household = row.household
    state = row.state
    employer = household.employer_name
    products = row.products
    reason = row.reason
    parts = [
        f'\n  <div class="list-group-item" id="household-{household.pk}">\n'
        '    <div class="d-flex flex-wrap justify-content-between gap-2">\n'
        "      <div>\n"
        f"        <strong>{escape(household.child_name)}</strong> "
        f'<span class="small text-muted">证号 {escape(household.certificate_no)} · '
        f"{escape(row.shown_id(household.child_id_number))}</span>\n"
        f'        <div class="small">父母：{_joined(row.parents, "；") or "未登记"}'
        f"{f' · 奖励金：{escape(employer)}' if employer else ''}</div>\n"
        "        "
        + (
            ""
            if row.eligible
            else f'<div class="small text-muted">登记核查：{escape(row.eligibility_label)}</div>'
        )
        + "\n      </div>\n"
        '      <div class="text-end">\n'
        f"        {BADGES[state]}\n"
        f"        {ON_BEHALF if row.has_entry and household.entry_on_behalf else ''}\n"
        "        "
        + (
            f'<div class="small">{format_yuan(row.premium)} 元</div>'
            if row.has_entry and state == RosterEntry.Decision.ENROLLED
            else ""
        )
        + "\n      </div>\n    </div>\n    "
        + (f'<div class="small">{_joined(products, "，")}</div>' if products else "")
        + "\n    "
        + (
            f'<div class="small">原因：{escape(shown_text(reason, full_ids=row.full_ids))}</div>'
            if reason
            else ""
        )
        + "\n    "
        + (
            f'<a class="btn btn-sm btn-outline-primary mt-1" href="{escape(edit_url)}">'
            f"{'登记' if state == 'undecided' else '修改'}</a>"
            if edit_url
            else ""
        )
        + "\n  </div>\n"
    ]
    return "".join(parts)


def rows_html(rows: list[ListedRow], *, roster, can_edit: bool) -> SafeString:
    """The list's markup: one ``list-group-item`` per row, with the link to each household's
    form when ``can_edit``; the "none found" line without rows."""
    if not rows:
        return mark_safe(EMPTY)
    # Every row's link differs only in the household's key: reversed once.
    prefix = reverse("enrollment:entry_decide", args=[roster.pk, 0]).removesuffix("0/")
    return mark_safe(
        "".join(_row(row, f"{prefix}{row.household.pk}/" if can_edit else None) for row in rows)
    )
