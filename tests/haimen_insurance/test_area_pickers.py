"""Every area picker of the app (the register's, the claims register's, the audit log's and the
user form's): villages read 「乡镇 / 村」, the select is marked to become searchable
(static/js/app.js), and the labels cost no query per village."""

from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from haimen_insurance.area_pickers import area_label
from haimen_insurance.models import Area
from tests.conftest import build_area

pytestmark = pytest.mark.django_db

# (route, who looks, the picker's field name)
PICKERS = [
    ("claims:claim_list", "city", "village"),
    ("claims:claim_list", "township_a", "village"),
    ("audit_list", "city", "area"),
    ("enrollment:household_list", "city", "village"),
    ("enrollment:household_list", "township_a", "village"),
    ("user_create", "city", "area"),
]


class _Selects(HTMLParser):
    """{name: (attributes, [(value, label)])} of every <select> of a page."""

    def __init__(self):
        super().__init__()
        self.selects, self._current, self._option = {}, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "select":
            self._current = self.selects.setdefault(attrs.get("name"), (attrs, []))[1]
        elif tag == "option" and self._current is not None:
            self._option = [attrs.get("value", ""), ""]

    def handle_data(self, data):
        if self._option is not None:
            self._option[1] += data

    def handle_endtag(self, tag):
        if tag == "option" and self._option is not None:
            self._current.append(tuple(self._option))
            self._option = None
        elif tag == "select":
            self._current = None


def selects(html: str) -> dict:
    parser = _Selects()
    parser.feed(html)
    return parser.selects


@pytest.fixture
def namesake(world):
    """三星镇 has a 东兴村 too, as several pairs of Haimen's villages share a name."""
    return build_area("320684101202", "东兴村", Area.Kind.VILLAGE, world.town_b)


def test_the_label_names_the_township_of_a_village(world):
    assert area_label(world.village_a1) == "海门镇 / 东兴村"
    assert area_label(world.town_a) == "海门镇"
    assert area_label(world.city) == "海门市"


@pytest.mark.parametrize(("route", "who", "field"), PICKERS)
def test_every_area_picker_shows_township_and_village(
    world, namesake, client_for, route, who, field
):
    response = client_for(world.user(who)).get(reverse(route))
    assert response.status_code == 200
    attrs, options = selects(response.text)[field]
    assert "data-hm-search" in attrs
    labels = [label for value, label in options if value]
    assert "海门镇 / 东兴村" in labels
    assert "海门镇 / 新河村" in labels
    if who == "city":
        assert "三星镇 / 东兴村" in labels
        assert labels.count("海门镇 / 东兴村") == 1
    else:
        assert not any(label.startswith("三星镇") for label in labels)


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize(("route", "who", "field"), PICKERS)
def test_a_picker_costs_the_same_for_thirty_more_villages(world, client_for, route, who, field):
    client = client_for(world.user(who))
    url = reverse(route)
    _queries(client, url)  # the first request warms what is read once per process
    before = _queries(client, url)
    township = world.town_a if who == "township_a" else world.town_b
    for number in range(30):
        build_area(
            f"{township.code[:9]}3{number:02d}", f"新{number}村", Area.Kind.VILLAGE, township
        )
    assert _queries(client, url) == before
