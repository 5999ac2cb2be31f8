"""Database helpers shared by the apps."""

from __future__ import annotations

from django.db import connections, router


def update_rows(objs, field_names) -> None:
    """Save `field_names` of each object: one UPDATE statement run for every row (executemany).

    For batches of rows that each get their own values. Django's bulk_update() builds a CASE WHEN
    per field over all rows instead, and compiling that costs milliseconds per row. As with
    bulk_update(), save() and signals are not run, and auto_now fields are not touched.
    """
    objs = list(objs)
    if not objs:
        return
    model = type(objs[0])
    meta = model._meta
    connection = connections[router.db_for_write(model)]
    fields = [meta.get_field(name) for name in field_names]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    # Only quoted model metadata goes into the SQL; every value is a parameter.
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"  # noqa: S608
    rows = [
        [field.get_db_prep_save(getattr(obj, field.attname), connection) for field in fields]
        + [meta.pk.get_db_prep_save(obj.pk, connection)]
        for obj in objs
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
