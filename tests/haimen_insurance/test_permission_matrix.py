"""Every URL × every role × inside / outside scope → the expected status, in both shapes of the
area tree: Haimen's (city → township → village, the six roles without the county ones) and
Ji'an's (city → county → township → village, every role).

The table below must name every route of the URL conf (the admin aside): a new view without a
row makes ``test_every_route_has_a_row`` fail, so nobody can add a page and forget its rules.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from haimen_insurance.roles import Role
from tests.claims.routes import ROWS as CLAIMS_ROWS
from tests.enrollment.routes import ROWS as ENROLLMENT_ROWS
from tests.enrollment.routes import OneOf, a_township
from tests.permissions import (
    ACTORS,
    ALL_ROLES,
    CITY_SCOPE,
    CITY_WIDE,
    COUNTY_OFFICER,
    SHAPES,
    Row,
    a_county,
    a_user,
    own_area,
)

pytestmark = pytest.mark.django_db

USER_VIEWERS = frozenset({Role.CITY_OFFICER, Role.LEADER, Role.TOWNSHIP_OFFICER, *COUNTY_OFFICER})
# The city officer, and a county officer for its county's township and village users.
USER_MANAGERS = frozenset({Role.CITY_OFFICER, *COUNTY_OFFICER})
DASHBOARD_VIEWERS = frozenset({*CITY_WIDE, Role.TOWNSHIP_OFFICER, *COUNTY_OFFICER})


def with_campaign(world, role):
    """The assessment pages are about a campaign: make one (no URL arguments)."""
    from tests.enrollment.conftest import build_campaign

    build_campaign()
    return {}, None


def a_county_with_campaign(world, role):
    """A county's assessment: its own county inside, the other outside (a campaign made)."""
    with_campaign(world, role)
    return a_county(world, role)


def a_township_with_campaign(world, role):
    """A township's review page: its own township inside, the other outside (a campaign made)."""
    with_campaign(world, role)
    return a_township(world, role)


def _a_job(world, role, *, with_file=False):
    """A finished job of the acting user; outside: one of a user of another township (the city
    roles see every job, so none is outside for them)."""
    from django.core.files.base import ContentFile

    from haimen_insurance.jobs.models import Job, JobKind
    from tests.permissions import ACTORS

    def job(user):
        made = Job.objects.create(
            kind=JobKind.POLICY_LIST,
            started_by=user,
            target=f"matrix:{user.pk}",
            target_label="矩阵",
            task_path="enrollment.tasks.policy_list_export",
            status=Job.Status.DONE,
            result_name="清单.xlsx" if with_file else "",
        )
        if with_file:
            made.result_file.save(f"{made.pk}.xlsx", ContentFile(b"x"))
        return {"pk": made.pk}

    inside = job(world.user(ACTORS[role]))
    return inside, (None if role in CITY_SCOPE else job(world.user("cadre_b1")))


def a_job(world, role):
    return _a_job(world, role)


def a_job_file(world, role):
    return _a_job(world, role, with_file=True)


ROWS = {
    "home": Row(ALL_ROLES, ok=302),
    "logout": Row(ALL_ROLES, ok=302, method="post"),
    "password_change": Row(ALL_ROLES),
    "password_change_done": Row(ALL_ROLES),
    "workbench": Row(ALL_ROLES),
    "area_list": Row(ALL_ROLES),
    "area_detail": Row(ALL_ROLES, target=own_area),
    "user_list": Row(USER_VIEWERS),
    "user_create": Row(USER_MANAGERS),
    "user_detail": Row(USER_VIEWERS, target=a_user),
    "user_update": Row(USER_MANAGERS, target=a_user),
    "user_deactivate": Row(USER_MANAGERS, ok=302, method="post", target=a_user),
    "user_activate": Row(USER_MANAGERS, ok=302, method="post", target=a_user),
    "user_reset_password": Row(USER_MANAGERS, ok=302, method="post", target=a_user),
    "audit_list": Row(CITY_WIDE),
    "audit_export": Row(CITY_WIDE),
    "job_list": Row(ALL_ROLES),
    "job_progress": Row(ALL_ROLES, target=a_job),
    "job_download": Row(ALL_ROLES, target=a_job_file),
    # The city dashboard sends a township (or county) officer (302) to their own township's
    # (or county's).
    "dashboard": Row(DASHBOARD_VIEWERS, ok=OneOf(200, 302)),
    "dashboard_county": Row(
        frozenset({*CITY_WIDE, *COUNTY_OFFICER}), target=a_county, counties=True
    ),
    "dashboard_township": Row(DASHBOARD_VIEWERS, target=a_township),
    # The city's assessment sends a county officer (302) to its county's.
    "assessment": Row(
        frozenset({*CITY_WIDE, *COUNTY_OFFICER}),
        target=with_campaign,
        redirected=COUNTY_OFFICER,
    ),
    "assessment_county": Row(
        frozenset({*CITY_WIDE, *COUNTY_OFFICER}), target=a_county_with_campaign, counties=True
    ),
    # A large year's review (the demo's) is a job: its address sends (302) to the assessment
    # page, which starts it by POST.
    "review_xlsx": Row(CITY_WIDE, ok=OneOf(200, 302), target=with_campaign),
    "review_pdf": Row(CITY_WIDE, ok=OneOf(200, 302), target=with_campaign),
    "review_xlsx_job": Row(CITY_WIDE, ok=302, method="post", target=with_campaign),
    "review_pdf_job": Row(CITY_WIDE, ok=302, method="post", target=with_campaign),
    "township_review": Row(frozenset({Role.TOWNSHIP_OFFICER}), target=a_township_with_campaign),
    **ENROLLMENT_ROWS,
    **CLAIMS_ROWS,
}
PUBLIC = {"login"}


def route_names(resolver=None, namespace=""):
    """Every named route of the URL conf, namespaced, leaving out Django's admin."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from route_names(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}"


def test_every_route_has_a_row():
    assert set(route_names()) == set(ROWS) | PUBLIC


def cases():
    for shape, roles in SHAPES:
        # Haimen's cases keep the ids they had before the tree had counties.
        prefix = "" if shape == "haimen" else f"{shape}-"
        for name, row in ROWS.items():
            if row.counties and shape == "haimen":
                continue
            for role in roles:
                yield pytest.param(
                    shape, name, role, "inside", id=f"{prefix}{name}-{role.value}-inside"
                )
                if (
                    row.target is not None
                    and role not in CITY_SCOPE
                    and role in row.allowed
                    and role not in row.redirected
                ):
                    yield pytest.param(
                        shape, name, role, "outside", id=f"{prefix}{name}-{role.value}-outside"
                    )


@pytest.mark.parametrize(("world", "name", "role", "where"), list(cases()), indirect=["world"])
def test_status(world, client, name, role, where):
    row = ROWS[name]
    kwargs = {}
    if row.target is not None:
        inside, outside = row.target(world, role)
        kwargs = inside if where == "inside" else outside
    client.force_login(world.user(ACTORS[role]))
    response = getattr(client, row.method)(reverse(name, kwargs=kwargs))
    if role not in row.allowed:
        expected = 403
    elif where == "outside":
        expected = 404
    elif role in row.redirected:
        expected = 302
    else:
        expected = row.ok
    assert response.status_code == expected


def anonymous_cases():
    for shape, _ in SHAPES:
        for name in sorted(ROWS):
            if shape == "haimen" and not ROWS[name].counties:
                yield pytest.param(shape, name, id=name)
            elif shape != "haimen":
                yield pytest.param(shape, name, id=f"{shape}-{name}")


@pytest.mark.parametrize(("world", "name"), list(anonymous_cases()), indirect=["world"])
def test_anonymous_is_sent_to_login(world, client, name):
    row = ROWS[name]
    kwargs = row.target(world, Role.CITY_OFFICER)[0] if row.target else {}
    url = reverse(name, kwargs=kwargs)
    response = getattr(client, row.method)(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_login_page_is_public_and_chinese(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "海门市独生子女保险参保管理系统" in response.text
    assert 'lang="zh-Hans"' in response.text


def test_admin_refuses_non_staff(world, client):
    client.force_login(world.user("city"))
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
