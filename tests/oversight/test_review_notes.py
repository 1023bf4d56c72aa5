"""The review's written part (总结点评，肯定成绩，找出不足，完善措施): the city officer writes the
city's on the assessment page, each township officer their township's on a page of their own;
both are audited and printed in the review PDF and workbook."""

from io import BytesIO

import pdfplumber
import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from openpyxl import load_workbook

from haimen_insurance.audit_labels import action_label
from haimen_insurance.models import AuditEvent
from oversight.models import ReviewNote
from oversight.services import review_note_save
from tests.enrollment.conftest import build_campaign

pytestmark = pytest.mark.django_db

CITY_TEXT = {
    "achievements": "全市投保率达到 88.9%，各乡镇均按期上报。",
    "shortcomings": "个别村名册退回后重新提交较慢。",
    "measures": "明年提前一周开展核查，<b>加强</b>培训。",
}


def pdf_words(content: bytes) -> str:
    with pdfplumber.open(BytesIO(content)) as pdf:
        return "".join(
            word["text"]
            for page in pdf.pages
            for word in page.extract_words(use_text_flow=True, x_tolerance=1.5)
        )


@pytest.fixture
def campaign(world):
    return build_campaign()


def test_the_city_officer_writes_the_citys_review_on_the_assessment_page(
    world, campaign, client_for
):
    client = client_for(world.user("city"))
    url = reverse("assessment")
    response = client.post(url, {**CITY_TEXT, "review_note": "1"}, follow=True)
    assert "已保存全市点评总结。" in response.text
    note = ReviewNote.objects.get(campaign=campaign, area=world.city)
    assert note.measures == CITY_TEXT["measures"] and note.updated_by == world.user("city")
    event = AuditEvent.objects.get(action="review.note")
    assert action_label(event.action) == "填写点评总结"
    assert event.changes["achievements"] == [None, CITY_TEXT["achievements"]]
    # In the review PDF, beside the figures, and in the workbook.
    printed = pdf_words(client.get(reverse("review_pdf")).content)
    assert "全市点评总结" in printed
    for value in CITY_TEXT.values():
        assert "".join(value.split()) in printed
    book = load_workbook(BytesIO(b"".join(client.get(reverse("review_xlsx")).streaming_content)))
    rows = list(book["点评总结"].iter_rows(min_row=3, values_only=True))
    assert rows == [("海门市", *CITY_TEXT.values())]
    # The leader reads it on the page but may not write it.
    leader = client_for(world.user("leader"))
    assert CITY_TEXT["shortcomings"] in leader.get(url).text
    assert leader.post(url, {**CITY_TEXT, "review_note": "1"}).status_code == 403


def test_an_empty_review_is_refused_with_a_reason(world, campaign, client_for):
    client = client_for(world.user("city"))
    response = client.post(reverse("assessment"), {"review_note": "1"})
    assert response.status_code == 200
    assert "请至少填写肯定成绩、找出不足、完善措施中的一项。" in response.text
    assert not ReviewNote.objects.exists()


def test_a_township_officer_writes_their_townships_review(world, campaign, client_for):
    client = client_for(world.user("township_a"))
    url = reverse("township_review", args=[world.town_a.pk])
    assert "海门镇点评总结" in client.get(url).text
    dashboard = client.get(reverse("dashboard_township", args=[world.town_a.pk])).text
    assert url in dashboard
    assert client.get(reverse("township_review", args=[world.town_b.pk])).status_code == 404
    data = {
        "achievements": "十个村全部按期提交",
        "shortcomings": "新河村名册退回一次",
        "measures": "",
    }
    response = client.post(url, data, follow=True)
    assert "已保存海门镇点评总结。" in response.text
    note = ReviewNote.objects.get(campaign=campaign, area=world.town_a)
    assert note.shortcomings == "新河村名册退回一次"
    event = AuditEvent.objects.get(action="review.note")
    assert event.area == world.town_a
    # Saving again changes the one note.
    client.post(url, {**data, "measures": "加强村专干培训"})
    assert ReviewNote.objects.get().measures == "加强村专干培训"
    # The city sees it on the assessment page, in the PDF and the workbook.
    city = client_for(world.user("city"))
    assert "新河村名册退回一次" in city.get(reverse("assessment")).text
    printed = pdf_words(city.get(reverse("review_pdf")).content)
    assert "各乡镇（园区）点评总结" in printed and "十个村全部按期提交" in printed
    book = load_workbook(BytesIO(b"".join(city.get(reverse("review_xlsx")).streaming_content)))
    rows = list(book["点评总结"].iter_rows(min_row=3, values_only=True))
    assert rows == [("海门镇", "十个村全部按期提交", "新河村名册退回一次", "加强村专干培训")]


def test_only_the_areas_own_officer_may_write_its_review(world, campaign):
    with pytest.raises(PermissionDenied):
        review_note_save(
            actor=world.user("township_b"),
            campaign=campaign,
            area=world.town_a,
            **CITY_TEXT,
        )
    with pytest.raises(PermissionDenied):
        review_note_save(
            actor=world.user("township_a"), campaign=campaign, area=world.city, **CITY_TEXT
        )
    with pytest.raises(PermissionDenied):
        review_note_save(
            actor=world.user("leader"), campaign=campaign, area=world.city, **CITY_TEXT
        )
    assert (
        not ReviewNote.objects.exists()
        and not AuditEvent.objects.filter(action="review.note").exists()
    )
