"""Whether each cited study was of its pair's condition: a field references did not have.

Until now a page said "research on X in people with Y" from the summary's evidence basis
and its cited designs: an evidence basis of "direct" is the advisor's approved statement
that the evidence comes from studies of this condition. The existing references keep
what their pages say from that statement: the references of a summary whose basis is
direct are marked as studies of its condition, the others are not. The working rows take
the working copy's basis; every stored snapshot (each approved version, each published
row) takes its own, so that the pages, the review screen's before and after and the
change log read as they did, and no page changes without an advisor's decision.

The statement is about the evidence as a whole, so a direct summary that also cites a
study of another condition has that study marked too: editors should check the
references of direct summaries, which the box on each reference now shows them.
"""

from django.db import migrations, models

DIRECT = "direct"
BATCH = 2000


def marked(data):
    """Whether the summary's snapshot `data` was changed to say of each reference whether
    it studied the condition, as the snapshot's own basis says."""
    references = [r for r in data.get("references") or [] if "studied_condition" not in r]
    direct = data.get("evidence_basis") == DIRECT
    for reference in references:
        reference["studied_condition"] = direct
    return bool(references)


def unmarked(data):
    """Whether the snapshot was changed back to references without the field."""
    references = [r for r in data.get("references") or [] if "studied_condition" in r]
    for reference in references:
        del reference["studied_condition"]
    return bool(references)


def _rewrite(apps, change):
    """Apply `change` to the snapshot of every published summary and summary version."""
    PublishedSummary = apps.get_model("compounds", "PublishedSummary")
    Version = apps.get_model("compounds", "Version")
    content_type = (
        apps.get_model("contenttypes", "ContentType")
        .objects.filter(app_label="compounds", model="evidencesummary")
        .first()
    )
    snapshots = [(PublishedSummary, PublishedSummary.objects.all())]
    if content_type is not None:
        # None in a new database: no summary has been approved.
        snapshots.append((Version, Version.objects.filter(content_type=content_type)))
    for model, queryset in snapshots:
        # Ids first, then a batch at a time, each read whole before it is written: SQLite
        # reads no table safely while it is written.
        ids = list(queryset.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), BATCH):
            rows = list(model.objects.filter(pk__in=ids[start : start + BATCH]).only("data"))
            model.objects.bulk_update([row for row in rows if change(row.data)], ["data"])


def mark_studies_of_the_condition(apps, schema_editor):
    Reference = apps.get_model("compounds", "Reference")
    Reference.objects.filter(summary__evidence_basis=DIRECT).update(studied_condition=True)
    _rewrite(apps, marked)


def unmark(apps, schema_editor):
    # The column goes with the field; the snapshots go back to what they held.
    _rewrite(apps, unmarked)


class Migration(migrations.Migration):
    dependencies = [
        ("compounds", "0014_change_log_backfill"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AddField(
            model_name="reference",
            name="studied_condition",
            field=models.BooleanField(
                default=False,
                help_text="Tick when the study's participants (or models) had this pair's "
                "condition. A study of another condition can support an extrapolated grade, "
                "never a sentence about people with this condition.",
                verbose_name="studied this condition",
            ),
        ),
        migrations.RunPython(mark_studies_of_the_condition, unmark),
    ]
