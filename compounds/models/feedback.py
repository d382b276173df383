"""Readers' reports of a problem with a public page, and the editors' answers.

A report is tied to what the page is about (a pair's evidence summary, a compound, a
condition, a research update) when it is about one, so the people who work on that
object find it; the page's address is kept whatever it showed. The reader's email
address is personal data kept only as long as FEEDBACK_EMAIL_RETENTION_DAYS says, and
the text of a closed report only as long as FEEDBACK_TEXT_RETENTION_DAYS says
(compounds/feedback/service.py, forget; `manage.py clear_old_feedback`). The
reader's network address is never stored.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

# The longest report a reader may send, in characters: the form says so too.
MESSAGE_LENGTH = 2000
# The longest address kept of the page a report was sent from.
PAGE_LENGTH = 500


class FeedbackQuerySet(models.QuerySet):
    def open(self):
        """Open reports, the longest waiting first: the queue's order, on its index."""
        return self.filter(status=Feedback.Status.OPEN).order_by("received_at", "id")

    def about(self, obj):
        return self.filter(
            content_type=ContentType.objects.get_for_model(type(obj)), object_id=obj.pk
        )


class Feedback(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    page = models.CharField(
        max_length=PAGE_LENGTH, help_text="The address of the page the report was sent from."
    )
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    about = GenericForeignKey("content_type", "object_id")
    # The name of what the page was about when the report came, so the queue reads
    # without looking every object up, and still reads if the object is deleted.
    about_name = models.CharField("about", max_length=300, blank=True)
    message = models.TextField("what is wrong", max_length=MESSAGE_LENGTH, blank=True)
    email = models.EmailField("reader's email", blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    note = models.TextField(
        blank=True, help_text="What was done about the report, or why nothing was."
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = FeedbackQuerySet.as_manager()

    class Meta:
        verbose_name = "reader's report"
        verbose_name_plural = "readers' reports"
        ordering = ["received_at", "id"]
        indexes = [
            models.Index(fields=["status", "received_at", "id"], name="feedback_queue"),
            models.Index(fields=["content_type", "object_id", "status"], name="feedback_about"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="open", closed_at__isnull=True)
                | models.Q(status="closed", closed_at__isnull=False),
                name="feedback_closed_has_a_date",
            )
        ]

    def __str__(self):
        about = self.about_name or self.page
        return f"Report of {self.received_at:%d %b %Y} about {about}"

    @property
    def is_open(self):
        return self.status == self.Status.OPEN
