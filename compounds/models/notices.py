"""What the retraction watch finds: notices about cited studies, and what advisors decided.

A StudyNotice is a retraction, correction or expression of concern that a source
(Crossref, with the Retraction Watch data it carries, or PubMed) states about a study
by its PMID or DOI. It concerns every evidence summary that cites that study: each
such pair has a NoticeReview, open until an advisor decides on it, by approving a new
version of the summary or by recording that the review stands. While one is open the
pair's public pages say that a cited study has a notice and the review is being
checked; the reference list shows the notice beside the study for as long as the
study is cited. The pages read this from their published row (`study_notices`), which
`published_notices` computes and compounds.watch.retractions keeps current.

A StudyCheck is the watch's memory of each identifier: when it was last asked about,
so a run takes the longest-unchecked first and a run started again after an
interruption does not ask twice.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class IdentifierKind(models.TextChoices):
    PMID = "pmid", "PMID"
    DOI = "doi", "DOI"


class StudyNotice(models.Model):
    class Kind(models.TextChoices):
        # Listed from the gravest: a page names the gravest open notice.
        RETRACTION = "retraction", "Retracted"
        CONCERN = "expression_of_concern", "Expression of concern"
        CORRECTION = "correction", "Corrected"

    identifier_kind = models.CharField(max_length=10, choices=IdentifierKind.choices)
    identifier = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    # Where readers and advisors read the notice itself.
    link = models.URLField("notice", max_length=500)
    # Who states it: "Crossref", "Retraction Watch" (through Crossref) or "PubMed".
    source = models.CharField(max_length=40)
    # The notice's date as the source gives it, when it gives one.
    notice_date = models.DateField(null=True, blank=True)
    found_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["found_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["identifier_kind", "identifier", "kind", "link"], name="study_notice_once"
            )
        ]
        indexes = [
            models.Index(fields=["identifier_kind", "identifier"], name="study_notice_study"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.get_identifier_kind_display()} {self.identifier}"


class NoticeReview(models.Model):
    """One notice as it concerns one evidence summary: open until an advisor decides."""

    class Decision(models.TextChoices):
        STANDS = "stands", "Checked: the review stands"
        NEW_VERSION = "new_version", "A new version of the summary was approved"

    notice = models.ForeignKey(StudyNotice, on_delete=models.CASCADE, related_name="reviews")
    summary = models.ForeignKey(
        "compounds.EvidenceSummary", on_delete=models.CASCADE, related_name="notice_reviews"
    )
    found_at = models.DateTimeField(auto_now_add=True)
    decision = models.CharField(max_length=20, choices=Decision.choices, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    comment = models.TextField(blank=True)
    version = models.ForeignKey(
        "compounds.Version", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "study notice to check"
        verbose_name_plural = "study notices to check"
        ordering = ["found_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["notice", "summary"], name="notice_review_once")
        ]
        indexes = [
            # The advisors' queue: the open ones, oldest first; a summary's open ones.
            models.Index(
                fields=["found_at", "id"],
                condition=Q(decided_at__isnull=True),
                name="notice_review_open",
            ),
            models.Index(fields=["summary", "decided_at"], name="notice_review_summary"),
        ]

    def __str__(self):
        return f"{self.notice} (cited by {self.summary})"

    @property
    def is_open(self):
        return self.decided_at is None


class StudyCheck(models.Model):
    """When the watch last asked the sources about one cited study."""

    identifier_kind = models.CharField(max_length=10, choices=IdentifierKind.choices)
    identifier = models.CharField(max_length=200)
    # Never checked: null, which comes first.
    checked_at = models.DateTimeField(null=True, blank=True)
    # What the last check found, in a line ("no notice", "Crossref timeout").
    outcome = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["identifier_kind", "identifier"], name="study_check_once"
            )
        ]
        indexes = [models.Index(fields=["checked_at", "id"], name="study_check_oldest")]

    def __str__(self):
        return f"{self.get_identifier_kind_display()} {self.identifier}"


def cited_identifiers(data):
    """The (kind, identifier) pairs of the studies a summary's snapshot cites."""
    cited = set()
    for reference in data.get("references") or []:
        for kind in IdentifierKind.values:
            if reference.get(kind):
                cited.add((kind, reference[kind]))
    return cited


def published_notices(snapshots):
    """The `study_notices` of published summary rows, by summary id, from their approved
    snapshots ({id: data}): each notice on a study the snapshot cites, gravest first, with
    whether it is still being checked. Two queries whatever the number of summaries; only
    summaries with a notice are in the answer."""
    cited = {pk: cited_identifiers(data) for pk, data in snapshots.items()}
    wanted = set().union(*cited.values()) if cited else set()
    if not wanted:
        return {}
    by_study = {}
    match = Q()
    for kind in IdentifierKind.values:
        values = [value for of, value in wanted if of == kind]
        if values:
            match |= Q(identifier_kind=kind, identifier__in=values)
    for notice in StudyNotice.objects.filter(match):
        by_study.setdefault((notice.identifier_kind, notice.identifier), []).append(notice)
    if not by_study:
        return {}
    open_reviews = set(
        NoticeReview.objects.filter(
            summary_id__in=list(snapshots), decided_at__isnull=True
        ).values_list("summary_id", "notice_id")
    )
    gravity = {kind: rank for rank, kind in enumerate(StudyNotice.Kind.values)}
    answer = {}
    for pk, studies in cited.items():
        notices = [notice for study in studies for notice in by_study.get(study, ())]
        if notices:
            notices.sort(key=lambda n: (gravity[n.kind], n.found_at, n.pk))
            answer[pk] = [
                {
                    "field": notice.identifier_kind,
                    "identifier": notice.identifier,
                    "kind": notice.kind,
                    "label": notice.get_kind_display(),
                    "link": notice.link,
                    "date": notice.notice_date.isoformat() if notice.notice_date else "",
                    "checking": (pk, notice.pk) in open_reviews,
                }
                for notice in notices
            ]
    return answer
