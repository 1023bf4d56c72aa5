"""Eligibility, judged for a given age date and age limit (never "as of today").

A household is eligible when its certificate is valid, its hukou is rural, it receives the reward,
and its child has not reached the age limit on the age date. A child born on 1999-01-01 turns 14 on
2013-01-01 and so is not eligible when the age date is 2013-01-01; one born on 1999-01-02 is.

The same rule runs in Python (``judge``) and in the database (``annotate_eligibility``), so a list
of 200,000 households is counted by PostgreSQL without loading a row; a test keeps the two equal.
"""

from dataclasses import dataclass
from datetime import date

from django.db import models
from django.db.models import Case, Q, Value, When

from .models import Household


class Reason(models.TextChoices):
    """Why a household is, or is not, eligible. The order is the order of the checks."""

    ELIGIBLE = "eligible", "符合条件"
    REVOKED = "revoked", "独生子女证已注销"
    MOVED = "moved", "已迁出"
    URBAN = "urban", "非农业户口"
    NO_REWARD = "no_reward", "未领取奖励金"
    NOT_BORN = "not_born", "子女出生晚于年龄判定日"
    AGE = "age", "子女已满年龄界限"


NOT_ELIGIBLE_REASONS = [reason for reason in Reason if reason != Reason.ELIGIBLE]


@dataclass(frozen=True)
class Eligibility:
    reason: Reason

    @property
    def eligible(self) -> bool:
        return self.reason == Reason.ELIGIBLE

    @property
    def label(self) -> str:
        return self.reason.label


def age_cutoff(age_date: date, age_limit: int) -> date:
    """The latest birth date of a child who has reached ``age_limit`` on ``age_date``.

    A child born on 29 February reaches the limit on 1 March in a common year.
    """
    year = age_date.year - age_limit
    try:
        return age_date.replace(year=year)
    except ValueError:  # age_date is 29 February and ``year`` is a common year
        return date(year, 2, 28)


def judge(household: Household, *, age_date: date, age_limit: int) -> Eligibility:
    if household.status == Household.Status.REVOKED:
        return Eligibility(Reason.REVOKED)
    if household.status == Household.Status.MOVED:
        return Eligibility(Reason.MOVED)
    if household.hukou != Household.Hukou.RURAL:
        return Eligibility(Reason.URBAN)
    if not household.receives_reward:
        return Eligibility(Reason.NO_REWARD)
    if household.child_birth_date > age_date:
        return Eligibility(Reason.NOT_BORN)
    if household.child_birth_date <= age_cutoff(age_date, age_limit):
        return Eligibility(Reason.AGE)
    return Eligibility(Reason.ELIGIBLE)


def eligibility_expression(
    *, age_date: date, age_limit: int | None = None, prefix: str = "", cutoff: date | None = None
) -> Case:
    """The database twin of ``judge``: a CASE giving the reason code. ``prefix`` is the lookup
    path to the household (``"household__"``) when annotating another model. ``cutoff``, when
    given, is ``age_cutoff(age_date, age_limit)`` already worked out (``age_limit`` unused)."""
    if cutoff is None:
        cutoff = age_cutoff(age_date, age_limit)
    field = lambda name: f"{prefix}{name}"  # noqa: E731
    return Case(
        When(Q(**{field("status"): Household.Status.REVOKED}), then=Value(Reason.REVOKED.value)),
        When(Q(**{field("status"): Household.Status.MOVED}), then=Value(Reason.MOVED.value)),
        When(~Q(**{field("hukou"): Household.Hukou.RURAL}), then=Value(Reason.URBAN.value)),
        When(Q(**{field("receives_reward"): False}), then=Value(Reason.NO_REWARD.value)),
        When(Q(**{field("child_birth_date__gt"): age_date}), then=Value(Reason.NOT_BORN.value)),
        When(Q(**{field("child_birth_date__lte"): cutoff}), then=Value(Reason.AGE.value)),
        default=Value(Reason.ELIGIBLE.value),
        output_field=models.CharField(),
    )


def annotate_eligibility(queryset, *, age_date: date, age_limit: int):
    """Households with ``eligibility`` (a ``Reason`` value) annotated."""
    return queryset.annotate(
        eligibility=eligibility_expression(age_date=age_date, age_limit=age_limit)
    )
