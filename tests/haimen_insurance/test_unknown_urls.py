"""An address that does not exist answers the Chinese 404 page, for every role and for a
visitor who is not signed in."""

import pytest

from tests.permissions import ACTORS, SHAPES

pytestmark = pytest.mark.django_db

MADE_UP = [
    "/nothing/",
    "/workbench/extra/",
    "/areas/1/extra/",
    "/users/abc/",
    "/enrollment/rosters/abc/",
    "/enrollment/nope/",
    "/claims/new/x/y/",
    "/media/claims/scan.png",
    "/dashboard/townships/abc/",
    "/audit/export.csv",
    "/login/extra/",
    "/%E6%B5%B7%E9%97%A8/",
]


@pytest.mark.parametrize(
    ("world", "role"),
    [
        pytest.param(shape, role, id=role.value if shape == "haimen" else f"{shape}-{role.value}")
        for shape, roles in SHAPES
        for role in roles
    ],
    indirect=["world"],
)
def test_made_up_paths_answer_the_chinese_404(world, client, role):
    client.force_login(world.user(ACTORS[role]))
    for path in MADE_UP:
        response = client.get(path)
        assert response.status_code == 404, path
        assert "找不到您要的页面" in response.text, path
        assert "工作台" in response.text  # the navigation is there, as on every page


def test_a_visitor_gets_the_same_page(client):
    for path in MADE_UP:
        response = client.get(path)
        assert response.status_code == 404, path
        assert "找不到您要的页面" in response.text, path
