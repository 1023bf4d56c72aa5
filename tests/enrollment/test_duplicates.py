"""A parent on two or more valid certificates is listed for review, scoped per role."""

from datetime import date

import pytest
from django.urls import reverse

from enrollment.selectors.duplicates import duplicate_groups, duplicate_parent_ids
from enrollment.services.households import household_revoke
from tests.enrollment.conftest import build_household, make_id

pytestmark = pytest.mark.django_db

URL = reverse("enrollment:duplicates")


@pytest.fixture
def father_twice(world):
    """The same father on a certificate in 东兴村 (town A) and one in 南星村 (town B)."""
    father = make_id(date(1975, 3, 1), male=True)
    here = build_household(
        world.village_a1, certificate_no="HM-A1", father_name="张建国", father_id_number=father
    )
    there = build_household(
        world.village_b1, certificate_no="HM-B1", father_name="张建国", father_id_number=father
    )
    return father, here, there


def test_selector_finds_a_parent_on_two_valid_certificates(world, father_twice):
    father, here, there = father_twice
    city = world.user("city")
    assert duplicate_parent_ids(city) == [father]
    [group] = duplicate_groups(city, [father])
    assert group.names == ["张建国"]
    assert [(c.household.certificate_no, c.as_parent, c.in_scope) for c in group.certificates] == [
        ("HM-A1", "父亲", True),
        ("HM-B1", "父亲", True),
    ]


def test_father_on_one_certificate_and_mother_on_another_is_a_group(world):
    person = make_id(date(1976, 4, 4), male=True)
    build_household(world.village_a1, certificate_no="HM-F", father_id_number=person)
    build_household(world.village_a2, certificate_no="HM-M", mother_id_number=person)
    [group] = duplicate_groups(world.user("township_a"), duplicate_parent_ids(world.user("city")))
    assert sorted((c.household.certificate_no, c.as_parent) for c in group.certificates) == [
        ("HM-F", "父亲"),
        ("HM-M", "母亲"),
    ]


def test_revoked_certificates_do_not_count(world, father_twice):
    _, here, _ = father_twice
    household_revoke(actor=world.user("cadre_a1"), household=here, reason="重复登记")
    assert duplicate_parent_ids(world.user("city")) == []


def test_siblings_ids_are_not_parents(world):
    build_household(world.village_a1)
    build_household(world.village_a1)
    assert duplicate_parent_ids(world.user("city")) == []


@pytest.mark.parametrize(
    ("key", "sees"),
    [
        ("city", True),
        ("leader", True),
        ("township_a", True),
        ("township_b", True),
        ("cadre_a1", True),
        ("cadre_b1", True),
        ("cadre_a2", False),
    ],
)
def test_groups_are_scoped(world, father_twice, key, sees):
    father, _, _ = father_twice
    assert duplicate_parent_ids(world.user(key)) == ([father] if sees else [])


def test_township_officer_sees_the_other_village_but_links_only_inside(
    world, father_twice, client_for
):
    _, here, there = father_twice
    page = client_for(world.user("township_a")).get(URL)
    text = page.text
    assert page.status_code == 200
    assert "1 组" in text
    assert "南星村" in text and "三星镇" in text  # the other certificate's village is shown
    assert f'href="{here.get_absolute_url()}"' in text
    assert f'href="{there.get_absolute_url()}"' not in text
    assert "辖区外" in text
    assert here.father_id_number in text  # township officers see IDs in full


def test_city_links_to_both(world, father_twice, client_for):
    _, here, there = father_twice
    text = client_for(world.user("city")).get(URL).text
    assert f'href="{here.get_absolute_url()}"' in text
    assert f'href="{there.get_absolute_url()}"' in text


def test_parent_id_masked_for_the_leader(world, father_twice, client_for):
    father, _, _ = father_twice
    text = client_for(world.user("leader")).get(URL).text
    assert father not in text
    assert f"{father[:6]}********{father[-4:]}" in text
    assert "张建国" in text


def test_village_cadre_not_involved_sees_the_empty_state(world, father_twice, client_for):
    text = client_for(world.user("cadre_a2")).get(URL).text
    assert "0 组" in text
    assert "没有发现同一父母身份证号登记在多本有效证上的情况。" in text


def test_finance_and_insurer_may_not_look(world, client_for):
    assert client_for(world.user("finance_a")).get(URL).status_code == 403
    assert client_for(world.user("insurer_a")).get(URL).status_code == 403


def test_query_count_does_not_grow_with_groups(world, client_for, django_assert_num_queries):
    client = client_for(world.user("township_a"))

    def add_groups(count):
        for _ in range(count):
            mother = make_id(date(1980, 1, 1), male=False)
            build_household(world.village_a1, mother_id_number=mother)
            build_household(world.village_b1, mother_id_number=mother)

    add_groups(2)
    with django_assert_num_queries(5):
        assert "2 组" in client.get(URL).text
    add_groups(6)
    with django_assert_num_queries(5):
        assert "8 组" in client.get(URL).text
