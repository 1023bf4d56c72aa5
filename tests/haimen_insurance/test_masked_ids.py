"""Masked resident IDs stay masked: a role that sees ``320684********1234`` must not be able to
rebuild the ID from anything else it is shown.

The eight hidden digits of an 18-character ID are the birth date, and the last four (sequence and
check character) stay visible, so a masked ID beside a full birth date gives the whole number
back. Masked roles therefore see only the birth year (``2005年``); about a third of a year's days
still fit the check character then, so the number cannot be pinned down.

The sweep below logs in as each masked role, fetches every page and export that role may open
about households, rosters, policies, claims, imports and the audit trail, and tries what an
attacker would: every masked ID shown × every date visible in the same response, completed with
the shown last four characters; no such candidate may be a real ID. No real ID may appear in
full, nor any real birth date in a common format.
"""

import html
import io
import re
import subprocess
from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from claims.models import Claim
from claims.tasks import start_claims_export
from enrollment.models import (
    Household,
    InsuredPerson,
    Policy,
    Roster,
    RosterEntry,
)
from enrollment.resident_ids import check_character
from enrollment.services.households import household_revoke, household_update
from enrollment.services.register_import import register_import_upload
from enrollment.services.rosters import entry_decide
from enrollment.tasks import start_policy_list
from haimen_insurance.jobs.models import Job
from haimen_insurance.models import AuditEvent
from haimen_insurance.privacy import mask, shown_birth_date
from haimen_insurance.roles import FULL_ID_ROLES, Role
from haimen_insurance.tasks import start_audit_export
from oversight.tasks import REVIEW_KINDS, start_review
from tests.claims.conftest import issue_township, report_claim
from tests.enrollment.conftest import build_campaign, build_household, make_id
from tests.enrollment.test_register_files import household_values, write_xlsx
from tests.haimen_insurance.test_permission_matrix import ROWS
from tests.permissions import ACTORS, HAIMEN_ROLES

pytestmark = pytest.mark.django_db

# Haimen's masked roles; the county roles (masked too) are swept in Ji'an's shape below.
MASKED_ROLES = [role for role in HAIMEN_ROLES if role not in FULL_ID_ROLES]
COUNTY_MASKED_ROLES = [
    role for role in Role if role not in FULL_ID_ROLES and role not in MASKED_ROLES
]
MASKED = re.compile(r"(\d{6})\*{8}([\dX]{3})([\dX])")
_DATE_FORMS = [
    re.compile(r"(\d{4})\s*-\s*(\d{1,2})\s*-\s*(\d{1,2})"),
    re.compile(r"(\d{4})\s*/\s*(\d{1,2})\s*/\s*(\d{1,2})"),
    re.compile(r"(\d{4})\s*\.\s*(\d{1,2})\s*\.\s*(\d{1,2})"),
    re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"),
]
_DIGITS = re.compile(r"\d{8,}")

# Children's birth dates that no other date of the test data equals.
BIRTHS = {
    "林小雨": date(2005, 3, 14),
    "赵一鸣": date(2006, 10, 27),
    "孙浩然": date(2007, 11, 23),
    "周雨欣": date(2009, 8, 17),
    "吴子涵": date(2004, 12, 5),
    "郑可欣": date(2008, 4, 30),
}
CORRECTED_BIRTH = date(2006, 10, 28)  # 赵一鸣's birth date as the cadre corrects it
IMPORTED_BIRTH = date(2008, 2, 19)  # a new child in a register file
FILE_CORRECTED_BIRTH = date(2007, 11, 25)  # 孙浩然's birth date as the file gives it


def _date_forms(day: date) -> list[str]:
    return [
        f"{day:%Y-%m-%d}",
        f"{day.year}-{day.month}-{day.day}",
        f"{day:%Y/%m/%d}",
        f"{day.year}/{day.month}/{day.day}",
        f"{day:%Y.%m.%d}",
        f"{day:%Y年%m月%d日}",
        f"{day.year}年{day.month}月{day.day}日",
        f"{day:%Y%m%d}",
    ]


def _birth_of(number: str) -> date:
    return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


class Exposed:
    """Everything the sweep fetches, and every resident ID that ever existed in it."""

    def __init__(self):
        self.extra_ids: set[str] = set()

    def real_ids(self) -> set[str]:
        ids = set(self.extra_ids)
        for row in Household.objects.values_list(
            "child_id_number", "father_id_number", "mother_id_number"
        ):
            ids.update(number for number in row if number)
        ids.update(InsuredPerson.objects.values_list("id_number", flat=True))
        return {number for number in ids if len(number) == 18}


@pytest.fixture
def exposed(world, tmp_path) -> Exposed:
    """海门镇 issued (two villages, a claim, a declined family, a revoked certificate, a corrected
    birth date), 三星镇's roster still a draft, a father on certificates in both townships, and
    a register file with a new family, a correction and a row in error awaiting import."""
    data = Exposed()
    cadre = world.user("cadre_a1")
    campaign = build_campaign()
    father = make_id(date(1975, 3, 1), male=True)

    def household(village, name, **overrides):
        female = name in ("周雨欣", "郑可欣", "孙浩然")
        return build_household(
            village,
            child_name=name,
            child_birth_date=BIRTHS[name],
            child_sex=Household.Sex.FEMALE if female else Household.Sex.MALE,
            **overrides,
        )

    data.lin = household(world.village_a1, "林小雨", father_name="林建华", father_id_number=father)
    data.zhao = household(world.village_a1, "赵一鸣")
    data.sun = household(world.village_a2, "孙浩然")
    data.zhou = household(world.village_b1, "周雨欣", father_name="林建华", father_id_number=father)
    data.wu = household(world.village_a1, "吴子涵")
    data.zheng = household(world.village_a1, "郑可欣")

    # The cadre corrects 赵一鸣's birth date and ID: the audit trail holds both dates.
    data.extra_ids.add(data.zhao.child_id_number)
    household_update(
        actor=cadre,
        household=data.zhao,
        child_birth_date=CORRECTED_BIRTH,
        child_id_number=make_id(CORRECTED_BIRTH, male=True),
    )
    # Free text a cadre types may carry an ID too.
    household_revoke(
        actor=cadre,
        household=data.zheng,
        reason=f"二孩出生，注销；子女身份证号 {data.zheng.child_id_number}",
    )
    entry_decide(
        actor=cadre,
        roster=Roster.objects.get(campaign=campaign, village=world.village_a1),
        household=data.wu,
        decision=RosterEntry.Decision.DECLINED,
        reason=f"已随母亲 {data.wu.mother_id_number} 在外地参保",
    )
    data.report = issue_township(campaign, world.town_a)
    data.claim = report_claim(
        "林小雨", description=f"骑车摔倒，右臂骨折。监护人林建华，身份证号 {father}。"
    )

    # 海门镇 uploads a register file: a new child, 孙浩然's birth date and ID corrected, and
    # 林小雨's row with a birth date that disagrees with her ID (the error names the ID's date).
    new_child = make_id(IMPORTED_BIRTH, male=True)
    sun_corrected = make_id(FILE_CORRECTED_BIRTH, male=False)
    data.extra_ids.update({new_child, sun_corrected})
    rows = [
        household_values("HM-NEW1", birth=IMPORTED_BIRTH, 子女身份证号=new_child),
        _file_row(data.sun, 子女身份证号=sun_corrected, 子女出生日期=FILE_CORRECTED_BIRTH),
        _file_row(data.lin, 子女出生日期=BIRTHS["林小雨"] + timedelta(days=1)),
    ]
    for row in rows[:1]:
        data.extra_ids.update({row["父亲身份证号"], row["母亲身份证号"]})
    path = write_xlsx(tmp_path / "登记.xlsx", rows)
    data.upload = register_import_upload(actor=world.user("township_a"), file=path)
    assert data.upload.report["errors"], "the file should have a row in error"
    data.campaign = campaign
    # The background jobs of the masked roles that may start them: the year's policy list, the
    # audit trail, the claims register and the year's review as files (the test settings run
    # them at once).
    for username in ("city", "leader"):
        user = world.user(username)
        start_policy_list(actor=user, campaign=campaign)
        start_audit_export(actor=user, query="")
        start_claims_export(actor=user, query="")
        for kind in REVIEW_KINDS:
            start_review(actor=user, campaign=campaign, kind=kind)
    return data


def _file_row(household: Household, **overrides) -> dict:
    village = household.village
    values = household_values(
        household.certificate_no,
        township=village.parent.name,
        village=village.name,
        birth=household.child_birth_date,
        子女身份证号=household.child_id_number,
        子女姓名=household.child_name,
        子女性别=household.get_child_sex_display(),
        父亲姓名=household.father_name,
        父亲身份证号=household.father_id_number,
        母亲姓名=household.mother_name,
        母亲身份证号=household.mother_id_number,
        领证日期=household.certificate_date,
        联系电话=household.phone,
        家庭住址=household.address,
    )
    values.update(overrides)
    return values


# --- reading what a response shows ---


def _cell_text(value) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)


def readable_text(response) -> str:
    """What a reader sees of a response: a page's text (and its markup), every cell of a
    workbook, or what pdftotext reads in a PDF."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response.get("Content-Type", "")
    if "pdf" in kind:
        done = subprocess.run(
            ["pdftotext", "-layout", "-", "-"], input=body, capture_output=True, check=True
        )
        text = done.stdout.decode()
        return f"{text}\n{''.join(text.split())}"
    if "spreadsheet" in kind:
        workbook = load_workbook(io.BytesIO(body))
        return "\n".join(
            "\t".join(_cell_text(cell) for cell in row)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
        )
    markup = body.decode()
    return f"{markup}\n{html.unescape(re.sub(r'<[^>]+>', ' ', markup))}"


def visible_dates(text: str) -> set[date]:
    """Every full date a reader could take from the text, in any common form, including any eight
    digits in a row that make a date."""
    found = set()
    for form in _DATE_FORMS:
        for match in form.finditer(text):
            found.add(tuple(int(part) for part in match.groups()))
    for run in _DIGITS.findall(text):
        for start in range(len(run) - 7):
            window = run[start : start + 8]
            found.add((int(window[:4]), int(window[4:6]), int(window[6:8])))
    days = set()
    for year, month, day in found:
        if not 1900 <= year <= 2100:
            continue
        try:
            days.add(date(year, month, day))
        except ValueError:
            continue
    return days


def rebuilt_ids(text: str) -> set[str]:
    """Every ID an attacker completes from a masked ID shown and a date shown: region + date +
    the shown sequence, kept when the shown check character fits."""
    candidates = set()
    dates = visible_dates(text)
    for region, sequence, check in MASKED.findall(text):
        for day in dates:
            body = f"{region}{day:%Y%m%d}{sequence}"
            if check_character(body) == check:
                candidates.add(body + check)
    return candidates


def leaks(text: str, real_ids: set[str]) -> list[str]:
    """What in ``text`` gives a real ID away: the ID in full, an ID rebuilt from a masked one and
    a date, or a birth date in any common form."""
    found = [f"full ID {number}" for number in sorted(real_ids) if number in text]
    found += [f"rebuilt {number}" for number in sorted(rebuilt_ids(text) & real_ids)]
    found += sorted(
        {
            f"birth date {form}"
            for number in real_ids
            for form in _date_forms(_birth_of(number))
            if re.search(rf"(?<!\d){re.escape(form)}(?!\d)", text)
        }
    )
    return found


# --- what each masked role opens ---

# Routes a masked role may open that show no household, person or ID (or a file as uploaded).
SHOWS_NO_PERSON = {
    "home",
    "password_change",
    "password_change_done",
    "area_list",
    "area_detail",
    "user_list",
    "user_create",
    "user_detail",
    "user_update",
    "enrollment:campaign_create",
    "enrollment:campaign_update",
    "enrollment:campaign_insurers",
    "enrollment:product_update",
    "enrollment:product_shares",
    "enrollment:register_template",
    "enrollment:transfer_record",
    "claims:document_file",  # the scanned document as the cadre uploaded it
    # The county report and its files: townships and their figures, no person.
    "enrollment:county_report",
    "enrollment:county_report_submit",
    "enrollment:county_report_pdf",
    "enrollment:county_report_xlsx",
}


def _pages(world, data: Exposed):
    """(route name, kwargs, query) of every page and export the sweep fetches."""
    town_a, town_b = world.town_a, world.town_b
    report = data.report
    rosters = Roster.objects.filter(campaign=data.campaign)
    policies = Policy.objects.all()
    yield "workbench", {}, ""
    yield "dashboard", {}, ""
    yield "dashboard_township", {"pk": town_a.pk}, ""
    for county in (world.county_a, world.county_b):
        if county is not None:  # Ji'an's shape
            yield "dashboard_county", {"pk": county.pk}, ""
            yield "assessment_county", {"pk": county.pk}, ""
    yield "assessment", {}, ""
    yield "review_xlsx", {}, ""
    yield "review_pdf", {}, ""
    yield "audit_export", {}, ""
    for page in range(1, 2 + AuditEvent.objects.count() // 50):
        yield "audit_list", {}, f"page={page}"
    yield "enrollment:verification", {}, ""
    yield "enrollment:verification_township", {"pk": town_a.pk}, ""
    yield "enrollment:verification_export", {}, ""
    yield "enrollment:household_list", {}, ""
    yield "enrollment:household_list", {}, "status=revoked"
    for household in Household.objects.all():
        yield "enrollment:household_detail", {"pk": household.pk}, ""
    yield "enrollment:duplicates", {}, ""
    yield "enrollment:register_import", {}, ""
    yield "enrollment:register_import_preview", {"pk": data.upload.pk}, ""
    yield "enrollment:campaign_list", {}, ""
    yield "enrollment:campaign_detail", {"pk": data.campaign.pk}, ""
    yield "enrollment:rosters_overview", {}, ""
    for township in (town_a, town_b):
        yield "enrollment:township_rosters", {"pk": township.pk}, ""
        yield "enrollment:township_reconciliation", {"pk": township.pk}, ""
    yield "enrollment:reconciliation", {}, ""
    for roster in rosters:
        for name in ("roster_detail", "roster_pdf", "roster_xlsx"):
            yield f"enrollment:{name}", {"pk": roster.pk}, ""
    for name in (
        "township_report",
        "township_report_pdf",
        "township_report_xlsx",
        "transfer_voucher",
        "employer_dues",
    ):
        yield f"enrollment:{name}", {"pk": report.pk}, ""
    yield "enrollment:transfer_voucher_of", {"pk": report.pk, "payer": "township"}, ""
    yield "enrollment:policy_list", {}, ""
    for policy in policies:
        yield "enrollment:policy_certificate", {"pk": policy.pk}, ""
    yield "claims:claim_list", {}, ""
    yield "claims:claim_export", {}, ""
    for claim in Claim.objects.all():
        yield "claims:claim_detail", {"pk": claim.pk}, ""
    yield "job_list", {}, ""
    for job in Job.objects.all():
        yield "job_progress", {"pk": job.pk}, ""
        yield "job_download", {"pk": job.pk}, ""


def _opens(user, name: str, kwargs: dict) -> bool:
    """Whether ``user`` may open this page at all: a job is seen by the city roles and its
    starter, its file downloaded by its starter only (checked in tests/enrollment/test_jobs.py)."""
    if name == "job_progress":
        return Job.objects.for_user(user).filter(pk=kwargs["pk"]).exists()
    if name == "job_download":
        return Job.objects.filter(pk=kwargs["pk"], started_by=user).exists()
    return True


def _fetch(client, name, kwargs, query):
    url = reverse(name, kwargs=kwargs)
    return client.get(f"{url}?{query}" if query else url)


@pytest.mark.parametrize("role", MASKED_ROLES, ids=[role.value for role in MASKED_ROLES])
def test_no_page_or_export_lets_a_masked_role_rebuild_an_id(world, exposed, client, role):
    user = world.user(ACTORS[role])
    assert not user.sees_full_ids
    client.force_login(user)
    real_ids = exposed.real_ids()
    opened, found = 0, []
    for name, kwargs, query in _pages(world, exposed):
        if role not in ROWS[name].allowed or not _opens(user, name, kwargs):
            continue
        response = _fetch(client, name, kwargs, query)
        assert response.status_code == 200, (name, kwargs, response.status_code)
        opened += 1
        found += [f"{name} {kwargs}: {leak}" for leak in leaks(readable_text(response), real_ids)]
    assert found == [], "\n".join(found)
    assert opened >= (5 if role in (Role.TOWNSHIP_FINANCE, Role.CITY_FINANCE) else 40)


@pytest.mark.parametrize(
    "role", COUNTY_MASKED_ROLES, ids=[role.value for role in COUNTY_MASKED_ROLES]
)
@pytest.mark.parametrize("world", ["jian"], indirect=True)
def test_no_page_or_export_lets_a_county_role_rebuild_an_id(world, exposed, client, role):
    """The county roles, in Ji'an's shape: every page of the sweep they may open, those of
    township A's county (township B's, in the other county, answer 404)."""
    user = world.user(ACTORS[role])
    assert not user.sees_full_ids
    client.force_login(user)
    real_ids = exposed.real_ids()
    opened, found = 0, []
    for name, kwargs, query in _pages(world, exposed):
        if role not in ROWS[name].allowed or not _opens(user, name, kwargs):
            continue
        response = _fetch(client, name, kwargs, query)
        assert response.status_code in (200, 302, 404), (name, kwargs, response.status_code)
        if response.status_code != 200:
            continue
        opened += 1
        found += [f"{name} {kwargs}: {leak}" for leak in leaks(readable_text(response), real_ids)]
    assert found == [], "\n".join(found)
    assert opened >= (5 if role == Role.COUNTY_FINANCE else 40)


@pytest.mark.parametrize("world", ["jian"], indirect=True)
def test_the_sweep_opens_every_route_a_masked_role_may_open(world, exposed):
    """In Ji'an's shape, which has every route (a county's dashboard too)."""
    swept = {name for name, _, _ in _pages(world, exposed)}
    readable = {
        name
        for name, row in ROWS.items()
        if row.method == "get"
        and any(role in row.allowed for role in MASKED_ROLES + COUNTY_MASKED_ROLES)
    }
    assert readable - swept - SHOWS_NO_PERSON == set()


def test_masked_roles_still_see_the_birth_year(world, exposed, client_for):
    client = client_for(world.user("leader"))
    detail = client.get(reverse("enrollment:household_detail", args=[exposed.lin.pk])).text
    assert "2005年" in detail
    assert mask(exposed.lin.child_id_number) in detail
    listing = client.get(reverse("enrollment:household_list")).text
    assert "2005年" in listing and "2009年" in listing
    duplicates = client.get(reverse("enrollment:duplicates")).text
    assert "2005年" in duplicates and "2009年" in duplicates
    preview = client_for(world.user("city")).get(
        reverse("enrollment:register_import_preview", args=[exposed.upload.pk])
    )
    assert f"{IMPORTED_BIRTH.year}年" in preview.text
    assert f"{FILE_CORRECTED_BIRTH.year}年" in preview.text


def test_full_id_roles_still_see_the_full_birth_date(world, exposed, client_for):
    lin = exposed.lin
    cadre = client_for(world.user("cadre_a1"))
    assert "2005-03-14" in cadre.get(reverse("enrollment:household_list")).text
    detail = cadre.get(reverse("enrollment:household_detail", args=[exposed.zhao.pk])).text
    assert "2006-10-28" in detail
    assert "2006-10-27 → 2006-10-28" in detail  # the history of the correction
    roster = Roster.objects.get(campaign=exposed.campaign, village=world.village_a1)
    entry = cadre.get(reverse("enrollment:entry_decide", args=[roster.pk, lin.pk])).text
    assert "2005-03-14 出生" in entry

    township = client_for(world.user("township_a"))
    assert "2005-03-14" in township.get(reverse("enrollment:duplicates")).text
    assert lin.child_id_number in township.get(reverse("enrollment:household_list")).text
    preview = township.get(
        reverse("enrollment:register_import_preview", args=[exposed.upload.pk])
    ).text
    assert IMPORTED_BIRTH.isoformat() in preview
    assert f"{BIRTHS['孙浩然']:%Y-%m-%d} → {FILE_CORRECTED_BIRTH:%Y-%m-%d}" in preview
    assert "身份证号为2005-03-14" in preview


def test_a_year_and_a_masked_id_leave_many_candidates(exposed):
    """Why the year is safe to show: with the region, the year and the last four characters,
    every child's ID still has a third of the year's days to choose from."""
    for number in Household.objects.values_list("child_id_number", flat=True):
        region, year, tail = number[:6], int(number[6:10]), number[14:]
        day, fits = date(year, 1, 1), 0
        while day.year == year:
            fits += check_character(f"{region}{day:%Y%m%d}{tail[:3]}") == tail[3]
            day += timedelta(days=1)
        assert fits >= 20, number


@pytest.mark.parametrize(
    ("value", "full_ids", "shown"),
    [
        (date(2005, 3, 14), True, "2005-03-14"),
        (date(2005, 3, 14), False, "2005年"),
        ("2005-03-14", True, "2005-03-14"),
        ("2005-03-14", False, "2005年"),
        (None, False, ""),
        ("", True, ""),
    ],
)
def test_shown_birth_date(value, full_ids, shown):
    assert shown_birth_date(value, full_ids=full_ids) == shown
