"""Database helpers shared by the apps."""

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


def insert_new(obj: models.Model) -> bool:
    """Insert `obj` (primary key set) unless its key is taken; True if it was inserted.

    One statement, `INSERT ... ON CONFLICT (pk) DO NOTHING RETURNING pk`, and no
    savepoint. A concurrent transaction inserting the same key makes this one
    wait for it to end, then see the conflict (False) or insert (True).
    """
    model = type(obj)
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    fields = model._meta.concrete_fields
    params = [field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields]
    pk = quote(model._meta.pk.column)
    # Table and column names come from the model; every value is a bound parameter.
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} "  # noqa: S608
        f"({', '.join(quote(field.column) for field in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))}) "
        f"ON CONFLICT ({pk}) DO NOTHING RETURNING {pk}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        inserted = cursor.fetchone() is not None
    if inserted:
        obj._state.adding = False
        obj._state.db = connection.alias
    return inserted
