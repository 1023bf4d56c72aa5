"""Transfer and issuance pages as their users see them: the amount due and the refusal with the
difference, the spreadsheets (rows, IDs as text), the upload's error list, policy search within
scope, the 参保凭证, and ``export_policies``."""

import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from enrollment.models import FundTransfer, Policy, TownshipReport
from enrollment.services.policies import policies_issue, transfer_record
from haimen_insurance.privacy import mask
from tests.enrollment.conftest import build_campaign, build_household, build_reported_report
from tests.enrollment.conftest import transfer_values as typed_transfer

pytestmark = pytest.mark.django_db

EMPLOYER = "海门纺织厂"


@pytest.fixture
def report(world, campaign):
    """海门镇: 东兴村 three families (one paid by 海门纺织厂), 新河村 two: 10 policies, 200.00."""
    build_household(world.village_a1, child_name="陈小雨")
    build_household(world.village_a1, child_name="王一鸣")
    build_household(world.village_a1, child_name="李佳怡", employer_name=EMPLOYER)
    build_household(world.village_a2, child_name="周子涵")
    build_household(world.village_a2, child_name="吴思远")
    return build_reported_report(campaign, world.town_a)


@pytest.fixture
def funded(world, report):
    transfer_record(actor=None, report=report, **typed_transfer(report))
    report.refresh_from_db()
    return report


@pytest.fixture
def issued(world, funded):
    policies_issue(actor=None, report=funded)
    funded.refresh_from_db()
    return funded


def form_data(report, **overrides):
    values = typed_transfer(report, **overrides)
    values["transfer_date"] = values["transfer_date"].isoformat()
    return values


def xlsx_rows(source):
    sheet = load_workbook(source, read_only=True).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def sheet_rows(response):
    return xlsx_rows(io.BytesIO(b"".join(response.streaming_content)))


def test_the_transfer_page_shows_the_amount_due_in_figures_and_capitals(world, report, client_for):
    response = client_for(world.user("finance_a")).get(
        reverse("enrollment:transfer_record", args=[report.pk])
    )
    assert report.premium == Decimal("200.00")
    assert '<div class="fs-4 fw-bold" id="amount-due">200.00</div>' in response.text
    assert "人民币贰佰元整" in response.text
    assert 'value="海门镇财政所"' in response.text
    assert 'value="甲保险公司海门支公司"' in response.text


def test_a_wrong_amount_is_refused_on_the_page_and_nothing_is_recorded(world, report, client_for):
    client = client_for(world.user("finance_a"))
    url = reverse("enrollment:transfer_record", args=[report.pk])
    response = client.post(url, form_data(report, amount="199.50"))
    assert response.status_code == 200
    assert "没有登记。" in response.text
    assert "划拨金额 199.50 元与应划拨保费 200.00 元不符，少 0.50 元。" in response.text
    assert 'value="HMCZ-2012-0088"' in response.text  # what was typed is kept
    assert not FundTransfer.objects.exists()

    # The amount as a clerk may type it, with the yuan sign, reads the same.
    response = client.post(url, form_data(report, amount="¥ 200.00"), follow=True)
    assert "已登记划拨：凭证号 HMCZ-2012-0088，金额 200.00 元（人民币贰佰元整）" in response.text
    assert "打印资金划拨单（PDF）" in response.text
    report.refresh_from_db()
    assert report.status == TownshipReport.Status.FUNDED


def test_a_funded_report_offers_no_second_transfer(world, funded, client_for):
    client = client_for(world.user("finance_a"))
    response = client.get(reverse("enrollment:transfer_record", args=[funded.pk]), follow=True)
    assert "汇总表保费已划拨，无需登记划拨。" in response.text
    assert "登记保费划拨</a>" not in response.text


def test_the_voucher_pdf_is_served_once_funded(world, funded, client_for):
    response = client_for(world.user("township_a")).get(
        reverse("enrollment:transfer_voucher", args=[funded.pk])
    )
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_the_employer_dues_sheet_lists_what_each_unit_owes(world, report, client_for):
    response = client_for(world.user("finance_a")).get(
        reverse("enrollment:employer_dues", args=[report.pk])
    )
    rows = sheet_rows(response)
    # The caption fills column A; the read-only reader pads it to the sheet's five columns.
    assert rows[0] == ["海门镇2013年度企事业单位应缴保费", None, None, None, None]
    assert rows[1] == ["奖励金发放单位", "参保户数", "保单数", "被保险人数", "应缴保费（元）"]
    assert rows[2] == [EMPLOYER, 1, 2, 3, 40]
    assert rows[3] == ["企事业单位合计", 1, 2, 3, 40]


def test_the_policy_list_has_a_row_per_policy_with_ids_as_text(world, issued, client_for):
    client = client_for(world.user("insurer_a"))
    response = client.get(reverse("enrollment:policy_list_xlsx", args=[issued.pk]))
    header, *rows, totals = sheet_rows(response)
    assert header[:3] == ["乡镇（园区）", "村（社区）", "证号"]
    assert len(rows) == issued.policies == 10
    # The totals row: policies, insured persons, premium (证号, 险种, 保单号 left empty, so the
    # insurer's upload of the filled-in list skips it).
    column = {name: index for index, name in enumerate(header)}
    assert totals[0] == "合计"
    assert totals[column["村（社区）"]] == "保单 10 份"
    assert totals[column["被保险人"]] == f"被保险人 {issued.persons} 人"
    assert totals[column["保费（元）"]] == 200
    assert all(totals[column[name]] in (None, "") for name in ("证号", "险种", "保单号"))
    column = {name: index for index, name in enumerate(header)}
    numbers = {row[column["保单号"]] for row in rows}
    assert numbers == set(Policy.objects.values_list("number", flat=True))
    child = next(row for row in rows if row[column["被保险人"]] == "陈小雨")
    assert child[column["险种"]] == "独生子女平安保险"
    assert isinstance(child[column["身份证号"]], str) and len(child[column["身份证号"]]) == 18
    assert child[column["出生日期"]] == "2005-06-01"
    assert child[column["保费（元）"]] == 20
    assert child[column["保险期间起"]] == "2013-01-01"
    parents = next(
        row
        for row in rows
        if row[column["险种"]] == "独生子女父母安康保险" and row[column["证号"]] == child[2]
    )
    assert parents[column["第二被保险人"]].startswith("母")


def test_the_policy_list_query_count_does_not_grow_with_rows(
    world, campaign, django_assert_num_queries, client_for
):
    build_household(world.village_a1)
    small = build_reported_report(campaign, world.town_a)
    for _ in range(12):
        build_household(world.village_b1)
    large = build_reported_report(campaign, world.town_b)
    for report in (small, large):
        transfer_record(actor=None, report=report, **typed_transfer(report))
    client = client_for(world.user("city"))
    client.force_login(world.user("insurer_a"))
    # Session, user, the permissions, the report, the rows, the download's audit event.
    with django_assert_num_queries(6):
        client.get(reverse("enrollment:policy_list_xlsx", args=[small.pk]))
    client.force_login(world.user("insurer_b"))
    with django_assert_num_queries(6):
        response = client.get(reverse("enrollment:policy_list_xlsx", args=[large.pk]))
    assert len(sheet_rows(response)) == 1 + 24 + 1  # header, policies, totals


def test_the_policy_list_waits_for_the_premium(world, report, client_for):
    response = client_for(world.user("insurer_a")).get(
        reverse("enrollment:policy_list_xlsx", args=[report.pk]), follow=True
    )
    assert "保费划拨到账后才能下载保单清单。" in response.text


def _upload(client, report, rows, *, confirm=True):
    workbook = Workbook()
    workbook.active.append(["证号", "险种", "保单号"])
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.name = "保单号.xlsx"
    buffer.seek(0)
    data = {"file": buffer}
    if confirm:
        data["confirm"] = "on"
    return client.post(
        reverse("enrollment:policy_numbers_upload", args=[report.pk]), data, follow=True
    )


def test_an_upload_with_bad_rows_lists_each_and_issues_nothing(world, funded, client_for):
    client = client_for(world.user("insurer_a"))
    response = _upload(client, funded, [["HM-NONE", "平安险", "P-1"], ["", "意外险", ""]])
    assert "保单号.xlsx 有" in response.text and "没有出具任何保单" in response.text
    assert "本乡镇汇总中没有证号 HM-NONE 的平安险" in response.text
    assert "险种「意外险」无法识别" in response.text
    assert "保单号为空" in response.text
    assert "没有填写保单号" in response.text
    assert not Policy.objects.exists()
    funded.refresh_from_db()
    assert funded.status == TownshipReport.Status.FUNDED


def test_an_upload_must_be_confirmed(world, funded, client_for):
    response = _upload(client_for(world.user("insurer_a")), funded, [], confirm=False)
    assert "请勾选确认后再出具。" in response.text


def test_a_clean_upload_issues_the_insurers_numbers(world, funded, client_for):
    from enrollment.selectors.policies import report_policy_rows

    names = {"child_safety": "平安险", "parent_health": "独生子女父母安康保险"}
    rows = [
        [row.certificate_no, names[row.product_code], f"PICC-HM-{index:05d}"]
        for index, row in enumerate(report_policy_rows(funded), start=1)
    ]
    response = _upload(client_for(world.user("insurer_a")), funded, rows)
    assert "已出具海门镇2013年度保单 10 份（按导入的保单号）" in response.text
    assert Policy.objects.filter(number__startswith="PICC-HM-").count() == 10


def test_system_numbering_from_the_issue_page_and_a_second_click(world, funded, client_for):
    client = client_for(world.user("insurer_a"))
    url = reverse("enrollment:policy_issue", args=[funded.pk])
    assert "本乡镇第一份保单号为 <code>INA2013100000001</code>" in client.get(url).text
    response = client.post(url, follow=True)
    assert "已出具海门镇2013年度保单 10 份（系统编号），保险期间 2013-01-01 至 2013-12-31。" in (
        response.text
    )
    assert "保单已出具 10 份" in response.text
    response = client.post(url, follow=True)
    assert "本乡镇的保单已经出具，未重复出具。" in response.text
    assert Policy.objects.count() == 10


def test_policy_search_finds_by_name_id_and_number_within_scope(world, issued, client_for):
    child = Policy.objects.get(household__child_name="陈小雨", product__code="child_safety")
    child_id = child.household.child_id_number
    cadre = client_for(world.user("cadre_a1"))
    url = reverse("enrollment:policy_list")
    for query in ("陈小雨", child_id, child.number):
        response = cadre.get(url, {"q": query})
        assert child.number in response.text, query
        assert child_id in response.text  # a cadre sees IDs in full
    parents = cadre.get(url, {"q": child.household.father_name}).text
    assert "（父亲） <span" in parents and "<br>" in parents and "&lt;br&gt;" not in parents
    # 新河村's families are not the 东兴村 cadre's.
    other = Policy.objects.filter(village=world.village_a2).first()
    assert other.number not in cadre.get(url).text
    assert cadre.get(url).context["table"].paginator.count == 6
    cadre.force_login(world.user("township_a"))
    assert cadre.get(url).context["table"].paginator.count == 10
    cadre.force_login(world.user("insurer_b"))
    assert cadre.get(url).context["table"].paginator.count == 0
    cadre.force_login(world.user("city"))
    response = cadre.get(url, {"q": "陈小雨"})
    assert mask(child_id) in response.text and child_id not in response.text


def test_policy_search_query_count_does_not_grow(
    world, issued, client_for, django_assert_num_queries
):
    client = client_for(world.user("township_a"))
    url = reverse("enrollment:policy_list")
    with django_assert_num_queries(7):
        response = client.get(url)
    assert response.context["table"].paginator.count == 10


def test_the_certificate_pdf_names_the_familys_policies(world, issued, client_for):
    import subprocess

    policy = Policy.objects.filter(village=world.village_a1).first()
    response = client_for(world.user("cadre_a1")).get(
        reverse("enrollment:policy_certificate", args=[policy.pk])
    )
    assert response["Content-Type"] == "application/pdf"
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=response.content, capture_output=True, check=True
    ).stdout.decode()
    for number in Policy.objects.filter(household=policy.household).values_list(
        "number", flat=True
    ):
        assert number in text


def test_export_policies_writes_every_issued_policy(world, issued, tmp_path):
    target = tmp_path / "policies.xlsx"
    out = io.StringIO()
    call_command("export_policies", "--campaign", "2013", str(target), stdout=out)
    assert "已导出 10 份保单" in out.getvalue()
    assert len(xlsx_rows(target)) == 1 + 10 + 1  # header, policies, totals
    call_command(
        "export_policies", "--campaign", "2013", "--insurer", "INB", str(target), stdout=out
    )
    assert len(xlsx_rows(target)) == 1 + 1  # header, totals (0 policies)
    with pytest.raises(CommandError, match="没有 2014 参保年度"):
        call_command("export_policies", "--campaign", "2014", str(target))
    with pytest.raises(CommandError, match="没有代码为 XX 的保险公司"):
        call_command("export_policies", "--campaign", "2013", "--insurer", "XX", str(target))


def test_the_finance_workbench_queues_the_reported_township(world, report, client_for):
    response = client_for(world.user("finance_a")).get(reverse("workbench"))
    assert '<div class="hm-card-number" id="waiting-count">1</div>' in response.text
    assert "核对并登记划拨" in response.text
    client = client_for(world.user("insurer_a"))
    response = client.get(reverse("workbench"))
    assert '<div class="hm-card-number" id="waiting-count">0</div>' in response.text


def test_an_insurer_sees_the_reports_of_the_campaigns_choice_of_insurer(world, client_for):
    """The campaign names 乙 for 海门镇 although the township's current insurer is 甲."""
    from enrollment.models import TownshipInsurer

    campaign = build_campaign()
    build_household(world.village_a1)
    TownshipInsurer.objects.filter(campaign=campaign, township=world.town_a).update(
        insurer=world.insurer_b
    )
    report = build_reported_report(campaign, world.town_a)
    url = reverse("enrollment:township_report", args=[report.pk])
    assert client_for(world.user("insurer_b")).get(url).status_code == 200
    assert client_for(world.user("insurer_a")).get(url).status_code == 404


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("1200", "1200"),
        ("1,200.00", "1200.00"),
        ("¥12,345.60", "12345.60"),
        ("1 005.00 元", "1005.00"),
    ],
)
def test_the_amount_reads_as_people_write_it(typed, amount):
    from haimen_insurance.forms import YuanField

    assert YuanField(max_digits=14, decimal_places=2).clean(typed) == Decimal(amount)


# A policy whose cover has ended reads 已到期, computed from its dates against today; nothing is
# written (the status stays 有效 in the database until a service moves it).


@pytest.fixture
def one_still_running(issued):
    """陈小雨's child policy runs until next month; every other policy ended on 2013-12-31."""
    from datetime import timedelta

    from django.utils import timezone

    running = Policy.objects.get(household__child_name="陈小雨", product__code="child_safety")
    Policy.objects.filter(pk=running.pk).update(
        coverage_end=timezone.localdate() + timedelta(days=30)
    )
    return running


def _status_cells(html: str) -> dict[str, str]:
    from tests.enrollment.test_verification import Tables

    table = Tables(html).tables["policies"]
    head = table["head"][0]
    return {row[0]: row[head.index("状态")] for row in table["body"]}


def test_an_ended_policy_reads_expired_in_the_search(world, one_still_running, client_for):
    cadre = client_for(world.user("cadre_a1"))
    url = reverse("enrollment:policy_list")
    statuses = _status_cells(cadre.get(url).text)
    assert statuses[one_still_running.number] == "有效"
    ended = Policy.objects.filter(village=world.village_a1).exclude(pk=one_still_running.pk)
    assert {statuses[policy.number] for policy in ended} == {"已到期"}
    running = _status_cells(cadre.get(url, {"status": "issued"}).text)
    assert list(running) == [one_still_running.number]
    expired = cadre.get(url, {"status": "expired"}).context["table"].paginator.count
    assert expired == 5
    assert set(Policy.objects.values_list("status", flat=True)) == {"issued"}  # nothing written


def test_an_ended_policy_reads_expired_on_the_household_and_the_certificate(
    world, one_still_running, client_for
):
    import subprocess

    cadre = client_for(world.user("cadre_a1"))
    household = one_still_running.household
    page = cadre.get(reverse("enrollment:household_detail", args=[household.pk])).text
    assert page.count("<td>已到期</td>") == 1 and page.count("<td>有效</td>") == 1
    response = cadre.get(reverse("enrollment:policy_certificate", args=[one_still_running.pk]))
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=response.content, capture_output=True, check=True
    ).stdout.decode()
    assert "已到期" in text and "有效" in text
