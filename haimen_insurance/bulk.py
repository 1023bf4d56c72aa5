"""Bulk writes every app may use: ``batched`` chunks; ``insert_rows``, which sends new rows with
one COPY on PostgreSQL (``bulk_create`` on other databases, such as the SQLite demo); for
PostgreSQL only, ``copy_rows`` (rows into any table, a temporary one included) and
``temporary_table`` (a scratch table for one transaction, to join a whole file's rows in one
statement instead of a query per chunk); and ``collector_paused`` for the Python side of it."""

import gc
import json
import re
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from itertools import chain, islice

from django.db import connection, transaction


@contextmanager
def collector_paused():
    """Python's cycle collector held off for the block: bulk work makes millions of small
    objects (100,000 households' values and audit events), none in a cycle, and the collector,
    run every few hundred of them, would walk the ever larger heap again each time (a third of
    an import's write). Reference counting still frees everything as usual; the collector runs
    again after the block."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def batched(items, size):
    """``items`` in lists of at most ``size``."""
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


_COPY_SPECIAL = re.compile(r"[\\\t\n\r]")
_COPY_ESCAPES = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escaped(text: str) -> str:
    if _COPY_SPECIAL.search(text):
        return _COPY_SPECIAL.sub(lambda match: _COPY_ESCAPES[match[0]], text)
    return text


def _copy_text(value) -> str:
    """A value in the text format of PostgreSQL's COPY."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        value = _json(value)
    return _escaped(str(value))


_json = json.JSONEncoder(ensure_ascii=False).encode
# A register file's rows share their times (now) and many dates: each is written out once.
_iso = lru_cache(maxsize=4096)(lambda value: value.isoformat())


# How a value of these exact classes reads in COPY's text format (a dict as JSON, escaped).
_PLAIN = {
    int: int.__str__,
    bool: lambda value: "t" if value else "f",
    date: _iso,
    datetime: _iso,
    Decimal: Decimal.__str__,
    dict: _copy_text,
    type(None): lambda value: "\\N",
}


def copy_line(values) -> str:
    """One row in COPY's text format, without its line end.

    The usual row has no backslash, tab or line break in its texts: they go in as they are,
    checked with one search over all of them, and other values by their class (anything else,
    a text's subclass such as a choice included, through ``_copy_text``, which escapes it); a
    row with such a character is escaped value by value."""
    texts = [value for value in values if value.__class__ is str]
    if _COPY_SPECIAL.search("".join(texts)):
        return "\t".join(map(_copy_text, values))
    plain = _PLAIN.get
    return "\t".join(
        [
            value if value.__class__ is str else plain(value.__class__, _copy_text)(value)
            for value in values
        ]
    )


class _CopyInput:
    """What COPY reads: text made a piece at a time as it reads it (psycopg2 sends whatever
    ``read`` returns, of any length, until it returns nothing), so the whole is never in memory
    at once."""

    def __init__(self, pieces):
        self._pieces = iter(pieces)

    def read(self, size=-1) -> str:
        return next(self._pieces, "")


def _lines(rows):
    """The rows' lines, a thousand to a piece."""
    for chunk in batched(rows, 1000):
        yield "".join([copy_line(row) + "\n" for row in chunk])


def _copy(cursor, table: str, columns: list[str], pieces) -> None:
    quote = connection.ops.quote_name
    names = ", ".join(quote(column) for column in columns)
    with connection.wrap_database_errors:
        cursor.cursor.copy_expert(f"COPY {quote(table)} ({names}) FROM STDIN", _CopyInput(pieces))


def copy_rows(cursor, table: str, columns: list[str], rows) -> None:
    """COPY ``rows`` (an iterable of rows, each its values in the order of the column names
    ``columns``) into ``table``, on PostgreSQL; ``cursor`` is a Django cursor. The rows are
    turned into text a thousand at a time as COPY takes them: 100,000 rows never sit in
    memory as one text."""
    _copy(cursor, table, columns, _lines(rows))


_BYTES_PIECE = 512 * 1024


def store_bytes(instance, field_name: str, content: bytes) -> None:
    """Set the binary field ``field_name`` of the saved ``instance`` to ``content``, in the
    database and on the instance. As a query parameter, a file of tens of MB would be held three
    times over as escaped text (PostgreSQL's hex, the query, its encoding); on PostgreSQL it is
    streamed into a scratch table with COPY instead, half a MB at a time, and set from there
    with one UPDATE. Elsewhere (the SQLite demo) the ORM sets it."""
    model = type(instance)
    setattr(instance, field_name, content)
    if connection.vendor != "postgresql":
        model.objects.filter(pk=instance.pk).update(**{field_name: content})
        return
    quote = connection.ops.quote_name
    meta = model._meta
    pieces = chain(
        ["\\\\x"],  # bytea's hex form, its backslash escaped for COPY
        (
            content[start : start + _BYTES_PIECE].hex()
            for start in range(0, len(content), _BYTES_PIECE)
        ),
        ["\n"],
    )
    with (
        transaction.atomic(),  # the scratch table lives as long as the transaction
        connection.cursor() as cursor,
        temporary_table(cursor, "bulk_bytes", "(content bytea NOT NULL)") as scratch,
    ):
        _copy(cursor, "bulk_bytes", ["content"], pieces)
        cursor.execute(
            f"UPDATE {quote(meta.db_table)} SET {quote(meta.get_field(field_name).column)} = "
            f"(SELECT content FROM {scratch}) WHERE {quote(meta.pk.column)} = %s",
            [instance.pk],
        )


@contextmanager
def temporary_table(cursor, name: str, definition: str):
    """A temporary table ``name`` (``definition``: the column list in parentheses, or ``AS
    SELECT ... WITH NO DATA``) for the ``with`` block, on PostgreSQL, inside the caller's
    transaction (or savepoint); dropped at the end of the block (and at the end of the
    transaction at the latest: ``ON COMMIT DROP``), so another of the same name can follow."""
    quoted = connection.ops.quote_name(name)
    if definition.lstrip().upper().startswith("AS "):
        cursor.execute(f"CREATE TEMPORARY TABLE {quoted} ON COMMIT DROP {definition}")
    else:
        cursor.execute(f"CREATE TEMPORARY TABLE {quoted} {definition} ON COMMIT DROP")
    yield quoted
    # (After an error the caller's transaction, or its savepoint, rolls the table back.)
    cursor.execute(f"DROP TABLE {quoted}")


def insert_rows(model, columns: list[str], rows, *, keys: bool = True) -> list[int]:
    """Insert ``rows`` (values in the order of ``columns``, by attname); returns their keys.
    With ``keys=False`` the database numbers the rows itself, nothing is returned, and ``rows``
    may be any iterable (on PostgreSQL it is read as COPY takes the rows); else a list.

    On PostgreSQL the keys are taken from the table's sequence and the rows sent with one COPY:
    100,000 households and their audit events take a few seconds this way, against half a
    minute through ``bulk_create``. Elsewhere (the SQLite demo) ``bulk_create`` does it.
    """
    if keys and not rows:
        return []
    if connection.vendor != "postgresql":
        created = model.objects.bulk_create(
            [model(**dict(zip(columns, row, strict=True))) for row in rows]
        )
        return [instance.pk for instance in created] if keys else []
    meta = model._meta
    names = [meta.get_field(name).column for name in columns]
    with connection.cursor() as cursor:
        if not keys:
            copy_rows(cursor, meta.db_table, names, rows)
            return []
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(rows)],
        )
        numbers = [key for (key,) in cursor.fetchall()]
        copy_rows(
            cursor,
            meta.db_table,
            [meta.pk.column, *names],
            ((key, *row) for key, row in zip(numbers, rows, strict=True)),
        )
    return numbers
