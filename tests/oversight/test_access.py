"""The roof's "who may" answers (``oversight.access``) and what the pages show from them."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from haimen_insurance.models import Area, AuditEvent
from haimen_insurance.roles import Role
from oversight import access
from oversight.models import ReviewNote
from oversight.services import review_note_save
from tests.conftest import build_area, build_user
from tests.enrollment.conftest import build_campaign

pytestmark = pytest.mark.django_db

TEXT = {"achievements": "按期上报", "shortcomings": "", "measures": "加强培训"}
REVIEW_LINK = "填写点评总结"


def test_who_may_write_which_review(world):
    city_officer, leader = world.user("city"), world.user("leader")
    township_a, finance_a = world.user("township_a"), world.user("finance_a")
    assert access.may_write_review_note(city_officer, world.city)
    assert not access.may_write_review_note(leader, world.city)
    assert not access.may_write_review_note(township_a, world.city)
    assert access.may_write_review_note(township_a, world.town_a)
    assert not access.may_write_review_note(township_a, world.town_b)
    assert not access.may_write_review_note(finance_a, world.town_a)
    assert not access.may_write_review_note(city_officer, world.town_a)
    # Reviews are written for the city and townships only; nobody writes a village's.
    assert not any(
        access.may_write_review_note(user, world.village_a1) for user in world.users.values()
    )
    assert not access.may_write_review_note(AnonymousUser(), world.city)
    township_a.is_active = False
    assert not access.may_write_review_note(township_a, world.town_a)


def test_who_may_manage_rules_and_see_the_city(world):
    assert {
        key for key, user in world.users.items() if access.may_manage_assessment_rules(user)
    } == {"city"}
    assert {key for key, user in world.users.items() if access.may_view_city_dashboard(user)} == {
        "city",
        "leader",
    }
    assert access.own_dashboard_township(world.user("township_b")) == world.town_b.pk
    assert access.own_dashboard_township(world.user("city")) is None
    assert access.may_view_township_dashboard(world.user("leader"), world.town_a)
    assert access.may_view_township_dashboard(world.user("township_a"), world.town_a)
    assert not access.may_view_township_dashboard(world.user("township_a"), world.town_b)


@pytest.mark.parametrize("kind", [Area.Kind.XIANG, Area.Kind.STREET, Area.Kind.PARK])
def test_the_officer_of_a_xiang_street_or_park_writes_its_review(world, client_for, kind):
    """Every kind of township (镇、乡、街道、园区) has its review, not only a 镇."""
    park = build_area("320684400000", "海门经济技术开发区", kind, world.city)
    officer = build_user("township_park", Role.TOWNSHIP_OFFICER, area=park)
    campaign = build_campaign()
    client = client_for(officer)
    url = reverse("township_review", args=[park.pk])
    response = client.post(f"{url}?campaign={campaign.year}", TEXT, follow=True)
    assert "已保存海门经济技术开发区点评总结。" in response.text
    note = ReviewNote.objects.get(campaign=campaign, area=park)
    assert note.achievements == "按期上报"
    assert AuditEvent.objects.get(action="review.note").area == park
    with pytest.raises(PermissionDenied, match="只有本乡镇（园区）计生办可以填写本乡镇的点评总结"):
        review_note_save(actor=world.user("township_a"), campaign=campaign, area=park, **TEXT)


def test_the_review_link_and_form_are_shown_to_whoever_may_write(world, client_for):
    campaign = build_campaign()
    query = f"?campaign={campaign.year}"
    own = client_for(world.user("township_a")).get(
        reverse("dashboard_township", args=[world.town_a.pk]) + query
    )
    assert REVIEW_LINK in own.text
    for key in ("city", "leader"):
        page = client_for(world.user(key)).get(
            reverse("dashboard_township", args=[world.town_a.pk]) + query
        )
        assert page.status_code == 200 and REVIEW_LINK not in page.text
    city = client_for(world.user("city")).get(reverse("assessment") + query)
    leader = client_for(world.user("leader")).get(reverse("assessment") + query)
    assert "保存点评总结" in city.text and "保存评分项目" in city.text
    assert "保存点评总结" not in leader.text and "保存评分项目" not in leader.text
