"""Catalogue imports as batches: who imported which file, and what it changed.

Advisors review a batch on its own admin page, object by object; the decisions
are the workflow's own (compounds/review/workflow.py), so its rules hold there too.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models


class ImportBatch(models.Model):
    class Status(models.TextChoices):
        CHECKED = "checked", "Checked, not imported"
        IMPORTED = "imported", "Imported"

    file_name = models.CharField(max_length=300)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    imported_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CHECKED)
    submitted = models.BooleanField(
        "submitted for review", default=False, help_text="Whether the import submitted its changes."
    )
    created_count = models.PositiveIntegerField("created", default=0)
    updated_count = models.PositiveIntegerField("updated", default=0)
    unchanged_count = models.PositiveIntegerField("unchanged", default=0)
    # The uploaded file, kept from the check to the import; emptied once imported.
    payload = models.BinaryField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name_plural = "import batches"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.file_name} ({self.created_at:%Y-%m-%d %H:%M})"


class ImportBatchItem(models.Model):
    """One object an import created or changed, at the revision the import left it."""

    class Action(models.TextChoices):
        CREATED = "created", "Created"
        UPDATED = "updated", "Updated"

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="items")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    content_object = GenericForeignKey("content_type", "object_id")
    object_repr = models.CharField("object", max_length=300)
    action = models.CharField(max_length=20, choices=Action.choices)
    revision = models.PositiveIntegerField()

    class Meta:
        ordering = ["batch", "id"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="import_item_object")]

    def __str__(self):
        return f"{self.get_action_display()}: {self.object_repr}"
