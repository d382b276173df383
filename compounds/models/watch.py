"""What the evidence watch finds and keeps: each pair's (and compound's) inbox, and when
each source was last asked about it.

The watch (compounds/watch/) searches PubMed and ClinicalTrials.gov for new records
about each live pair, and DailyMed for new versions of a compound's official label.
What it finds lands in an inbox item; an advisor decides on each one ("changes
nothing" or "needs an update"). Nothing here reaches a public page: an item that needs
an update makes its summary due for review, and the edit goes through the normal
review like any other.

A check is recorded per pair (or compound) and source only once what it found is
saved, in the same transaction: a run cut off halfway and run again asks each source
once about each pair, and an item found twice is stored once (its unique constraint).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class WatchSource(models.TextChoices):
    PUBMED = "pubmed", "PubMed"
    TRIALS = "clinicaltrials", "ClinicalTrials.gov"
    DAILYMED = "dailymed", "DailyMed"


def _one_target(name):
    """Exactly one of summary and compound: an item or a check is about a pair or about
    a compound's label, never both nor neither."""
    return models.CheckConstraint(
        condition=Q(summary__isnull=False, compound__isnull=True)
        | Q(summary__isnull=True, compound__isnull=False),
        name=name,
    )


class OfficialLabel(models.Model):
    """A compound's official label, by its DailyMed set id: the watch notices its new
    versions. It says nothing on a public page, so it is kept outside the review."""

    compound = models.OneToOneField(
        "compounds.Compound", on_delete=models.CASCADE, related_name="official_label"
    )
    dailymed_setid = models.UUIDField(
        "DailyMed set id",
        unique=True,
        help_text="The set id of the label on DailyMed, as its address shows it: "
        "“setid=” followed by 36 letters, digits and hyphens. Every version of the label "
        "keeps it.",
    )

    class Meta:
        ordering = ["compound__name"]
        verbose_name = "official label"

    def __str__(self):
        return f"Label of {self.compound}"

    @property
    def link(self):
        return f"https://dailymed.nlm.nih.gov/dailymed/lookup.cfm?setid={self.dailymed_setid}"


class InboxQuerySet(models.QuerySet):
    def open(self):
        """Items not yet decided, the longest waiting first (the dashboard's order)."""
        return self.filter(decision=InboxItem.Decision.OPEN).order_by("found_at", "id")

    def of(self, obj):
        """The items of one evidence summary or one compound."""
        field = "summary" if obj._meta.model_name == "evidencesummary" else "compound"
        return self.filter(**{field: obj})


class InboxItem(models.Model):
    """Something a source published about a pair (or a compound's label) since its last
    review: a new record, a trial's new status or results, a new label version."""

    class Decision(models.TextChoices):
        OPEN = "open", "Not decided"
        CHANGES_NOTHING = "changes_nothing", "Changes nothing"
        NEEDS_UPDATE = "needs_update", "Needs an update"

    summary = models.ForeignKey(
        "compounds.EvidenceSummary",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="inbox_items",
    )
    compound = models.ForeignKey(
        "compounds.Compound",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="inbox_items",
    )
    source = models.CharField(max_length=20, choices=WatchSource.choices)
    # As the source names the record: a PMID, an NCT id, a label's set id.
    identifier = models.CharField(max_length=100)
    # What happened to the record, as a key: "new", "results", "status:COMPLETED",
    # "version:7". A trial found new, then with results, is two items.
    event = models.CharField(max_length=60)
    change = models.CharField("what happened", max_length=200)
    title = models.CharField(max_length=500)
    design = models.CharField(
        max_length=200, blank=True, help_text="The design as the source states it."
    )
    date = models.DateField(null=True, blank=True, help_text="When the source dated it.")
    # A trial's overall status when found ("RECRUITING"): a later run that finds another
    # status puts that change in the inbox.
    status = models.CharField(max_length=40, blank=True)
    link = models.URLField(max_length=500)
    found_at = models.DateTimeField(default=timezone.now)
    decision = models.CharField(max_length=20, choices=Decision.choices, default=Decision.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True, help_text="Why, in a line: the history keeps it.")
    # For an item that needs an update: the reference's details as the reference lookup
    # gave them (compounds/references/lookup.py), offered to the summary's next draft.
    suggested = models.JSONField(default=dict, blank=True)

    objects = InboxQuerySet.as_manager()

    class Meta:
        verbose_name = "evidence inbox item"
        ordering = ["found_at", "id"]
        indexes = [
            # The dashboard's count and list: open items, the longest waiting first.
            models.Index(fields=["decision", "found_at", "id"], name="inbox_open_idx"),
            models.Index(fields=["summary", "decision"], name="inbox_summary_idx"),
            models.Index(fields=["compound", "decision"], name="inbox_compound_idx"),
        ]
        constraints = [
            _one_target("inbox_item_one_target"),
            models.UniqueConstraint(
                fields=["summary", "source", "identifier", "event"],
                condition=Q(summary__isnull=False),
                name="inbox_item_once_per_pair",
            ),
            models.UniqueConstraint(
                fields=["compound", "source", "identifier", "event"],
                condition=Q(compound__isnull=False),
                name="inbox_item_once_per_compound",
            ),
            models.CheckConstraint(
                condition=Q(decision="open", decided_at__isnull=True)
                | (~Q(decision="open") & Q(decided_at__isnull=False)),
                name="inbox_item_decided_has_a_date",
            ),
        ]

    def __str__(self):
        return f"{self.label}: {self.change}"

    @property
    def target(self):
        return self.summary if self.summary_id else self.compound

    @property
    def label(self):
        """The record as an editor names it: "PMID 123", "NCT01234567", "DailyMed label"."""
        if self.source == WatchSource.PUBMED:
            return f"PMID {self.identifier}"
        if self.source == WatchSource.DAILYMED:
            return "DailyMed label"
        return self.identifier

    @property
    def is_open(self):
        return self.decision == self.Decision.OPEN


class WatchCheck(models.Model):
    """The last time one source was asked about one pair (or one compound's label) and
    answered: the next check searches from then, and the run picks who waited longest."""

    summary = models.ForeignKey(
        "compounds.EvidenceSummary",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="watch_checks",
    )
    compound = models.ForeignKey(
        "compounds.Compound",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="watch_checks",
    )
    source = models.CharField(max_length=20, choices=WatchSource.choices)
    checked_at = models.DateTimeField()
    # For a label: the highest version seen, so only later ones are news.
    seen_version = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            _one_target("watch_check_one_target"),
            models.UniqueConstraint(
                fields=["summary", "source"],
                condition=Q(summary__isnull=False),
                name="watch_check_once_per_pair",
            ),
            models.UniqueConstraint(
                fields=["compound", "source"],
                condition=Q(compound__isnull=False),
                name="watch_check_once_per_compound",
            ),
        ]

    def __str__(self):
        return f"{self.get_source_display()} checked {self.checked_at:%d %b %Y %H:%M}"
