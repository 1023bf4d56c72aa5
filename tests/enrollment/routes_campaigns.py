"""Permission-matrix rows for enrollment/views/campaigns.py (see tests/permissions.py).

An open campaign is city-wide: every signed-in role sees every open campaign, so no role has a
campaign "outside" its scope. For the roles the matrix checks outside scope, the outside target
is a campaign that does not exist, which must answer 404 just as an out-of-scope row would. (A
campaign being prepared is the city's only: tests/enrollment/test_campaign_bounds.py.)
"""

from haimen_insurance.roles import Role
from tests.permissions import ALL_ROLES, CITY_SCOPE, CITY_WIDE, Row

CAMPAIGN_MANAGERS = frozenset({Role.CITY_OFFICER})


def _missing(model) -> dict:
    last = model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    return {"pk": last + 1000}


def a_campaign(world, role):
    from enrollment.models import Campaign
    from tests.enrollment.conftest import build_campaign

    campaign = build_campaign()
    return {"pk": campaign.pk}, (None if role in CITY_SCOPE else _missing(Campaign))


def a_prepared_campaign(world, role):
    """A campaign not yet open, which only the city officer opens or deletes."""
    from tests.enrollment.conftest import build_campaign

    return {"pk": build_campaign(opened=False).pk}, None


def a_product(world, role):
    from enrollment.models import Product
    from tests.enrollment.conftest import build_campaign

    product = build_campaign().products.get(code=Product.Code.CHILD_SAFETY)
    return {"pk": product.pk}, (None if role in CITY_SCOPE else _missing(Product))


ROWS = {
    "enrollment:campaign_list": Row(ALL_ROLES),
    "enrollment:campaign_create": Row(CAMPAIGN_MANAGERS),
    "enrollment:campaign_detail": Row(ALL_ROLES, target=a_campaign),
    "enrollment:campaign_update": Row(CAMPAIGN_MANAGERS, target=a_campaign),
    "enrollment:campaign_insurers": Row(CAMPAIGN_MANAGERS, target=a_campaign),
    "enrollment:product_update": Row(CAMPAIGN_MANAGERS, target=a_product),
    "enrollment:product_shares": Row(CAMPAIGN_MANAGERS, target=a_product),
    "enrollment:campaign_roll_over": Row(
        CAMPAIGN_MANAGERS, ok=302, method="post", target=a_campaign
    ),
    "enrollment:campaign_policy_list": Row(
        frozenset({*CITY_WIDE, Role.INSURER_STAFF}), ok=302, method="post", target=a_campaign
    ),
    "enrollment:campaign_open": Row(
        CAMPAIGN_MANAGERS, ok=302, method="post", target=a_prepared_campaign
    ),
    "enrollment:campaign_delete": Row(
        CAMPAIGN_MANAGERS, ok=302, method="post", target=a_prepared_campaign
    ),
}
