"""The workbench as a to-do list across the open campaigns: after the city rolls 2013 over into
2014, last year's unfinished work (a township funded but not issued, a township not reported, a
roster never submitted) stays on the workbench of whoever must finish it, with its deadline."""

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from enrollment.models import Roster
from enrollment.services.campaigns import campaign_open
from enrollment.services.policies import transfer_record
from enrollment.services.rollover import campaign_roll_over
from enrollment.services.rosters import roster_return, roster_submit
from oversight.todo import todo_list
from tests.claims.conftest import claim_with_insurer, issue_township, report_claim
from tests.enrollment.conftest import (
    build_campaign,
    build_household,
    build_reported_report,
    transfer_values,
)

pytestmark = pytest.mark.django_db

DEADLINE_2013 = date(2012, 12, 31)  # the 2013 campaign's 全面实施截止
DEADLINE_2014 = date(2013, 12, 31)


def overdue(deadline: date) -> str:
    return f"已逾期 {(timezone.localdate() - deadline).days} 天"


def roll_over(campaign, city, *, open_it=True):
    rolled = campaign_roll_over(actor=city, campaign=campaign).campaign
    return campaign_open(actor=city, campaign=rolled) if open_it else rolled


@pytest.fixture
def two_years(world):
    """2013: 海门镇 reported and funded but not issued, 三星镇 not reported; then 2014 is rolled
    over from 2013 and opened."""
    last = build_campaign(2013)
    build_household(world.village_a1, child_name="陈小雨")
    build_household(world.village_a2, child_name="张子涵")
    report = build_reported_report(last, world.town_a)
    transfer_record(actor=None, report=report, **transfer_values(report))
    this = roll_over(last, world.user("city"))
    return SimpleNamespace(last=last, this=this, report=report)


def todo_block(client) -> str:
    page = client.get(reverse("workbench")).text
    assert 'id="todo"' in page, page
    start = page.index('id="todo"')
    return page[start : page.index("</section>", start)]


def test_the_insurer_still_issues_last_years_funded_township(world, two_years, client_for):
    client = client_for(world.user("insurer_a"))
    page = client.get(reverse("workbench")).text
    assert '<div class="hm-card-number" id="waiting-count">1</div>' in page
    todo = todo_block(client)
    assert "2013年度" in todo and "海门镇" in todo
    assert reverse("enrollment:policy_issue", args=[two_years.report.pk]) in todo
    assert "2012-12-31" in todo
    assert overdue(DEADLINE_2013) in todo
    # 乙 covers 三星镇, which never reported: nothing for 乙 to do.
    assert "还没有" in todo_block(client_for(world.user("insurer_b")))


def test_finance_reaches_last_years_voucher(world, two_years, client_for):
    page = client_for(world.user("finance_a")).get(reverse("workbench")).text
    assert reverse("enrollment:transfer_voucher", args=[two_years.report.pk]) in page
    assert "2013年度" in page


def test_the_cadre_fills_in_both_years_rosters(world, two_years, client_for):
    todo = todo_block(client_for(world.user("cadre_b1")))
    for campaign, deadline in ((two_years.last, DEADLINE_2013), (two_years.this, DEADLINE_2014)):
        roster = Roster.objects.get(campaign=campaign, village=world.village_b1)
        assert roster.get_absolute_url() in todo
        assert f"{deadline:%Y-%m-%d}" in todo
    assert overdue(DEADLINE_2013) in todo


def test_a_returned_roster_is_to_submit_again_with_the_reason(world, two_years, client_for):
    roster = Roster.objects.get(campaign=two_years.this, village=world.village_a1)
    roster_submit(actor=world.user("cadre_a1"), roster=roster)
    officer_todo = todo_block(client_for(world.user("township_a")))
    assert roster.get_absolute_url() in officer_todo
    assert "审核" in officer_todo and "东兴村" in officer_todo
    roster_return(actor=world.user("township_a"), roster=roster, reason="门牌号待核实")
    todo = todo_block(client_for(world.user("cadre_a1")))
    assert "退回" in todo and "门牌号待核实" in todo
    assert roster.get_absolute_url() in todo


def test_township_officers_report_every_open_year(world, two_years, client_for):
    todo_b = todo_block(client_for(world.user("township_b")))
    rosters_2013 = reverse("enrollment:township_rosters", args=[world.town_b.pk])
    assert f"{rosters_2013}?campaign=2013" in todo_b
    assert f"{rosters_2013}?campaign=2014" in todo_b
    todo_a = todo_block(client_for(world.user("township_a")))
    assert "?campaign=2013" not in todo_a  # 海门镇 reported 2013; its finance and insurer act
    assert "?campaign=2014" in todo_a


def test_the_city_sees_the_townships_not_reported_in_each_open_year(world, two_years, client_for):
    todo = todo_block(client_for(world.user("city")))
    assert f"{reverse('enrollment:rosters_overview')}?campaign=2013" in todo
    assert f"{reverse('enrollment:rosters_overview')}?campaign=2014" in todo
    assert "三星镇" in todo
    # 2013: 海门镇 is funded and waits for its policies, which the city follows up.
    assert "待出具保单" in todo


def test_a_campaign_being_prepared_counts_for_nobody_but_the_city(world, two_years, client_for):
    upcoming = roll_over(two_years.this, world.user("city"), open_it=False)
    cadre_todo = todo_block(client_for(world.user("cadre_b1")))
    assert "2015" not in cadre_todo
    city_todo = todo_block(client_for(world.user("city")))
    assert reverse("enrollment:campaign_detail", args=[upcoming.pk]) in city_todo
    assert "开放" in city_todo


def test_the_insurers_claims_come_with_their_due_dates(world, client_for):
    campaign = build_campaign()
    build_household(world.village_a1, child_name="林小雨")
    issue_township(campaign, world.town_a)
    claim = claim_with_insurer("林小雨")
    todo = todo_block(client_for(world.user("insurer_a")))
    assert claim.get_absolute_url() in todo and claim.number in todo
    assert f"{claim.due_date:%Y-%m-%d}" in todo


def test_the_cadre_helps_with_claims_still_gathering_documents(world, client_for):
    campaign = build_campaign()
    build_household(world.village_a1, child_name="林小雨")
    issue_township(campaign, world.town_a)
    claim = report_claim("林小雨")
    todo = todo_block(client_for(world.user("cadre_a1")))
    assert claim.get_absolute_url() in todo and claim.number in todo


# The queries of each role's to-do list, whatever the number of campaigns, rosters, reports
# and claims. Finance: the reports (whether its office has transferred read with them), and
# the premium shares and the reported reports' lines, for what its office owes.
QUERIES = {
    "cadre_a1": 3,
    "township_a": 4,
    "finance_a": 4,
    "insurer_a": 3,
    "city": 3,
    "leader": 3,
}


def _claim(campaign, *, hand_over: bool):
    """A claim on the first insured child of 东兴村 in ``campaign``, handed to the insurer or
    still gathering its documents."""
    from claims.documents import checklist
    from claims.services import (
        claim_document_tick,
        claim_documents_complete,
        claim_report,
        claim_submit,
    )
    from enrollment.models import InsuredPerson

    person = (
        InsuredPerson.objects.select_related("entry_product")
        .filter(
            campaign=campaign,
            relation="child",
            entry_product__entry__roster__village__name="东兴村",
        )
        .order_by("pk")
        .first()
    )
    claim = claim_report(
        actor=None,
        person=person,
        benefit="medical",
        incident_date=date(2013, 3, 5),
        incident_place="东兴村村道",
        description="骑自行车摔倒，住院治疗。",
        amount_claimed=Decimal("100.00"),
        expenses=Decimal("100.00"),
        paid_elsewhere=Decimal("0.00"),
    )
    if hand_over:
        for code, _, required in checklist(claim.benefit):
            if required:
                claim_document_tick(
                    actor=None, claim=claim, item=code, received_on=date(2013, 3, 8)
                )
        claim_documents_complete(actor=None, claim=claim)
        claim = claim_submit(actor=None, claim=claim)
    return claim


@pytest.mark.parametrize("key", list(QUERIES))
def test_the_to_do_list_query_count_does_not_grow(world, key, django_assert_num_queries):
    user = world.user(key)
    first = build_campaign(2013)
    for village in (world.village_a1, world.village_a2, world.village_b1):
        build_household(village)
        build_household(village)
    issue_township(first, world.town_a)
    build_reported_report(first, world.town_b)
    second = roll_over(first, world.user("city"))
    build_reported_report(second, world.town_a)
    _claim(first, hand_over=True)
    _claim(first, hand_over=False)
    with django_assert_num_queries(QUERIES[key]):
        before = todo_list(user)
    assert before.items
    roll_over(second, world.user("city"))
    _claim(first, hand_over=True)
    _claim(first, hand_over=False)
    with django_assert_num_queries(QUERIES[key]):
        after = todo_list(user)
    assert len(after.items) >= len(before.items)
