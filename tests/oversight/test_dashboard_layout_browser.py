"""The city dashboard of the demo year (Haimen's 19 townships and parks): its table is seen whole
on a 1280 px screen, and on a phone the charts' township names along the axis do not overlap."""

import io

import pytest
from django.core.management import call_command

from haimen_insurance.models import User
from oversight.management.commands.seed_demo import DEMO_PASSWORD
from tests.browser import login, screenshot

pytestmark = pytest.mark.browser

# The axis labels ECharts draws on each chart, read from its own scene: the text elements that
# are township names (or shortened ones) and are shown (hideOverlap hides a label by setting
# ``ignore``), each with its bounding box on the canvas (rotation included).
AXIS_LABELS = """
(id) => {
  const chart = echarts.getInstanceByDom(document.getElementById(id));
  const names = new Set();
  JSON.parse(document.getElementById("dashboard-data").textContent).names.forEach((name) => {
    names.add(name);
    for (let end = 1; end < name.length; end++) { names.add(name.slice(0, end) + "…"); }
  });
  const boxes = [];
  chart.getZr().storage.getDisplayList(true).forEach((el) => {
    const text = el.style && el.style.text;
    if (!names.has(text) || el.ignore || el.invisible) { return; }
    const box = el.getBoundingRect().clone();
    box.applyTransform(el.getComputedTransform());
    boxes.push({text: text, x: box.x, y: box.y, width: box.width, height: box.height});
  });
  return {boxes: boxes, width: chart.getWidth()};
}
"""


def overlapping(boxes: list[dict]) -> list[tuple[str, str]]:
    pairs = []
    for index, a in enumerate(boxes):
        for b in boxes[index + 1 :]:
            if (
                a["x"] < b["x"] + b["width"]
                and b["x"] < a["x"] + a["width"]
                and a["y"] < b["y"] + b["height"]
                and b["y"] < a["y"] + a["height"]
            ):
                pairs.append((a["text"], b["text"]))
    return pairs


@pytest.fixture
def demo(db):
    """The demo year of ``manage.py seed_demo``: Haimen's 19 townships and parks, every village's
    register, rosters in every state, one township issued with claims; returns its leader."""
    call_command("seed_demo", stdout=io.StringIO())
    return User.objects.get(username="leader")


# Where the table's right edge is, and whether the box around it scrolls sideways on its own.
TABLE_BOX = """
() => {
  const table = document.getElementById("dashboard-table");
  const box = table.parentElement;
  return {
    right: table.getBoundingClientRect().right,
    boxRight: box.getBoundingClientRect().right,
    boxScrolls: getComputedStyle(box).overflowX === "auto" && box.scrollWidth > box.clientWidth,
    pageWidth: document.documentElement.scrollWidth,
    viewport: document.documentElement.clientWidth,
  };
}
"""


def test_the_city_dashboard_fits_a_screen_and_a_phone(page, phone_page, live_server, demo):
    login(page, live_server, demo, password=DEMO_PASSWORD)
    page.goto(f"{live_server.url}/dashboard/")
    assert page.locator("#dashboard-table tbody tr").count() == 19
    screenshot(page, "dashboard_city_1280")
    box = page.evaluate(TABLE_BOX)
    assert box["pageWidth"] <= box["viewport"]
    assert box["boxRight"] <= box["viewport"]
    # On a 1280 px screen the whole table is seen: no column cut off behind a scroll bar that
    # headless and overlay scroll bars do not even show.
    assert box["right"] <= box["boxRight"] and not box["boxScrolls"], box

    # On a phone the table scrolls inside its own box, and the axis labels do not overlap.
    login(phone_page, live_server, demo, password=DEMO_PASSWORD)
    phone_page.goto(f"{live_server.url}/dashboard/")
    screenshot(phone_page, "dashboard_city_phone")
    assert phone_page.evaluate(TABLE_BOX)["boxScrolls"]
    for chart in ("chart-coverage", "chart-money"):
        labels = phone_page.evaluate(AXIS_LABELS, chart)
        shown = labels["boxes"]
        assert len(shown) >= 5, (chart, shown)  # some names are still there to read
        assert overlapping(shown) == [], chart
        assert all(box["x"] >= 0 and box["x"] + box["width"] <= labels["width"] for box in shown)
