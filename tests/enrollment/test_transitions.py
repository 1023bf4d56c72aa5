"""The roster's, the township report's and the county report's status machines are declared once
(``ROSTER_TRANSITIONS``, ``REPORT_TRANSITIONS``, ``COUNTY_REPORT_TRANSITIONS``, beside the models):
every status enrollment's services write is a declared target, every declared target is written
by some service, and the models' state questions (``editable``, ``reviewable``, ``issuable``, …)
read the declarations.

The services are read with ``ast``: a status write is an assignment to ``….status``, a
``status=`` keyword of any call but a read (``filter``, ``exclude``, ``get``, ``Q``), or the
``status`` of a ``defaults`` dict."""

import ast
from pathlib import Path

import pytest

from enrollment.models import (
    COUNTY_REPORT_TRANSITIONS,
    POLICY_LIST_STATES,
    REPORT_TRANSITIONS,
    ROSTER_TRANSITIONS,
    CountyReport,
    Roster,
    TownshipReport,
)

ROOT = Path(__file__).resolve().parent.parent.parent
SERVICES = ROOT / "enrollment" / "services"

MACHINES = {
    "Roster": ROSTER_TRANSITIONS,
    "TownshipReport": REPORT_TRANSITIONS,
    "CountyReport": COUNTY_REPORT_TRANSITIONS,
}
MACHINE_NAMES = {
    "ROSTER_TRANSITIONS": "Roster",
    "REPORT_TRANSITIONS": "TownshipReport",
    "COUNTY_REPORT_TRANSITIONS": "CountyReport",
}
# Models whose status the services write without a machine declared (yet).
WITHOUT_MACHINE = {"Campaign", "Household", "RegisterImport"}
# Writes of a status held in a variable: (module, function) → whose status it is.
VARIABLE_WRITES = {
    ("households.py", "_leave"): "Household (revoke, move away: the callers name the status)",
    ("register_import/write.py", "_store"): "RegisterImport (pending, or discarded with errors)",
}
READS = {"filter", "exclude", "get", "Q"}


def _called(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _values(node) -> list:
    """What a written value may be: a conditional expression may be either branch."""
    if isinstance(node, ast.IfExp):
        return _values(node.body) + _values(node.orelse)
    return [node]


def _kind(node) -> tuple:
    """("status", model, member) for ``Model.Status.MEMBER``, ("target", model, action) for
    ``MACHINE.target("action")``, else ("variable", source)."""
    if (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Attribute)
        and node.value.attr == "Status"
        and isinstance(node.value.value, ast.Name)
    ):
        return ("status", node.value.value.id, node.attr)
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "target"
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id in MACHINE_NAMES
        and len(node.args) == 1
        and isinstance(node.args[0], ast.Constant)
    ):
        return ("target", MACHINE_NAMES[node.func.value.id], node.args[0].value)
    return ("variable", ast.unparse(node))


def _writes_in(tree) -> list:
    """(value node) of every status write in ``tree``."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                pairs = [(target, node.value)]
                if isinstance(target, ast.Tuple):
                    values = node.value.elts if isinstance(node.value, ast.Tuple) else []
                    pairs = list(zip(target.elts, values, strict=False))
                for written, value in pairs:
                    if isinstance(written, ast.Attribute) and written.attr == "status":
                        found.append(value)
        elif isinstance(node, ast.Call) and _called(node) not in READS:
            for keyword in node.keywords:
                if keyword.arg == "status":
                    found.append(keyword.value)
                elif keyword.arg == "defaults" and isinstance(keyword.value, ast.Dict):
                    for key, value in zip(keyword.value.keys, keyword.value.values, strict=True):
                        if isinstance(key, ast.Constant) and key.value == "status":
                            found.append(value)
    return found


def service_writes() -> list[tuple[str, str, int, tuple]]:
    """(module, function, line, kind) of every status write of enrollment's services."""
    writes = []
    for path in sorted(SERVICES.rglob("*.py")):
        module = path.relative_to(SERVICES).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef):
                continue
            for value in _writes_in(function):
                for each in _values(value):
                    writes.append((module, function.name, each.lineno, _kind(each)))
    # A write inside a nested function is found twice; once is enough.
    return sorted(set(writes))


def test_every_status_the_services_write_is_a_declared_target():
    offenders = []
    for module, function, line, kind in service_writes():
        where = f"{module}:{line} ({function})"
        if kind[0] == "status":
            _, model, member = kind
            if model in MACHINES:
                value = getattr(MACHINES[model].status_choices, member)
                targets = {t.target for t in MACHINES[model].transitions.values()}
                if value not in targets:
                    offenders.append(f"{where}: {model}.Status.{member} is no declared target")
            elif model not in WITHOUT_MACHINE:
                offenders.append(f"{where}: {model}'s status has no machine and is not listed")
        elif kind[0] == "target":
            _, model, action = kind
            machine = MACHINES[model]
            if action not in machine.transitions or machine.target(action) is None:
                offenders.append(f"{where}: {model} action {action!r} declares no target")
        elif (module, function) not in VARIABLE_WRITES:
            offenders.append(f"{where}: status written from {kind[1]}, not from a declaration")
    assert offenders == []


def test_every_declared_target_is_written_by_a_service():
    written = {model: set() for model in MACHINES}
    for *_, kind in service_writes():
        if kind[0] == "status" and kind[1] in MACHINES:
            written[kind[1]].add(getattr(MACHINES[kind[1]].status_choices, kind[2]))
        elif kind[0] == "target":
            written[kind[1]].add(MACHINES[kind[1]].target(kind[2]))
    for model, machine in MACHINES.items():
        declared = {t.target for t in machine.transitions.values()} - {None}
        assert declared <= written[model], model


def test_the_reader_finds_each_kind_of_write():
    source = (
        "def f(roster, report):\n"
        "    roster.status = ROSTER_TRANSITIONS.target('submit')\n"
        "    report.status, report.at = TownshipReport.Status.FUNDED, now\n"
        "    Roster.objects.filter(status=Roster.Status.DRAFT).update(status=x)\n"
        "    R.objects.get_or_create(defaults={'status': A.Status.B if c else A.Status.C})\n"
    )
    kinds = sorted(
        _kind(each) for value in _writes_in(ast.parse(source)) for each in _values(value)
    )
    assert kinds == [
        ("status", "A", "B"),
        ("status", "A", "C"),
        ("status", "TownshipReport", "FUNDED"),
        ("target", "Roster", "submit"),
        ("variable", "x"),
    ]


def test_every_state_is_the_start_or_a_target():
    for start, machine in (
        (Roster.Status.DRAFT, ROSTER_TRANSITIONS),
        (TownshipReport.Status.DRAFTED, REPORT_TRANSITIONS),
        (CountyReport.Status.DRAFTED, COUNTY_REPORT_TRANSITIONS),
    ):
        reached = {start} | {t.target for t in machine.transitions.values()}
        assert set(machine.status_choices.values) <= reached, machine.name


@pytest.mark.parametrize(
    ("status", "editable", "reviewable"),
    [
        (Roster.Status.DRAFT, True, False),
        (Roster.Status.RETURNED, True, False),
        (Roster.Status.SUBMITTED, False, True),
        (Roster.Status.APPROVED, False, False),
    ],
)
def test_the_roster_s_state_questions_read_the_machine(status, editable, reviewable):
    roster = Roster(status=status)
    assert roster.editable is editable and roster.editable == ROSTER_TRANSITIONS.allows(
        "edit", status
    )
    assert roster.reviewable is reviewable
    assert roster.allows("submit") is editable
    locked = Roster(status=status, locked_at="2013-01-01T00:00:00Z")
    assert not any(locked.allows(action) for action in ROSTER_TRANSITIONS.transitions)


@pytest.mark.parametrize(
    ("status", "actions", "issuable", "policy_list"),
    [
        (TownshipReport.Status.DRAFTED, ["draft", "report"], False, False),
        (TownshipReport.Status.REPORTED, ["fund"], False, False),
        (TownshipReport.Status.FUNDED, ["issue"], True, True),
        (TownshipReport.Status.ISSUED, [], False, True),
    ],
)
def test_the_report_s_state_questions_read_the_machine(status, actions, issuable, policy_list):
    report = TownshipReport(status=status)
    assert REPORT_TRANSITIONS.actions_from(status) == actions
    assert [action for action in REPORT_TRANSITIONS.transitions if report.allows(action)] == (
        actions
    )
    assert report.issuable is issuable
    assert report.policy_list_ready is policy_list
    assert (status in POLICY_LIST_STATES) is policy_list


@pytest.mark.parametrize(
    ("status", "actions", "reported"),
    [
        (CountyReport.Status.DRAFTED, ["draft", "report"], False),
        (CountyReport.Status.REPORTED, [], True),
    ],
)
def test_the_county_report_s_state_questions_read_the_machine(status, actions, reported):
    report = CountyReport(status=status)
    assert COUNTY_REPORT_TRANSITIONS.actions_from(status) == actions
    assert [a for a in COUNTY_REPORT_TRANSITIONS.transitions if report.allows(a)] == actions
    assert report.is_reported is reported


@pytest.mark.parametrize(
    ("status", "reported"),
    [
        (TownshipReport.Status.DRAFTED, False),
        (TownshipReport.Status.REPORTED, True),
        (TownshipReport.Status.FUNDED, True),
        (TownshipReport.Status.ISSUED, True),
    ],
)
def test_a_township_report_is_reported_from_reporting_on(status, reported):
    assert TownshipReport(status=status).is_reported is reported
