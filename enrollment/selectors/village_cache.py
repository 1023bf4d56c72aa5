"""Villages' figures kept between requests, checked at every read against the database's log of
what changed since: exact, never a moment stale.

The township's and the city's pages add up every village: at bench scale (200,000 households,
400,000 policies) counting them takes 200–400 ms of PostgreSQL a page, though between two views
few villages (at night, none) have changed. A village's figures change only when a transaction
writes its households, its roster or roster entries, or insured persons; PostgreSQL triggers
(migrations 0012 and 0014) log, statement by statement, the villages each writing transaction
touched and the insured ID numbers it wrote (``models.FigureChange``, tagged with the
transaction's id).

A process keeps what it counted (per campaign and village, and per campaign the ID numbers
insured for two households), with the database snapshot (``pg_current_snapshot()``) of its last
check. Each read first asks, in one query, which villages and ID numbers were logged by
transactions that snapshot did not see (committed since, or still running then), forgets them,
counts those it needs again and takes the rest as they are. A transaction still running when a
count is made is not in it, and its log rows are found at the next check, once it commits; so a
figure is never used past a change. The log is pruned every ten minutes (rows of transactions
older than the snapshot of the previous pruning); a process whose last check is older than that
starts afresh, as it does when the log's ``epoch`` changes (the tables were emptied).

Used on PostgreSQL outside a transaction (a page, in autocommit); inside one (a service, a test
in its transaction) and on SQLite (the demo, without triggers) ``counts`` answers None and the
caller counts directly, as it always did.

A village is *irregular* when one of its households is decided in another village's roster of
the campaign, or its roster holds a household of another village (a household that moved after
its roster was approved): its households' figures then depend on which rosters a page counts, so
pages count such a village directly (``irregular``); everything else of it is exact as kept.
"""

import logging
import threading
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce

from ..eligibility import Reason, eligibility_expression
from ..models import Campaign, InsuredPerson, Roster, RosterEntry
from .rosters import Figures, household_counts, persons_counts

ZERO = Decimal("0.00")
TRIGGERS = 15  # migration 0012: four tables' insert, delete and truncate, three tables' update
logger = logging.getLogger(__name__)

# The one query of a check: the current snapshot, the log's row, and what transactions unseen
# by the last check's snapshot logged (those of txid below its xmin had ended before it).
CHECK = """
SELECT
  pg_current_snapshot()::text,
  pg_snapshot_xmin(pg_current_snapshot())::text::bigint,
  log.epoch::text,
  log.horizon,
  log.candidate_at < now() - interval '10 minutes',
  changed.villages,
  changed.campaigns,
  coalesce(changed.everything, false),
  changed.ids
FROM (SELECT 1) one
LEFT JOIN enrollment_figurelog log ON log.id = 1
LEFT JOIN LATERAL (
  SELECT
    array_agg(DISTINCT c.village_id) FILTER (WHERE c.village_id IS NOT NULL) AS villages,
    array_agg(DISTINCT c.campaign_id)
      FILTER (WHERE c.village_id IS NULL AND c.id_number IS NULL AND c.campaign_id IS NOT NULL)
      AS campaigns,
    bool_or(c.village_id IS NULL AND c.campaign_id IS NULL AND c.id_number IS NULL)
      AS everything,
    array_agg(DISTINCT c.campaign_id::text || ' ' || c.id_number)
      FILTER (WHERE c.id_number IS NOT NULL) AS ids
  FROM enrollment_figurechange c
  WHERE %(snapshot)s::text IS NOT NULL
    AND c.txid >= %(xmin)s
    AND NOT pg_visible_in_snapshot(c.txid::text::xid8, %(snapshot)s::text::pg_snapshot)
) changed ON true
"""
FIRST_LOG = (
    "INSERT INTO enrollment_figurelog (id, epoch, horizon, candidate, candidate_at) "
    "VALUES (1, %s, 0, pg_current_snapshot()::text, now()) ON CONFLICT (id) DO NOTHING"
)
# Every ten minutes: the previous pruning's snapshot becomes the horizon and the rows of
# transactions before it go (a process that checked since then has its xmin above it).
PRUNE = """
WITH moved AS (
  UPDATE enrollment_figurelog
  SET horizon = pg_snapshot_xmin(candidate::pg_snapshot)::text::bigint,
      candidate = pg_current_snapshot()::text,
      candidate_at = now()
  WHERE id = 1 AND candidate_at < now() - interval '10 minutes'
  RETURNING horizon
)
DELETE FROM enrollment_figurechange WHERE txid < (SELECT horizon FROM moved)
"""


@dataclass(frozen=True)
class VillageCount:
    """One village in one campaign: its roster, its households' figures by their decision in
    that roster and the roster's insured persons (``figures``, exact unless ``irregular``), and
    the roster's enrolled entries with their policies and premium and how many of them the
    register no longer finds eligible (``ineligible``)."""

    roster: int | None
    figures: Figures
    irregular: bool
    enrolled: int = 0
    policies: int = 0
    premium: Decimal = ZERO
    ineligible: int = 0


@dataclass(frozen=True)
class Counts:
    villages: dict[int, VillageCount]
    shared: frozenset[str] | None  # ID numbers insured for two households (when asked for)


class _Kept:
    def __init__(self):
        self.lock = threading.Lock()
        self.triggers: bool | None = None  # whether the log is written (checked once)
        self.forget()

    def forget(self, epoch: str | None = None) -> None:
        self.epoch = epoch
        self.snapshot: str | None = None
        self.xmin = 0
        self.villages: dict[tuple, dict[int, VillageCount]] = {}
        self.shared: dict[int, frozenset[str]] = {}


_kept = _Kept()


def forget() -> None:
    """Drop everything this process kept (the next read counts afresh): for tests and
    benchmarks."""
    with _kept.lock:
        _kept.forget()


def usable() -> bool:
    """Whether kept figures may be used now: on PostgreSQL, outside a transaction, with the
    triggers that write the change log in place (looked up once a process; without them every
    figure is counted directly, and a warning is logged)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return False
    if _kept.triggers is None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'enrollment_figures_%' "
                "AND NOT tgisinternal AND tgenabled <> 'D'"
            )
            _kept.triggers = cursor.fetchone()[0] == TRIGGERS
        if not _kept.triggers:
            logger.warning(
                "The figure change log's triggers are missing or disabled (migration "
                "enrollment 0012): every page counts its figures directly."
            )
    return _kept.triggers


def counts(campaign: Campaign, village_ids, *, shared: bool = False) -> Counts | None:
    """``VillageCount`` of each of ``village_ids`` in ``campaign`` (and, with ``shared``, the
    campaign's ID numbers insured for two households), counting only what changed since; None
    where they must be counted directly (``usable``). One query (the check) when nothing
    changed; five more for villages changed, one more for changed ID numbers."""
    if not usable():
        return None
    key = (campaign.pk, campaign.age_date, campaign.age_limit)
    village_ids = list(village_ids)
    with _kept.lock:
        _check()
        kept = _kept.villages.setdefault(key, {})
        missing = [village for village in village_ids if village not in kept]
        if missing:
            kept.update(_count(campaign, missing))
        ids = None
        if shared:
            if campaign.pk not in _kept.shared:
                _kept.shared[campaign.pk] = _shared_ids(campaign)
            ids = _kept.shared[campaign.pk]
        return Counts({village: kept[village] for village in village_ids}, ids)


def irregular(kept: Counts) -> list[int]:
    """The villages of ``kept`` whose households' figures must be counted directly."""
    return [village for village, count in kept.villages.items() if count.irregular]


def _check() -> None:
    """Forget what changed since the last check (everything, when the log is new)."""
    with connection.cursor() as cursor:
        cursor.execute(CHECK, {"snapshot": _kept.snapshot, "xmin": _kept.xmin})
        snapshot, xmin, epoch, horizon, prune, villages, campaigns, everything, ids = (
            cursor.fetchone()
        )
        if epoch is None:  # the tables were emptied: a new log, nothing kept from before
            epoch = str(uuid.uuid4())
            cursor.execute(FIRST_LOG, [epoch])
        if epoch != _kept.epoch or _kept.snapshot is None or _kept.xmin < horizon or everything:
            _kept.forget(epoch)
        else:
            _forget_changed(villages or [], campaigns or [], ids or [])
        _kept.snapshot, _kept.xmin = snapshot, xmin
        if prune:
            cursor.execute(PRUNE)


def _forget_changed(villages: list[int], campaigns: list[int], ids: list[str]) -> None:
    for key, kept in list(_kept.villages.items()):
        if key[0] in campaigns:
            del _kept.villages[key]
            continue
        for village in villages:
            kept.pop(village, None)
    for campaign in campaigns:
        _kept.shared.pop(campaign, None)
    changed: dict[int, set[str]] = {}
    for item in ids:
        campaign, id_number = item.split(" ", 1)
        changed.setdefault(int(campaign), set()).add(id_number)
    for campaign, numbers in changed.items():
        if "" in numbers:  # every ID number of the campaign (a statement of many persons)
            _kept.shared.pop(campaign, None)
        elif campaign in _kept.shared:
            still = _shared_ids(Campaign(pk=campaign), numbers)
            _kept.shared[campaign] = frozenset((_kept.shared[campaign] - numbers) | still)


def _count(campaign: Campaign, village_ids: list[int]) -> dict[int, VillageCount]:
    """Count ``village_ids`` afresh: five queries."""
    rosters = dict(Roster.objects.filter(campaign=campaign).values_list("pk", "village"))
    wanted = set(village_ids)
    own = {village: pk for pk, village in rosters.items() if village in wanted}
    # By their decision in any roster of the campaign: the undecided are then those no roster
    # has decided, and for a regular village (its households decided in its own roster only)
    # the figures are its own roster's.
    households = {
        row.pop("village"): row for row in household_counts(campaign, village_ids, list(rosters))
    }
    persons = persons_counts(campaign, list(own.values()))
    enrolled = Q(decision=RosterEntry.Decision.ENROLLED)
    rule = {"age_date": campaign.age_date, "age_limit": campaign.age_limit}
    entries = {
        row.pop("roster__village"): row
        for row in RosterEntry.objects.filter(roster__in=list(own.values()))
        .annotate(eligibility_now=eligibility_expression(prefix="household__", **rule))
        .values("roster__village")
        .annotate(
            enrolled=Count("pk", filter=enrolled),
            policies=Coalesce(Sum("policies", filter=enrolled), 0),
            premium=Coalesce(Sum("premium", filter=enrolled), ZERO),
            ineligible=Count("pk", filter=enrolled & ~Q(eligibility_now=Reason.ELIGIBLE.value)),
        )
        .order_by()
    }
    # Entries of the campaign whose household is of another village than their roster, with a
    # household or a roster among these villages.
    moved = RosterEntry.objects.exclude(household__village=F("roster__village")).values_list(
        "roster__village", "household__village"
    )
    irregular = set()
    for roster_village, household_village in moved.filter(roster__in=list(own.values())).union(
        moved.filter(roster__in=list(rosters), household__village__in=village_ids)
    ):
        irregular.update((roster_village, household_village))
    counted = {}
    for village in village_ids:
        figures = Figures(**households.get(village, {}), persons=persons.get(village, 0))
        entry = entries.get(village, {})
        counted[village] = VillageCount(
            roster=own.get(village),
            figures=figures,
            irregular=village in irregular,
            enrolled=entry.get("enrolled", 0),
            policies=entry.get("policies", 0),
            premium=entry.get("premium", ZERO),
            ineligible=entry.get("ineligible", 0),
        )
    return counted


def _shared_ids(campaign: Campaign, numbers: set[str] | None = None) -> frozenset[str]:
    """The ID numbers (of ``numbers``, or all) insured for two households in ``campaign``: one
    query. With every number, only those insured twice at all are looked at by household."""
    persons = InsuredPerson.objects.filter(campaign=campaign)
    if numbers is None:
        candidates = (
            persons.values("id_number").annotate(n=Count("pk")).filter(n__gt=1).values("id_number")
        )
    else:
        candidates = list(numbers)
    shared = (
        persons.filter(id_number__in=candidates)
        .values("id_number")
        .annotate(households=Count("entry_product__entry__household", distinct=True))
        .filter(households__gt=1)
        .values_list("id_number", flat=True)
    )
    return frozenset(shared)
