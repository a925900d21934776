"""Fast bulk writes for list imports: COPY on PostgreSQL, the ORM elsewhere.

A full list import writes ~15k rows into each of three tables. INSERTs with
tens of thousands of parameters and QuerySet.bulk_update (a CASE WHEN per row
and field) made most of its time; COPY (into the table, or into a temporary
table followed by one UPDATE ... FROM) is several times faster. Values are
prepared by each field's own get_db_prep_save, so they are stored exactly as
the ORM would store them. Identifiers come from model metadata only.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper

COPY_MIN_ROWS = 200


def _connection() -> BaseDatabaseWrapper:
    # The real connection object: `django.db.connection` is a proxy whose every
    # attribute access goes through a context-local lookup, which showed up as
    # seconds of a full import when handed to get_db_prep_save per value.
    return connections[DEFAULT_DB_ALIAS]


def _is_postgresql() -> bool:
    return _connection().vendor == "postgresql"


def rows_insert(objs: Sequence[models.Model]) -> None:
    """Insert new model instances and set their primary keys."""
    if not objs:
        return
    model = type(objs[0])
    if not _is_postgresql() or len(objs) < COPY_MIN_ROWS:
        # A small batch (a day of list changes) is one INSERT ... RETURNING: fewer
        # round trips than reserving ids and then copying.
        model.objects.bulk_create(objs, batch_size=500)
        return
    meta = model._meta
    connection = _connection()
    quote = connection.ops.quote_name
    fields = list(meta.concrete_fields)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(objs)],
        )
        for obj, (pk,) in zip(objs, cursor.fetchall(), strict=True):
            obj.pk = pk
        columns = ", ".join(quote(f.column) for f in fields)
        with cursor.cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                copy.write_row(
                    [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields]
                )
    for obj in objs:
        obj._state.adding = False
        obj._state.db = "default"


def rows_update(objs: Sequence[models.Model], field_names: Sequence[str]) -> None:
    """Write `field_names` of existing model instances."""
    if not objs:
        return
    model = type(objs[0])
    meta = model._meta
    fields = [meta.get_field(name) for name in field_names]
    connection = _connection()
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    pk = quote(meta.pk.column)
    if not _is_postgresql():
        assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
        sql = f"UPDATE {table} SET {assignments} WHERE {pk} = %s"  # noqa: S608
        params = [
            [f.get_db_prep_save(getattr(o, f.attname), connection) for f in fields] + [o.pk]
            for o in objs
        ]
        with connection.cursor() as cursor:
            cursor.executemany(sql, params)
        return
    staging = quote(f"staging_{meta.db_table}")
    columns = ", ".join(quote(f.column) for f in [meta.pk, *fields])
    assignments = ", ".join(f"{quote(f.column)} = s.{quote(f.column)}" for f in fields)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {staging}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {staging} ON COMMIT DROP AS "  # noqa: S608
            f"SELECT {columns} FROM {table} WITH NO DATA"
        )
        with cursor.cursor.copy(f"COPY {staging} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                copy.write_row(
                    [
                        obj.pk,
                        *[f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields],
                    ]
                )
        cursor.execute(
            f"UPDATE {table} AS t SET {assignments} FROM {staging} AS s WHERE t.{pk} = s.{pk}"  # noqa: S608
        )
        cursor.execute(f"DROP TABLE {staging}")
