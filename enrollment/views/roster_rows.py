"""The roster page's list of households, written in Python rather than by a template loop.

A page lists fifty households; rendered by the template, each row resolved some forty
variables and tags, and the loop cost more than the rest of the page together. The markup is
the same as the template's was, character for character; every value is escaped by
``format_html`` (names, reasons: user text) as autoescaping did.
"""

from django.urls import reverse
from django.utils.html import conditional_escape, format_html
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
    return conditional_escape(separator).join(conditional_escape(item) for item in items)


def _row(row: ListedRow, edit_url: str | None) -> str:
    household = row.household
    parents = _joined(row.parents, "；") or "未登记"
    employer = household.employer_name
    state = row.state
    lines = [
        format_html(
            '\n  <div class="list-group-item" id="household-{}">\n'
            '    <div class="d-flex flex-wrap justify-content-between gap-2">\n'
            "      <div>\n"
            '        <strong>{}</strong> <span class="small text-muted">证号 {} · {}</span>\n'
            '        <div class="small">父母：{}{}</div>\n'
            "        {}\n"
            "      </div>\n"
            '      <div class="text-end">\n'
            "        {}\n"
            "        {}\n"
            "        {}\n"
            "      </div>\n"
            "    </div>\n",
            household.pk,
            household.child_name,
            household.certificate_no,
            row.shown_id(household.child_id_number),
            mark_safe(parents),
            format_html(" · 奖励金：{}", employer) if employer else "",
            format_html('<div class="small text-muted">登记核查：{}</div>', row.eligibility_label)
            if not row.eligible
            else "",
            mark_safe(BADGES[state]),
            mark_safe(ON_BEHALF) if row.has_entry and household.entry_on_behalf else "",
            format_html('<div class="small">{} 元</div>', format_yuan(row.premium))
            if row.has_entry and state == RosterEntry.Decision.ENROLLED
            else "",
        )
    ]
    products = row.products
    reason = row.reason
    lines.append(
        format_html(
            "    {}\n    {}\n    {}\n  </div>\n",
            format_html('<div class="small">{}</div>', mark_safe(_joined(products, "，")))
            if products
            else "",
            format_html(
                '<div class="small">原因：{}</div>', shown_text(reason, full_ids=row.full_ids)
            )
            if reason
            else "",
            format_html(
                '<a class="btn btn-sm btn-outline-primary mt-1" href="{}">{}</a>',
                edit_url,
                "登记" if state == "undecided" else "修改",
            )
            if edit_url
            else "",
        )
    )
    return "".join(lines)


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
