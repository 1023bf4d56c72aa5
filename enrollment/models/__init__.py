"""The register, campaigns and their products, village rosters, township reports, county
reports, premium transfers and policies."""

from .campaigns import Campaign, Product, TownshipInsurer
from .changes import FigureChange, FigureLog
from .county_reports import COUNTY_REPORT_TRANSITIONS, CountyReport, CountyReportLine
from .policies import FundTransfer, Policy
from .register import Household, RegisterImport
from .rosters import (
    POLICY_LIST_STATES,
    REPORT_TRANSITIONS,
    REPORTED_STATES,
    ROSTER_TRANSITIONS,
    EntryProduct,
    InsuredPerson,
    Roster,
    RosterEntry,
    TownshipReport,
    TownshipReportLine,
)
from .shares import AWAITED_LABEL, PAYER_OFFICE, CountyShareAmount, PayerOffice, PremiumShare

__all__ = [
    "AWAITED_LABEL",
    "PAYER_OFFICE",
    "COUNTY_REPORT_TRANSITIONS",
    "POLICY_LIST_STATES",
    "REPORTED_STATES",
    "REPORT_TRANSITIONS",
    "ROSTER_TRANSITIONS",
    "Campaign",
    "CountyReport",
    "CountyReportLine",
    "CountyShareAmount",
    "EntryProduct",
    "FigureChange",
    "FigureLog",
    "FundTransfer",
    "Household",
    "InsuredPerson",
    "PayerOffice",
    "Policy",
    "PremiumShare",
    "Product",
    "RegisterImport",
    "Roster",
    "RosterEntry",
    "TownshipInsurer",
    "TownshipReport",
    "TownshipReportLine",
]
