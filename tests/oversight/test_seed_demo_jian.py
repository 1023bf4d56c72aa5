"""seed_demo --programme jian: Ji'an's four levels (吉安市, its 13 counties and districts, their
townships and villages), China Life and Taikang, a login for every role (the county roles too),
a register and the demo's two years on Haimen's products; every page as every role."""

import re
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.urls import reverse

from haimen_insurance.models import Area, Insurer, User
from oversight.management.commands.seed_demo import DEMO_PASSWORD, JIAN_USERS

pytestmark = pytest.mark.django_db

COUNTIES = {
    "360802000000": "吉州区",
    "360803000000": "青原区",
    "360821000000": "吉安县",
    "360822000000": "吉水县",
    "360823000000": "峡江县",
    "360824000000": "新干县",
    "360825000000": "永丰县",
    "360826000000": "泰和县",
    "360827000000": "遂川县",
    "360828000000": "万安县",
    "360829000000": "安福县",
    "360830000000": "永新县",
    "360881000000": "井冈山市",
}


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    out = StringIO()
    with django_db_blocker.unblock():
        call_command("seed_demo", "--programme", "jian", stdout=out)
    yield out.getvalue()
    with django_db_blocker.unblock():
        call_command("flush", "--noinput", verbosity=0)
    ContentType.objects.clear_cache()


def test_the_fixture_holds_jians_counties_townships_and_villages(seeded):
    city = Area.objects.get(kind="市")
    assert (city.code, city.name, city.prefix) == ("360800000000", "吉安市", "3608")
    counties = Area.objects.counties()
    assert dict(counties.values_list("code", "name")) == COUNTIES
    assert set(counties.values_list("parent", flat=True)) == {city.pk}
    assert counties.get(name="井冈山市").kind == "县级市"
    assert set(counties.exclude(name="井冈山市").values_list("kind", flat=True)) == {"区", "县"}
    for county in counties:
        townships = Area.objects.townships().filter(parent=county)
        assert townships.count() >= 3, county
        for township in townships:
            assert township.code.startswith(county.prefix)
            assert township.children.count() >= 3, township
    assert Area.objects.count() == 209 and "区划：新增 209" in seeded


def test_loading_the_fixture_again_changes_nothing(seeded):
    from django.conf import settings

    from haimen_insurance.services import areas_load_csv

    counts = areas_load_csv(path=settings.BASE_DIR / "fixtures" / "jian_areas.csv")
    assert counts == {"created": 0, "updated": 0}


def test_china_life_leads_and_taikang_has_three_counties(seeded):
    life = Insurer.objects.get(code="CLIC")
    taikang = Insurer.objects.get(code="TKLIFE")
    assert "吉安" in life.name and "泰康" in taikang.name
    covered = {t.parent.name for t in taikang.townships.select_related("parent")}
    assert covered == {"泰和县", "遂川县", "万安县"}
    assert life.townships.count() == Area.objects.townships().count() - taikang.townships.count()


def test_every_printed_login_reaches_its_workbench(seeded, client):
    usernames = re.findall(r"^  (\w+)\s", seeded, flags=re.MULTILINE)
    assert usernames == JIAN_USERS
    assert {user.role for user in User.objects.all()} == {
        "city_officer",
        "city_finance",
        "leader",
        "county_officer",
        "county_finance",
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
        assert "工作台" in response.text, username
        client.post(reverse("logout"))


def test_the_county_officer_sees_its_countys_townships(seeded, client, settings):
    settings.PROGRAMME = "jian"
    officer = User.objects.get(username="county1")
    assert officer.area.name == "吉安县"
    client.force_login(officer)
    page = client.get(reverse("workbench"))
    assert "吉安县计生委 工作台" in page.text and "吉安市" in page.text
    for name in ("敦厚镇", "永阳镇", "北源乡"):
        assert name in page.text
    assert "澄江镇" not in page.text
    dashboard = client.get(reverse("dashboard"), follow=True)
    assert dashboard.redirect_chain[-1][0].startswith(
        reverse("dashboard_county", args=[officer.area_id])
    )
    users = client.get(reverse("user_list")).text
    assert "township1" in users and "cadre1" in users and "township2" not in users
    # The city dashboard rolls the townships up by county.
    client.force_login(User.objects.get(username="leader"))
    city = client.get(reverse("dashboard")).text
    assert 'id="dashboard-counties"' in city and "井冈山市" in city


def test_the_demo_year_runs_across_two_counties(seeded):
    from enrollment.demo import demo_years
    from enrollment.models import Campaign, TownshipReport

    _, this_year = demo_years(_today())
    this = Campaign.objects.get(year=this_year)
    reports = dict(
        TownshipReport.objects.filter(campaign=this).values_list("township__name", "status")
    )
    assert reports == {"澄江镇": "reported", "永阳镇": "issued", "碧溪镇": "funded"}
    # The campaign names each township's insurer as the areas do: Taikang in 泰和县.
    insurers = dict(this.insurers.values_list("township__name", "insurer__code"))
    assert insurers["澄江镇"] == "TKLIFE" and insurers["敦厚镇"] == "CLIC"


def test_the_demo_ranks_the_counties_and_each_county_its_townships(seeded, client):
    """Last year 泰和县 and 吉安县 did every township (吉安县's 永阳镇 reported late, and had the
    claims); the other counties did nothing."""
    from enrollment.demo import demo_years
    from enrollment.models import Campaign
    from oversight.assessment import assessment

    last_year, _ = demo_years(_today())
    last = Campaign.objects.get(year=last_year)
    assert last.assessment_rules.filter(level="county").count() == 3
    result = assessment(campaign=last, user=User.objects.get(username="leader"))
    first, second, third, *rest = result.county_rows
    assert (first.figures.area.name, first.rank) == ("泰和县", 1)
    assert (second.figures.area.name, second.rank) == ("吉安县", 2)
    assert first.total > second.total > third.total == 0
    assert first.values[1] >= Decimal("90") and first.scores[1] == Decimal("10.00")
    assert {row.rank for row in [third, *rest]} == {3}  # nothing done: a shared rank
    client.force_login(User.objects.get(username="county1"))
    page = client.get(reverse("assessment") + f"?campaign={last_year}", follow=True)
    assert page.redirect_chain[-1][0].startswith(
        reverse("assessment_county", args=[User.objects.get(username="county1").area_id])
    )
    for name in ("敦厚镇", "永阳镇", "北源乡"):
        assert name in page.text
    assert "澄江镇" not in page.text


def test_the_jian_demo_says_nothing_of_haimen(seeded):
    """Its claims happened in 吉安市 and are paid to Ji'an's bank; its families live there."""
    from claims.models import Claim
    from enrollment.models import Household

    claims = Claim.objects.all()
    assert claims.exists()
    places = set(claims.values_list("incident_place", flat=True))
    assert places == {"吉安市人民医院", "吉安市村道"}
    accounts = set(claims.exclude(paid_account="").values_list("paid_account", flat=True))
    assert accounts == {"吉安农村商业银行 6228 4800 1234 5678"}
    assert not Household.objects.filter(address__contains="海门").exists()
    assert not Household.objects.filter(employer_name__contains="海门").exists()


def _today():
    from django.utils import timezone

    return timezone.localdate()


def test_every_page_of_the_jian_demo_answers_on_postgresql(seeded, client):
    """Every route as every role (eight, the county roles too) on the seeded Ji'an demo."""
    from tests.demo_pages import walk

    assert walk(client) == []


def test_every_page_of_the_jian_demo_answers_on_sqlite(tmp_path):
    """The same on SQLite, as `make run PROGRAMME=jian` runs it."""
    import json
    import os
    import subprocess
    import sys

    from django.conf import settings

    env = {
        **{key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")},
        "DJANGO_SETTINGS_MODULE": "haimen_insurance.settings.local",
        "DJANGO_PROGRAMME": "jian",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        "DJANGO_MEDIA_ROOT": str(tmp_path / "media"),
    }
    done = subprocess.run(
        [sys.executable, "-m", "tests.demo_pages"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.stdout.strip(), done.stderr[-3000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
    assert done.returncode == 0, done.stderr[-3000:]


def test_the_demo_shares_the_premium_and_awaits_the_county_and_the_city(seeded):
    from decimal import Decimal

    from enrollment.demo import demo_years
    from enrollment.models import Campaign, TownshipReport
    from enrollment.selectors.shares import report_shares
    from oversight.todo import todo_list

    _, this_year = demo_years(_today())
    this = Campaign.objects.get(year=this_year)
    product = this.products.order_by("code").first()
    shares = {share.payer: share for share in product.shares.all()}
    assert set(shares) == {"city", "county", "township"}
    assert shares["city"].amount == Decimal("2.00") and shares["township"].takes_rest
    amounts = set(shares["county"].county_amounts.values_list("amount", flat=True))
    assert min(amounts) == Decimal("6.00") and len(amounts) > 1
    waiting = TownshipReport.objects.get(campaign=this, township__name="澄江镇")
    money = report_shares(waiting)
    assert list(money.transferred) == ["township"]
    assert money.awaited == ["county", "city"]
    funded = TownshipReport.objects.get(campaign=this, township__name="碧溪镇")
    assert set(report_shares(funded).transferred) == {"township", "county", "city"}
    details = [item.title for item in todo_list(User.objects.get(username="cityfin")).items]
    assert any("澄江镇" in title for title in details)
    county = [item.title for item in todo_list(User.objects.get(username="countyfin2")).items]
    assert any("澄江镇" in title for title in county)


def test_the_demo_has_one_county_report_reported_one_drafted(seeded, client):
    """Last year: 吉安县's townships all reported and its county report reported to the city,
    泰和县's drafted and waiting to be reported (on county2's to-do list); the other counties
    wait on their townships. This year has no county report yet."""
    from enrollment.demo import demo_years
    from enrollment.models import Campaign, CountyReport

    last_year, _ = demo_years(_today())
    reports = dict(
        CountyReport.objects.filter(campaign__year=last_year).values_list("county__name", "status")
    )
    assert reports == {"吉安县": "reported", "泰和县": "drafted"}
    assert CountyReport.objects.count() == 2
    assert "县级汇总：" in seeded
    client.force_login(User.objects.get(username="county2"))
    assert f"{last_year}年度泰和县县级汇总待上报" in client.get(reverse("workbench")).text
    client.force_login(User.objects.get(username="city"))
    page = client.get(Campaign.objects.get(year=last_year).get_absolute_url()).text
    assert 'id="campaign-county-reports"' in page
    unreported = re.search(r"尚未上报县级汇总表的县（区）：([^。]*)。", page).group(1).split("、")
    assert "泰和县" in unreported and "吉州区" in unreported and "吉安县" not in unreported
    assert len(unreported) == 12
