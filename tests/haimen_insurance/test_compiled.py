"""A query compiled once (``haimen_insurance.compiled.Compiled``) answers as the queryset it was
compiled from, for every value it is run with."""

from datetime import date

import pytest
from django.db.models import Count, Q

from haimen_insurance.compiled import Compiled
from haimen_insurance.models import AuditEvent

pytestmark = pytest.mark.django_db


def _events(*, actor, since):
    return (
        AuditEvent.objects.filter(Q(actor_id=actor) | Q(actor__isnull=True), at__date__gte=since)
        .values("action")
        .annotate(count=Count("pk"))
        .order_by("action")
    )


EVENTS = Compiled(_events, actor=int, since=date)


def test_rows_are_the_querysets_for_each_value(world):
    city, cadre = world.user("city"), world.user("cadre_a1")
    for actor in (city, cadre):
        AuditEvent.objects.create(actor=actor, action="login", object_type="x", object_id="1")
    for actor, since in ((city.pk, date(2000, 1, 1)), (cadre.pk, date(2000, 1, 1))):
        assert EVENTS.rows(actor=actor, since=since) == list(_events(actor=actor, since=since))
    assert EVENTS.rows(actor=city.pk, since=date(2999, 1, 1)) == []


def test_a_value_the_query_does_not_use_is_refused(world):
    unused = Compiled(
        lambda *, actor, since: _events(actor=actor, since=date(2000, 1, 1)), actor=int, since=date
    )
    with pytest.raises(ValueError, match="since"):
        unused.rows(actor=1, since=date(2000, 1, 1))
