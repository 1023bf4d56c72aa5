"""Campaign set-up in the browser: list, create, detail, edit dates, edit a product, insurers."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from enrollment.models import Campaign, Product, Roster, TownshipInsurer
from enrollment.services.rosters import (
    roster_approve,
    roster_enrol_all,
    roster_submit,
    township_report_draft,
    township_report_submit,
)
from haimen_insurance.models import Area, AuditEvent, Insurer
from tests.conftest import build_area
from tests.enrollment.conftest import build_campaign, build_household

pytestmark = pytest.mark.django_db

NOT_CITY = ["leader", "township_a", "finance_a", "cadre_a1", "insurer_a"]


def url(name, *args):
    return reverse(f"enrollment:{name}", args=args)


def product_data(code, **overrides):
    data = {
        "premium": "20.00",
        "accident_cap": "10000.00",
        "medical_cap": "2000.00" if code == "child_safety" else "1000.00",
        "caps_per_person": "" if code == "child_safety" else "on",
        "medical_deductible": "0",
        "reimbursement_percent": "100",
    }
    data.update(overrides)
    return {f"{code}-{name}": value for name, value in data.items() if value != ""}


def campaign_data(**overrides):
    data = {
        "year": "2014",
        "coverage_start": "2014-01-01",
        "coverage_end": "2014-12-31",
        "age_limit": "14",
        "age_date": "2014-01-01",
        "verification_deadline": "2013-12-21",
        "mobilisation_deadline": "2013-12-26",
        "implementation_deadline": "2013-12-31",
        "review_deadline": "2014-01-15",
        **product_data("child_safety"),
        **product_data("parent_health"),
    }
    data.update(overrides)
    return data


def submit_a_roster(world, campaign) -> Roster:
    """Village A1 with two families, all enrolled and submitted by its cadre."""
    build_household(world.village_a1)
    build_household(world.village_a1)
    roster = Roster.objects.get(campaign=campaign, village=world.village_a1)
    roster_enrol_all(actor=world.user("cadre_a1"), roster=roster)
    return roster_submit(actor=world.user("cadre_a1"), roster=roster)


# --- create ---


def test_new_campaign_form_is_prefilled_for_next_year(world, client_for):
    page = client_for(world.user("city")).get(url("campaign_create")).text
    year = timezone.localdate().year + 1
    assert f'name="year" value="{year}"' in page
    assert f'name="coverage_start" value="{year}-01-01"' in page
    assert f'name="verification_deadline" value="{year - 1}-12-21"' in page
    assert 'name="age_limit" value="14"' in page
    assert 'name="child_safety-premium" value="20.00"' in page
    assert 'name="parent_health-medical_cap" value="1000.00"' in page
    assert 'name="child_safety-reimbursement_percent" value="100"' in page
    assert "3 个村（社区）各建立一本参保名册" in page  # the confirmation says what will happen
    assert "data-confirm=" in page


def test_new_campaign_follows_the_newest_one(world, client_for):
    build_campaign(2013)
    page = client_for(world.user("city")).get(url("campaign_create")).text
    assert 'name="year" value="2014"' in page
    assert 'name="review_deadline" value="2014-01-15"' in page


def test_city_officer_creates_a_campaign(world, client_for):
    client = client_for(world.user("city"))
    response = client.post(
        url("campaign_create"), campaign_data(**product_data("parent_health", premium="25.50"))
    )
    campaign = Campaign.objects.get(year=2014)
    assert response.status_code == 302 and response["Location"] == campaign.get_absolute_url()
    assert campaign.age_date == date(2014, 1, 1)
    assert campaign.review_deadline == date(2014, 1, 15)
    products = {product.code: product for product in campaign.products.all()}
    assert set(products) == {"child_safety", "parent_health"}
    assert products["child_safety"].premium == Decimal("20.00")
    assert products["parent_health"].premium == Decimal("25.50")
    assert products["parent_health"].caps_per_person is True
    assert products["child_safety"].reimbursement_ratio == Decimal("1.0000")
    villages = set(Roster.objects.filter(campaign=campaign).values_list("village_id", flat=True))
    assert villages == {world.village_a1.pk, world.village_a2.pk, world.village_b1.pk}
    assert AuditEvent.objects.filter(action="campaign.create").count() == 1

    page = client.get(response["Location"]).text
    assert "已建立2014年度：2 个险种，为 3 个村（社区）各建立了一本参保名册。" in page
    assert "20.00" in page and "25.50" in page and "10,000.00" in page
    assert "2014-01-01 至 2014-12-31" in page
    assert "未满 14 周岁" in page
    assert "海门镇" in page and "甲保险公司海门支公司" in page
    assert "三星镇" in page and "乙保险公司海门支公司" in page
    assert "险种的保费和保额还可以修改" in page


def test_age_date_left_empty_is_the_coverage_start(world, client_for):
    client_for(world.user("city")).post(url("campaign_create"), campaign_data(age_date=""))
    assert Campaign.objects.get(year=2014).age_date == date(2014, 1, 1)


def test_bad_dates_show_every_reason_and_write_nothing(world, client_for):
    response = client_for(world.user("city")).post(
        url("campaign_create"),
        campaign_data(coverage_end="2013-06-30", mobilisation_deadline="2013-12-01"),
    )
    assert response.status_code == 200
    assert "保险期间止必须晚于保险期间起。" in response.text
    assert "四个阶段的截止日期须依次排列：核查准备、宣传发动、全面实施、点评总结。" in response.text
    assert 'value="2013-06-30"' in response.text  # what was typed stays on the form
    assert not Campaign.objects.exists()
    assert not Roster.objects.exists()
    assert not AuditEvent.objects.filter(action="campaign.create").exists()


def test_bad_product_rolls_the_whole_campaign_back(world, client_for):
    response = client_for(world.user("city")).post(
        url("campaign_create"), campaign_data(**product_data("child_safety", premium="0"))
    )
    assert "独生子女平安保险：每份保费必须大于 0。" in response.text
    assert not Campaign.objects.exists()
    assert not Product.objects.exists()
    assert not Roster.objects.exists()


def test_form_errors_are_in_chinese(world, client_for):
    response = client_for(world.user("city")).post(
        url("campaign_create"),
        campaign_data(
            coverage_start="",
            age_limit="20",
            **product_data("parent_health", reimbursement_percent="120", medical_cap="-1"),
        ),
    )
    assert "请填写保险期间起。" in response.text
    assert "年龄界限应在 1 到 18 周岁之间。" in response.text
    assert "医疗赔付比例不能超过 100%。" in response.text
    assert "意外医疗保额（元）不能为负数。" in response.text
    assert not Campaign.objects.exists()


def test_a_year_is_created_once(world, client_for):
    build_campaign(2014)
    response = client_for(world.user("city")).post(url("campaign_create"), campaign_data())
    assert "2014年度已经建立。" in response.text
    assert Campaign.objects.count() == 1


@pytest.mark.parametrize("key", NOT_CITY)
def test_only_the_city_officer_sets_up_campaigns(world, client_for, key):
    campaign = build_campaign()
    product = campaign.products.get(code="child_safety")
    client = client_for(world.user(key))
    assert client.get(url("campaign_create")).status_code == 403
    assert client.post(url("campaign_create"), campaign_data()).status_code == 403
    assert client.get(url("campaign_update", campaign.pk)).status_code == 403
    edit = client.post(url("campaign_update", campaign.pk), {"age_limit": "10"})
    assert edit.status_code == 403
    assert client.post(url("product_update", product.pk), {"premium": "1"}).status_code == 403
    assert client.post(url("campaign_insurers", campaign.pk), {}).status_code == 403
    assert Campaign.objects.get().age_limit == 14
    assert Product.objects.get(pk=product.pk).premium == Decimal("20.00")
    assert not Campaign.objects.filter(year=2014).exists()


# --- list and detail ---


def test_every_role_sees_the_campaigns(world, client_for):
    build_campaign(2013)
    build_campaign(
        2014,
        coverage_start=date(2014, 1, 1),
        coverage_end=date(2014, 12, 31),
        age_date=date(2014, 1, 1),
        verification_deadline=date(2013, 12, 20),
        mobilisation_deadline=date(2013, 12, 25),
        implementation_deadline=date(2013, 12, 31),
        review_deadline=date(2014, 1, 15),
    )
    page = client_for(world.user("cadre_a1")).get(url("campaign_list")).text
    assert "2014年度" in page and "2013年度" in page
    assert page.index("2014年度") < page.index("2013年度")
    assert "2014-01-01 至 2014-12-31" in page
    assert "2013-12-20" in page and "2014-01-15" in page
    assert "新建参保年度" not in page
    city_page = client_for(world.user("city")).get(url("campaign_list")).text
    assert "新建参保年度" in city_page


def test_only_the_city_officer_sees_edit_links(world, client_for):
    campaign = build_campaign()
    page = client_for(world.user("leader")).get(url("campaign_detail", campaign.pk)).text
    assert "20.00" in page
    assert url("campaign_update", campaign.pk) not in page
    assert url("campaign_insurers", campaign.pk) not in page
    city_page = client_for(world.user("city")).get(url("campaign_detail", campaign.pk)).text
    assert url("campaign_update", campaign.pk) in city_page
    assert url("campaign_insurers", campaign.pk) in city_page
    product = campaign.products.get(code="parent_health")
    assert url("product_update", product.pk) in city_page


def test_a_township_sees_only_its_own_insurer(world, client_for):
    campaign = build_campaign()
    page = client_for(world.user("township_a")).get(url("campaign_detail", campaign.pk)).text
    assert "甲保险公司海门支公司" in page
    assert "三星镇" not in page and "乙保险公司海门支公司" not in page


def test_list_query_count_does_not_grow_with_campaigns(
    world, client_for, django_assert_num_queries
):
    client = client_for(world.user("city"))
    for year in (2013, 2014):
        build_campaign(year)
    with django_assert_num_queries(5):
        assert client.get(url("campaign_list")).status_code == 200
    for year in (2015, 2016, 2017):
        build_campaign(year)
    with django_assert_num_queries(5):
        page = client.get(url("campaign_list")).text
    assert all(f"{year}年度" in page for year in range(2013, 2018))


def test_detail_query_count_does_not_grow_with_townships(
    world, client_for, django_assert_num_queries
):
    campaign = build_campaign()
    client = client_for(world.user("city"))
    # 11, one for the year's background jobs (its roll-over, the city's policy list), and one
    # for the products' premium shares (with their counties' amounts).
    with django_assert_num_queries(12):
        assert client.get(url("campaign_detail", campaign.pk)).status_code == 200
    insurer = Insurer.objects.create(code="INC", name="丙保险公司海门支公司")
    for number in range(3):
        town = build_area(f"32068410{number + 2}000", f"新镇{number}", Area.Kind.TOWN, world.city)
        TownshipInsurer.objects.create(campaign=campaign, township=town, insurer=insurer)
    with django_assert_num_queries(12):
        page = client.get(url("campaign_detail", campaign.pk)).text
    assert page.count("丙保险公司海门支公司") == 3


# --- edit dates, products, insurers ---


def test_city_officer_moves_a_deadline(world, client_for):
    campaign = build_campaign()
    client = client_for(world.user("city"))
    form = client.get(url("campaign_update", campaign.pk)).text
    assert 'name="review_deadline" value="2013-01-15"' in form
    assert 'name="year"' not in form
    data = campaign_data(
        coverage_start="2013-01-01",
        coverage_end="2013-12-31",
        age_date="2013-01-01",
        verification_deadline="2012-12-21",
        mobilisation_deadline="2012-12-26",
        implementation_deadline="2012-12-31",
        review_deadline="2013-01-20",
    )
    response = client.post(url("campaign_update", campaign.pk), data)
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.review_deadline == date(2013, 1, 20)
    assert "2013年度的日期和年龄条件已保存。" in client.get(response["Location"]).text


def test_age_rule_is_fixed_once_a_roster_is_submitted(world, client_for):
    campaign = build_campaign()
    submit_a_roster(world, campaign)
    client = client_for(world.user("city"))
    data = {
        **Campaign.objects.filter(pk=campaign.pk).values(
            "coverage_start",
            "coverage_end",
            "age_date",
            "verification_deadline",
            "mobilisation_deadline",
            "implementation_deadline",
            "review_deadline",
        )[0],
        "age_limit": 12,
    }
    response = client.post(url("campaign_update", campaign.pk), data)
    assert "已有村名册提交，年龄界限和年龄判定日不能再修改。" in response.text
    campaign.refresh_from_db()
    assert campaign.age_limit == 14


def test_city_officer_changes_a_premium_before_any_submission(world, client_for):
    campaign = build_campaign()
    product = campaign.products.get(code="child_safety")
    client = client_for(world.user("city"))
    form = client.get(url("product_update", product.pk)).text
    assert 'name="premium" value="20.00"' in form
    assert 'name="reimbursement_percent" value="100"' in form
    data = {k.removeprefix("child_safety-"): v for k, v in product_data("child_safety").items()}
    response = client.post(
        url("product_update", product.pk),
        {**data, "premium": "30", "reimbursement_percent": "85", "medical_deductible": "100"},
    )
    assert response.status_code == 302
    product.refresh_from_db()
    assert (product.premium, product.reimbursement_ratio, product.medical_deductible) == (
        Decimal("30.00"),
        Decimal("0.8500"),
        Decimal("100.00"),
    )
    page = client.get(response["Location"]).text
    assert "2013年度独生子女平安保险的保费和保额已保存。" in page
    assert "30.00" in page and "85%" in page


def test_product_edit_is_refused_once_a_roster_is_submitted(world, client_for):
    campaign = build_campaign()
    product = campaign.products.get(code="child_safety")
    submit_a_roster(world, campaign)
    client = client_for(world.user("city"))
    assert "险种和保费已经固定" in client.get(url("campaign_detail", campaign.pk)).text
    form = client.get(url("product_update", product.pk)).text
    assert "2013年度已有村名册提交，险种和保费不能再修改。" in form
    data = {k.removeprefix("child_safety-"): v for k, v in product_data("child_safety").items()}
    response = client.post(url("product_update", product.pk), {**data, "premium": "30"})
    assert response.status_code == 200
    assert "没有保存。" in response.text
    assert "2013年度已有村名册提交，险种和保费不能再修改。" in response.text
    product.refresh_from_db()
    assert product.premium == Decimal("20.00")
    assert not AuditEvent.objects.filter(action="product.update").exists()


def insurer_data(world, **choices):
    data = {
        f"township_{world.town_a.pk}": world.insurer_a.pk,
        f"township_{world.town_b.pk}": world.insurer_b.pk,
    }
    data.update({f"township_{getattr(world, key).pk}": value for key, value in choices.items()})
    return data


def test_city_officer_changes_a_townships_insurer(world, client_for):
    campaign = build_campaign()
    client = client_for(world.user("city"))
    form = client.get(url("campaign_insurers", campaign.pk)).text
    assert "海门镇" in form and "三星镇" in form
    response = client.post(
        url("campaign_insurers", campaign.pk), insurer_data(world, town_b=world.insurer_a.pk)
    )
    assert response.status_code == 302
    rows = dict(
        TownshipInsurer.objects.filter(campaign=campaign).values_list("township", "insurer")
    )
    assert rows == {world.town_a.pk: world.insurer_a.pk, world.town_b.pk: world.insurer_a.pk}
    assert AuditEvent.objects.filter(action="campaign.township_insurer").count() == 1
    page = client.get(response["Location"]).text
    assert "已更换 1 个乡镇的承保公司（三星镇：甲保险公司海门支公司）。" in page


def test_a_reported_township_keeps_its_insurer_and_nothing_is_saved(world, client_for):
    campaign = build_campaign()
    officer = world.user("township_a")
    roster_approve(actor=officer, roster=submit_a_roster(world, campaign))
    other = Roster.objects.get(campaign=campaign, village=world.village_a2)
    roster_approve(actor=officer, roster=roster_submit(actor=world.user("cadre_a2"), roster=other))
    report = township_report_draft(actor=officer, campaign=campaign, township=world.town_a)
    township_report_submit(actor=officer, report=report)

    client = client_for(world.user("city"))
    assert "已上报" in client.get(url("campaign_insurers", campaign.pk)).text
    response = client.post(
        url("campaign_insurers", campaign.pk),
        insurer_data(world, town_a=world.insurer_b.pk, town_b=world.insurer_a.pk),
    )
    assert response.status_code == 200
    assert "海门镇已上报，承保公司不能再更换。" in response.text
    assert "有乡镇不能更换承保公司，本次修改均未保存。" in response.text
    rows = dict(
        TownshipInsurer.objects.filter(campaign=campaign).values_list("township", "insurer")
    )
    assert rows == {world.town_a.pk: world.insurer_a.pk, world.town_b.pk: world.insurer_b.pk}
    assert not AuditEvent.objects.filter(action="campaign.township_insurer").exists()


def test_unknown_campaign_is_not_found(world, client_for):
    client = client_for(world.user("city"))
    assert client.get(url("campaign_detail", 999999)).status_code == 404
    assert client.get(url("product_update", 999999)).status_code == 404
