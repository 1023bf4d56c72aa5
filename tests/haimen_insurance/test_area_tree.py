"""The area tree at any depth: each area's code starts with its parent's prefix, checked on save
and (PostgreSQL) by the database; "everything under an area" is one code-prefix condition; each
role's scope in Ji'an's four levels and in Haimen's three."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from claims.models import Claim
from enrollment.models import Household, Roster, TownshipReport
from haimen_insurance.models import Area, Insurer, User, area_scope, code_prefix
from tests.conftest import build_area
from tests.enrollment.conftest import build_campaign, build_household

pytestmark = pytest.mark.django_db

JIAN = pytest.mark.parametrize("world", ["jian"], indirect=True)


def names(queryset):
    return sorted(str(row) for row in queryset)


@pytest.mark.parametrize(
    ("code", "prefix"),
    [
        ("360800000000", "3608"),  # 吉安市, a prefecture-level city
        ("320684000000", "320684"),  # 海门市, a county-level city: its own county prefix
        ("360821000000", "360821"),  # 吉安县
        ("360881000000", "360881"),  # 井冈山市, a county-level city under Ji'an
        ("320684100000", "320684100"),  # a township
        ("320684100201", "320684100201"),  # a village
        ("320000000000", "32"),  # a province
    ],
)
def test_a_codes_prefix_is_its_significant_levels(code, prefix):
    assert code_prefix(code) == prefix


@JIAN
def test_the_tree_helpers_read_each_level(world):
    assert world.county_a.is_county and world.county_a.level_label == "县（区）"
    assert world.village_a1.township == world.town_a
    assert world.town_a.township == world.town_a and world.county_a.township is None
    assert world.village_a1.county == world.county_a
    assert world.town_b.county == world.county_b
    assert world.county_a.county == world.county_a and world.city.county is None
    assert names(Area.objects.within(world.county_a)) == sorted(
        ["吉安县", "敦厚镇", "东兴村", "新河村"]
    )
    assert Area.objects.within(world.city).count() == Area.objects.count()
    assert names(Area.objects.counties()) == ["吉安县", "吉水县"]


def test_haimen_has_no_counties(world):
    assert world.village_a1.county is None and world.town_a.county is None
    assert world.city.prefix == "320684"
    assert names(Area.objects.within(world.town_a)) == sorted(["海门镇", "东兴村", "新河村"])


# --- the invariant: refused on save, and by the database itself ---


@JIAN
@pytest.mark.parametrize(
    ("code", "kind", "parent", "message"),
    [
        (
            "360822100202",
            "村",
            "town_a",
            "区划代码 360822100202 不在上级 敦厚镇（360821100000）之下",
        ),
        ("360821100203", "村", "county_a", "村不能属于县（吉安县）"),
        ("360821101000", "镇", "town_a", "镇不能属于镇（敦厚镇）"),
        ("360822101000", "镇", "county_a", "应以 360821 开头"),
        ("360823000000", "县", "county_a", "县不能属于县（吉安县）"),
        ("350823000000", "县", "city", "应以 3608 开头"),
    ],
)
def test_saving_an_area_outside_its_parent_is_refused(world, code, kind, parent, message):
    before = Area.objects.count()
    with pytest.raises(ValidationError) as refused:
        build_area(code, "错村", kind, getattr(world, parent))
    assert message in " ".join(refused.value.messages)
    assert Area.objects.count() == before


@JIAN
def test_a_county_level_city_under_the_city_is_a_county(world):
    jinggangshan = build_area("360881000000", "井冈山市", Area.Kind.COUNTY_CITY, world.city)
    town = build_area("360881100000", "厦坪镇", Area.Kind.TOWN, jinggangshan)
    assert town.county == jinggangshan and town.code.startswith(jinggangshan.prefix)


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("320684100000", "村"),  # a village's code has its own three digits
        ("320684000201", "村"),  # …and its township's
        ("320684100201", "镇"),  # a township's code ends in 000
        ("320684100000", "县"),  # a county's in 000000
        ("320600000000", "区"),  # …with county digits that are not 00
    ],
)
def test_the_database_refuses_a_code_that_does_not_fit_its_kind(world, code, kind):
    parent = world.city if kind in ("镇", "县", "区") else world.town_a
    with transaction.atomic(), pytest.raises(IntegrityError):
        # bulk_create skips save(): the check constraint area_code_fits_kind refuses it.
        Area.objects.bulk_create([Area(code=code, name="错", kind=kind, parent=parent)])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
@JIAN
def test_the_database_refuses_a_tree_that_does_not_hold(world):
    """Writes that skip ``save()`` (bulk_create, update) meet the trigger haimen_area_tree."""
    with transaction.atomic(), pytest.raises(IntegrityError, match="不能属于上级"):
        Area.objects.filter(pk=world.village_a1.pk).update(parent=world.town_b)
    with transaction.atomic(), pytest.raises(IntegrityError, match="不能属于上级"):
        Area.objects.bulk_create(
            [Area(code="360822100209", name="错村", kind="村", parent=world.town_a)]
        )
    with transaction.atomic(), pytest.raises(IntegrityError, match="不能属于上级"):
        Area.objects.filter(pk=world.town_a.pk).update(parent=world.town_b)
    # A township's new code would leave its villages outside it.
    with transaction.atomic(), pytest.raises(IntegrityError, match="下级区划不再属于它"):
        Area.objects.filter(pk=world.town_a.pk).update(code="360821101000")
    # What fits passes: a new village of 敦厚镇, a township renamed.
    Area.objects.bulk_create(
        [Area(code="360821100209", name="新村", kind="村", parent=world.town_a)]
    )
    assert Area.objects.filter(pk=world.town_a.pk).update(name="敦厚镇（改）") == 1


def test_loading_a_file_whose_village_is_outside_its_township_writes_nothing(world, tmp_path):
    from haimen_insurance.services import areas_load_csv

    path = tmp_path / "areas.csv"
    path.write_text(
        "code,name,kind,parent_code\n"
        "320684100203,新村,村,320684100000\n"
        "320684101203,错村,村,320684100000\n",
        encoding="utf-8",
    )
    before = Area.objects.count()
    with pytest.raises(ValidationError) as refused:
        areas_load_csv(path=path)
    assert "不在上级 海门镇（320684100000）之下：应以 320684100 开头" in " ".join(
        refused.value.messages
    )
    assert Area.objects.count() == before


# --- each role's scope in the four levels ---


@JIAN
@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("city", ["吉安市", "吉安县", "吉水县", "敦厚镇", "文峰镇", "东兴村", "新河村", "南星村"]),
        (
            "leader",
            ["吉安市", "吉安县", "吉水县", "敦厚镇", "文峰镇", "东兴村", "新河村", "南星村"],
        ),
        ("county_a", ["吉安县", "敦厚镇", "东兴村", "新河村"]),
        ("county_finance_b", ["吉水县", "文峰镇", "南星村"]),
        ("township_a", ["敦厚镇", "东兴村", "新河村"]),
        ("finance_b", ["文峰镇", "南星村"]),
        ("cadre_a2", ["新河村"]),
        ("insurer_b", ["文峰镇", "南星村"]),
    ],
)
def test_each_role_sees_its_areas_at_depth_four(world, key, expected):
    assert names(Area.objects.for_user(world.user(key))) == sorted(expected)


@JIAN
@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("city", ["东兴村", "新河村", "南星村"]),
        ("county_a", ["东兴村", "新河村"]),
        ("county_finance_b", ["南星村"]),
        ("township_a", ["东兴村", "新河村"]),
        ("cadre_a1", ["东兴村"]),
        ("insurer_b", ["南星村"]),
    ],
)
def test_area_scope_follows_the_tree_at_depth_four(world, key, expected):
    for village in (world.village_a1, world.village_a2, world.village_b1):
        build_household(village, child_name=f"{village.name}的孩子")
    user = world.user(key)
    households = Household.objects.for_user(user).select_related("village")
    assert sorted(household.village.name for household in households) == sorted(expected)
    campaign = build_campaign()
    rosters = Roster.objects.for_user(user).filter(campaign=campaign).select_related("village")
    assert sorted(roster.village.name for roster in rosters) == sorted(expected)


@JIAN
def test_the_county_roles_see_their_countys_reports_and_claims_only(world):
    from tests.claims.conftest import issue_township, report_claim

    campaign = build_campaign()
    build_household(world.village_a1, child_name="甲村孩子")
    build_household(world.village_b1, child_name="乙村孩子")
    issue_township(campaign, world.town_a)
    issue_township(campaign, world.town_b)
    report_claim("甲村孩子")
    report_claim("乙村孩子")
    for key, township in (("county_a", world.town_a), ("county_finance_b", world.town_b)):
        user = world.user(key)
        reports = TownshipReport.objects.for_user(user)
        assert [report.township for report in reports] == [township]
    claims = Claim.objects.for_user(world.user("county_a")).select_related("person")
    assert [claim.person.name for claim in claims] == ["甲村孩子"]


@JIAN
def test_users_and_insurers_of_a_county(world):
    assert names(User.objects.for_user(world.user("county_a"))) == sorted(
        ["测试county_a", "测试county_finance_a", "测试township_a", "测试finance_a"]
        + ["测试cadre_a1", "测试cadre_a2"]
    )
    # County finance manages nobody and sees only itself, as township finance.
    assert names(User.objects.for_user(world.user("county_finance_a"))) == ["测试county_finance_a"]
    assert names(Insurer.objects.for_user(world.user("county_b"))) == ["乙保险公司海门支公司"]
    assert User.objects.for_user(world.user("city")).count() == 16  # with the city finance office


def test_a_county_users_scope_is_one_join_on_the_code(world):
    """The county's rows are found by the village's code, one join away as the township's
    ``village__parent_id``; Django adds a pattern index beside the unique one on PostgreSQL,
    so ``LIKE 'prefix%'`` is indexed."""
    county_user = User(role="county_officer", area=Area(code="360821000000", kind="县"))
    township_user = User(role="township_officer", area_id=1)
    county_sql = str(Household.objects.filter(area_scope(county_user, village="village")).query)
    township_sql = str(Household.objects.filter(area_scope(township_user, village="village")).query)
    assert county_sql.count("JOIN") == township_sql.count("JOIN") == 1
    assert "LIKE" in county_sql and "360821%" in county_sql
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE tablename = 'haimen_insurance_area'"
            )
            indexes = [row[0] for row in cursor.fetchall()]
        assert any("varchar_pattern_ops" in index and "(code" in index for index in indexes)
