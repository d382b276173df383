"""A covering index for sitemap files, on PostgreSQL.

A sitemap file reads a range of published summary ids with the pair's ids and
approval time; with them in the index, PostgreSQL reads the range by an
index-only scan instead of from the table. SQLite has no covering indexes (and
Django warns of one declared in a model), so the index is made here, for
PostgreSQL only.
"""

from django.db import migrations

INDEX = "pub_summary_sitemap"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON compounds_publishedsummary (id) "
            "INCLUDE (compound_id, condition_id, approved_at)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("compounds", "0004_admin_indexes")]

    operations = [migrations.RunPython(create, drop)]
