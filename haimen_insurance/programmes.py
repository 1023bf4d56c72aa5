"""The programmes the system is set up for: the city it serves and its area fixture.

``settings.PROGRAMME`` (the environment's ``DJANGO_PROGRAMME``, Haimen unless told otherwise)
names the one this installation runs; its city's name heads the pages, the PDFs and the
workbooks. The demo seeds its areas, insurers and users (``manage.py seed_demo --programme``),
each programme in an SQLite file of its own (``settings.base``)."""

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class Programme:
    key: str
    city: str  # the top area's name, as the pages say it
    areas: str  # the area fixture, in fixtures/
    sqlite: str  # the demo's database file


PROGRAMMES = {
    "haimen": Programme("haimen", "海门市", "haimen_areas.csv", "db.sqlite3"),
    "jian": Programme("jian", "吉安市", "jian_areas.csv", "db-jian.sqlite3"),
}


def programme() -> Programme:
    """The programme of this installation."""
    return PROGRAMMES[settings.PROGRAMME]
