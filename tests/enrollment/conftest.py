"""Builders for the register (households with valid resident IDs made from birth dates),
campaigns, reported township reports and transfers."""

import itertools
from datetime import date

import pytest

from enrollment.models import Campaign, Household, Roster, TownshipReport
from enrollment.resident_ids import check_character
from enrollment.services.campaigns import campaign_create, campaign_open
from enrollment.services.rosters import (
    roster_approve,
    roster_enrol_all,
    roster_submit,
    township_report_draft,
    township_report_submit,
)

_sequence = itertools.count(1)


def make_id(birth: date, *, male: bool = True, region: str | None = None) -> str:
    """A valid 18-character resident ID for someone born on ``birth``; unique per call (every
    500 calls move to another region code unless ``region`` is given)."""
    number = next(_sequence)
    block = number // 500
    region = region or ("320684" if block == 0 else f"32{block % 10000:04d}")
    body = f"{region}{birth:%Y%m%d}{(number % 500) * 2 + (1 if male else 0):03d}"
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


# The 2013 campaign of docs/design.md: cover for 2013, ages judged on 1 January 2013.
CAMPAIGN_2013 = {
    "coverage_start": date(2013, 1, 1),
    "coverage_end": date(2013, 12, 31),
    "age_limit": 14,
    "age_date": date(2013, 1, 1),
    "verification_deadline": date(2012, 12, 21),
    "mobilisation_deadline": date(2012, 12, 26),
    "implementation_deadline": date(2012, 12, 31),
    "review_deadline": date(2013, 1, 15),
}


def campaign_dates(year: int) -> dict:
    """The 2013 campaign's dates and age rule moved to ``year``."""
    return {
        name: value.replace(year=value.year + year - 2013) if isinstance(value, date) else value
        for name, value in CAMPAIGN_2013.items()
    }


def build_campaign(year: int = 2013, *, opened: bool = True, **overrides) -> Campaign:
    """A campaign set up as the city officer would: both default products, each township's
    insurer, a draft roster for every village; opened unless ``opened`` is False (the dates
    those of 2013 moved to ``year``)."""
    campaign = campaign_create(actor=None, year=year, **{**campaign_dates(year), **overrides})
    if opened:
        campaign = campaign_open(actor=None, campaign=campaign)
    return campaign


@pytest.fixture
def campaign(world) -> Campaign:
    return build_campaign()


def build_reported_report(campaign: Campaign, township, *, actor=None) -> TownshipReport:
    """Every village roster of ``township`` enrolled in full, submitted, approved, and the
    township report drafted and reported (by the system unless ``actor`` is given)."""
    for roster in Roster.objects.filter(campaign=campaign, village__parent=township):
        roster_enrol_all(actor=None, roster=roster)
        roster_submit(actor=None, roster=roster)
        roster_approve(actor=None, roster=roster)
    report = township_report_draft(actor=actor, campaign=campaign, township=township)
    return township_report_submit(actor=actor, report=report)


def transfer_values(report: TownshipReport, **overrides) -> dict:
    """What the finance office types for a transfer of the amount due."""
    return {
        "transfer_date": date(2012, 12, 30),
        "voucher_no": "HMCZ-2012-0088",
        "amount": report.premium,
        "payer_name": f"{report.township.name}财政所",
        "payer_account": "3206840100012345",
        "payer_bank": "江苏海门农村商业银行",
        "payee_name": "甲保险公司海门支公司",
        "payee_account": "1105020109000123456",
        "payee_bank": "中国工商银行海门支行",
        **overrides,
    }
