"""seed_demo: Haimen's areas, insurers and one working login per role."""

import re
from io import StringIO

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.urls import reverse

from haimen_insurance.models import Area, Insurer, User
from oversight.management.commands.seed_demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Seeding takes a while: seed once for the module, and empty the database afterwards."""
    out = StringIO()
    with django_db_blocker.unblock():
        call_command("seed_demo", stdout=out)
    yield out.getvalue()
    with django_db_blocker.unblock():
        call_command("flush", "--noinput", verbosity=0)  # re-creates content types and groups
    ContentType.objects.clear_cache()


def test_seed_writes_haimens_areas_and_insurers(seeded):
    assert Area.objects.filter(kind="市").get().name == "海门市"
    assert Area.objects.townships().count() == 19
    assert 280 <= Area.objects.villages().count() <= 300
    assert not Area.objects.townships().filter(insurer__isnull=True).exists()
    assert Insurer.objects.count() == 2
    assert "区划：新增 310" in seeded


def test_every_printed_login_reaches_its_workbench(seeded, client):
    usernames = re.findall(r"^  (\w+)\s", seeded, flags=re.MULTILINE)
    assert len(usernames) == 13
    assert {user.role for user in User.objects.filter(username__in=usernames)} == {
        "city_officer",
        "city_finance",  # Haimen's city pays no share: nothing to transfer
        "leader",
        "township_officer",
        "township_finance",
        "village_cadre",
        "insurer_staff",
    }
    for username in usernames:
        response = client.post(
            reverse("login"), {"username": username, "password": DEMO_PASSWORD}, follow=True
        )
        assert response.redirect_chain[-1][0] == reverse("workbench"), username
        assert "工作台" in response.text or "全市概况" in response.text
        client.post(reverse("logout"))


def test_if_empty_leaves_an_existing_database_alone(seeded):
    out = StringIO()
    call_command("seed_demo", "--if-empty", stdout=out)
    assert "未写入演示数据" in out.getvalue()
    assert User.objects.count() == 13


def test_seeding_twice_duplicates_nothing(seeded):
    call_command("seed_demo", stdout=StringIO())
    assert Area.objects.count() == 310
    assert User.objects.count() == 13


def test_seed_writes_a_register_for_every_village(seeded):
    from enrollment.models import Household

    households = Household.objects.all()
    assert not Area.objects.villages().exclude(households__isnull=False).exists()
    assert 290 * 20 <= households.count() <= 290 * 40
    assert f"独生子女证登记：{households.count()} 户。" in seeded
    assert households.filter(status=Household.Status.REVOKED).exists()
    assert households.exclude(employer_name="").exists()


def test_seed_makes_last_year_finished_and_this_year_in_progress(seeded):
    """Relative to the day it runs: last year's campaign finished, this year's in progress."""
    from django.utils import timezone

    from enrollment.demo import LAST_YEAR_TOWNSHIPS, demo_years
    from enrollment.models import Campaign, FundTransfer, Policy, Roster, TownshipReport
    from enrollment.selectors.campaigns import current_campaign, phase_calendar

    today = timezone.localdate()
    last_year, this_year = demo_years(today)
    assert this_year == (today.year + 1 if today.month == 12 else today.year)
    assert set(Campaign.objects.values_list("year", "status")) == {
        (last_year, "open"),
        (this_year, "open"),
    }
    this, last = current_campaign(), Campaign.objects.get(year=last_year)
    assert this.year == this_year and this.age_date == this.coverage_start
    assert last.coverage_start <= today and last.review_deadline < today
    # Last year: every township that reported was funded and has its policies.
    assert set(last.reports.values_list("status", flat=True)) == {"issued"}
    assert last.reports.count() == LAST_YEAR_TOWNSHIPS
    assert FundTransfer.objects.filter(report__campaign=last).count() == last.reports.count()
    assert Policy.objects.filter(campaign=last).count() == sum(
        report.policies for report in last.reports.all()
    )
    # This year: the phase of the day is current, rosters in every state.
    states = [phase["state"] for phase in phase_calendar(this, today)]
    assert "current" in states and states[0] == "done"
    statuses = set(Roster.objects.filter(campaign=this).values_list("status", flat=True))
    assert statuses == {"draft", "submitted", "returned", "approved"}
    reports = TownshipReport.objects.filter(campaign=this)
    assert dict(reports.values_list("township__name", "status")) == {
        "三星镇": "reported",
        "天补镇": "issued",
        "德胜镇": "funded",
    }
    cadre1 = User.objects.get(username="cadre1")
    mine = Roster.objects.get(campaign=this, village=cadre1.area)
    assert mine.status == "draft" and mine.entries.exists()
    cadre2 = User.objects.get(username="cadre2")
    assert Roster.objects.get(campaign=this, village=cadre2.area).status == "returned"


def test_seed_ages_are_judged_on_each_campaigns_age_date(seeded):
    from enrollment.eligibility import annotate_eligibility
    from enrollment.models import Campaign, Household

    for campaign in Campaign.objects.all():
        judged = annotate_eligibility(
            Household.objects.valid(), age_date=campaign.age_date, age_limit=campaign.age_limit
        )
        reasons = set(judged.values_list("eligibility", flat=True))
        assert {"eligible", "age"} <= reasons, campaign
    assert not Household.objects.filter(child_birth_date__gt=timezone_today()).exists()
    assert not Household.objects.filter(certificate_date__gt=timezone_today()).exists()


def timezone_today():
    from django.utils import timezone

    return timezone.localdate()


def test_seed_claims_span_last_years_cover(seeded):
    from claims.models import Claim
    from enrollment.demo import demo_years

    today = timezone_today()
    last_year, _ = demo_years(today)
    claims = Claim.objects.select_related("policy__campaign")
    assert {claim.policy.campaign.year for claim in claims} == {last_year}
    assert set(claims.values_list("status", flat=True)) == {
        "reported",
        "documents_complete",
        "with_insurer",
        "escalated",
        "approved",
        "rejected",
        "paid",
        "closed",
    }
    for claim in claims:
        cover = claim.policy.coverage_start, claim.policy.coverage_end
        assert cover[0] <= claim.incident_date <= min(cover[1], today)
        if claim.status in ("with_insurer", "escalated", "approved"):
            assert claim.due_date >= today, claim  # the service standard still runs
    months = {claim.incident_date.month for claim in claims}
    assert len(months) >= 4  # across the cover, not all in one month
    assert claims.filter(late_report=True).count() == 1


def test_seed_funds_and_issues_a_township(seeded, client):
    from enrollment.demo import demo_years
    from enrollment.models import FundTransfer, Policy, TownshipReport

    _, this_year = demo_years(timezone_today())
    issued = TownshipReport.objects.get(status="issued", campaign__year=this_year)
    assert FundTransfer.objects.get(report=issued).amount == issued.premium
    assert Policy.objects.filter(report=issued).count() == issued.policies > 0
    prefix = f"PICC{this_year}102"
    assert Policy.objects.filter(number__startswith=prefix).count() == issued.policies
    # cadre4 prints 参保凭证 in 天补镇; finance2 (三星镇) and insurer2 (德胜镇) have work waiting.
    client.force_login(User.objects.get(username="cadre4"))
    assert prefix in client.get(reverse("enrollment:policy_list")).text
    for username, text in (("finance2", "核对并登记划拨"), ("insurer2", "下载清单、出具保单")):
        client.force_login(User.objects.get(username=username))
        assert text in client.get(reverse("workbench")).text


def test_every_page_of_the_demo_answers_on_postgresql(seeded, client):
    """Every route as every role on the seeded demo: no 500, each the matrix's status."""
    from tests.demo_pages import walk

    assert walk(client) == []


def test_every_page_of_the_demo_answers_on_sqlite(tmp_path):
    """The same on the demo's own database: SQLite migrated and seeded in a subprocess with the
    demo settings, so a construct only PostgreSQL runs cannot break the demo; and the demo's
    Chinese error pages and static files with DEBUG off."""
    import json
    import os
    import subprocess
    import sys

    from django.conf import settings

    env = {
        **{key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")},
        "DJANGO_SETTINGS_MODULE": "haimen_insurance.settings.local",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        "DJANGO_MEDIA_ROOT": str(tmp_path / "media"),
    }
    done = subprocess.run(
        [sys.executable, "-m", "tests.demo_pages"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.stdout.strip(), done.stderr[-3000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
    assert done.returncode == 0, done.stderr[-3000:]


def test_haimen_has_no_county_report_anywhere(seeded, client):
    """Haimen has no counties: no county report, and no link to one on any role's workbench,
    dashboard or campaign pages."""
    from enrollment.models import Campaign, CountyReport
    from oversight.management.commands.seed_demo import DEMO_USERS

    assert not CountyReport.objects.exists()
    campaigns = [campaign.get_absolute_url() for campaign in Campaign.objects.all()]
    for username in DEMO_USERS:
        client.force_login(User.objects.get(username=username))
        for url in (reverse("workbench"), reverse("dashboard"), *campaigns):
            text = client.get(url, follow=True).text
            assert "县级汇总" not in text and "/counties/" not in text, (username, url)
