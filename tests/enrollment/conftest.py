"""Builders for the register: households with valid resident IDs made from birth dates."""

import itertools
from datetime import date

import pytest

from enrollment.models import Household
from enrollment.resident_ids import check_character

_sequence = itertools.count(1)


def make_id(birth: date, *, male: bool = True, region: str = "320684") -> str:
    """A valid 18-character resident ID for someone born on ``birth``; unique per call."""
    serial = next(_sequence) % 500
    sequence = f"{serial * 2 + (1 if male else 0):03d}"[-3:]
    body = f"{region}{birth:%Y%m%d}{sequence}"
    return body + check_character(body)


def build_household(village, **overrides) -> Household:
    child_birth = overrides.pop("child_birth_date", date(2005, 6, 1))
    child_sex = overrides.pop("child_sex", Household.Sex.MALE)
    number = next(_sequence)
    values = {
        "certificate_no": f"HM{number:06d}",
        "village": village,
        "hukou": Household.Hukou.RURAL,
        "father_name": f"父{number}",
        "father_id_number": make_id(date(1975, 3, 1), male=True),
        "mother_name": f"母{number}",
        "mother_id_number": make_id(date(1977, 8, 9), male=False),
        "child_name": f"子{number}",
        "child_id_number": make_id(child_birth, male=child_sex == Household.Sex.MALE),
        "child_birth_date": child_birth,
        "child_sex": child_sex,
        "certificate_date": date(2006, 1, 10),
        "address": f"{village.name}{number}号",
        "phone": "13900000000",
    }
    values.update(overrides)
    return Household.objects.create(**values)


@pytest.fixture
def household_factory():
    return build_household
