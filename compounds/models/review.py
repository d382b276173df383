"""What the review workflow stores: states, approved versions and the audit trail.

The row of a compound, condition, evidence summary or research update is the
editors' working copy. Approving it stores a *version*: a snapshot of the row
and its inline children, with who approved it and when, and writes the
object's published form (compounds/models/published.py), which is all the
public site reads; so an edit reaches patients only once an advisor approves
that edit. The rules of who may do what are in compounds/review/workflow.py.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models


class HistoryQuerySet(models.QuerySet):
    """Versions and review events of one kind of object, or of one object."""

    def of_model(self, model):
        return self.filter(content_type=ContentType.objects.get_for_model(model))

    def of(self, obj):
        return self.of_model(type(obj)).filter(object_id=obj.pk)


class ReviewState(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    APPROVED = "approved", "Approved"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Version(models.Model):
    """One approved state of a publishable object, as patients were shown it."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    content_object = GenericForeignKey("content_type", "object_id")
    number = models.PositiveIntegerField(help_text="1 for the first approval, then 2, 3...")
    data = models.JSONField(encoder=DjangoJSONEncoder)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # The byline as it was at approval: the page names who approved what it shows.
    reviewer_name = models.CharField(max_length=200)
    reviewer_credentials = models.CharField(max_length=200)
    # Whose byline that is: the advisor's public page lists the reviews they approved, and
    # the byline links to it. Versions approved before it was kept were given their
    # approver's byline by the migration that added it; empty where there was none.
    reviewer = models.ForeignKey(
        "compounds.MedicalAdvisor",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField()
    next_review_due = models.DateField()
    # The advisor's one line for patients on why this approval changed what it changed;
    # required where it changes a summary's verdict or evidence level (workflow.py).
    public_reason = models.CharField(max_length=200, blank=True)
    # A summary's change log as this approval leaves it, newest entry first (the latest
    # compounds.review.change_log.LIMIT of them): publishing copies it into the pair's
    # published row, so a re-approval after a withdrawal takes up the log where it was.
    # Empty for the other kinds, which keep none.
    change_log = models.JSONField(default=list, blank=True, encoder=DjangoJSONEncoder)

    objects = HistoryQuerySet.as_manager()

    class Meta:
        ordering = ["content_type", "object_id", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "number"], name="version_number_unique"
            )
        ]
        indexes = [
            models.Index(fields=["next_review_due"]),
            # What is due for review, of one kind of content, by date: the admin's
            # review-due filter and the dashboard's list.
            models.Index(fields=["content_type", "next_review_due"], name="version_type_due_idx"),
        ]

    def __str__(self):
        return f"Version {self.number} of {self.content_type.name} {self.object_id}"

    @property
    def reviewer_byline(self):
        return f"{self.reviewer_name}, {self.reviewer_credentials}"


class ReviewAction(models.TextChoices):
    SUBMIT = "submit", "Submitted for review"
    APPROVE = "approve", "Approved"
    REQUEST_CHANGES = "request_changes", "Changes requested"
    WITHDRAW = "withdraw", "Withdrawn"
    # After a retraction, correction or expression of concern on a study a summary cites.
    NOTICE_CHECKED = "notice_checked", "Checked after a notice on a cited study"
    # An advisor's decision on an item of the evidence watch's inbox (compounds/watch/):
    # it changes no state, and the history keeps it beside the object's other steps.
    INBOX_DECISION = "inbox_decision", "Evidence inbox item decided"


class ReviewEvent(models.Model):
    """One step of the review workflow. Written once, never changed."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    content_object = GenericForeignKey("content_type", "object_id")
    object_repr = models.CharField("object", max_length=300)
    action = models.CharField(max_length=20, choices=ReviewAction.choices)
    from_state = models.CharField(max_length=20, choices=ReviewState.choices)
    to_state = models.CharField(max_length=20, choices=ReviewState.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    comment = models.TextField(blank=True)
    # The parts a change request is about, by the labels the review screen shows them
    # with ("Human evidence", "References"): the change form shows the comment beside each.
    about = models.JSONField(default=list, blank=True)
    version = models.ForeignKey(
        Version, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = HistoryQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "-at"])]

    def __str__(self):
        return f"{self.get_action_display()}: {self.object_repr}"


class PublishableQuerySet(models.QuerySet):
    """Reads of reviewed content that several places need."""

    def due_for_review(self, *, on_or_after=None, on_or_before=None):
        """The live objects whose next review falls due between the two days (either may
        be left open). The versions of every kind of content share one table; naming the
        kind lets the index on (content type, next review due) find these by date."""
        due = {}
        if on_or_after is not None:
            due["live_version__next_review_due__gte"] = on_or_after
        if on_or_before is not None:
            due["live_version__next_review_due__lte"] = on_or_before
        content_type = ContentType.objects.get_for_model(self.model)
        return self.filter(live_version__content_type=content_type, **due)

    def for_decision(self):
        """With what a list of objects to decide on prints of each read along: a summary's
        compound and condition (its name), and its child rows (its references say
        whether its grade needs confirming; the content checks read the rows' text). A
        query a kind of child for the list, not one a row."""
        # Who last edited each: the confirmation page names them.
        rows = self.select_related("last_edited_by")
        if self.model.live_related:
            rows = rows.select_related(*self.model.live_related)
        return rows.prefetch_related(*self.model.snapshot_children)


PublishableManager = models.Manager.from_queryset(PublishableQuerySet)


class ShownDecision(models.Model):
    """What a decision's confirmation page showed an advisor: for each object its revision
    and the fingerprint of the text patients would read, and each companion's revision.
    The page posts a signed token naming this record, not a field for each object, so a
    decision on a thousand objects posts as little as one on a single object; the decision
    is then bound to what the record says was shown (compounds/review/shown.py). Kept
    briefly: older records are deleted as new ones are written."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # The admin's model label and action name the page was shown for.
    model = models.CharField(max_length=100)
    action = models.CharField(max_length=100)
    # {"objects": [[id, revision, fingerprint or null], ...], "companions": [[model name,
    # id, revision], ...], "rest": [id, ...]} (rest: selected, to be shown next).
    shown = models.JSONField()

    def __str__(self):
        return f"{self.action} of {len(self.shown.get('objects', []))} {self.model}"


class Publishable(models.Model):
    """What every reviewed object carries: its state and its live version."""

    review_state = models.CharField(
        max_length=20, choices=ReviewState.choices, default=ReviewState.DRAFT, editable=False
    )
    live_version = models.OneToOneField(
        Version, on_delete=models.PROTECT, null=True, blank=True, editable=False, related_name="+"
    )
    # Goes up by one with every saved edit; a save based on an older number is refused.
    revision = models.PositiveIntegerField(default=0)
    last_edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    last_edited_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Everyone whose edits the next approval would publish: none of them may approve it.
    editors_since_approval = models.JSONField(default=list, blank=True, editable=False)

    # Where approval writes it for the public site (compounds/models/published.py).
    published_model: type[models.Model]
    # Inline children approved with the object, by related name.
    snapshot_children: tuple[str, ...] = ()
    # Publishable objects a live object needs live too, selected with it.
    live_related: tuple[str, ...] = ()
    # Whether its public pages show a change log of its approvals, with a public reason.
    keeps_change_log = False

    class Meta:
        abstract = True

    @property
    def is_live(self):
        return self.live_version_id is not None

    def is_page_of(self, user):
        """Whether the object is the public page of the advisor whose account `user` is:
        someone else approves it (an advisor's page, compounds/models/site.py)."""
        return False
