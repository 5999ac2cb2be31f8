"""An index on the page title, for listings ordered by title (the API's ?order=title).

wagtailcore_page belongs to Wagtail, so its model state cannot carry the index; it is created
here with SQL that SQLite and PostgreSQL both accept.
"""

from django.db import migrations

INDEX = "home_page_title_idx"


class Migration(migrations.Migration):
    dependencies = [
        ("home", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON wagtailcore_page (title)",
            reverse_sql=f"DROP INDEX IF EXISTS {INDEX}",
        ),
    ]
