"""The register, campaigns and their products, village rosters, township reports, premium
transfers and policies."""

from .campaigns import Campaign, Product, TownshipInsurer
from .policies import FundTransfer, Policy
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
    "FundTransfer",
    "Household",
    "InsuredPerson",
    "Policy",
    "Product",
    "RegisterImport",
    "Roster",
    "RosterEntry",
    "TownshipInsurer",
    "TownshipReport",
    "TownshipReportLine",
]
