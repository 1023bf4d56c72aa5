"""State machines as data: for each action of a model's status, the states it may start from and
the state it leads to. Each app declares its machines once (beside the model whose ``status`` they
drive); the services check and apply them, the access rules and the templates' buttons read them.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError


@dataclass(frozen=True)
class Transition:
    """One action: ``label`` is how it reads in a message (「审核通过」), ``sources`` the states it
    may start from, ``target`` the state it leads to (None where the state does not change, e.g.
    editing a draft)."""

    label: str
    sources: frozenset[str]
    target: str | None = None


class Machine:
    """The transitions of one model's ``status`` field, by action name."""

    def __init__(self, name: str, status_choices, transitions: dict[str, Transition]):
        known = set(status_choices.values)
        for action, transition in transitions.items():
            unknown = (set(transition.sources) | ({transition.target} - {None})) - known
            if unknown:
                raise ValueError(f"{name}.{action}: unknown states {sorted(unknown)}")
        self.name = name
        self.status_choices = status_choices
        self.transitions = transitions

    def __getitem__(self, action: str) -> Transition:
        return self.transitions[action]

    def allows(self, action: str, state: str) -> bool:
        """Whether ``action`` may start from ``state``."""
        return state in self.transitions[action].sources

    def sources(self, action: str) -> frozenset[str]:
        return self.transitions[action].sources

    def target(self, action: str) -> str | None:
        return self.transitions[action].target

    def actions_from(self, state: str) -> list[str]:
        """The actions that may start from ``state``, in declaration order."""
        return [action for action, t in self.transitions.items() if state in t.sources]

    def check(self, action: str, state: str, *, subject: str = "") -> None:
        """Raise a Chinese ``ValidationError`` unless ``action`` may start from ``state``:
        「<subject>当前状态为「已审核」，不能退回。」"""
        if self.allows(action, state):
            return
        shown = dict(self.status_choices.choices).get(state, state)
        raise ValidationError(
            f"{subject}当前状态为「{shown}」，不能{self.transitions[action].label}。"
        )
