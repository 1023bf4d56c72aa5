"""Checking a register file against the register: nothing is written here.

The file is read by ``enrollment.register_files``; each row's village is looked up (within the
actor's scope) and the rows are compared with the register by certificate number, a few thousand
rows per query, never one query per row.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.utils import timezone

from haimen_insurance.access import deny_unless
from haimen_insurance.audit import changed_values
from haimen_insurance.bulk import batched
from haimen_insurance.models import Area

from ...access import may_import_register
from ...models import Household, RegisterImport, Roster, RosterEntry
from ...register_files import (
    CERTIFICATE_NO,
    CHILD_ID,
    TOWNSHIP,
    VILLAGE,
    Notice,
    RegisterRow,
    RowError,
    read_register,
    sort_errors,
)

CHUNK = 2000  # rows compared per query, and households written per statement


@dataclass
class Change:
    """An existing household the file changes: ``changes`` is ``{field: [old, new]}``; ``seen``
    is the household's ``updated_at`` when the check read it."""

    pk: int
    row: RegisterRow
    changes: dict
    seen: datetime


@dataclass
class ImportPlan:
    """What a check found; ``register_import_apply`` writes it if there are no errors."""

    filename: str
    content: bytes
    fields: tuple[str, ...] = ()
    row_count: int = 0
    errors: list[RowError] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    new: list[RegisterRow] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    unchanged: int = 0

    @property
    def error_row_count(self) -> int:
        return len({error.line for error in self.errors})

    @property
    def error_banner(self) -> str:
        lines = {error.line for error in self.errors if error.line is not None}
        if lines:
            return f"文件中有 {len(lines)} 行有错误，未写入任何数据。请修改后重新上传。"
        return "文件有错误，未写入任何数据。请修改后重新上传。"


@dataclass(frozen=True)
class ImportResult:
    upload: RegisterImport | None  # None when the command line found nothing to write
    new: int
    changed: int
    unchanged: int

    @property
    def message(self) -> str:
        return f"导入完成：新增 {self.new} 户，更新 {self.changed} 户，未变 {self.unchanged} 户。"


def register_import_check(*, actor, file, filename: str = "", progress=None) -> ImportPlan:
    """Read and check a register file (a path, an uploaded file, or bytes); writes nothing.

    ``actor`` None means the command line, which works with the city's scope.
    ``progress(n)`` is called as rows are read.
    """
    check_permission(actor)
    content, filename = _read(file, filename)
    parsed = read_register(
        content, filename=filename, today=timezone.localdate(), progress=progress
    )
    plan = ImportPlan(
        filename=filename,
        content=content,
        fields=parsed.fields,
        row_count=parsed.row_count,
        errors=parsed.errors,
        notices=parsed.notices,
    )
    villages = Villages(actor)
    rows = [row for row in parsed.rows if villages.place(row, plan.errors)]
    _compare(plan, rows, villages)
    _check_moves(plan)
    sort_errors(plan.errors)
    return plan


# Helpers -----------------------------------------------------------------------------------


def check_permission(actor) -> None:
    deny_unless(may_import_register(actor), "您没有导入独生子女证登记的权限。")


def _read(file, filename: str) -> tuple[bytes, str]:
    if isinstance(file, (bytes, bytearray, memoryview)):
        return bytes(file), filename
    if isinstance(file, (str, os.PathLike)):
        path = Path(file)
        return path.read_bytes(), filename or path.name
    content = file.read()
    return content, filename or Path(getattr(file, "name", "") or "").name


class Villages:
    """Every village by (township name, village name), and which ones the actor may import."""

    def __init__(self, actor):
        self.by_name: dict[tuple[str, str], int] = {}
        self.label: dict[int, str] = {}
        for pk, name, township in Area.objects.villages().values_list("pk", "name", "parent__name"):
            self.by_name[(township, name)] = pk
            self.label[pk] = f"{township}{name}"
        self.townships = set(Area.objects.townships().values_list("name", flat=True))
        self.allowed: set[int] | None = None
        self.scope_name = ""
        if actor is not None:
            self.allowed = set(Area.objects.for_user(actor).villages().values_list("pk", flat=True))
            self.scope_name = actor.area.name if actor.area_id else ""

    def place(self, row: RegisterRow, errors: list[RowError]) -> bool:
        """Set ``row.village_id``; False (with the error added) if there is no such village or
        it is outside the actor's scope."""
        pk = self.by_name.get((row.township, row.village))
        if pk is None:
            if row.township not in self.townships:
                errors.append(RowError(row.line, TOWNSHIP, f"没有名为“{row.township}”的乡镇"))
            else:
                errors.append(
                    RowError(
                        row.line, VILLAGE, f"{row.township}没有名为“{row.village}”的村（社区）"
                    )
                )
            return False
        if self.allowed is not None and pk not in self.allowed:
            only = f"，您只能导入{self.scope_name}的村（社区）" if self.scope_name else ""
            errors.append(
                RowError(row.line, VILLAGE, f"{row.township}{row.village}不在您的管辖范围内{only}")
            )
            return False
        row.village_id = pk
        return True

    def may_change(self, village_id: int) -> bool:
        """Whether a household registered in this village is the actor's to change."""
        return self.allowed is None or village_id in self.allowed


def field_values(row: RegisterRow, fields) -> dict:
    """The Household field values the row sets (``village`` as its id)."""
    return {name: row.village_id if name == "village" else getattr(row, name) for name in fields}


def comparable(values: dict, villages: Villages) -> dict:
    """Values as the audit shows them: the village by its name instead of its id."""
    if "village" in values:
        values = {**values, "village": villages.label.get(values["village"], "")}
    return values


def db_columns(fields) -> list[str]:
    return ["village_id" if name == "village" else name for name in fields]


def model_values(values: dict) -> dict:
    """Keyword arguments for ``Household(...)``: the village by its id."""
    return {"village_id" if name == "village" else name: value for name, value in values.items()}


def _compare(plan: ImportPlan, rows: list[RegisterRow], villages: Villages) -> None:
    """Sort rows into new, changed and unchanged by certificate number; a child already on
    another valid certificate (one this file does not also change) is an error."""
    certificates_in_file = {row.certificate_no for row in rows}
    columns = db_columns(plan.fields)
    for chunk in batched(rows, CHUNK):
        existing = {
            values[1]: values
            for values in Household.objects.filter(
                certificate_no__in=[row.certificate_no for row in chunk]
            ).values_list("pk", "certificate_no", "status", "village_id", "updated_at", *columns)
        }
        holder = dict(
            Household.objects.valid()
            .filter(child_id_number__in=[row.child_id_number for row in chunk])
            .values_list("child_id_number", "certificate_no")
        )
        for row in chunk:
            current = existing.get(row.certificate_no)
            other = holder.get(row.child_id_number)
            stays_valid = current is None or current[2] == Household.Status.VALID
            if (
                stays_valid
                and other is not None
                and other != row.certificate_no
                and other not in certificates_in_file
            ):
                plan.errors.append(
                    RowError(row.line, CHILD_ID, f"子女身份证号已登记在证号 {other} 上")
                )
                continue
            if current is None:
                plan.new.append(row)
                continue
            if not villages.may_change(current[3]):
                plan.errors.append(
                    RowError(
                        row.line,
                        CERTIFICATE_NO,
                        f"证号 {row.certificate_no} 已登记在您管辖范围以外的村（社区），不能修改",
                    )
                )
                continue
            if not stays_valid:
                status = Household.Status(current[2]).label
                plan.notices.append(
                    Notice(
                        row.line,
                        "",
                        f"证号 {row.certificate_no} 的独生子女证{status}，"
                        "导入只更新登记信息，不改变证件状态",
                    )
                )
            values = field_values(row, plan.fields)
            if tuple(values.values()) == current[5:]:
                plan.unchanged += 1
                continue
            before = comparable(dict(zip(plan.fields, current[5:], strict=True)), villages)
            changes = changed_values(before, comparable(values, villages))
            if changes:
                plan.changed.append(Change(current[0], row, changes, seen=current[4]))
            else:
                plan.unchanged += 1


def open_entries(household_ids, *, leaving_for: dict[int, int]):
    """The entries of households that move to another village and whose roster is not yet
    approved (an approved roster is the year's record and keeps them), with roster, campaign
    and village: the entries a move takes back. ``leaving_for`` maps each household to the
    village it moves to (an entry already in that village's roster stays)."""
    entries = (
        RosterEntry.objects.filter(household__in=household_ids)
        .exclude(roster__status=Roster.Status.APPROVED)
        .select_related("roster__campaign", "roster__village__parent")
        .order_by("roster__campaign__year")
    )
    return [
        entry for entry in entries if entry.roster.village_id != leaving_for[entry.household_id]
    ]


def _check_moves(plan: ImportPlan) -> None:
    """A household moving to another village leaves the roster it is decided in: its decision is
    taken back (a notice says so) while that roster is still being filled in; once the roster is
    submitted or locked the row is refused until the township returns the roster."""
    moving = {change.pk: change for change in plan.changed if "village" in change.changes}
    refused = set()
    for chunk in batched(list(moving), CHUNK):
        leaving_for = {pk: moving[pk].row.village_id for pk in chunk}
        for entry in open_entries(chunk, leaving_for=leaving_for):
            change = moving[entry.household_id]
            roster = entry.roster
            village = roster.village
            name = f"{village.parent.name}{village.name}{roster.campaign.year}年度名册"
            if roster.editable:
                plan.notices.append(
                    Notice(
                        change.row.line,
                        VILLAGE,
                        f"证号 {change.row.certificate_no} 迁往{change.row.township}"
                        f"{change.row.village}，其在{name}中的登记"
                        f"（{entry.get_decision_display()}）将被撤销，由新村（社区）重新登记",
                    )
                )
                continue
            state = "已锁定" if roster.locked_at else roster.get_status_display()
            plan.errors.append(
                RowError(
                    change.row.line,
                    VILLAGE,
                    f"证号 {change.row.certificate_no} 已登记在{name}中，该名册{state}，"
                    "不能迁村。请乡镇（园区）计生办先退回该名册，再导入",
                )
            )
            refused.add(change.pk)
    plan.changed = [change for change in plan.changed if change.pk not in refused]
