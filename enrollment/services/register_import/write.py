"""Writing a checked plan in one transaction, and the browser's upload and confirm steps."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from haimen_insurance.audit import (
    AuditObject,
    audit_record,
    audit_rows,
    audit_values,
    changed_values,
    created_values,
)
from haimen_insurance.audit_labels import AuditAction
from haimen_insurance.bulk import (
    batched,
    collector_paused,
    copy_rows,
    insert_rows,
    store_bytes,
    temporary_table,
)

from ...models import Household, RegisterImport, Roster, RosterEntry
from ...register_files import RegisterRow
from .bulk import update_households
from .check import (
    CHUNK,
    WRITE_CHUNK,
    Change,
    ImportPlan,
    ImportResult,
    Villages,
    check_permission,
    comparable,
    db_columns,
    field_values,
    open_entries,
    register_import_check,
    values_getter,
)
from .report import counts, summary


def register_import_apply(*, actor, plan: ImportPlan, upload=None, progress=None) -> ImportResult:
    """Write a checked plan in one transaction; refuses a plan with errors (nothing written).

    ``upload`` is the stored ``RegisterImport`` being confirmed (locked, refused unless still
    pending). Without one (the command line) the file is recorded as a new, already applied,
    ``RegisterImport``, unless there is nothing to write: then nothing at all is written.
    """
    check_permission(actor)
    if plan.errors:
        raise ValidationError(plan.error_banner)
    try:
        with transaction.atomic(), collector_paused():
            return _apply(actor, plan, upload, progress)
    except IntegrityError as error:
        raise ValidationError(_integrity_message(error)) from error


def register_import_upload(*, actor, file, filename: str = "", progress=None) -> RegisterImport:
    """Check an uploaded file and keep it with what the check found, for the preview page.

    A file with errors is kept too (so the preview can list them) but can never be imported.
    ``progress(n)`` is called as rows are read.
    """
    plan = register_import_check(actor=actor, file=file, filename=filename, progress=progress)
    return _store(actor, plan)


def register_import_confirm(*, actor, upload: RegisterImport, progress=None) -> ImportResult:
    """Check the stored file again (the register may have changed) and import it.

    ``progress(n)`` is called as rows are read, then as households are written."""
    _refuse_unless_pending(upload)
    plan = register_import_check(
        actor=actor, file=bytes(upload.content), filename=upload.filename, progress=progress
    )
    if plan.errors:
        _discard(actor, upload, plan)
        raise ValidationError(plan.error_banner)
    return register_import_apply(actor=actor, plan=plan, upload=upload, progress=progress)


# Helpers -----------------------------------------------------------------------------------


@transaction.atomic
def _store(actor, plan: ImportPlan) -> RegisterImport:
    status = RegisterImport.Status.DISCARDED if plan.errors else RegisterImport.Status.PENDING
    upload = RegisterImport.objects.create(
        uploaded_by=_person(actor), filename=plan.filename[:200], status=status, **summary(plan)
    )
    store_bytes(upload, "content", plan.content)
    audit_record(
        actor=actor,
        action=AuditAction.REGISTER_IMPORT_UPLOAD,
        obj=upload,
        area=getattr(actor, "area", None),
        changes=counts(plan),
    )
    return upload


def _person(actor):
    return actor if actor is not None and actor.is_authenticated else None


def _event(actor, action: AuditAction, pk: int, row: RegisterRow, changes: dict) -> dict:
    """The audit event of a household the file adds or updates, for ``audit_rows``; its
    ``changes`` as ``created_values`` or ``changed_values`` made them."""
    household = AuditObject(
        Household._meta.label_lower,
        str(pk),
        f"{row.certificate_no} {row.child_name}",  # as Household.__str__
    )
    return audit_values(
        actor=actor, action=action, obj=household, area=row.village_id, changes=changes, plain=True
    )


def _apply(actor, plan: ImportPlan, upload, progress) -> ImportResult:
    person = _person(actor)
    villages = Villages(None)
    now = timezone.now()
    if upload is not None:
        upload = RegisterImport.objects.select_for_update().get(pk=upload.pk)
        _refuse_unless_pending(upload)
    changed, moved = _write_changes(person, plan, villages, now, progress)
    _take_back_entries(actor, moved)
    _write_new(person, plan, villages, now, progress)
    result_counts = {
        "new_count": len(plan.new),
        "changed_count": changed,
        "unchanged_count": plan.unchanged + len(plan.changed) - changed,
    }
    if upload is None:
        if not plan.new and not changed:
            # The command line re-importing a file the register already holds: nothing to record.
            return ImportResult(upload=None, new=0, changed=0, unchanged=plan.unchanged)
        upload = RegisterImport.objects.create(uploaded_by=person, filename=plan.filename[:200])
        store_bytes(upload, "content", plan.content)
    upload.status = RegisterImport.Status.APPLIED
    upload.applied_at = now
    upload.applied_by = person
    for name, value in {**summary(plan), **result_counts}.items():
        setattr(upload, name, value)
    upload.save(
        update_fields=[
            "status",
            "applied_at",
            "applied_by",
            "row_count",
            "new_count",
            "changed_count",
            "unchanged_count",
            "error_row_count",
            "report",
        ]
    )
    audit_record(
        actor=actor,
        action=AuditAction.REGISTER_IMPORT_APPLY,
        obj=upload,
        area=getattr(actor, "area", None),
        changes={"filename": plan.filename, **result_counts},
    )
    return ImportResult(
        upload=upload,
        new=result_counts["new_count"],
        changed=result_counts["changed_count"],
        unchanged=result_counts["unchanged_count"],
    )


def _write_new(person, plan: ImportPlan, villages: Villages, now, progress) -> None:
    """Insert the new households, each with its audit event (every value as [None, new]):
    with COPY on PostgreSQL (``insert_rows``, ``audit_rows``), a few thousand at a time."""
    fields = plan.fields
    values_of = values_getter(fields)
    columns = ["certificate_no", *db_columns(fields)]
    # The columns the file does not set take their defaults (the times: now).
    defaults = {
        field.attname: field.get_default()
        for field in Household._meta.concrete_fields
        if not field.primary_key and field.attname not in columns
    } | {"created_at": now, "updated_at": now}
    columns += defaults
    rest = tuple(defaults.values())

    def created(pk: int, row: RegisterRow, values: tuple) -> dict:
        after = comparable(dict(zip(fields, values, strict=True)), villages)
        return _event(person, AuditAction.HOUSEHOLD_IMPORT_CREATE, pk, row, created_values(after))

    for chunk in batched(plan.new, WRITE_CHUNK):
        values = [values_of(row) for row in chunk]
        ids = insert_rows(
            Household,
            columns,
            [
                (row.certificate_no, *row_values, *rest)
                for row, row_values in zip(chunk, values, strict=True)
            ],
        )
        # Made as COPY takes them: PostgreSQL writes the last piece while the next is made.
        audit_rows(
            (
                created(pk, row, row_values)
                for pk, row, row_values in zip(ids, chunk, values, strict=True)
            ),
            at=now,
        )
        if progress is not None:
            progress(len(chunk))


def _write_changes(
    person, plan: ImportPlan, villages: Villages, now, progress
) -> tuple[int, dict[int, int]]:
    """Lock the households the plan changes and update them, each with its audit event;
    returns how many were updated, and the village each household moved to.

    A household edited since the check (its ``updated_at`` moved) is compared again, so the
    audit holds the values really replaced and one already as the file says is left alone; one
    deleted since is left out. On PostgreSQL the changes go into a temporary table with one
    COPY, every household is locked with one join, and one ``UPDATE ... FROM`` writes them all;
    elsewhere (the SQLite demo) a few thousand at a time.
    """
    if connection.vendor == "postgresql":
        return _write_changes_joined(person, plan, villages, now, progress)
    written, moved = 0, {}
    for chunk in batched(plan.changed, CHUNK):
        locked = dict(
            Household.objects.select_for_update()
            .filter(pk__in=[change.pk for change in chunk])
            .values_list("pk", "updated_at")
        )
        edited = [
            change.pk for change in chunk if locked.get(change.pk, change.seen) != change.seen
        ]
        gone = {change.pk for change in chunk if change.pk not in locked}
        again = _compared_again(plan, villages, edited)
        updates = [
            (change.pk, field_values(change.row, plan.fields))
            for change in (again.get(planned.pk, planned) for planned in chunk)
            if change.pk not in gone and change.changes
        ]
        update_households(updates, plan.fields, now)
        written += _audit_changes(person, chunk, gone, again, moved, now)
        if progress is not None:
            progress(len(chunk))
    return written, moved


def _write_changes_joined(person, plan: ImportPlan, villages: Villages, now, progress):
    """``_write_changes`` on PostgreSQL."""
    columns = db_columns(plan.fields)
    values_of = values_getter(plan.fields)
    table = connection.ops.quote_name(Household._meta.db_table)
    quoted = [connection.ops.quote_name(column) for column in columns]
    with (
        connection.cursor() as cursor,
        temporary_table(
            cursor,
            "register_import_changes",
            f"AS SELECT id, updated_at AS seen, {', '.join(quoted)} FROM {table} WITH NO DATA",
        ) as changed,
    ):
        copy_rows(
            cursor,
            "register_import_changes",
            ["id", "seen", *columns],
            ((change.pk, change.seen, *values_of(change.row)) for change in plan.changed),
        )
        cursor.execute(f"ANALYZE {changed}")
        # Lock them all, in key order; what comes back is what moved since the check.
        cursor.execute(
            f"WITH locked AS MATERIALIZED (SELECT h.id, h.updated_at FROM {table} h "
            f"JOIN {changed} c ON c.id = h.id ORDER BY h.id FOR UPDATE OF h) "
            f"SELECT c.id, l.id IS NULL FROM {changed} c LEFT JOIN locked l ON l.id = c.id "
            "WHERE l.id IS NULL OR l.updated_at <> c.seen"
        )
        moved_since = cursor.fetchall()
        gone = {pk for pk, missing in moved_since if missing}
        again = _compared_again(plan, villages, [pk for pk, missing in moved_since if not missing])
        left_out = [*gone, *(pk for pk, change in again.items() if not change.changes)]
        if left_out:
            cursor.execute(f"DELETE FROM {changed} WHERE id = ANY(%s)", [left_out])
        assignments = ", ".join(f"{column} = c.{column}" for column in quoted)
        cursor.execute(
            f"UPDATE {table} AS h SET {assignments}, updated_at = %s FROM {changed} AS c "
            "WHERE h.id = c.id",
            [now],
        )
    written, moved = 0, {}
    for chunk in batched(plan.changed, CHUNK):
        written += _audit_changes(person, chunk, gone, again, moved, now)
        if progress is not None:
            progress(len(chunk))
    return written, moved


def _compared_again(plan: ImportPlan, villages: Villages, edited: list[int]) -> dict[int, Change]:
    """Each household edited since the check, compared again with the file's values (its
    changes empty when it is already as the file says)."""
    if not edited:
        return {}
    columns = db_columns(plan.fields)
    planned = {change.pk: change for change in plan.changed}
    again = {}
    for chunk in batched(edited, CHUNK):
        for pk, *current in Household.objects.filter(pk__in=chunk).values_list("pk", *columns):
            change = planned[pk]
            before = comparable(dict(zip(plan.fields, current, strict=True)), villages)
            after = comparable(field_values(change.row, plan.fields), villages)
            again[pk] = Change(pk, change.row, changed_values(before, after), change.seen)
    return again


def _audit_changes(person, chunk, gone, again, moved, now) -> int:
    """The audit events of the households of ``chunk`` written (not ``gone``, and with changes
    still, as compared ``again`` for those edited since the check), made as COPY takes them;
    notes the village of each one that moved in ``moved``. Returns how many."""
    written = 0

    def events():
        nonlocal written
        for planned in chunk:
            change = again.get(planned.pk, planned)
            if change.pk in gone or not change.changes:
                continue
            if "village" in change.changes:
                moved[change.pk] = change.row.village_id
            written += 1
            yield _event(
                person, AuditAction.HOUSEHOLD_IMPORT_UPDATE, change.pk, change.row, change.changes
            )

    audit_rows(events(), at=now)
    return written


def _take_back_entries(actor, moved: dict[int, int]) -> None:
    """Households that moved village leave the rosters still being filled in, as the check
    announced; a roster submitted or locked since the check refuses the whole import."""
    for chunk in batched(list(moved), CHUNK):
        rosters = Roster.objects.select_for_update(of=("self",)).select_related(
            "campaign", "village"
        )
        for roster in rosters.filter(
            pk__in={entry.roster_id for entry in open_entries(chunk, leaving_for=moved)}
        ).order_by("pk"):
            if not roster.editable:
                raise ValidationError(
                    f"{roster.village.name}{roster.campaign.year}年度名册"
                    f"{'已锁定' if roster.locked_at else roster.get_status_display()}，"
                    "迁出该村的家庭不能撤销登记。请乡镇（园区）计生办先退回该名册，再重新上传。"
                )
        entries = open_entries(chunk, leaving_for=moved)  # again, now that the rosters are locked
        for entry in entries:
            audit_record(
                actor=actor,
                action=AuditAction.ROSTER_CLEAR,
                obj=entry,
                area=entry.roster.village,
                changes={"decision": [entry.decision, ""]},
            )
        RosterEntry.objects.filter(pk__in=[entry.pk for entry in entries]).delete()


def _refuse_unless_pending(upload: RegisterImport) -> None:
    if upload.status == RegisterImport.Status.APPLIED:
        applied_at = timezone.localtime(upload.applied_at)
        raise ValidationError(f"这个文件已于 {applied_at:%Y-%m-%d %H:%M} 导入，不能重复导入。")
    if upload.status == RegisterImport.Status.DISCARDED:
        raise ValidationError("这个文件有错误，不能导入。请修改后重新上传。")


@transaction.atomic
def _discard(actor, upload: RegisterImport, plan: ImportPlan) -> None:
    """The stored file no longer passes its check: keep what was found, never import it."""
    upload = RegisterImport.objects.select_for_update().get(pk=upload.pk)
    if upload.status != RegisterImport.Status.PENDING:
        return
    upload.status = RegisterImport.Status.DISCARDED
    found = summary(plan)
    for name, value in found.items():
        setattr(upload, name, value)
    upload.save(update_fields=["status", *found])
    audit_record(
        actor=actor,
        action=AuditAction.REGISTER_IMPORT_DISCARD,
        obj=upload,
        area=getattr(actor, "area", None),
        changes=counts(plan),
    )


def _integrity_message(error: IntegrityError) -> str:
    constraint = getattr(getattr(error.__cause__, "diag", None), "constraint_name", "") or ""
    if "household_child_once_among_valid" in (constraint or str(error)):
        return (
            "导入时发现有子女身份证号已登记在另一本有效的独生子女证上（可能有人同时在登记），"
            "未写入任何数据。请重新上传文件核对。"
        )
    if "certificate_no" in (constraint or str(error)):
        return (
            "导入时发现有证号刚被他人登记（可能有人同时在登记），未写入任何数据。"
            "请重新上传文件核对。"
        )
    return f"数据库拒绝了这次导入（{constraint or '完整性约束'}），未写入任何数据。"
