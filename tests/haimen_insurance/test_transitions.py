import pytest
from django.core.exceptions import ValidationError
from django.db import models

from haimen_insurance.transitions import Machine, Transition


class Status(models.TextChoices):
    DRAFT = "draft", "填报中"
    SUBMITTED = "submitted", "已提交"
    APPROVED = "approved", "已审核"


MACHINE = Machine(
    "sample",
    Status,
    {
        "submit": Transition("提交", frozenset({Status.DRAFT}), Status.SUBMITTED),
        "approve": Transition("审核通过", frozenset({Status.SUBMITTED}), Status.APPROVED),
    },
)


def test_allows_reads_the_declared_sources():
    assert MACHINE.allows("submit", Status.DRAFT)
    assert not MACHINE.allows("submit", Status.APPROVED)
    assert MACHINE.target("approve") == Status.APPROVED
    assert MACHINE.actions_from(Status.SUBMITTED) == ["approve"]


def test_check_refuses_in_chinese_with_the_state_label():
    with pytest.raises(ValidationError) as refused:
        MACHINE.check("approve", Status.DRAFT, subject="名册")
    assert refused.value.messages == ["名册当前状态为「填报中」，不能审核通过。"]


def test_an_unknown_state_is_refused_when_declared():
    with pytest.raises(ValueError):
        Machine("bad", Status, {"x": Transition("x", frozenset({"nope"}), Status.DRAFT)})
