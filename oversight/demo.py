"""The roof's part of the demo: the default assessment rules of last year's and this year's
campaigns (``enrollment.demo.demo_campaigns``), set on the days the city officer would have
set them: last year's on its review deadline, this year's the day the year opened."""

from datetime import date, timedelta

from enrollment.demo import at, demo_clock

from .services import assessment_rules_default


def demo_assessment_rules(*, last, this, today: date) -> None:
    with demo_clock(at(date(last.year, 1, 15), 9)):
        assessment_rules_default(actor=None, campaign=last)
    with demo_clock(at(today - timedelta(days=20), 9)):
        assessment_rules_default(actor=None, campaign=this)
