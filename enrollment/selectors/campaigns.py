"""Which campaign a page is about, and where its year stands."""

from ..models import Campaign


def current_campaign() -> Campaign | None:
    """The newest open campaign: the one rosters are being filled for. A campaign still being
    prepared is not it until the city officer opens it."""
    return Campaign.objects.filter(status=Campaign.Status.OPEN).order_by("-year").first()


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
