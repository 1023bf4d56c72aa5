"""The claim's steps are declared once (``CLAIM_TRANSITIONS`` beside the model): this test reads
claims/services.py and fails on a status it writes that no step leads to, or on a service whose
lock names one step and whose write makes another step's state."""

import ast
from pathlib import Path

from claims.models import CLAIM_TRANSITIONS, Claim

SERVICES = Path(__file__).resolve().parents[2] / "claims" / "services.py"


def _status_writes(function: ast.FunctionDef) -> list[str]:
    """The ``S.<NAME>`` values assigned to ``<x>.status`` (alone or in a tuple assignment)."""
    written = []
    for node in ast.walk(function):
        if not isinstance(node, ast.Assign):
            continue
        for target in node.targets:
            names = target.elts if isinstance(target, ast.Tuple) else [target]
            values = node.value.elts if isinstance(node.value, ast.Tuple) else [node.value]
            for name, value in zip(names, values, strict=False):
                if isinstance(name, ast.Attribute) and name.attr == "status":
                    assert isinstance(value, ast.Attribute), ast.unparse(node)
                    written.append(value.attr)
    return written


def _locked_action(function: ast.FunctionDef) -> str | None:
    """The step named by the service's ``_locked(claim, "<step>")``."""
    for node in ast.walk(function):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "_locked"
        ):
            return node.args[1].value
    return None


def _services():
    tree = ast.parse(SERVICES.read_text())
    return [node for node in tree.body if isinstance(node, ast.FunctionDef)]


def test_every_status_the_services_write_is_a_declared_target():
    targets = {t.target for t in CLAIM_TRANSITIONS.transitions.values()} - {None}
    written = {name for function in _services() for name in _status_writes(function)}
    assert written  # the reading found the writes
    assert {Claim.Status[name] for name in written} <= targets
    # A claim is created in the state the report leads to.
    assert Claim._meta.get_field("status").default == CLAIM_TRANSITIONS.target("report")


def test_each_service_makes_the_state_of_the_step_it_checked():
    checked = 0
    for function in _services():
        action = _locked_action(function)
        writes = _status_writes(function)
        if action is None:
            assert not writes, function.name
            continue
        checked += 1
        assert action in CLAIM_TRANSITIONS.transitions, function.name
        target = CLAIM_TRANSITIONS.target(action)
        assert [Claim.Status[name] for name in writes] == ([target] if target else []), (
            function.name
        )
    assert checked == 9  # tick, remove, complete, submit, escalate, approve, reject, pay, close
