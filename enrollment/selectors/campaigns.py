"""Which campaign a page is about."""

from ..models import Campaign


def current_campaign() -> Campaign | None:
    """The newest campaign: the one rosters are being filled for."""
    return Campaign.objects.order_by("-year").first()
