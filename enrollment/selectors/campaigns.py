"""Which campaign a page is about, and where its year stands."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from ..models import Campaign


def current_campaign() -> Campaign | None:
    """The newest open campaign: the one rosters are being filled for. A campaign still being
    prepared is not it until the city officer opens it."""
    return Campaign.objects.filter(status=Campaign.Status.OPEN).order_by("-year").first()


def chosen_campaign(user, year: str) -> Campaign | None:
    """The campaign a page is about: the one named by ``year`` (``?campaign=<year>``) among
    those ``user`` sees, or the current one when none is named (None when there is no campaign
    at all). A year that names no campaign is a page that does not exist."""
    if not year:
        return current_campaign()
    if not year.isdigit():
        raise Http404("没有这个参保年度。")
    return get_object_or_404(Campaign.objects.for_user(user), year=year)


def phase_calendar(campaign: Campaign, today) -> list[dict]:
    """The four phases with their deadlines, each marked done, current or to come (later)."""
    calendar, current_found = [], False
    for name, deadline in campaign.phases:
        if deadline < today:
            state = "done"
        elif not current_found:
            state, current_found = "current", True
        else:
            state = "later"
        calendar.append({"name": name, "deadline": deadline, "state": state})
    return calendar
