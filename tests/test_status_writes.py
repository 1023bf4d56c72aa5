"""Only the service modules assign a status field (docs/architecture.md: a transition is one
service that locks, checks the state and audits). This test reads the code and fails on any
other write."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("haimen_insurance", "enrollment", "claims", "oversight")
# `x.status = ...`, `x.status, x.other = ...`, `.update(status=...)`, `.create(status=...)`
WRITE = re.compile(
    r"\.status(\s*,\s*[\w.]+)*\s*=(?!=)|\.(update|create|update_or_create|get_or_create)\([^)]*\bstatus="
)


def _is_service(path: Path) -> bool:
    relative = path.relative_to(ROOT)
    return relative.parts[1] == "services" or relative.name == "services.py"


def test_only_services_write_a_status():
    offenders = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts or _is_service(path):
                continue
            for number, line in enumerate(path.read_text().splitlines(), start=1):
                if WRITE.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


def test_the_pattern_finds_a_write():
    assert WRITE.search("roster.status = Roster.Status.APPROVED")
    assert WRITE.search("claim.status, claim.paid_on = S.PAID, paid_on")
    assert WRITE.search("Roster.objects.filter(pk=1).update(status='approved')")
    assert not WRITE.search("if roster.status == Roster.Status.DRAFT:")
