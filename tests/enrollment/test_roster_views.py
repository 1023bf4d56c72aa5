"""The roster page as the cadre and the township officer use it."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from enrollment.models import Household, Roster
from enrollment.services.rosters import entry_decide, roster_enrol_all, roster_submit
from tests.enrollment.conftest import build_household

pytestmark = pytest.mark.django_db


@pytest.fixture
def roster(world, campaign):
    return Roster.objects.get(campaign=campaign, village=world.village_a1)


def url(name, *args):
    return reverse(f"enrollment:{name}", args=args)


def fill(village, eligible=3):
    households = [build_household(village) for _ in range(eligible)]
    households.append(build_household(village, child_birth_date=date(1999, 1, 1)))  # turns 14
    households.append(build_household(village, hukou="urban"))
    return households


def test_the_page_counts_what_the_register_holds(world, roster, client_for):
    households = fill(world.village_a1)
    cadre = world.user("cadre_a1")
    entry_decide(actor=cadre, roster=roster, household=households[0], decision="enrolled")
    entry_decide(
        actor=cadre,
        roster=roster,
        household=households[1],
        decision="declined",
        reason="家庭自愿放弃",
    )
    page = client_for(cadre).get(url("roster_detail", roster.pk)).content.decode()
    figures = {
        label: value
        for value, label in [
            ("3", "符合条件"),
            ("1", "参保户"),
            ("1", "自愿放弃"),
            ("1", "未处理"),
            ("2", "不符合条件"),
            ("2", "保单"),
            ("3", "被保险人"),
            ("40.00", "保费（元）"),
        ]
    }
    for label, value in figures.items():
        assert f'{value}</div><div class="small text-muted">{label}</div>' in page, label
    assert "原因：家庭自愿放弃" in page
    assert "原因：子女已满年龄界限" in page
    assert "一键登记全部未处理家庭（1 户）" in page


def test_the_query_count_does_not_grow_with_households(world, roster, client_for):
    client = client_for(world.user("cadre_a1"))
    fill(world.village_a1, eligible=3)
    roster_enrol_all(actor=world.user("cadre_a1"), roster=roster)
    with CaptureQueriesContext(connection) as few:
        client.get(url("roster_detail", roster.pk))
    fill(world.village_a1, eligible=40)
    roster_enrol_all(actor=world.user("cadre_a1"), roster=roster)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url("roster_detail", roster.pk))
    assert "共 47 户" in response.content.decode()
    # Session, user, permissions, the roster, its figures, the page of households, their
    # products, and the on-behalf note (乡镇代填); the count of households is the figures'.
    assert len(many) == len(few) == 8
    with CaptureQueriesContext(connection) as searched:
        response = client.get(url("roster_detail", roster.pk), {"q": "子"})
    assert "共 47 户" in response.content.decode()  # every child's name has 子
    assert len(searched) == 9  # and the households found are counted


def test_search_and_filter(world, roster, client_for):
    households = fill(world.village_a1)
    client = client_for(world.user("cadre_a1"))
    page = client.get(url("roster_detail", roster.pk), {"state": "undecided"}).content.decode()
    assert "共 3 户" in page
    # A name no other child's contains (子1 would also find 子13 and 子17, made after it when
    # this test is the first to build households in its process).
    Household.objects.filter(pk=households[0].pk).update(child_name="林小雨")
    page = client.get(url("roster_detail", roster.pk), {"q": "林小雨"}).content
    assert "共 1 户" in page.decode()


def test_a_decline_without_a_reason_is_refused(world, roster, client_for):
    household = fill(world.village_a1)[0]
    client = client_for(world.user("cadre_a1"))
    response = client.post(url("entry_decide", roster.pk, household.pk), {"decision": "declined"})
    assert "请填写自愿放弃的原因。" in response.content.decode()
    assert not roster.entries.exists()


def test_enrolling_an_ineligible_household_is_refused(world, roster, client_for):
    over_age = fill(world.village_a1)[3]
    client = client_for(world.user("cadre_a1"))
    response = client.post(
        url("entry_decide", roster.pk, over_age.pk),
        {"decision": "enrolled", "shares_child_safety": 1, "shares_parent_health": 1},
    )
    assert "这户不符合参保条件（子女已满年龄界限）" in response.content.decode()
    assert not roster.entries.exists()


def test_enrolling_with_shares(world, roster, client_for):
    household = fill(world.village_a1)[0]
    client = client_for(world.user("cadre_a1"))
    response = client.post(
        url("entry_decide", roster.pk, household.pk),
        {"decision": "enrolled", "shares_child_safety": 2, "shares_parent_health": 0},
        follow=True,
    )
    page = response.content.decode()
    assert f"{household.child_name} 家：参保，已保存。" in page
    assert "平安险 2 份（1 人）" in page
    assert "40.00 元" in page


def test_submit_refusal_lists_every_undecided_household(world, roster, client_for):
    households = fill(world.village_a1)
    client = client_for(world.user("cadre_a1"))
    response = client.post(url("roster_submit", roster.pk))
    page = response.content.decode()
    assert "名册还有 3 个问题，不能提交" in page
    for household in households[:3]:
        assert url("entry_decide", roster.pk, household.pk) in page
    roster.refresh_from_db()
    assert roster.status == "draft"


def test_the_township_returns_and_the_cadre_sees_why(world, roster, client_for):
    fill(world.village_a1)
    roster_enrol_all(actor=world.user("cadre_a1"), roster=roster)
    roster_submit(actor=world.user("cadre_a1"), roster=roster)
    officer = client_for(world.user("township_a"))
    page = officer.get(url("roster_detail", roster.pk)).content.decode()
    assert "审核通过" in page and "退回原因" in page
    officer.post(url("roster_return", roster.pk), {"reason": "第三户电话有误"})
    page = client_for(world.user("cadre_a1")).get(url("roster_detail", roster.pk)).content
    assert "乡镇退回：</strong>第三户电话有误" in page.decode()


def test_a_second_review_is_refused_with_a_message(world, roster, client_for):
    fill(world.village_a1)
    roster_enrol_all(actor=world.user("cadre_a1"), roster=roster)
    roster_submit(actor=world.user("cadre_a1"), roster=roster)
    officer = client_for(world.user("township_a"))
    officer.post(url("roster_approve", roster.pk))
    response = officer.post(url("roster_return", roster.pk), {"reason": "晚了"}, follow=True)
    assert "只有已提交待审核的名册可以审核" in response.content.decode()
    roster.refresh_from_db()
    assert roster.status == "approved"


def test_the_city_sees_ids_masked(world, roster, client_for):
    household = fill(world.village_a1)[0]
    page = client_for(world.user("city")).get(url("roster_detail", roster.pk)).content.decode()
    number = household.child_id_number
    assert f"{number[:6]}********{number[-4:]}" in page
    assert number not in page


def test_after_a_resubmission_the_old_review_reads_as_the_previous_one(world, roster, client_for):
    from django.utils import timezone

    from enrollment.services.rosters import roster_approve, roster_return

    fill(world.village_a1)
    cadre, officer = world.user("cadre_a1"), world.user("township_a")
    roster_enrol_all(actor=cadre, roster=roster)
    roster_submit(actor=cadre, roster=roster)
    roster_return(actor=officer, roster=roster, reason="第三户电话有误")
    returned_at = Roster.objects.get(pk=roster.pk).reviewed_at
    Roster.objects.filter(pk=roster.pk).update(reviewed_at=returned_at - timezone.timedelta(1))
    roster_submit(actor=cadre, roster=roster)
    client = client_for(cadre)
    page = client.get(url("roster_detail", roster.pk)).content.decode()
    old = timezone.localtime(returned_at - timezone.timedelta(1)).strftime("%Y-%m-%d %H:%M")
    assert f"测试township_a 于 {old} 退回（上次审核）" in page
    assert "本次提交尚未审核" in page
    assert f"于 {old} 审核" not in page
    roster_approve(actor=officer, roster=roster)
    page = client.get(url("roster_detail", roster.pk)).content.decode()
    assert "上次审核" not in page and "本次提交尚未审核" not in page
    assert "测试township_a 于" in page and " 审核通过" in page


def test_user_text_in_the_list_is_escaped(world, roster, client_for):
    """The list's rows are written in Python: names, employers and reasons stay text."""
    marked = '<b onclick="x">&amp;'
    household = build_household(
        world.village_a1, child_name=marked, father_name=marked, employer_name=marked
    )
    entry_decide(
        actor=world.user("cadre_a1"),
        roster=roster,
        household=household,
        decision="declined",
        reason=marked,
    )
    page = client_for(world.user("cadre_a1")).get(url("roster_detail", roster.pk)).content.decode()
    escaped = "&lt;b onclick=&quot;x&quot;&gt;&amp;amp;"
    assert marked not in page
    assert f"<strong>{escaped}</strong>" in page
    assert f"父母：{escaped} " in page
    assert f" · 奖励金：{escaped}</div>" in page
    assert f"原因：{escaped}</div>" in page
