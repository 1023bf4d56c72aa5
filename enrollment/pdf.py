"""Printable forms: the village roster (名册), the township summary (汇总表) and the county
summary (县级汇总表), A4 landscape; the premium transfer voucher (资金划拨单) and a household's
insurance certificate (参保凭证), A4 portrait.

reportlab with the built-in CID font STSong-Light, so no font is downloaded; each page numbered
第 x 页 共 y 页; signature lines and a stamp box where the paper form has them.
"""

from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table, TableStyle

from haimen_insurance.money import format_yuan, to_capital_yuan
from haimen_insurance.pdf import (
    CELL,
    FONT,
    FORM,
    HEADING,
    ITEM,
    PORTRAIT,
    PORTRAIT_WIDTH,
    TEXT,
    TITLE,
    build,
    headed,
    signatures,
    table,
    text,
    wrapped,
)
from haimen_insurance.privacy import mask
from haimen_insurance.programmes import programme

from .models import PAYER_OFFICE, FundTransfer, PayerOffice, Policy
from .selectors.reports import Breakdown
from .selectors.rosters import on_behalf_note
from .selectors.shares import ReportShares

ROWS_PER_TABLE = 20


def author() -> str:
    """Who issues the documents: the programme's city's commission (海门市人口和计划生育委员会)."""
    return f"{programme().city}人口和计划生育委员会"


def _build(story, title: str, **kwargs) -> bytes:
    return build(story, title, author=author(), **kwargs)


def roster_pdf(roster, lines, figures, returns=()) -> bytes:
    """The village roster: every household with its insured persons, products and premium; and
    each time the township returned it (``selectors.roster_exports.roster_returns``), with the
    reason, who and when, for the village's file."""
    campaign = roster.campaign
    village = roster.village
    title = f"{programme().city}{campaign.year}年度独生子女家庭保险参保名册"
    draft = "　草稿（未提交）" if roster.submitted_at is None else ""
    on_behalf = on_behalf_note(roster)
    story = [
        text(title, TITLE),
        Spacer(1, 3 * mm),
        text(
            f"乡镇（园区）：{village.parent.name}　村（社区）：{village.name}　"
            f"保险期间：{campaign.coverage_start:%Y-%m-%d} 至 {campaign.coverage_end:%Y-%m-%d}　"
            f"名册状态：{roster.get_status_display()}{draft}"
            + (f"　{on_behalf}" if on_behalf else ""),
            TEXT,
        ),
        *(
            text(
                f"退回原因（{timezone.localtime(each.at):%Y-%m-%d %H:%M} {each.by} 退回）："
                f"{each.reason}",
                TEXT,
            )
            for each in returns
        ),
        Spacer(1, 3 * mm),
    ]
    header = ["序号", "证号", "子女姓名", "被保险人（身份证号）", "险种及份数", "保费（元）"]
    header += ["参保情况", "奖励金发放单位"]
    rows = []
    for number, line in enumerate(lines, start=1):
        decision = f"{line.decision}：{line.reason}" if line.reason else line.decision
        # Plain strings (one line per person) cost a tenth of a Paragraph; wrap only long text.
        rows.append(
            [
                str(number),
                line.certificate_no,
                line.child_name,
                "\n".join(line.persons) or "—",
                "\n".join(line.products) or "—",
                format_yuan(line.premium) if line.products else "—",
                wrapped(decision, 16),
                wrapped(line.payer, 14),
            ]
        )
    widths = [width * mm for width in (12, 30, 22, 78, 30, 22, 40, 35)]
    # Tables of about a page each: reportlab splits one long table at great cost.
    for first in range(0, max(len(rows), 1), ROWS_PER_TABLE):
        story.append(table([header, *rows[first : first + ROWS_PER_TABLE]], widths))
    story += [
        Spacer(1, 4 * mm),
        text(
            f"合计：符合条件 {figures.eligible} 户，参保 {figures.enrolled} 户，"
            f"自愿放弃 {figures.declined} 户，不符合条件 {figures.not_eligible} 户，"
            f"未处理 {figures.undecided} 户；保单 {figures.policies} 份，"
            f"被保险人 {figures.persons} 人，保费合计 {format_yuan(figures.premium)} 元。",
            TEXT,
        ),
        *signatures("填报人", "审核人", "日期"),
        text(f"打印时间：{timezone.localtime():%Y-%m-%d %H:%M}", CELL),
    ]
    return _build(story, title)


_SUMMARY_WIDTH = 253 * mm
_VILLAGE_WIDTH = 38 * mm
_AMOUNT_WIDTH = 20 * mm  # the narrowest column an amount of a township prints in


def township_report_pdf(report, breakdown) -> bytes:
    """The township summary: per village, households, policies, persons and premium by product
    and by funding source (``selectors.reports.report_breakdown``), with totals. One table while
    every column is wide enough; with many employer units, a table by product and then the
    funding sources in tables of as many columns as fit the page."""
    campaign = report.campaign
    title = f"{programme().city}{campaign.year}年度独生子女家庭保险乡镇汇总表"
    counts = ["参保户数", "保单数", "被保险人数"]
    products = [f"{product.short_name}（元）" for product in breakdown.products]
    payers = [f"{payer}（元）" for payer in breakdown.payers]

    def values(row):
        return {
            "counts": [
                str(row.amounts.households),
                str(row.amounts.policies),
                str(row.amounts.persons),
            ],
            "products": [format_yuan(amount) for amount in row.product_premiums],
            "payers": [format_yuan(amount) for amount in row.payer_premiums],
            "total": [format_yuan(row.amounts.premium)],
        }

    rows = [(text(row.village.name, CELL), values(row)) for row in breakdown.rows]
    rows.append(("合计", values(breakdown.total)))

    def grid(header, pick):
        data = [["村（社区）", *header]]
        data += [[name, *pick(cells)] for name, cells in rows]
        rest = (_SUMMARY_WIDTH - _VILLAGE_WIDTH) / len(header)
        return table(data, [_VILLAGE_WIDTH] + [rest] * len(header), total_row=True)

    fit = int((_SUMMARY_WIDTH - _VILLAGE_WIDTH) // _AMOUNT_WIDTH)
    if len(counts) + len(products) + len(payers) + 1 <= fit:
        tables = [
            grid(
                [*counts, *products, *payers, "保费合计（元）"],
                lambda c: [*c["counts"], *c["products"], *c["payers"], *c["total"]],
            )
        ]
    else:
        tables = [
            grid(
                [*counts, *products, "保费合计（元）"],
                lambda c: [*c["counts"], *c["products"], *c["total"]],
            )
        ]
        chunk = fit - 1
        for first in range(0, len(payers), chunk):
            last = first + chunk >= len(payers)
            header = payers[first : first + chunk] + (["保费合计（元）"] if last else [])
            tables += headed(
                text("保费按资金来源" + ("（续）" if first else ""), HEADING),
                grid(
                    header,
                    lambda c, first=first, last=last: [
                        *c["payers"][first : first + chunk],
                        *(c["total"] if last else []),
                    ],
                ),
            )
    story = [
        text(title, TITLE),
        Spacer(1, 3 * mm),
        text(
            f"乡镇（园区）：{report.township.name}　状态：{report.get_status_display()}　"
            f"保险期间：{campaign.coverage_start:%Y-%m-%d} 至 {campaign.coverage_end:%Y-%m-%d}",
            TEXT,
        ),
        Spacer(1, 3 * mm),
        *tables,
        Spacer(1, 4 * mm),
        text(
            f"合计：参保 {report.households} 户，保单 {report.policies} 份，被保险人 "
            f"{report.persons} 人，保费 {format_yuan(report.premium)} 元"
            f"（人民币大写：{to_capital_yuan(report.premium)}）。",
            TEXT,
        ),
        *signatures("填报人", "审核人", "乡镇（园区）计生办负责人", "日期"),
    ]
    return _build(story, title)


def county_report_pdf(report, lines, by_payer) -> bytes:
    """The county summary: each township with its report's status and figures as rolled up,
    the totals in figures and in capitals, the premium by payer where it is split
    (``by_payer``: ``selectors.shares.county_premium_by_payer``), and the county's signature
    lines and stamp."""
    campaign = report.campaign
    title = f"{programme().city}{campaign.year}年度独生子女家庭保险县级汇总表"
    header = ["乡镇（园区）", "乡镇汇总状态", "参保户数", "保单数", "被保险人数", "保费（元）"]
    rows = [
        [
            line.township.name,
            line.township_report.get_status_display(),
            str(line.households),
            str(line.policies),
            str(line.persons),
            format_yuan(line.premium),
        ]
        for line in lines
    ]
    rows.append(
        [
            "合计",
            f"{len(lines)} 个乡镇（园区）",
            str(report.households),
            str(report.policies),
            str(report.persons),
            format_yuan(report.premium),
        ]
    )
    widths = [width * mm for width in (60, 45, 35, 35, 35, 43)]
    drafted = report.drafted_at and f"{timezone.localtime(report.drafted_at):%Y-%m-%d %H:%M}"
    reported = report.reported_at and f"{timezone.localtime(report.reported_at):%Y-%m-%d %H:%M}"
    story = [
        text(title, TITLE),
        Spacer(1, 3 * mm),
        text(
            f"县（区）：{report.county.name}　状态：{report.get_status_display()}　"
            f"保险期间：{campaign.coverage_start:%Y-%m-%d} 至 {campaign.coverage_end:%Y-%m-%d}"
            + (f"　汇总时间：{drafted}" if drafted else "")
            + (f"　上报时间：{reported}" if reported else ""),
            TEXT,
        ),
        Spacer(1, 3 * mm),
        table([header, *rows], widths, total_row=True),
    ]
    if by_payer:
        payer_rows = [[payer, format_yuan(amount)] for payer, amount in by_payer]
        story += headed(
            text("保费按分担主体", HEADING),
            table([["分担主体", "保费（元）"], *payer_rows], [80 * mm, 50 * mm]),
        )
    story += [
        Spacer(1, 4 * mm),
        text(
            f"合计：乡镇（园区）{len(lines)} 个，参保 {report.households} 户，保单 "
            f"{report.policies} 份，被保险人 {report.persons} 人，保费 "
            f"{format_yuan(report.premium)} 元（人民币大写：{to_capital_yuan(report.premium)}）。",
            TEXT,
        ),
        *signatures("填报人", "审核人", "县（区）计生委负责人", "日期"),
        text(f"打印时间：{timezone.localtime():%Y-%m-%d %H:%M}", CELL),
    ]
    return _build(story, title)


# --- portrait forms: the transfer voucher and the household certificate ---

_LABEL_BACKGROUND = colors.HexColor("#EEF1F5")
# Label, value, label, value: the columns of a bordered form.
_FORM_WIDTHS = [w * mm for w in (26, 67)] * 2


def _date(value) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def _form_cell(value: str):
    """A wrapping cell; each line of ``value`` starts a new line."""
    return text(value, FORM)


def _fields(*rows):
    """Lines of 「label：value」 fields above a form, in even columns, without borders."""
    columns = max(len(row) for row in rows)
    data = [[_form_cell(field) for field in row] + [""] * (columns - len(row)) for row in rows]
    result = Table(data, colWidths=[PORTRAIT_WIDTH / columns] * columns)
    result.setStyle(
        TableStyle([("LEFTPADDING", (0, 0), (0, -1), 0), ("VALIGN", (0, 0), (-1, -1), "TOP")])
    )
    return result


def _form(rows):
    """A bordered form of label/value pairs: a row of one pair spans the whole width, a row of
    two pairs sits side by side. Labels are shaded."""
    data = []
    style = [
        ("FONT", (0, 0), (-1, -1), FONT, 10),
        ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]
    for number, pairs in enumerate(rows):
        row = []
        for label, value in pairs:
            row += [label, _form_cell(value)]
        style += [
            ("BACKGROUND", (2 * i, number), (2 * i, number), _LABEL_BACKGROUND)
            for i in range(len(pairs))
        ]
        if len(pairs) == 1:
            row += ["", ""]
            style.append(("SPAN", (1, number), (3, number)))
        data.append(row)
    result = Table(data, colWidths=_FORM_WIDTHS)
    result.setStyle(TableStyle(style))
    return result


def transfer_voucher_pdf(
    *, transfer: FundTransfer, breakdown: Breakdown, shares: ReportShares | None = None
) -> bytes:
    """The premium transfer voucher (资金划拨单) of one finance office's transfer of a township
    report: payer, payee, the amount in capital numerals and figures, what it pays for, and
    where the money comes from by funding source and by product
    (``selectors.reports.report_breakdown``) and, where the premium is shared between payers,
    by payer (``selectors.shares``). Runs no query when the transfer's report has its campaign
    and township loaded."""
    report = transfer.report
    title = f"{programme().city}独生子女保险保费资金划拨单"
    shared = shares is not None and shares.shared
    what = f"{transfer.get_payer_display()}分担的保费" if shared else "保费"
    purpose = (
        f"{report.campaign}独生子女保险{what}（{report.township.name}，"
        f"参保 {report.households} 户，保单 {report.policies} 份）"
    )
    form = _form(
        [
            [("付款单位", transfer.payer_name), ("收款单位", transfer.payee_name)],
            [("付款账号", transfer.payer_account), ("收款账号", transfer.payee_account)],
            [("付款开户行", transfer.payer_bank), ("收款开户行", transfer.payee_bank)],
            [("金额（大写）", f"人民币{to_capital_yuan(transfer.amount)}")],
            [("金额（小写）", f"¥{format_yuan(transfer.amount)}")],
            [("用途", purpose)],
        ]
    )
    payer_data = [["资金来源", "参保户数", "保单数", "被保险人数", "保费（元）"]]
    for payer, amounts in [*breakdown.payer_rows, ("合计", breakdown.payer_total)]:
        payer_data.append(
            [
                wrapped(payer, 20),
                str(amounts.households),
                str(amounts.policies),
                str(amounts.persons),
                format_yuan(amounts.premium),
            ]
        )
    product_data = [["险种", "保费（元）"]]
    product_data += [
        [str(product), format_yuan(premium)]
        for product, premium in zip(
            breakdown.products, breakdown.total.product_premiums, strict=True
        )
    ]
    product_data.append(["合计", format_yuan(breakdown.total.amounts.premium)])
    products = table(product_data, [w * mm for w in (70, 36)], total_row=True)
    products.hAlign = "LEFT"
    by_share = []
    if shared:
        share_data = [["分担方", "划拨单位", "应分担（元）"]]
        share_data += [
            [label, PayerOffice(PAYER_OFFICE[payer]).label, format_yuan(amount)]
            for payer, label, amount in shares.payer_amounts
        ]
        share_data.append(["合计", "", format_yuan(shares.shares_total)])
        share_table = table(share_data, [w * mm for w in (50, 50, 36)], total_row=True)
        share_table.hAlign = "LEFT"
        by_share = [
            Spacer(1, 3 * mm),
            *headed(text("保费分担（按分担方）", HEADING), Spacer(1, 1 * mm), share_table),
        ]
    story = [
        text(title, TITLE),
        Spacer(1, 4 * mm),
        _fields([f"凭证号：{transfer.voucher_no}", f"划拨日期：{_date(transfer.transfer_date)}"]),
        Spacer(1, 2 * mm),
        form,
        Spacer(1, 5 * mm),
        *headed(
            text("保费构成（按资金来源）", HEADING),
            Spacer(1, 1 * mm),
            table(payer_data, [w * mm for w in (70, 26, 26, 28, 36)], total_row=True),
        ),
        Spacer(1, 3 * mm),
        *headed(text("保费构成（按险种）", HEADING), Spacer(1, 1 * mm), products),
        *by_share,
        *signatures("单位负责人", "复核", "经办", width=PORTRAIT_WIDTH),
    ]
    return _build(story, title, pagesize=PORTRAIT)


def _persons_text(entry_product, *, full_ids: bool) -> str:
    """Each insured person on a line: name（relation）and the resident ID, masked unless
    ``full_ids``."""
    return "\n".join(
        f"{person.name}（{person.get_relation_display()}）　"
        f"{person.id_number if full_ids else mask(person.id_number)}"
        for person in entry_product.persons.all()
    )


def _cover_text(policy) -> str:
    """The sums insured: each cap times the shares, per person where the product says so."""
    product, shares = policy.product, policy.entry_product.shares
    each = "每人" if product.caps_per_person else ""
    return (
        f"{each}意外身故/伤残 {format_yuan(product.accident_cap * shares)} 元；"
        f"{each}意外医疗 {format_yuan(product.medical_cap * shares)} 元"
    )


def _policy_form(policy, *, full_ids: bool):
    insurer = policy.insurer
    return _form(
        [
            [("险种", str(policy.product)), ("保单号", policy.number)],
            [("被保险人", _persons_text(policy.entry_product, full_ids=full_ids))],
            [
                ("份数", str(policy.entry_product.shares)),
                ("保费（元）", format_yuan(policy.entry_product.premium)),
            ],
            [
                ("保险期间", f"{_date(policy.coverage_start)} 至 {_date(policy.coverage_end)}"),
                ("状态", policy.shown_status),
            ],
            [("保险金额", _cover_text(policy))],
            [("承保公司", insurer.name), ("报案电话", insurer.phone or "—")],
        ]
    )


CLAIM_SERVICE = (
    "理赔服务标准：材料齐全且 1000 元以下的案件当日结案；一般案件 7 日内、疑难案件 15 日内"
    "答复；5000 元以上的赔款送上门。"
)


def household_certificate_pdf(*, policies: list[Policy], full_ids: bool) -> bytes:
    """The insurance certificate (参保凭证) of one household in one campaign: each of its
    policies with the insured persons, cover and insurer, and how to report a claim.

    ``policies`` share household and campaign and come with ``campaign``, ``product``,
    ``insurer``, ``village__parent`` and ``entry_product__entry`` selected and
    ``entry_product__persons`` prefetched; then no query runs (without ``campaign``, as
    ``selectors.policies.household_policies`` gives them, one). IDs are masked unless
    ``full_ids``.
    """
    if not policies:
        raise ValueError("a certificate needs at least one policy")
    first = policies[0]
    entry, village = first.entry_product.entry, first.village
    title = "独生子女家庭参保凭证"
    story = [
        text(title, TITLE),
        Spacer(1, 4 * mm),
        _fields(
            [
                f"参保年度：{first.campaign}",
                f"证号：{entry.certificate_no}",
                f"子女姓名：{entry.child_name}",
            ],
            [f"乡镇（园区）：{village.parent.name}", f"村（社区）：{village.name}"],
        ),
    ]
    for policy in policies:
        story += [Spacer(1, 4 * mm), _policy_form(policy, full_ids=full_ids)]
    phones = "、".join(
        dict.fromkeys(policy.insurer.phone for policy in policies if policy.insurer.phone)
    )
    call = f"，或拨打保险公司报案电话 {phones}" if phones else "，或向承保保险公司报案"
    guidance = [
        f"1. 出险后请在 48 小时内向本村（社区）计生专干报告{call}。",
        "2. 请保留医疗发票、病历、费用清单、出院小结等材料，理赔时一并提交。",
        f"3. {CLAIM_SERVICE}",
    ]
    story += [
        Spacer(1, 5 * mm),
        *headed(text("出险后如何报案", HEADING), *(text(line, ITEM) for line in guidance)),
        *signatures("经办人", "日期", width=PORTRAIT_WIDTH, stamp_label="村（社区）盖章"),
    ]
    return _build(story, title, pagesize=PORTRAIT)
