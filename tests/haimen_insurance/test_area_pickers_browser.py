"""The long area pickers in a browser: typing part of a name finds the village in each township
that has one, and choosing it filters the list (Tom Select, started by static/js/app.js)."""

from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from haimen_insurance.models import Area
from tests.browser import login, screenshot
from tests.conftest import build_area

pytestmark = pytest.mark.browser


@pytest.fixture
def many_villages(world):
    """三星镇 gets 30 more villages, one of them a second 东兴村; 海门镇 a 东风村, which the
    first character typed finds and the second no longer does."""
    namesake = build_area("320684101202", "东兴村", Area.Kind.VILLAGE, world.town_b)
    build_area("320684100203", "东风村", Area.Kind.VILLAGE, world.town_a)
    for number in range(30):
        build_area(f"320684101{300 + number}", f"三星{number}村", Area.Kind.VILLAGE, world.town_b)
    return namesake


def _pick(page, wrapper, typed: str, label: str, shot: str):
    wrapper.locator(".ts-control").click()
    page.keyboard.type(typed)
    options = page.locator(".ts-dropdown .option")
    # Tom Select searches 300 ms after the last key (its refreshThrottle), so the list can still
    # be the first character's when the second has been typed. Picking then, the search still
    # due runs after the pick, with the box emptied, and opens the whole list again: on a phone
    # its options lie over 查询 and take the click. So wait for the list of the whole text: 东风村
    # is found by 东 and not by 东兴.
    expect(options.filter(has_text="东风村")).to_have_count(0)
    expect(options.filter(has_text="海门镇 / 东兴村")).to_have_count(1)
    expect(options.filter(has_text="三星镇 / 东兴村")).to_have_count(1)
    expect(options.filter(has_text="新河村")).to_have_count(0)
    screenshot(page, shot)
    options.filter(has_text=label).click()
    expect(wrapper.locator(".ts-control .item")).to_have_text(label)
    expect(wrapper.locator(".ts-dropdown")).to_be_hidden()


def test_the_audit_log_area_picker_is_searchable(page, live_server, world, many_villages):
    login(page, live_server, world.user("city"))
    page.goto(f"{live_server.url}/audit/")
    wrapper = page.locator(".ts-wrapper").filter(has=page.locator("#id_area-ts-control"))
    expect(wrapper).to_have_count(1)
    _pick(page, wrapper, "东兴", "三星镇 / 东兴村", "audit_area_picker_search")
    # Still focused, the picker is one line high like its neighbours: nothing jumps under the
    # click on 查询 (a taller focused control shrank on blur and the click missed the button).
    height = wrapper.locator(".ts-control").bounding_box()["height"]
    assert abs(height - page.locator("#id_action").bounding_box()["height"]) <= 1
    page.get_by_role("button", name="查询").click()
    page.wait_for_url("**/audit/?*")
    assert parse_qs(urlsplit(page.url).query)["area"] == [str(many_villages.pk)]
    expect(wrapper.locator(".ts-control .item")).to_have_text("三星镇 / 东兴村")


def test_the_claims_village_picker_is_searchable_on_a_phone(
    phone_page, live_server, world, many_villages
):
    page = phone_page
    login(page, live_server, world.user("leader"))
    page.goto(f"{live_server.url}/claims/")
    wrapper = page.locator(".ts-wrapper").filter(has=page.locator("#id_village-ts-control"))
    expect(wrapper).to_have_count(1)
    _pick(page, wrapper, "东兴", "海门镇 / 东兴村", "claims_village_picker_search_phone")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.evaluate("document.documentElement.clientWidth")
    page.get_by_role("button", name="查询").click()
    page.wait_for_url("**/claims/?*")
    assert parse_qs(urlsplit(page.url).query)["village"] == [str(world.village_a1.pk)]
