"""The change log of every pair approved before there was one, from its versions."""

from django.db import migrations


def backfill_change_logs(apps, schema_editor):
    content_type = (
        apps.get_model("contenttypes", "ContentType")
        .objects.filter(app_label="compounds", model="evidencesummary")
        .first()
    )
    if content_type is None:
        # A new database: no summary has been approved, so none has a log to write.
        return
    # Imported when the step runs, not when the migration is loaded; it is given the
    # models of this migration's time.
    from compounds.review import change_log

    change_log.backfill_all(
        apps.get_model("compounds", "Version"),
        apps.get_model("compounds", "PublishedSummary"),
        content_type.pk,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("compounds", "0013_change_log"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(backfill_change_logs, migrations.RunPython.noop)]
