"""The published read model: what patients see, and nothing else.

Approving an object writes its published row in the same transaction as its
Version (compounds/review/publishing.py); withdrawing deletes it. A published row
holds real, indexed columns for what public pages look up, filter and order
by, and the approved snapshot for the rest, from which compounds.review.snapshots.approved
rebuilds the approved object. Public code reads these tables only: they hold no
working-copy value and no relation to a working row, so no queryset form
(instances, values(), aggregates, related lookups) can reach unapproved text.

A published row's id is its working object's id, so links between approved
objects (a summary's pair, a research update's compounds) keep their meaning.
A summary is published only while its compound and condition are published
too: its pages show all three.
"""

from django.apps import apps
from django.contrib.postgres.search import SearchVectorField
from django.db import models

from compounds.evidence import EvidenceBasis, EvidenceLevel, Verdict


class Published(models.Model):
    """What every published row carries: the approved snapshot and its byline."""

    id = models.BigIntegerField(primary_key=True)
    data = models.JSONField(help_text="The approved snapshot: fields and inline children.")
    version_number = models.PositiveIntegerField()
    # The byline as it was at approval: the page names who approved what it shows.
    reviewer_name = models.CharField(max_length=200)
    reviewer_credentials = models.CharField(max_length=200)
    # The MedicalAdvisor whose byline that is, by id (a number, like the links between
    # published rows: no relation reaches a working row): the byline links to their page.
    reviewer_id = models.BigIntegerField(null=True, blank=True)
    approved_at = models.DateTimeField()
    next_review_due = models.DateField()

    # The working model whose approved snapshot this row holds.
    content_model_name = ""

    class Meta:
        abstract = True

    @classmethod
    def content_model(cls):
        return apps.get_model("compounds", cls.content_model_name)

    @property
    def reviewer_byline(self):
        return f"{self.reviewer_name}, {self.reviewer_credentials}"

    @property
    def number(self):
        return self.version_number


class Searchable(models.Model):
    """Published rows the site search finds, through a stored, indexed document.

    `search_text` is the normalised words of the searched fields (accents
    folded, punctuated names kept whole and in parts: see compounds/searchable.py);
    on PostgreSQL `search_vector` holds them weighted by field, under a GIN index.
    """

    search_text = models.TextField(blank=True, default="")
    # Filled on PostgreSQL only; SQLite matches search_text instead.
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        abstract = True


class Lettered(models.Model):
    """Rows listed A to Z, a letter to a page."""

    name = models.CharField(max_length=300)
    slug = models.SlugField(max_length=300, unique=True)
    # The A-Z group: A to Z, or "#" for names that start with anything else.
    letter = models.CharField(max_length=1)

    class Meta:
        abstract = True


class PublishedCompound(Published, Lettered, Searchable):
    aliases = models.CharField(max_length=500, blank=True)
    drug_class = models.CharField(max_length=200)

    content_model_name = "compound"

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["letter", "name", "id"], name="pub_compound_az"),
            models.Index(fields=["name", "id"], name="pub_compound_name"),
        ]

    def __str__(self):
        return self.name

    @property
    def alias_list(self):
        return [alias.strip() for alias in self.aliases.split(",") if alias.strip()]


class PublishedCondition(Published, Lettered, Searchable):
    content_model_name = "condition"

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["letter", "name", "id"], name="pub_condition_az"),
            models.Index(fields=["name", "id"], name="pub_condition_name"),
        ]

    def __str__(self):
        return self.name


class PublishedSummary(Published):
    """An evidence summary whose compound and condition are published too: a pair's pages."""

    compound = models.ForeignKey(
        PublishedCompound, on_delete=models.CASCADE, related_name="summaries"
    )
    condition = models.ForeignKey(
        PublishedCondition, on_delete=models.CASCADE, related_name="summaries"
    )
    # Copied from the snapshot for the tables of compound and condition pages.
    compound_name = models.CharField(max_length=300)
    condition_name = models.CharField(max_length=300)
    evidence_level = models.CharField(max_length=20, choices=EvidenceLevel.choices)
    verdict = models.CharField(max_length=20, choices=Verdict.choices)
    evidence_basis = models.CharField(max_length=20, choices=EvidenceBasis.choices)
    # Whether a cited study of the grade's design, or a stronger one, stands behind the
    # grade (compounds.evidence.grade_is_cited): a hub's table calls a grade without one
    # the advisors', as the pair's pages do.
    grade_cited = models.BooleanField(default=False)
    # The pair's "What changed" (compounds/review/change_log.py), copied from the live
    # version: its pages read it with the row, in the same query.
    change_log = models.JSONField(default=list, blank=True)
    # Retractions, corrections and expressions of concern about the studies the approved
    # version cites (compounds/models/notices.py), gravest first, each saying whether
    # advisors are still checking the review: its pages read them with the row.
    study_notices = models.JSONField(default=list, blank=True)

    content_model_name = "evidencesummary"

    class Meta:
        ordering = ["compound_name", "condition_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["compound", "condition"], name="pub_summary_pair")
        ]
        indexes = [
            # A compound's page lists its conditions by name; a condition's, its compounds.
            models.Index(fields=["compound", "condition_name", "id"], name="pub_summary_compound"),
            models.Index(fields=["condition", "compound_name", "id"], name="pub_summary_condition"),
            # An advisor's page: how many reviews they approved, and the latest of them.
            models.Index(
                fields=["reviewer_id", "-approved_at", "-id"], name="pub_summary_reviewer"
            ),
        ]
        # On PostgreSQL a covering index (migration 0005) serves the sitemap's id ranges.

    def __str__(self):
        return f"{self.compound_name} for {self.condition_name}"

    @property
    def is_direct(self):
        return self.evidence_basis == EvidenceBasis.DIRECT

    @property
    def notice_being_checked(self):
        """The gravest notice on a cited study that advisors are still checking, if any."""
        return next((notice for notice in self.study_notices if notice["checking"]), None)

    def notices_of(self, reference):
        """The notices on one cited study (a reference of the approved snapshot)."""
        return [
            notice
            for notice in self.study_notices
            if getattr(reference, notice["field"], "") == notice["identifier"]
        ]


class PublishedCitation(models.Model):
    """A study an approved summary cites, by PMID or DOI, written with the summary's row:
    the retraction watch checks these and finds by them the pairs whose pages cite a
    study it has a notice on."""

    summary = models.ForeignKey(
        PublishedSummary, on_delete=models.CASCADE, related_name="citations"
    )
    identifier_kind = models.CharField(max_length=10)
    identifier = models.CharField(max_length=200)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["summary", "identifier_kind", "identifier"], name="pub_citation_once"
            )
        ]
        indexes = [
            models.Index(fields=["identifier_kind", "identifier"], name="pub_citation_study")
        ]

    def __str__(self):
        return f"Summary {self.summary_id} cites {self.identifier_kind} {self.identifier}"


class PublishedResearchUpdate(Published, Searchable):
    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=300, unique=True)
    date = models.DateField()

    content_model_name = "researchupdate"

    class Meta:
        ordering = ["-date", "id"]
        indexes = [models.Index(fields=["-date", "id"], name="pub_update_newest")]

    def __str__(self):
        return self.title


class PublishedSitePage(Published):
    """One of the site's own pages (About, editorial policy...) or an advisor's page.

    `slug` is where it is: a page of the site's own is at its kind's fixed address (the
    slug is the kind), an advisor's at /advisors/<slug>/, the slug of their byline when
    the page was approved. `name` heads the page: the page's title, or the advisor's name;
    `credentials` are the advisor's, as their byline had them then.
    """

    kind = models.CharField(max_length=30)
    slug = models.SlugField(max_length=200)
    name = models.CharField(max_length=200)
    credentials = models.CharField(max_length=200, blank=True)
    advisor_id = models.BigIntegerField(null=True, blank=True)

    content_model_name = "sitepage"

    class Meta:
        ordering = ["kind", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "slug"], name="pub_site_page_address")
        ]

    def __str__(self):
        return self.name

    @property
    def byline(self):
        return f"{self.name}, {self.credentials}" if self.credentials else self.name


class ResearchUpdateLink(models.Model):
    """A compound or condition an approved research update names.

    Kept by id, not as a relation: the link holds while the compound is off the
    site, and shows again when it is published; a join decides what is live.
    """

    update = models.ForeignKey(
        PublishedResearchUpdate, on_delete=models.CASCADE, related_name="links"
    )
    compound_id = models.BigIntegerField(null=True, blank=True)
    condition_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["compound_id"], name="pub_update_link_compound"),
            models.Index(fields=["condition_id"], name="pub_update_link_condition"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(compound_id__isnull=False, condition_id__isnull=True)
                | models.Q(compound_id__isnull=True, condition_id__isnull=False),
                name="pub_update_link_one_target",
            )
        ]

    def __str__(self):
        target = (
            f"compound {self.compound_id}" if self.compound_id else f"condition {self.condition_id}"
        )
        return f"Update {self.update_id} names {target}"


class FormerSlug(models.Model):
    """An address an object was once published under: it answers 301 to the current one."""

    kind = models.CharField(max_length=30, help_text="The working model's name.")
    slug = models.SlugField(max_length=300)
    object_id = models.BigIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "slug"], name="former_slug_unique")]

    def __str__(self):
        return f"{self.kind} {self.slug} -> {self.object_id}"


class PublicationChange(models.Model):
    """One change of what the public site shows, written in the decision's transaction.

    The approval, withdrawal or rebuild that changes published rows records here what
    the object looked like on the site before and after (compounds.review.publishing.footprint),
    so that whoever keeps copies of public pages (pages/cache.py) can refresh them from
    this record: at once after the commit, and again, by any app process, as long as a
    copy may be behind it; the edge cache in front (pages/edge.py) likewise, until
    `edge_pending` is cleared. A copy that could not be refreshed at the time (its cache
    was unreachable) is therefore refreshed later, never forgotten. `model` "*" means
    every page (a rebuild of the read model). Rows older than the page cache's lifetime
    are no longer needed once the edge has them (`manage.py refresh_pages` deletes them).
    """

    EVERYTHING = "*"

    id = models.BigAutoField(primary_key=True)
    model = models.CharField(max_length=40, help_text="The working model's name, or *.")
    object_id = models.BigIntegerField(null=True)
    before = models.JSONField(null=True)
    after = models.JSONField(null=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    # Until the edge cache in front (pages/edge.py) has purged what it changed, settled:
    # a purge that failed leaves it pending, and it is purged again until one succeeds.
    edge_pending = models.BooleanField(default=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["id"],
                condition=models.Q(edge_pending=True),
                name="publicationchange_edge_pending",
            )
        ]

    def __str__(self):
        return f"{self.model} {self.object_id} at {self.at:%Y-%m-%d %H:%M:%S}"
