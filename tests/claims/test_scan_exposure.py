"""Claim scans (ID cards, invoices) are served only by the claim's own view, to those who see
the claim — never from MEDIA_URL, not even by the demo server with DEBUG on."""

import importlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import Resolver404, clear_url_caches, resolve, reverse

from tests.claims.conftest import report_claim

pytestmark = pytest.mark.django_db


@pytest.fixture
def debug_urls(settings):
    """The URL conf as the demo server (DEBUG on) builds it."""
    import haimen_insurance.urls

    settings.DEBUG = True
    clear_url_caches()
    importlib.reload(haimen_insurance.urls)
    yield haimen_insurance.urls
    settings.DEBUG = False
    clear_url_caches()
    importlib.reload(haimen_insurance.urls)


def test_the_demo_server_has_no_media_route(debug_urls):
    with pytest.raises(Resolver404):
        resolve("/media/claims/2013/scan.png")


def test_a_scan_reaches_only_those_who_see_the_claim(world, issued, client_for):
    claim = report_claim("林小雨", actor=world.user("cadre_a1"))
    cadre = client_for(world.user("cadre_a1"))
    scan = SimpleUploadedFile("身份证.pdf", b"%PDF-1.4 id card", content_type="application/pdf")
    cadre.post(
        reverse("claims:document_tick", args=[claim.pk]),
        {"item": "id_bank_card", "received_on": "2013-05-06", "file": scan},
    )
    document = claim.documents.get()
    url = reverse("claims:document_file", args=[claim.pk, document.pk])
    assert b"".join(cadre.get(url).streaming_content) == b"%PDF-1.4 id card"
    other = client_for(world.user("cadre_b1"))
    assert other.get(url).status_code == 404
    assert other.get(f"/media/{document.file.name}").status_code == 404
