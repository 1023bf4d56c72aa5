"""The verification page judges ages by the current campaign's age date and limit by default."""

from datetime import date

import pytest
from django.urls import reverse

from tests.enrollment.conftest import build_campaign, build_household

pytestmark = pytest.mark.django_db


def test_the_default_is_the_current_campaigns_age_date_and_limit(world, client_for):
    build_campaign(2013, age_limit=16)
    build_household(world.village_a1, child_birth_date=date(2005, 6, 1))
    client = client_for(world.user("township_a"))
    response = client.get(reverse("enrollment:verification_township", args=[world.town_a.pk]))
    assert 'value="2013-01-01"' in response.text
    assert 'value="16"' in response.text
    assert "子女在 2013-01-01 未满 16 周岁" in response.text
    assert "2013年度" in response.text


def test_a_campaign_being_prepared_is_not_the_default(world, client_for):
    build_campaign(2013)
    build_campaign(2014, opened=False, age_limit=12)
    client = client_for(world.user("city"))
    response = client.get(reverse("enrollment:verification"))
    assert 'value="2013-01-01"' in response.text and 'value="14"' in response.text
