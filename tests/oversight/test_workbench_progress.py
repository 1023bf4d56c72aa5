"""The workbenches show the current campaign's progress in the user's scope."""

import pytest
from django.urls import reverse

from enrollment.models import Roster
from enrollment.services.rosters import roster_enrol_all, roster_submit
from tests.enrollment.conftest import build_household

pytestmark = pytest.mark.django_db


def test_township_workbench_counts_its_rosters_by_status(world, campaign, client_for):
    build_household(world.village_a1)
    roster = Roster.objects.get(campaign=campaign, village=world.village_a1)
    roster_enrol_all(actor=world.user("cadre_a1"), roster=roster)
    roster_submit(actor=world.user("cadre_a1"), roster=roster)

    page = client_for(world.user("township_a")).get(reverse("workbench")).content.decode()
    assert "2013年度参保进度" in page
    assert "共 2 本村（社区）名册" in page  # town A's two villages, not town B's
    assert (
        '<div class="hm-card-number">1</div><div class="small text-muted">名册已提交待审核</div>'
        in page
    )


def test_without_a_campaign_the_city_is_asked_to_set_one_up(world, client_for):
    page = client_for(world.user("city")).get(reverse("workbench")).content.decode()
    assert "市计生委尚未建立参保年度" in page
    assert reverse("enrollment:campaign_create") in page
