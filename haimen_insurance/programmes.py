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
    # An example of the programme's places where the user's scope has none to give (the
    # register template's example row): a township's and a village's name of its fixture, and a
    # county code that starts its residents' ID numbers.
    example_township: str
    example_village: str
    region: str


PROGRAMMES = {
    "haimen": Programme(
        "haimen", "海门市", "haimen_areas.csv", "db.sqlite3", "海门镇", "东兴村", "320684"
    ),
    "jian": Programme(
        "jian", "吉安市", "jian_areas.csv", "db-jian.sqlite3", "敦厚镇", "罗坊村", "360821"
    ),
}


def programme() -> Programme:
    """The programme of this installation."""
    return PROGRAMMES[settings.PROGRAMME]
