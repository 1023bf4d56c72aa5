"""The eligibility rule: the birthday boundary of docs/design.md section 4, 29 February
children, every reason, and the Python rule (``judge``) agreeing with its SQL twin
(``annotate_eligibility``)."""

from datetime import date

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from enrollment.eligibility import Reason, age_cutoff, annotate_eligibility, judge
from enrollment.models import Household
from tests.enrollment.conftest import build_household

pytestmark = pytest.mark.django_db

AGE_DATE_2013 = date(2013, 1, 1)


def sql_reason(household: Household, *, age_date: date, age_limit: int) -> str:
    queryset = Household.objects.filter(pk=household.pk)
    return annotate_eligibility(queryset, age_date=age_date, age_limit=age_limit).get().eligibility


def both(household: Household, *, age_date: date, age_limit: int = 14) -> tuple[str, str]:
    """(Python reason, SQL reason): every test below checks that the two agree."""
    python = judge(household, age_date=age_date, age_limit=age_limit).reason.value
    return python, sql_reason(household, age_date=age_date, age_limit=age_limit)


# --- the birthday boundary (docs/design.md section 4) ---


def test_child_turning_14_on_the_age_date_is_not_eligible(world):
    household = build_household(world.village_a1, child_birth_date=date(1999, 1, 1))
    assert both(household, age_date=AGE_DATE_2013) == (Reason.AGE, Reason.AGE)
    assert not judge(household, age_date=AGE_DATE_2013, age_limit=14).eligible
    assert judge(household, age_date=AGE_DATE_2013, age_limit=14).label == "子女已满年龄界限"


def test_child_turning_14_the_day_after_the_age_date_is_eligible(world):
    household = build_household(world.village_a1, child_birth_date=date(1999, 1, 2))
    assert both(household, age_date=AGE_DATE_2013) == (Reason.ELIGIBLE, Reason.ELIGIBLE)
    assert judge(household, age_date=AGE_DATE_2013, age_limit=14).eligible


def test_the_age_limit_is_a_parameter(world):
    household = build_household(world.village_a1, child_birth_date=date(1999, 1, 2))
    assert both(household, age_date=AGE_DATE_2013, age_limit=13) == (Reason.AGE, Reason.AGE)
    assert both(household, age_date=AGE_DATE_2013, age_limit=16) == (
        Reason.ELIGIBLE,
        Reason.ELIGIBLE,
    )


def test_child_born_on_the_age_date_is_eligible(world):
    household = build_household(world.village_a1, child_birth_date=AGE_DATE_2013)
    assert both(household, age_date=AGE_DATE_2013) == (Reason.ELIGIBLE, Reason.ELIGIBLE)


# --- 29 February ---


def test_leap_day_child_is_still_13_on_28_february_of_a_common_year(world):
    household = build_household(world.village_a1, child_birth_date=date(2000, 2, 29))
    assert both(household, age_date=date(2014, 2, 28)) == (Reason.ELIGIBLE, Reason.ELIGIBLE)


def test_leap_day_child_turns_14_on_1_march_of_a_common_year(world):
    household = build_household(world.village_a1, child_birth_date=date(2000, 2, 29))
    assert both(household, age_date=date(2014, 3, 1)) == (Reason.AGE, Reason.AGE)


def test_leap_day_child_turns_16_on_29_february_of_a_leap_year(world):
    household = build_household(world.village_a1, child_birth_date=date(2000, 2, 29))
    assert both(household, age_date=date(2016, 2, 28), age_limit=16) == (
        Reason.ELIGIBLE,
        Reason.ELIGIBLE,
    )
    assert both(household, age_date=date(2016, 2, 29), age_limit=16) == (Reason.AGE, Reason.AGE)


def test_age_date_on_29_february_with_a_common_birth_year(world):
    # Age date 2016-02-29, limit 14: the cut-off year 2002 has no 29 February.
    assert age_cutoff(date(2016, 2, 29), 14) == date(2002, 2, 28)
    turned = build_household(world.village_a1, child_birth_date=date(2002, 2, 28))
    not_yet = build_household(world.village_a1, child_birth_date=date(2002, 3, 1))
    assert both(turned, age_date=date(2016, 2, 29)) == (Reason.AGE, Reason.AGE)
    assert both(not_yet, age_date=date(2016, 2, 29)) == (Reason.ELIGIBLE, Reason.ELIGIBLE)


# --- each reason, in the order of the checks ---


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"status": Household.Status.REVOKED, "status_reason": "子女死亡"}, Reason.REVOKED),
        ({"status": Household.Status.MOVED, "status_reason": "迁往南通市区"}, Reason.MOVED),
        ({"hukou": Household.Hukou.URBAN}, Reason.URBAN),
        ({"receives_reward": False}, Reason.NO_REWARD),
        ({"child_birth_date": date(2013, 1, 2)}, Reason.NOT_BORN),
        ({"child_birth_date": date(1998, 6, 1)}, Reason.AGE),
        ({}, Reason.ELIGIBLE),
    ],
    ids=lambda value: value.value if isinstance(value, Reason) else None,
)
def test_each_reason(world, overrides, reason):
    household = build_household(world.village_a1, **overrides)
    assert both(household, age_date=AGE_DATE_2013) == (reason, reason)


def test_the_first_failing_check_is_the_reason(world):
    # Revoked, urban, no reward and too old at once: the certificate comes first.
    household = build_household(
        world.village_a1,
        status=Household.Status.REVOKED,
        status_reason="重复登记",
        hukou=Household.Hukou.URBAN,
        receives_reward=False,
        child_birth_date=date(1995, 1, 1),
    )
    assert both(household, age_date=AGE_DATE_2013) == (Reason.REVOKED, Reason.REVOKED)
    urban_and_old = build_household(
        world.village_a1, hukou=Household.Hukou.URBAN, child_birth_date=date(1995, 1, 1)
    )
    assert both(urban_and_old, age_date=AGE_DATE_2013) == (Reason.URBAN, Reason.URBAN)


def test_reason_labels_are_chinese():
    assert Reason.REVOKED.label == "独生子女证已注销"
    assert Reason.MOVED.label == "已迁出"
    assert Reason.URBAN.label == "非农业户口"
    assert Reason.NO_REWARD.label == "未领取奖励金"
    assert Reason.NOT_BORN.label == "子女出生晚于年龄判定日"
    assert Reason.AGE.label == "子女已满年龄界限"


# --- judge and annotate_eligibility agree ---

LEAP_DAYS = [date(2012, 2, 29), date(2016, 2, 29), date(2020, 2, 29)]
age_dates = st.one_of(
    st.dates(date(2008, 1, 1), date(2022, 12, 31)),
    st.sampled_from(LEAP_DAYS),
    st.sampled_from([date(2013, 1, 1), date(2014, 1, 1), date(2013, 3, 1), date(2014, 2, 28)]),
)


@st.composite
def households(draw, age_date: date, age_limit: int):
    """Values for one household, with birth dates clustered around the age boundary."""
    cutoff = age_cutoff(age_date, age_limit)
    birth = draw(
        st.one_of(
            st.sampled_from(
                [
                    cutoff,
                    date.fromordinal(cutoff.toordinal() + 1),
                    date.fromordinal(cutoff.toordinal() - 1),
                    age_date,
                    date.fromordinal(age_date.toordinal() + 1),
                ]
            ),
            st.sampled_from([date(1996, 2, 29), date(2000, 2, 29), date(2004, 2, 29)]),
            st.dates(date(1990, 1, 1), date(2023, 12, 31)),
        )
    )
    # Mostly households that pass the other checks, so the dates decide.
    status = draw(st.one_of(st.just(Household.Status.VALID), st.sampled_from(Household.Status)))
    return {
        "child_birth_date": birth,
        "status": status,
        "status_reason": "" if status == Household.Status.VALID else "测试原因",
        "hukou": draw(st.one_of(st.just(Household.Hukou.RURAL), st.sampled_from(Household.Hukou))),
        "receives_reward": draw(st.one_of(st.just(True), st.booleans())),
    }


@st.composite
def registers(draw):
    age_date = draw(age_dates)
    age_limit = draw(st.one_of(st.just(14), st.integers(1, 18)))
    rows = draw(st.lists(households(age_date, age_limit), min_size=1, max_size=8))
    return age_date, age_limit, rows


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(register=registers())
def test_python_and_sql_agree(world, register):
    age_date, age_limit, rows = register
    # Each example in its own savepoint, rolled back, so examples never see each other's rows.
    with transaction.atomic():
        created = [build_household(world.village_a1, **values) for values in rows]
        annotated = annotate_eligibility(
            Household.objects.filter(pk__in=[household.pk for household in created]),
            age_date=age_date,
            age_limit=age_limit,
        )
        in_sql = dict(annotated.values_list("pk", "eligibility"))
        in_python = {
            household.pk: judge(household, age_date=age_date, age_limit=age_limit).reason.value
            for household in created
        }
        assert in_sql == in_python
        transaction.set_rollback(True)
