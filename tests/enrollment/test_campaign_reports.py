"""A campaign's page links its township reports (status, voucher, policy list, as the role may
open them), and the roll-over's confirmation names the townships whose year is not finished."""

import html

import pytest
from django.urls import reverse

from enrollment.services.policies import transfer_record
from tests.enrollment.conftest import (
    build_campaign,
    build_household,
    build_reported_report,
    transfer_values,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def funded(world):
    """2013: 海门镇 funded, not issued; 三星镇 not reported."""
    campaign = build_campaign(2013)
    build_household(world.village_a1)
    report = build_reported_report(campaign, world.town_a)
    transfer_record(actor=None, report=report, **transfer_values(report))
    return report


def detail(client, report) -> str:
    return client.get(reverse("enrollment:campaign_detail", args=[report.campaign_id])).text


def test_finance_reaches_the_voucher_from_the_campaign_page(world, funded, client_for):
    page = detail(client_for(world.user("finance_a")), funded)
    assert 'id="campaign-reports"' in page
    assert funded.get_absolute_url() in page
    assert reverse("enrollment:transfer_voucher", args=[funded.pk]) in page
    assert "保费已划拨" in page


def test_the_insurer_reaches_the_policy_list_and_the_issue_page(world, funded, client_for):
    page = detail(client_for(world.user("insurer_a")), funded)
    assert reverse("enrollment:policy_list_xlsx", args=[funded.pk]) in page
    assert reverse("enrollment:policy_issue", args=[funded.pk]) in page
    # 乙 does not cover 海门镇: no row, no links.
    other = detail(client_for(world.user("insurer_b")), funded)
    assert funded.get_absolute_url() not in other


def test_a_cadre_sees_no_reports(world, funded, client_for):
    page = detail(client_for(world.user("cadre_a1")), funded)
    assert funded.get_absolute_url() not in page


def test_the_roll_over_confirmation_names_the_unfinished_townships(world, funded, client_for):
    page = html.unescape(detail(client_for(world.user("city")), funded))
    start = page.index(reverse("enrollment:campaign_roll_over", args=[funded.campaign_id]))
    confirm = page[start : page.index(">", start)]
    assert "尚未上报：三星镇" in confirm
    assert "待出具保单：海门镇" in confirm
