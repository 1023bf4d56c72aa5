"""Checking a register file against the register: nothing is written here.

The file is read by ``enrollment.register_files``; each row's village is looked up (within the
actor's scope) and the rows are compared with the register by certificate number, never one
query per row: on PostgreSQL the file's keys go into a temporary table with one COPY and two
joins find the households of its certificate numbers (streamed in the file's order) and the
other certificates its children are on; elsewhere (the SQLite demo) a few thousand rows per
query.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from operator import attrgetter
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from haimen_insurance.access import deny_unless
from haimen_insurance.audit import changed_values
from haimen_insurance.bulk import batched, copy_rows, temporary_table
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

CHUNK = 2000  # rows compared per query (off PostgreSQL), fetched at a time, or locked at a time
WRITE_CHUNK = 5000  # new households (and their audit events) sent per COPY


@dataclass(slots=True)
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
    return dict(zip(fields, values_getter(fields)(row), strict=True))


@lru_cache(maxsize=64)
def values_getter(fields: tuple[str, ...]):
    """A function of a row that gives the values of ``fields`` as a tuple, in their order (the
    village as its id)."""
    if not fields:
        return lambda row: ()
    getter = attrgetter(*("village_id" if name == "village" else name for name in fields))
    if len(fields) == 1:
        return lambda row: (getter(row),)
    return getter


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
    certificates_in_file = None  # made when a child on another certificate needs it
    fields = plan.fields
    values_of = values_getter(fields)
    valid = Household.Status.VALID
    for row, current, other in _registered(rows, db_columns(fields)):
        stays_valid = current is None or current[2] == valid
        if stays_valid and other is not None and other != row.certificate_no:
            if certificates_in_file is None:
                certificates_in_file = {row.certificate_no for row in rows}
            if other not in certificates_in_file:
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
        values = values_of(row)
        if values == current[5:]:
            plan.unchanged += 1
            continue
        before = comparable(dict(zip(fields, current[5:], strict=True)), villages)
        changes = changed_values(
            before, comparable(dict(zip(fields, values, strict=True)), villages)
        )
        if changes:
            plan.changed.append(Change(current[0], row, changes, seen=current[4]))
        else:
            plan.unchanged += 1


# What the comparison reads of a household, before the columns the file sets.
_REGISTERED = ("pk", "certificate_no", "status", "village_id", "updated_at")


def _registered(rows: list[RegisterRow], columns: list[str]):
    """(row, household, other) for each row, in order: the household registered under the row's
    certificate number as ``(pk, certificate_no, status, village_id, updated_at, *columns)`` or
    None, and the certificate number of a valid household that has the row's child, if any
    (it may be the row's own)."""
    if connection.vendor == "postgresql":
        yield from _registered_joined(rows, columns)
        return
    for chunk in batched(rows, CHUNK):
        existing = {
            values[1]: values
            for values in Household.objects.filter(
                certificate_no__in=[row.certificate_no for row in chunk]
            ).values_list(*_REGISTERED, *columns)
        }
        holder = dict(
            Household.objects.valid()
            .filter(child_id_number__in=[row.child_id_number for row in chunk])
            .values_list("child_id_number", "certificate_no")
        )
        for row in chunk:
            yield row, existing.get(row.certificate_no), holder.get(row.child_id_number)


def _registered_joined(rows: list[RegisterRow], columns: list[str]):
    """``_registered`` on PostgreSQL: the rows' keys in a temporary table, joined with the
    register twice (the households come in the file's order through a server-side cursor, a few
    thousand at a time; only a child on another certificate comes back from the second join)."""
    households = Household.objects.order_by()
    registered, registered_params = households.values_list(
        *_REGISTERED, *columns
    ).query.sql_with_params()
    valid, valid_params = (
        households.valid().values_list("certificate_no", "child_id_number").query.sql_with_params()
    )
    with (
        transaction.atomic(),
        connection.cursor() as cursor,
        temporary_table(
            cursor,
            "register_import_keys",
            "(line integer PRIMARY KEY, certificate_no text NOT NULL,"
            " child_id_number text NOT NULL)",
        ) as keys,
    ):
        copy_rows(
            cursor,
            "register_import_keys",
            ["line", "certificate_no", "child_id_number"],
            ((row.line, row.certificate_no, row.child_id_number) for row in rows),
        )
        cursor.execute(f"ANALYZE {keys}")
        cursor.execute(
            f"SELECT k.line, v.certificate_no FROM {keys} k JOIN ({valid}) v "
            "ON v.child_id_number = k.child_id_number AND v.certificate_no <> k.certificate_no",
            valid_params,
        )
        others = dict(cursor.fetchall())
        with connection.chunked_cursor() as stream:
            stream.execute(
                f"SELECT k.line, v.* FROM {keys} k JOIN ({registered}) v "
                "ON v.certificate_no = k.certificate_no ORDER BY k.line",
                registered_params,
            )
            found = _stream(stream)
            line, household = next(found, (None, None))
            for row in rows:
                if row.line == line:
                    yield row, household, others.get(row.line)
                    line, household = next(found, (None, None))
                else:
                    yield row, None, others.get(row.line)


def _stream(cursor):
    """(line, household) of each record, fetched a few thousand at a time."""
    while records := cursor.fetchmany(CHUNK):
        for record in records:
            yield record[0], record[1:]


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
