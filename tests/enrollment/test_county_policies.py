"""System policy numbers in a city with counties: townships of two counties share their digits
7-9 (吉安县's 敦厚镇 and 吉水县's 文峰镇 are both 100), so there the county's digits come first,
and one insurer covering both issues numbers that never collide. Haimen's stay as they were."""

import pytest
from django.urls import reverse

from enrollment.models import Policy
from enrollment.services.policies import policies_issue, transfer_record
from haimen_insurance import services
from tests.claims.conftest import issue_township
from tests.enrollment.conftest import (
    build_campaign,
    build_household,
    build_reported_report,
    transfer_values,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("world", ["jian"], indirect=True)
def test_one_insurer_numbers_two_counties_townships_apart(world, client_for):
    services.insurer_assign_townships(actor=None, insurer=world.insurer_a, townships=[world.town_b])
    campaign = build_campaign()
    build_household(world.village_a1)
    build_household(world.village_b1)
    first = build_reported_report(campaign, world.town_a)
    transfer_record(actor=None, report=first, **transfer_values(first))
    # The issue page's example says how the numbers will read.
    page = client_for(world.user("insurer_a")).get(
        reverse("enrollment:policy_issue", args=[first.pk])
    )
    assert "INA201321100000001" in page.text
    policies_issue(actor=None, report=first)
    second = issue_township(campaign, world.town_b)
    numbers = {
        report.township.name: sorted(
            Policy.objects.filter(report=report).values_list("number", flat=True)
        )
        for report in (first, second)
    }
    assert numbers["敦厚镇"] == ["INA201321100000001", "INA201321100000002"]
    assert numbers["文峰镇"] == ["INA201322100000001", "INA201322100000002"]


def test_haimens_numbers_keep_the_townships_three_digits(world):
    campaign = build_campaign()
    build_household(world.village_a1)
    report = issue_township(campaign, world.town_a)
    assert sorted(Policy.objects.filter(report=report).values_list("number", flat=True)) == [
        "INA2013100000001",
        "INA2013100000002",
    ]
