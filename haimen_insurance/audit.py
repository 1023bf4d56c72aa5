"""How the services leave audit events: ``audit_values`` makes the columns of one event, the one
way; ``audit_record`` writes a single event with them and ``audit_rows`` many at once."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from operator import itemgetter

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone

from .audit_labels import CHANGE_LABELS, AuditAction
from .bulk import insert_rows
from .models import Area, AuditEvent
from .privacy import BIRTH_DATE_FIELDS, mask_ids_in, shown_birth_date

# Values written as they are (the usual ones, found by their class before the checks below).
_AS_IS = frozenset({str, int, float, bool, list, dict, type(None)})


def _plain(value):
    if value.__class__ in _AS_IS:
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if hasattr(value, "pk"):
        return str(value)
    return value


def changed_values(before: dict, after: dict) -> dict:
    """{field: [old, new]} for the fields whose value differs, ready for ``changes``."""
    return {
        field: [_plain(before.get(field)), _plain(value)]
        for field, value in after.items()
        if before.get(field) != value
    }


def created_values(after: dict) -> dict:
    """{field: [None, new]} for every field set (not None): ``changed_values({}, after)``, the
    changes of an object just made, in one pass (a register file makes 100,000 at once)."""
    return {
        field: [None, value if value.__class__ in _AS_IS else _plain(value)]
        for field, value in after.items()
        if value is not None
    }


@dataclass(frozen=True)
class AuditObject:
    """What an event is about, as the trail keeps it: the model's label, the key and how the
    object reads. ``of`` takes it from an object; a row written in bulk without its object at
    hand (a household of a register file) names it directly."""

    type: str
    id: str
    text: str

    @classmethod
    def of(cls, obj) -> "AuditObject":
        return cls(obj._meta.label_lower, str(obj.pk), str(obj))


def audit_values(
    *,
    actor,
    action: AuditAction,
    obj,
    changes: dict | None = None,
    area: Area | int | None = None,
    plain: bool = False,
) -> dict:
    """The columns of one audit event, made the one way every writer makes them: the actor
    (None for the system or an anonymous request), the action, the object (a model instance or
    an ``AuditObject``), the area (or its key) and the changes with their values made plain.

    ``plain``: the changes are already plain, as ``changed_values`` and ``created_values`` make
    them, and nothing was added since; they are taken as they are (a register file's 100,000
    events would otherwise each be walked again)."""
    about = obj if isinstance(obj, AuditObject) else AuditObject.of(obj)
    if not plain:
        changes = {key: _plain(value) for key, value in (changes or {}).items()}
    return {
        "actor_id": actor.pk if actor is not None and actor.is_authenticated else None,
        "action": action,
        "object_type": about.type,
        "object_id": about.id,
        "object_repr": about.text[:200],
        "area_id": area.pk if isinstance(area, Area) else area,
        "changes": changes,
    }


def audit_record(
    *, actor, action: AuditAction, obj, changes: dict | None = None, area: Area | None = None
):
    """Append one audit event. Call it inside the service's transaction."""
    return AuditEvent.objects.create(
        **audit_values(actor=actor, action=action, obj=obj, changes=changes, area=area)
    )


# The columns ``audit_rows`` writes: the time, then those of ``audit_values``.
_ROW_COLUMNS = [
    "at",
    "actor_id",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "area_id",
    "changes",
]
_event_columns = itemgetter(*_ROW_COLUMNS[1:])


def audit_rows(events: Iterable[dict], *, at: datetime | None = None) -> None:
    """Append many events at once, each made by ``audit_values``, all at ``at`` (now unless
    given): one COPY on PostgreSQL (``bulk.insert_rows``; the database numbers them), which
    takes them one by one, so ``events`` may be made as it goes (a generator). For the services
    that write rows in bulk (a register file, the roll-over); call it inside their
    transaction."""
    at = at or timezone.now()
    insert_rows(
        AuditEvent, _ROW_COLUMNS, ((at, *_event_columns(event)) for event in events), keys=False
    )


def audit_download(*, actor, export: str, rows: int, obj=None, area: Area | None = None):
    """Record a download that carries resident IDs in full: who (the actor), when, which export
    (of ``obj`` where it is one object's), and how many rows. The views call it only when the
    IDs in the file are not masked."""
    return audit_record(
        actor=actor,
        action=AuditAction.EXPORT_DOWNLOAD,
        obj=obj if obj is not None else AuditObject("export", "", export),
        area=area,
        changes={"文件": export, "行数": rows},
    )


def change_label(object_type: str, name: str) -> str:
    """How the key ``name`` of an event on ``object_type`` reads: the field's verbose_name, or
    the label of ``CHANGE_LABELS``."""
    field = _model_field(object_type, name)
    if field is not None and hasattr(field, "verbose_name"):
        return str(field.verbose_name)
    if name in CHANGE_LABELS:
        return CHANGE_LABELS[name]
    prefix, _, code = name.partition(":")
    if code and f"{prefix}:*" in CHANGE_LABELS:
        return f"{_code_label(code)}{CHANGE_LABELS[f'{prefix}:*']}"
    return name


def _code_label(code: str) -> str:
    """A product's code (``shares:child_safety``) as its name."""
    product = apps.get_model("enrollment", "Product")
    return str(dict(product.Code.choices).get(code, code))


def audited_model(object_type: str):
    """The model an event's ``object_type`` names: by its label, or by a label it had before it
    moved to another app (the model lists those in ``former_labels``). The audit trail is never
    rewritten (on PostgreSQL the database refuses every UPDATE of it), so an event keeps the
    label it was written with. None for a label no model answers to (``export``)."""
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return _former_labels().get(object_type)


def object_type_labels(object_type: str) -> list[str]:
    """Every label the events about ``object_type``'s model carry: its own and its former ones."""
    model = audited_model(object_type)
    return [object_type, *getattr(model, "former_labels", ())]


@cache
def _former_labels() -> dict:
    return {
        label: model for model in apps.get_models() for label in getattr(model, "former_labels", ())
    }


def _model_field(object_type: str, name: str):
    model = audited_model(object_type)
    try:
        return model._meta.get_field(name) if model is not None else None
    except FieldDoesNotExist:
        return None


def _shown(name: str, field, value, *, full_ids: bool) -> str:
    if value in (None, ""):
        return "—"
    if name in BIRTH_DATE_FIELDS:
        return shown_birth_date(value, full_ids=full_ids)
    if isinstance(field, models.BooleanField):
        return "是" if value else "否"
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    text = str(value)
    return text if full_ids else mask_ids_in(text)


def readable_changes(event: AuditEvent, *, full_ids: bool) -> list[tuple[str, str | None, str]]:
    """(field label, old or None, new) for each change of ``event``, as a reader may see them:
    labels and choices in Chinese, resident IDs masked and birth dates cut to the year unless
    ``full_ids``."""
    rows = []
    for name, values in (event.changes or {}).items():
        field = _model_field(event.object_type, name)
        label = change_label(event.object_type, name)
        if isinstance(values, list) and len(values) == 2:
            old, new = values
            rows.append(
                (
                    label,
                    _shown(name, field, old, full_ids=full_ids),
                    _shown(name, field, new, full_ids=full_ids),
                )
            )
        else:
            rows.append((label, None, _shown(name, field, values, full_ids=full_ids)))
    return rows
