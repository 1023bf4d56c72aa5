"""The year's review (点评总结) printed, A4 landscape: the city's totals and written review,
the counties' assessment scores ranked (where the city has counties), each township's figures,
assessment score and written review, and the claims summary. Built
with the kit ``haimen_insurance.pdf`` like every PDF; signed by the same office as enrollment's
forms."""

from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from enrollment.pdf import author
from haimen_insurance.money import format_yuan, to_capital_yuan
from haimen_insurance.pdf import (
    CELL,
    HEADING,
    ITEM,
    TEXT,
    TITLE,
    build,
    headed,
    signatures,
    table,
    text,
)
from haimen_insurance.programmes import programme


def _percent(value) -> str:
    return "—" if value is None else f"{value}%"


def _note_paragraphs(note) -> list:
    """The three parts of a written review, each a paragraph headed by its name."""
    return [
        text(f"{label}：{getattr(note, name) or '—'}", ITEM)
        for name, label in zip(note.FIELDS, ("肯定成绩", "找出不足", "完善措施"), strict=True)
    ]


def year_review_pdf(review) -> bytes:
    """The city's totals and written review, each township's figures, its assessment score
    ranked and its written review, and the claims summary
    (``oversight.review.Review``). Every heading stays with what it heads."""
    campaign, city = review.campaign, review.city
    title = f"{programme().city}{campaign.year}年度独生子女保险点评总结"
    totals = (
        f"全市符合条件 {city.eligible} 户，参保 {city.enrolled} 户，投保率 "
        f"{_percent(city.coverage_rate)}；保单 {city.policies} 份，"
        f"保费 {format_yuan(city.premium)} 元"
        f"（人民币大写：{to_capital_yuan(city.premium)}）。理赔 {city.claims} 件，已赔付 "
        f"{city.claims_paid} 件，赔付 {format_yuan(city.paid)} 元，赔付率 "
        f"{_percent(city.payout_ratio)}；已办结 {city.settled} 件，其中达到服务标准 "
        f"{city.within_standard} 件。"
    )
    money = city.money
    if len(money.payer_rows) > 1:  # the premium shared between payers (Ji'an's)
        shares = "，".join(
            f"{label} {format_yuan(amount)} 元" for label, amount in money.payer_rows
        )
        paid = "，".join(
            f"{label}应划拨 {format_yuan(due)} 元、已划拨 {format_yuan(done)} 元"
            for label, due, done in money.office_rows
        )
        totals += f"已上报保费按分担方：{shares}；{paid}。"
    rules = review.assessment.rules
    figures_header = ["名次", "乡镇（园区）", "符合条件", "参保", "投保率", "保费（元）"]
    figures_header += ["理赔", "赔付（元）", "赔付率"]
    figures_data = [figures_header]
    scores_data = [["名次", "乡镇（园区）", *(rule.get_metric_display() for rule in rules), "总分"]]
    for row in review.assessment.rows:
        figures = row.figures
        name = text(figures.area.name, CELL)
        figures_data.append(
            [
                str(row.rank),
                name,
                str(figures.eligible),
                str(figures.enrolled),
                _percent(figures.coverage_rate),
                format_yuan(figures.premium),
                str(figures.claims),
                format_yuan(figures.paid),
                _percent(figures.payout_ratio),
            ]
        )
        scores_data.append(
            [
                str(row.rank),
                name,
                *(format_yuan(value) for value in row.scores),
                format_yuan(row.total),
            ]
        )
    figures_data.append(
        [
            "",
            "全市",
            str(city.eligible),
            str(city.enrolled),
            _percent(city.coverage_rate),
            format_yuan(city.premium),
            str(city.claims),
            format_yuan(city.paid),
            _percent(city.payout_ratio),
        ]
    )
    first, name = 12 * mm, 40 * mm

    def widths(columns: int) -> list:
        return [first, name] + [(253 * mm - first - name) / (columns - 2)] * (columns - 2)

    rule_text = _rules_text(rules)
    claims = [
        ["保险责任", "件数", "申请金额（元）", "核定金额（元）", "赔付金额（元）", "已办结", "达标"]
    ]
    claims += [
        [
            summary.label,
            str(summary.claims),
            format_yuan(summary.claimed),
            format_yuan(summary.approved),
            format_yuan(summary.paid),
            str(summary.settled),
            str(summary.within_standard),
        ]
        for summary in review.claims
    ]
    story = [
        text(title, TITLE),
        Spacer(1, 3 * mm),
        text(
            f"保险期间：{campaign.coverage_start:%Y-%m-%d} 至 {campaign.coverage_end:%Y-%m-%d}"
            f"　点评总结截止：{campaign.review_deadline:%Y-%m-%d}",
            TEXT,
        ),
        Spacer(1, 2 * mm),
        text(totals, TEXT),
    ]
    if review.city_note is not None and review.city_note.written:
        story += headed(text("全市点评总结", HEADING), *_note_paragraphs(review.city_note))
    if review.assessment.has_counties:
        story += _county_section(review.assessment, widths)
    story += [
        *headed(
            text("各乡镇（园区）数据", HEADING),
            table(figures_data, widths(len(figures_header)), total_row=True),
        ),
        *headed(
            text("各乡镇（园区）考核得分", HEADING),
            table(scores_data, widths(len(scores_data[0]))),
            Spacer(1, 2 * mm),
            text(f"评分规则：{rule_text or '尚未设置'}。", TEXT),
            *(text(note, TEXT) for note in (review.assessment.notes if rules else ())),
        ),
    ]
    notes = [note for note in review.township_notes if note.written]
    if notes:
        story.append(text("各乡镇（园区）点评总结", HEADING))
        for note in notes:
            story += headed(text(note.area.name, TEXT), *_note_paragraphs(note))
    story += [
        *headed(
            text("理赔汇总", HEADING),
            table(claims, [40 * mm] + [35 * mm] * 6, total_row=True),
        ),
        *signatures("制表人", "审核人", "市计生委负责人", "日期"),
    ]
    return build(story, title, author=author())


def _rules_text(rules) -> str:
    return "；".join(
        f"{rule.get_metric_display()}达到 {rule.threshold}% 得 {rule.points} 分"
        + ("（未达到按比例得分）" if rule.pro_rata else "")
        for rule in rules
    )


def _county_section(result, widths) -> list:
    """The counties ranked on the county-level rules, each on its townships rolled up: rank,
    county, townships, coverage, points per rule and total; then the rules and how a county
    is scored."""
    rules = result.county_rules
    data = [
        [
            "名次",
            "县（区）",
            "乡镇（园区）",
            "投保率",
            *(rule.get_metric_display() for rule in rules),
            "总分",
        ]
    ]
    for row in result.county_rows:
        figures = row.figures
        data.append(
            [
                str(row.rank),
                text(figures.area.name, CELL),
                str(figures.townships),
                _percent(figures.coverage_rate),
                *(format_yuan(value) for value in row.scores),
                format_yuan(row.total),
            ]
        )
    return headed(
        text("各县（区）考核得分", HEADING),
        table(data, widths(len(data[0]))),
        Spacer(1, 2 * mm),
        text(f"县（区）评分规则：{_rules_text(rules) or '尚未设置'}。", TEXT),
        *(text(note, TEXT) for note in result.county_notes),
    )
