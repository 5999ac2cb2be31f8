"""Keep the full-text body vectors inside the search index rows (PostgreSQL only).

A body vector of a few hundred words is about 1 kB, so PostgreSQL's default storage moves it
out of the row into the TOAST table, and a search for a common word reads it from there twice
per index entry (to match, then to rank). With MAIN storage it stays in the row unless the row
would not fit otherwise. Existing entries are stored again once so that they move in; their
content does not change.
"""

from django.db import migrations


def _alter(apps, schema_editor, storage: str, rewrite: bool) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name(apps.get_model("wagtailsearch", "IndexEntry")._meta.db_table)
    schema_editor.execute(f"ALTER TABLE {table} ALTER COLUMN body SET STORAGE {storage}")
    if rewrite:
        # Appending an empty vector gives an equal value, stored anew (an unchanged value would
        # keep its out-of-row copy).
        schema_editor.execute(f"UPDATE {table} SET body = body || ''::tsvector")


def body_in_row(apps, schema_editor):
    _alter(apps, schema_editor, "MAIN", rewrite=True)


def body_default_storage(apps, schema_editor):
    _alter(apps, schema_editor, "EXTENDED", rewrite=False)


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0001_zero_result_hits"),
        ("wagtailsearch", "0010_add_text_fields"),
    ]

    operations = [migrations.RunPython(body_in_row, body_default_storage)]
