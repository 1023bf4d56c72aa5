"""The register, campaigns and their products, village rosters and township reports."""

from .campaigns import Campaign, Product, TownshipInsurer
from .register import Household, RegisterImport
from .rosters import (
    EntryProduct,
    InsuredPerson,
    Roster,
    RosterEntry,
    TownshipReport,
    TownshipReportLine,
)

__all__ = [
    "Campaign",
    "EntryProduct",
    "Household",
    "InsuredPerson",
    "Product",
    "RegisterImport",
    "Roster",
    "RosterEntry",
    "TownshipInsurer",
    "TownshipReport",
    "TownshipReportLine",
]
