"""The bulk writers on PostgreSQL: COPY keeps every value as it was (escapes, NULL, dates, JSON),
a scratch table can be made twice in one transaction, a file's bytes are stored whole, and the
cycle collector comes back after a bulk write."""

import gc
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.utils import timezone

from enrollment.models import RegisterImport
from haimen_insurance.bulk import (
    collector_paused,
    copy_line,
    copy_rows,
    insert_rows,
    store_bytes,
    temporary_table,
)
from haimen_insurance.models import AuditEvent

pytestmark = pytest.mark.django_db

AWKWARD = ["tab\there", "line\nbreak", "back\\slash", "cr\rlf", "\\N", "", "普通的字", "a\\tb"]


def test_copy_keeps_every_text_as_it_was():
    at = timezone.now()
    rows = [
        (at, None, "household.import_create", "x.y", str(n), text, None, {"k": [None, text]})
        for n, text in enumerate(AWKWARD)
    ]
    columns = ["at", "actor_id", "action", "object_type", "object_id", "object_repr"]
    keys = insert_rows(AuditEvent, [*columns, "area_id", "changes"], rows)

    events = AuditEvent.objects.in_bulk(keys)
    assert [events[key].object_repr for key in keys] == AWKWARD
    assert [events[key].changes for key in keys] == [{"k": [None, text]} for text in AWKWARD]
    assert all(events[key].at == at and events[key].actor_id is None for key in keys)


def test_a_line_has_each_kind_of_value_in_copys_text_form():
    values = [7, True, False, None, date(2013, 1, 2), Decimal("20.00"), 1.5, "a\tb", {"x": "\\"}]

    assert copy_line(values) == ('7\tt\tf\t\\N\t2013-01-02\t20.00\t1.5\ta\\tb\t{"x": "\\\\\\\\"}')
    assert copy_line(["plain", datetime(2013, 1, 2, 3, 4, 5)]) == "plain\t2013-01-02T03:04:05"


def test_a_scratch_table_can_be_made_again_in_the_same_transaction():
    with transaction.atomic(), connection.cursor() as cursor:
        for _ in range(2):
            with temporary_table(cursor, "scratch", "(n integer, t text)") as table:
                copy_rows(cursor, "scratch", ["n", "t"], [(n, f"第{n}行\t") for n in range(3)])
                cursor.execute(f"SELECT n, t FROM {table} ORDER BY n")
                assert cursor.fetchall() == [(n, f"第{n}行\t") for n in range(3)]


def test_a_files_bytes_are_stored_whole():
    content = bytes(range(256)) * 5000 + b"\\x00\\\\"  # 1.28 MB: several pieces, backslashes
    upload = RegisterImport.objects.create(filename="登记.xlsx")

    store_bytes(upload, "content", content)  # it opens a transaction (here a savepoint)

    assert upload.content == content
    assert bytes(RegisterImport.objects.get(pk=upload.pk).content) == content
    store_bytes(upload, "content", b"")
    assert bytes(RegisterImport.objects.get(pk=upload.pk).content) == b""


def test_the_collector_runs_again_after_a_bulk_write():
    assert gc.isenabled()
    with pytest.raises(ZeroDivisionError), collector_paused():
        assert not gc.isenabled()
        1 / 0  # noqa: B018
    assert gc.isenabled()
