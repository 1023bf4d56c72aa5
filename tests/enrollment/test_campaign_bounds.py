"""Campaign bounds: a year and dates within sane limits, a campaign being prepared that nobody
but the city works in until the city officer opens it, deleting a campaign nothing hangs off;
and certificate dates (领证日期) within the years the one-child certificate has existed."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from enrollment.models import Campaign, Household, Product, Roster, RosterEntry, TownshipInsurer
from enrollment.selectors.campaigns import current_campaign
from enrollment.services import campaigns as services
from enrollment.services.register_import import register_import_check
from enrollment.services.rollover import campaign_roll_over
from enrollment.services.rosters import entry_decide, roster_enrol_all
from haimen_insurance.models import AuditEvent
from tests.enrollment.conftest import (
    CAMPAIGN_2013,
    build_campaign,
    build_household,
    campaign_dates,
)
from tests.enrollment.test_campaign_views import campaign_data
from tests.enrollment.test_household_views import form_data
from tests.enrollment.test_register_files import household_values, write_csv

pytestmark = pytest.mark.django_db

NOT_CITY = ["township_a", "finance_a", "cadre_a1", "insurer_a"]
CITY = ["city", "leader"]


def url(name, *args):
    return reverse(f"enrollment:{name}", args=args)


def latest_year() -> int:
    return timezone.localdate().year + 1


def dates_of(year: int, **overrides) -> dict:
    return {**campaign_dates(year), **overrides}


def prepared(year: int = 2014) -> Campaign:
    """A campaign as the city officer creates it: not open yet."""
    return build_campaign(year, opened=False)


# --- bounds of the year and its dates -------------------------------------------------------


def test_year_2099_and_a_deadline_in_9999_are_refused_on_the_form(world, client_for):
    response = client_for(world.user("city")).post(
        url("campaign_create"),
        campaign_data(
            year="2099",
            coverage_start="2099-01-01",
            coverage_end="2099-12-31",
            age_date="2099-01-01",
            verification_deadline="2098-12-21",
            mobilisation_deadline="2098-12-26",
            implementation_deadline="2098-12-31",
            review_deadline="9999-12-31",
        ),
    )
    assert response.status_code == 200
    assert f"参保年度不能晚于 {latest_year()} 年" in response.text
    assert "点评总结截止应在保险期间起前后一年之内" in response.text
    assert not Campaign.objects.exists()


def test_a_deadline_in_9999_is_refused_beside_its_field_for_a_sane_year(world, client_for):
    response = client_for(world.user("city")).post(
        url("campaign_create"), campaign_data(review_deadline="9999-12-31")
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["review_deadline"] == [
        "点评总结截止应在保险期间起前后一年之内（2013-01-01 至 2015-01-01）。"
    ]
    assert not Campaign.objects.exists()


def test_cover_outside_its_year_is_refused_beside_its_field(world, client_for):
    response = client_for(world.user("city")).post(
        url("campaign_create"),
        campaign_data(coverage_start="2013-01-01", coverage_end="2016-12-31"),
    )
    form = response.context["form"]
    assert form.errors["coverage_start"] == ["保险期间起应在 2014 年内。"]
    assert form.errors["coverage_end"] == ["保险期间不能超过一年：保险期间止最晚为 2014-01-01。"]
    assert not Campaign.objects.exists()


def test_the_service_refuses_year_2099_and_a_deadline_in_9999(world):
    with pytest.raises(ValidationError) as refused:
        services.campaign_create(
            actor=world.user("city"),
            year=2099,
            **dates_of(2099, review_deadline=date(9999, 12, 31)),
        )
    messages = refused.value.messages
    assert any(f"参保年度不能晚于 {latest_year()} 年" in message for message in messages)
    assert any("点评总结截止应在保险期间起前后一年之内" in message for message in messages)
    with pytest.raises(ValidationError, match="参保年度不能早于 2012 年"):
        services.campaign_create(actor=world.user("city"), year=1999, **dates_of(1999))
    assert not Campaign.objects.exists()


def test_moving_a_deadline_to_9999_is_refused(world, client_for):
    campaign = build_campaign()
    with pytest.raises(ValidationError, match="点评总结截止应在保险期间起前后一年之内"):
        services.campaign_update(
            actor=world.user("city"), campaign=campaign, review_deadline=date(9999, 12, 31)
        )
    data = {
        name: value.isoformat() if isinstance(value, date) else value
        for name, value in {**CAMPAIGN_2013, "review_deadline": date(9999, 12, 31)}.items()
    }
    response = client_for(world.user("city")).post(url("campaign_update", campaign.pk), data)
    assert response.context["form"].errors["review_deadline"] == [
        "点评总结截止应在保险期间起前后一年之内（2012-01-01 至 2014-01-01）。"
    ]
    campaign.refresh_from_db()
    assert campaign.review_deadline == date(2013, 1, 15)


def test_roll_over_past_the_latest_year_says_why_instead_of_failing(world, client_for):
    newest = build_campaign(latest_year())
    with pytest.raises(ValidationError, match=f"参保年度不能晚于 {latest_year()} 年"):
        campaign_roll_over(actor=world.user("city"), campaign=newest)
    # A campaign saved before the bounds existed, with a deadline in 9999 (the roll-over of
    # which answered 500).
    Campaign.objects.filter(pk=newest.pk).update(year=2099, review_deadline=date(9999, 12, 31))
    response = client_for(world.user("city")).post(url("campaign_roll_over", newest.pk))
    assert response.status_code == 302
    page = client_for(world.user("city")).get(response["Location"]).text
    assert "参保年度不能晚于" in page
    assert Campaign.objects.count() == 1


# --- a campaign being prepared --------------------------------------------------------------


def test_a_new_campaign_is_not_the_year_cadres_work_in_until_it_is_opened(world, client_for):
    last_year = build_campaign()
    client = client_for(world.user("city"))
    response = client.post(url("campaign_create"), campaign_data())
    new = Campaign.objects.get(year=2014)
    assert new.status == Campaign.Status.PREPARING
    assert "尚未开放" in client.get(response["Location"]).text
    assert current_campaign() == last_year

    cadre = client_for(world.user("cadre_a1"))
    mine = cadre.get(url("roster_mine"))
    assert (
        mine["Location"]
        == Roster.objects.get(campaign=last_year, village=world.village_a1).get_absolute_url()
    )
    new_roster = Roster.objects.get(campaign=new, village=world.village_a1)
    assert cadre.get(url("roster_detail", new_roster.pk)).status_code == 404
    household = build_household(world.village_a1)
    with pytest.raises(ValidationError, match="2014年度尚未开放，名册还不能填报。"):
        entry_decide(actor=None, roster=new_roster, household=household, decision="enrolled")

    services.campaign_open(actor=world.user("city"), campaign=new)
    assert current_campaign() == new
    assert cadre.get(url("roster_mine"))["Location"] == new_roster.get_absolute_url()
    assert cadre.get(url("roster_detail", new_roster.pk)).status_code == 200


@pytest.mark.parametrize("key", NOT_CITY)
def test_a_campaign_not_yet_open_is_not_found_outside_the_city(world, client_for, key):
    campaign = prepared()
    product = campaign.products.first()
    client = client_for(world.user(key))
    assert client.get(url("campaign_detail", campaign.pk)).status_code == 404
    assert "2014年度" not in client.get(url("campaign_list")).text
    assert not Campaign.objects.for_user(world.user(key)).exists()
    assert not Product.objects.for_user(world.user(key)).filter(pk=product.pk).exists()


@pytest.mark.parametrize("key", CITY)
def test_the_city_sees_a_campaign_being_prepared(world, client_for, key):
    campaign = prepared()
    client = client_for(world.user(key))
    page = client.get(url("campaign_list")).text
    assert "2014年度" in page and "筹备中" in page
    assert "尚未开放" in client.get(url("campaign_detail", campaign.pk)).text
    assert "2014年度筹备中，尚未开放" in client.get(reverse("workbench")).text


def test_opening_asks_first_and_is_audited(world, client_for):
    campaign = prepared()
    client = client_for(world.user("city"))
    page = client.get(url("campaign_detail", campaign.pk)).text
    assert url("campaign_open", campaign.pk) in page
    assert 'data-confirm="确定开放2014年度吗？' in page
    response = client.post(url("campaign_open", campaign.pk))
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.OPEN and campaign.opened_at is not None
    event = AuditEvent.objects.get(action="campaign.open")
    assert (event.actor, event.object_id) == (world.user("city"), str(campaign.pk))
    assert "已开放2014年度" in client.get(response["Location"]).text
    with pytest.raises(ValidationError, match="2014年度已经开放。"):
        services.campaign_open(actor=world.user("city"), campaign=campaign)
    assert AuditEvent.objects.filter(action="campaign.open").count() == 1


def test_only_the_city_officer_opens_or_deletes(world, client_for):
    campaign = prepared()
    with pytest.raises(PermissionDenied):
        services.campaign_open(actor=world.user("leader"), campaign=campaign)
    with pytest.raises(PermissionDenied):
        services.campaign_delete(actor=world.user("leader"), campaign=campaign)
    client = client_for(world.user("leader"))
    assert client.post(url("campaign_open", campaign.pk)).status_code == 403
    assert client.post(url("campaign_delete", campaign.pk)).status_code == 403
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.PREPARING


def test_a_campaign_nothing_hangs_off_is_deleted_with_its_rosters_and_products(world, client_for):
    campaign = prepared()
    client = client_for(world.user("city"))
    page = client.get(url("campaign_detail", campaign.pk)).text
    assert url("campaign_delete", campaign.pk) in page
    assert 'data-confirm="确定删除2014年度吗？' in page
    response = client.post(url("campaign_delete", campaign.pk))
    assert response.status_code == 302 and response["Location"] == url("campaign_list")
    assert not Campaign.objects.exists()
    assert not Roster.objects.exists() and not Product.objects.exists()
    assert not TownshipInsurer.objects.exists()
    event = AuditEvent.objects.get(action="campaign.delete")
    assert event.actor == world.user("city") and event.object_repr == "2014年度"
    assert "已删除2014年度" in client.get(response["Location"]).text


def test_an_open_campaign_cannot_be_deleted(world, client_for):
    campaign = build_campaign()
    with pytest.raises(ValidationError, match="2013年度已经开放，不能删除。"):
        services.campaign_delete(actor=world.user("city"), campaign=campaign)
    client = client_for(world.user("city"))
    assert url("campaign_delete", campaign.pk) not in client.get(campaign.get_absolute_url()).text
    response = client.post(url("campaign_delete", campaign.pk))
    assert response.status_code == 302
    assert "2013年度已经开放，不能删除。" in client.get(response["Location"]).text
    assert Campaign.objects.filter(pk=campaign.pk).exists()
    assert not AuditEvent.objects.filter(action="campaign.delete").exists()


def test_a_campaign_with_a_decision_in_a_roster_cannot_be_deleted(world):
    last_year = build_campaign()
    build_household(world.village_a1)
    roster_enrol_all(
        actor=None, roster=Roster.objects.get(campaign=last_year, village=world.village_a1)
    )
    new = campaign_roll_over(actor=world.user("city"), campaign=last_year).campaign
    assert RosterEntry.objects.filter(roster__campaign=new).exists()
    with pytest.raises(ValidationError, match="2014年度的名册已有登记，不能删除。"):
        services.campaign_delete(actor=world.user("city"), campaign=new)
    assert Campaign.objects.filter(pk=new.pk).exists()


def test_the_roll_over_of_a_sane_campaign_is_prepared_for_the_city_to_open(world):
    last_year = build_campaign()
    household = build_household(world.village_a1)
    roster_enrol_all(
        actor=None, roster=Roster.objects.get(campaign=last_year, village=world.village_a1)
    )
    rolled = campaign_roll_over(actor=world.user("city"), campaign=last_year)
    new = rolled.campaign
    assert (new.year, new.status, rolled.continuing) == (2014, Campaign.Status.PREPARING, 1)
    assert new.coverage_start == date(2014, 1, 1) and new.review_deadline == date(2014, 1, 15)
    assert RosterEntry.objects.get(roster__campaign=new, household=household).decision == "enrolled"
    assert current_campaign() == last_year
    services.campaign_open(actor=world.user("city"), campaign=new)
    assert current_campaign() == new


# --- certificate dates ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("0001-01-01", "领证日期不能早于 1979-01-01（独生子女证自 1979 年起发放），请核对。"),
        ("1978-12-31", "领证日期不能早于 1979-01-01（独生子女证自 1979 年起发放），请核对。"),
        (f"{timezone.localdate() + timedelta(days=1):%Y-%m-%d}", "领证日期晚于今天，请核对。"),
    ],
)
def test_the_household_form_refuses_an_implausible_certificate_date(
    world, client_for, typed, reason
):
    response = client_for(world.user("cadre_a1")).post(
        url("household_create"), form_data(certificate_date=typed)
    )
    assert response.status_code == 200
    assert response.context["form"].errors["certificate_date"] == [reason]
    assert not Household.objects.exists()


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("0001-01-01", "日期（0001-01-01）早于 1979-01-01，独生子女证自 1979 年起发放"),
        (
            f"{timezone.localdate() + timedelta(days=1):%Y-%m-%d}",
            f"日期（{timezone.localdate() + timedelta(days=1):%Y-%m-%d}）晚于今天",
        ),
    ],
)
def test_the_import_refuses_an_implausible_certificate_date_on_its_row(
    world, tmp_path, typed, reason
):
    rows = [household_values("HM0001"), household_values("HM0002", 领证日期=typed)]
    plan = register_import_check(
        actor=world.user("city"), file=write_csv(tmp_path / "登记.csv", rows)
    )
    assert [str(error) for error in plan.errors] == [f"第3行 领证日期：{reason}"]
    assert not Household.objects.exists()
