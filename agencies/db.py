"""Database helpers shared by the apps.

The hot write paths (publishing a report: the version, its deliveries, the
audit records) insert rows with SQL built straight from the model's fields:
Django's query compiler costs ~1 ms of CPU per statement on our 2-core
machines, more than PostgreSQL takes to run the insert.
"""

import datetime
import decimal
import functools
import json
import uuid
from collections.abc import Iterable
from typing import Any

from django.db import connections, models, router


def bulk_insert(model: type[models.Model], rows: list[models.Model]) -> None:
    """Insert many new rows fast; on PostgreSQL with COPY, elsewhere with bulk_create.

    COPY skips Django's per-value SQL building, which dominates a 15k-update
    sanctions import. Primary keys are not set on `rows` (callers find the
    rows again by their natural keys when they need ids).
    """
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "postgresql":
        model.objects.bulk_create(rows, batch_size=2000)
        return
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own cursor: Django's wrapper has no copy()
        with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(
                    [
                        field.get_db_prep_save(getattr(row, field.attname), connection)
                        for field in fields
                    ]
                )


def json_record(obj: models.Model, fields: Iterable[models.Field]) -> dict[str, Any]:
    """`obj`'s values for `fields` as a JSON object keyed by column, as PostgreSQL's
    json_populate_recordset reads them into the table's column types."""
    record = {}
    for field in fields:
        value = field.pre_save(obj, True)
        if isinstance(value, datetime.date | uuid.UUID | decimal.Decimal):
            value = value.isoformat() if isinstance(value, datetime.date) else str(value)
        record[field.column] = value
    return record


@functools.cache
def _insert_statement(
    model: type[models.Model], alias: str, *, with_pk: bool, rows: int
) -> tuple[tuple[models.Field, ...], str]:
    """The fields and the INSERT's head for `rows` rows, built once per shape.

    On PostgreSQL the rows travel as one JSON parameter
    (`json_populate_recordset`): quoting every value into the statement
    client-side cost psycopg more CPU than the insert costs the server.
    """
    connection = connections[alias]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    fields = tuple(f for f in model._meta.concrete_fields if with_pk or not f.primary_key)
    columns = ", ".join(quote(field.column) for field in fields)
    # Table and column names come from the model; every value is a bound parameter.
    if connection.vendor == "postgresql":
        sql = (
            f"INSERT INTO {table} ({columns}) SELECT {columns} "  # noqa: S608
            f"FROM json_populate_recordset(NULL::{table}, %s)"
        )
    else:
        row = f"({', '.join(['%s'] * len(fields))})"
        sql = f"INSERT INTO {table} ({columns}) VALUES {', '.join([row] * rows)}"  # noqa: S608
    return fields, sql


def _insert(
    model: type[models.Model],
    objs: list[models.Model],
    *,
    with_pk: bool,
    conflict: str = "",
    alongside: tuple[str, list] | None = None,
) -> list[tuple]:
    """One `INSERT .. [conflict] RETURNING pk` of `objs`; the rows it returned.

    `alongside`: another data-modifying statement (SQL, params) sent in the
    same round trip as a CTE on PostgreSQL, run first and separately elsewhere.
    """
    alias = router.db_for_write(model)
    connection = connections[alias]
    postgresql = connection.vendor == "postgresql"
    fields, insert = _insert_statement(
        model, alias, with_pk=with_pk, rows=0 if postgresql else len(objs)
    )
    if postgresql:
        params = [json.dumps([json_record(obj, fields) for obj in objs])]
    else:
        params = [
            field.get_db_prep_save(field.pre_save(obj, True), connection)
            for obj in objs
            for field in fields
        ]
    sql = f"{insert} {conflict} RETURNING {connection.ops.quote_name(model._meta.pk.column)}"
    with connection.cursor() as cursor:
        if alongside is not None and postgresql:
            sql = f"WITH alongside AS ({alongside[0]}) {sql}"
            params = [*alongside[1], *params]
        elif alongside is not None:
            cursor.execute(*alongside)
        cursor.execute(sql, params)
        returned = cursor.fetchall()
    for obj in objs[: len(returned)]:
        obj._state.adding = False
        obj._state.db = connection.alias
    return returned


def rows_insert(
    objs: list[models.Model], *, alongside: tuple[str, list] | None = None
) -> list[models.Model]:
    """Insert new rows of one model in one statement; set and return them with their keys.

    For a few rows on a hot path (bulk_create compiles the same statement at
    about three times the CPU); many rows go through `bulk_insert`.
    `alongside`: an UPDATE (SQL, params) to send in the same round trip.
    """
    if not objs:
        return objs
    with_pk = objs[0].pk is not None
    returned = _insert(type(objs[0]), objs, with_pk=with_pk, alongside=alongside)
    if not with_pk:
        for obj, (pk,) in zip(objs, returned, strict=True):
            obj.pk = pk
    return objs


def insert_new(obj: models.Model) -> bool:
    """Insert `obj` (primary key set) unless its key is taken; True if it was inserted.

    One statement, `INSERT ... ON CONFLICT (pk) DO NOTHING RETURNING pk`, and no
    savepoint. A concurrent transaction inserting the same key makes this one
    wait for it to end, then see the conflict (False) or insert (True).
    """
    model = type(obj)
    pk = connections[router.db_for_write(model)].ops.quote_name(model._meta.pk.column)
    return bool(_insert(model, [obj], with_pk=True, conflict=f"ON CONFLICT ({pk}) DO NOTHING"))


@functools.cache
def _converters(
    model: type[models.Model], alias: str, attnames: tuple[str, ...]
) -> tuple[tuple[Any, tuple], ...]:
    """Per field, what turns a database value into the model's value (as the ORM reads it)."""
    connection = connections[alias]
    by_attname = {field.attname: field for field in model._meta.concrete_fields}
    result = []
    for attname in attnames:
        field = by_attname[attname]
        column = field.get_col(model._meta.db_table)
        result.append(
            (
                column,
                (*connection.ops.get_db_converters(column), *field.get_db_converters(connection)),
            )
        )
    return tuple(result)


def rows_read(
    model: type[models.Model],
    sql: str,
    params: list,
    attnames: tuple[str, ...],
    *,
    alias: str = "default",
) -> list[tuple[models.Model, tuple]]:
    """Run `sql` and build `model` instances from its first columns, which are
    the fields `attnames` (the others stay deferred), converted as the ORM
    would; each with the rest of its row, unconverted.

    For reads on the hot path: `Model.objects.raw` resolves its columns and
    converters again on every call, and the ORM's compiler costs more still.
    """
    connection = connections[alias]
    converters = _converters(model, alias, attnames)
    width = len(attnames)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    result = []
    for row in rows:
        values = list(row[:width])
        for index, (column, functions) in enumerate(converters):
            for convert in functions:
                values[index] = convert(values[index], column, connection)
        result.append((model.from_db(alias, list(attnames), values), row[width:]))
    return result
