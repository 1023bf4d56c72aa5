"""Every key of every audit event reads in Chinese: on the audit page, in a household's or a
claim's history and in the audit export (``readable_changes``). Two walks: one reads the code
(every ``audit_record``, ``audit_values``, ``_audit``, ``audit_download``, ``_event`` and
``AuditEvent(...)`` call and the keys of its changes), one runs the year's flows and reads every
event they leave."""

import ast
import io
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from haimen_insurance.audit import change_label, readable_changes
from haimen_insurance.audit_labels import CHANGE_LABELS
from haimen_insurance.models import AuditEvent

ROOT = Path(__file__).resolve().parents[2]
APPS = ("haimen_insurance", "enrollment", "claims", "oversight")
AUDIT_CALLS = {"audit_record", "audit_values", "_audit", "audit_download", "_event", "AuditEvent"}
CHINESE = re.compile(r"[\u4e00-\u9fff]")
# Keys made from a model's own field names (``changed_values`` or ``created_values`` over a
# model's fields): the flow walk below reads them as the events record them.
FIELD_NAMES = object()


def _changes_argument(call: ast.Call):
    keywords = {keyword.arg: keyword.value for keyword in call.keywords}
    if "changes" in keywords:
        return keywords["changes"]
    name = call.func.id if isinstance(call.func, ast.Name) else call.func.attr
    positions = {"_audit": 3, "_event": 4}
    if name in positions and len(call.args) > positions[name]:
        return call.args[positions[name]]
    return None


class Keys:
    """The keys an expression of changes can hold, read from the code."""

    def __init__(self, functions: dict[str, ast.FunctionDef], module: ast.Module | None = None):
        self.functions = functions
        self.module = module
        self.unread: list[str] = []

    def of(self, node, scope: ast.AST) -> set:
        if node is None:
            return set()
        if isinstance(node, ast.Dict):
            keys = set()
            for key, value in zip(node.keys, node.values, strict=True):
                if key is None:  # **value
                    keys |= self.of(value, scope)
                elif isinstance(key, ast.Constant):
                    keys.add(key.value)
                elif isinstance(key, ast.JoinedStr):
                    keys.add(self._prefix(key))
                else:
                    self.unread.append(ast.unparse(key))
            return keys
        if isinstance(node, ast.DictComp):
            if isinstance(node.key, ast.JoinedStr):
                return {self._prefix(node.key)}
            return {FIELD_NAMES}
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            return self.of(node.left, scope) | self.of(node.right, scope)
        if isinstance(node, ast.IfExp):
            return self.of(node.body, scope) | self.of(node.orelse, scope)
        if isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else None
            if name in ("changed_values", "created_values"):
                return {FIELD_NAMES}
            if name in self.functions:
                function = self.functions[name]
                returns = [n for n in ast.walk(function) if isinstance(n, ast.Return)]
                return set().union(*(self.of(r.value, function) for r in returns))
        if isinstance(node, ast.Attribute) and node.attr == "changes":
            return {FIELD_NAMES}  # a checked row's ``Change``: the household's fields
        if isinstance(node, ast.Name):
            assigned = [
                n.value
                for n in ast.walk(scope)
                if isinstance(n, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == node.id for t in n.targets)
            ]
            if assigned:
                return set().union(*(self.of(value, scope) for value in assigned))
            constants = [  # a module-level constant, such as ``ON_BEHALF``
                n.value
                for n in (self.module.body if self.module is not None else [])
                if isinstance(n, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == node.id for t in n.targets)
            ]
            if constants:
                return set().union(*(self.of(value, scope) for value in constants))
            if node.id == "changes":  # a helper's parameter (``_audit``, ``_event``)
                return set()
        self.unread.append(ast.unparse(node))
        return set()

    @staticmethod
    def _prefix(node: ast.JoinedStr) -> str:
        first = node.values[0]
        return f"{first.value}*" if isinstance(first, ast.Constant) else "*"


def recorded_keys() -> tuple[dict[str, set[str]], list[str]]:
    """{key: where it is recorded} for every literal key of every audit call in the code."""
    found: dict[str, set[str]] = {}
    unread = []
    for app in APPS:
        for source in (ROOT / app).rglob("*.py"):
            tree = ast.parse(source.read_text())
            local = {
                node.name: node
                for node in ast.walk(tree)
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            }
            functions = dict(local)
            # The helpers the module imports, such as ``counts`` of the import's report.
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and node.module and node.level:
                    target = source.parent / (node.module.replace(".", "/") + ".py")
                    if target.exists():
                        imported = ast.parse(target.read_text())
                        for definition in ast.walk(imported):
                            if isinstance(definition, ast.FunctionDef):
                                functions.setdefault(definition.name, definition)
            for function in local.values():
                for call in ast.walk(function):
                    if not isinstance(call, ast.Call):
                        continue
                    name = getattr(call.func, "id", None) or getattr(call.func, "attr", None)
                    creates = name == "create" and ast.unparse(call.func).startswith("AuditEvent.")
                    if name not in AUDIT_CALLS and not creates:
                        continue
                    reader = Keys(functions, tree)
                    where = f"{source.relative_to(ROOT)}:{call.lineno}"
                    for key in reader.of(_changes_argument(call), function):
                        if key is not FIELD_NAMES:
                            found.setdefault(key, set()).add(where)
                    unread += [f"{where}: {text}" for text in reader.unread]
    return found, unread


def test_every_key_the_code_records_has_a_chinese_label():
    found, unread = recorded_keys()
    assert unread == []
    # The walk finds what it should: the import's counts, the roster's shares, the claims'.
    assert {"rows", "new", "error_rows", "shares:*", "文件", "amount_claimed"} <= found.keys()
    untranslated = {
        key: sorted(where)
        for key, where in found.items()
        if not CHINESE.search(key) and not CHINESE.search(CHANGE_LABELS.get(key, ""))
    }
    # A key that is not Chinese itself has its label in the one mapping (a model field's key
    # reads as the field's verbose_name first; the flow walk below checks what is shown).
    assert untranslated == {}


def test_the_roster_shares_read_as_the_product():
    assert change_label("enrollment.rosterentry", "shares:child_safety") == ("独生子女平安保险份数")


@pytest.fixture
def whole_year(world, tmp_path):
    """The year's flows, each recording its events: a register file uploaded (with an error)
    and one applied, a roster returned and approved, the township reported, funded and issued,
    claims through every state, rules set, a user changed."""
    from claims.documents import checklist
    from claims.services import (
        claim_approve,
        claim_close,
        claim_document_remove,
        claim_document_tick,
        claim_escalate,
        claim_pay,
        claim_reject,
    )
    from enrollment.services.register_import import (
        register_import_confirm,
        register_import_upload,
    )
    from haimen_insurance.services import user_update
    from oversight.services import assessment_rule_delete, assessment_rules_default
    from tests.claims.conftest import claim_with_insurer, report_claim
    from tests.enrollment.test_register_files import household_values, write_xlsx
    from tests.haimen_insurance.payloads import build_year

    year = build_year(world, "样")
    register_import_upload(
        actor=world.user("township_a"),
        file=write_xlsx(tmp_path / "错误.xlsx", [household_values("HM-X1", 子女身份证号="1")]),
    )
    upload = register_import_upload(
        actor=world.user("city"),
        file=write_xlsx(
            tmp_path / "登记.xlsx",
            [household_values("HM-N1", township="三星镇", village="南星村")],
        ),
    )
    register_import_confirm(actor=world.user("city"), upload=upload)
    paid = claim_with_insurer("子样", amount_claimed=Decimal("500.00"), expenses=Decimal("500"))
    claim_escalate(actor=None, claim=paid, reason="金额存疑")
    claim_approve(actor=None, claim=paid, amount=Decimal("400.00"))
    claim_pay(
        actor=None, claim=paid, paid_on=timezone.localdate(), amount=Decimal("400"), account="1"
    )
    claim_close(actor=None, claim=paid)
    rejected = claim_with_insurer("子样", amount_claimed=Decimal("100.00"), expenses=Decimal("100"))
    claim_reject(actor=None, claim=rejected, code="exclusion", text="责任免除")
    other = report_claim("子样")
    item = checklist(other.benefit)[0][0]
    claim_document_tick(actor=None, claim=other, item=item, received_on=date(2013, 3, 8))
    claim_document_remove(actor=None, claim=other, item=item)
    assessment_rules_default(actor=None, campaign=year.campaign)
    assessment_rule_delete(actor=None, rule=year.campaign.assessment_rules.first())
    cadre = world.user("cadre_a1")
    user_update(
        actor=world.user("city"),
        user=cadre,
        role=cadre.role,
        full_name="新名字",
        phone="13800000000",
        area=cadre.area,
        insurer=None,
    )
    return year


def test_every_event_of_the_year_reads_in_chinese(world, whole_year, client_for):
    events = list(AuditEvent.objects.all())
    actions = {event.action for event in events}
    assert {"register_import.upload", "register_import.apply", "roster.decide"} <= actions
    assert {"claim.pay", "transfer.record", "policies.issue", "user.update"} <= actions
    untranslated = {
        (event.action, label)
        for event in events
        for label, _, _ in readable_changes(event, full_ids=True)
        if not CHINESE.search(label)
    }
    assert untranslated == set()


def test_the_upload_reads_in_chinese_on_the_page_and_in_the_export(world, whole_year, client_for):
    from openpyxl import load_workbook

    client = client_for(world.user("leader"))
    query = {"action": "register_import.upload"}
    page = client.get(reverse("audit_list"), query).text
    assert "上传登记文件" in page
    for label in ("行数", "新增户数", "有错误的行数"):
        assert label in page
    for code in ("error_rows", "unchanged"):
        assert code not in page
    response = client.get(reverse("audit_export"), query)
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    text = " ".join(str(cell) for row in sheet.iter_rows(values_only=True) for cell in row)
    assert "有错误的行数" in text and "error_rows" not in text
