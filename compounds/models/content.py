"""The content of an evidence review: compounds, conditions and what is known of each pair.

Every content model has a natural key (slugs, or its parent's key and its own
text) so the seed fixtures load by key: loading them twice updates rows in
place instead of adding copies, and never clobbers rows that happen to share a
primary key.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from compounds.evidence import (
    GRADES_NEEDING_STUDIES,
    STUDIES,
    CautionKind,
    EvidenceBasis,
    EvidenceLevel,
    SafetyCategory,
    StudyDesign,
    Verdict,
    designs_behind_grade,
    grade_is_cited,
)

from .citations import not_in_future  # noqa: F401  (migration 0001 refers to it here)
from .published import (
    PublishedCompound,
    PublishedCondition,
    PublishedResearchUpdate,
    PublishedSummary,
)
from .review import Publishable, PublishableManager
from .safety import CompoundPartManager


class Timestamped(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class SlugManager(models.Manager):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class PublishableSlugManager(PublishableManager):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class LiveAddress(models.Model):
    """A publishable object with its own address: no two live objects may share it.

    Working copies have unique slugs too, but a live object's draft may rename it
    while the old slug stays live; another object must not take that address.
    """

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        taken = self.address_taken(self.pk, self.slug)
        if taken:
            raise ValidationError({"slug": taken})

    @classmethod
    def address_taken(cls, pk, slug):
        """Why object pk may not go live at slug (another object of its kind is live
        there), or None."""
        taken = cls.published_model.objects.filter(slug=slug).exclude(pk=pk).first()
        if taken is None:
            return None
        return (
            f"The {cls._meta.verbose_name} “{taken}” is live on the public site at the address "
            f"“{slug}”. Choose another slug, or change that one's first and have it approved."
        )


class Compound(LiveAddress, Publishable, Timestamped):
    name = models.CharField(
        max_length=200,
        unique=True,
        help_text="The name readers know it by, as it heads its pages: "
        '"Ketamine (IV / Esketamine)".',
    )
    slug = models.SlugField(
        max_length=200,
        unique=True,
        help_text="The compound's part of its pages' web addresses: lower case, words joined "
        "by hyphens. Filled in from the name.",
    )
    aliases = models.CharField(
        max_length=500,
        blank=True,
        help_text='Other names readers search for, separated by commas: "esketamine, Spravato".',
    )
    drug_class = models.CharField(
        max_length=200,
        help_text='Its pharmacological class: "NMDA Antagonist / Anesthetic".',
    )
    regulatory_status = models.TextField(
        help_text="What regulators have approved it for, anywhere it is approved: "
        '"FDA-approved as anesthetic; esketamine (Spravato) approved for '
        'treatment-resistant depression".',
    )
    evidence_overview = models.TextField(
        "overall evidence summary",
        help_text="One or two sentences on the evidence across all conditions, naming each "
        'condition: "Strong data for treatment-resistant depression; Phase II for '
        'neuropathic pain".',
    )
    safety_profile = models.TextField(
        help_text="Its general safety picture in a sentence or two. List each known "
        "consideration below as a safety note too.",
    )

    objects = PublishableSlugManager()

    published_model = PublishedCompound
    snapshot_children = ("mechanisms", "safety_notes", "monitoring", "cautions", "interactions")

    class Meta:
        ordering = ["name"]
        permissions = [("review_compound", "Can approve, request changes to and withdraw")]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)

    @property
    def alias_list(self):
        return [alias.strip() for alias in self.aliases.split(",") if alias.strip()]

    @property
    def contraindications(self):
        return [c for c in self.cautions.all() if c.kind == CautionKind.CONTRAINDICATION]

    @property
    def general_cautions(self):
        return [c for c in self.cautions.all() if c.kind == CautionKind.CAUTION]


class Mechanism(models.Model):
    compound = models.ForeignKey(Compound, on_delete=models.CASCADE, related_name="mechanisms")
    position = models.PositiveSmallIntegerField(
        default=1, help_text="Order on the page: 1 comes first."
    )
    description = models.CharField(
        max_length=300,
        help_text='One mechanism of action, in full: "NMDA receptor antagonism".',
    )

    objects = CompoundPartManager()
    natural_field = "description"

    class Meta:
        ordering = ["compound", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["compound", "description"],
                name="mechanism_unique_per_compound",
                violation_error_message="This compound already lists this mechanism.",
            )
        ]

    def __str__(self):
        return self.description

    def natural_key(self):
        return self.compound.natural_key() + (self.description,)

    natural_key.dependencies = ["compounds.compound"]


class SafetyNote(models.Model):
    compound = models.ForeignKey(Compound, on_delete=models.CASCADE, related_name="safety_notes")
    position = models.PositiveSmallIntegerField(
        default=1, help_text="Order on the page: 1 comes first."
    )
    category = models.CharField(
        max_length=30,
        choices=SafetyCategory.choices,
        help_text="What kind of consideration this is; readers see notes grouped by it.",
    )
    description = models.CharField(
        max_length=300,
        help_text='One known safety consideration: "Bladder toxicity with chronic use".',
    )

    objects = CompoundPartManager()
    natural_field = "description"

    class Meta:
        ordering = ["compound", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["compound", "description"],
                name="safety_note_unique_per_compound",
                violation_error_message="This compound already has this safety note.",
            )
        ]

    def __str__(self):
        return self.description

    def natural_key(self):
        return self.compound.natural_key() + (self.description,)

    natural_key.dependencies = ["compounds.compound"]


class Condition(LiveAddress, Publishable, Timestamped):
    name = models.CharField(
        max_length=200,
        unique=True,
        help_text='The condition as a heading names it: "Stage IV Cancer".',
    )
    slug = models.SlugField(
        max_length=200,
        unique=True,
        help_text="The condition's part of its pages' web addresses. Filled in from the name.",
    )
    specialist = models.CharField(
        max_length=200,
        help_text='Who treats it, as it reads inside a sentence, in lower case: "hematologist '
        'or oncologist". Pages capitalise it where a sentence starts.',
    )
    urgent_help = models.TextField(
        "urgent-help notice",
        blank=True,
        help_text="Where a reader in crisis gets help now, shown first on the condition's page "
        "and on every page of its reviews: for suicidal ideation, a crisis line. Leave empty "
        "for conditions that need none.",
    )
    standard_treatment = models.TextField(
        "standard-treatment context",
        help_text="What its usual treatment involves, for the interactions page: "
        '"typically involves multiple agents (medications, biologics, or other '
        'interventions) that vary by disease stage and subtype".',
    )

    objects = PublishableSlugManager()

    published_model = PublishedCondition

    class Meta:
        ordering = ["name"]
        permissions = [("review_condition", "Can approve, request changes to and withdraw")]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)


class MedicalAdvisor(Timestamped):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="medical_advisor",
        help_text="The advisor's sign-in account. A byline may exist before its account does.",
    )
    display_name = models.CharField(
        max_length=200, help_text='The name as printed in the byline: "Nikhil Joshi".'
    )
    slug = models.SlugField(
        max_length=200, unique=True, help_text="A short unique key. Filled in from the name."
    )
    credentials = models.CharField(
        max_length=200,
        help_text='Degrees and titles after the name, separated by commas: "MD, FRCPC".',
    )

    objects = SlugManager()

    class Meta:
        ordering = ["display_name"]

    def __str__(self):
        return self.byline

    def natural_key(self):
        return (self.slug,)

    @property
    def byline(self):
        return f"{self.display_name}, {self.credentials}"


class EvidenceSummaryManager(PublishableManager):
    def get_by_natural_key(self, compound_slug, condition_slug):
        return self.get(compound__slug=compound_slug, condition__slug=condition_slug)


class EvidenceSummary(Publishable, Timestamped):
    """What is known of one compound for one condition: the source of its four pages."""

    compound = models.ForeignKey(
        Compound, on_delete=models.PROTECT, related_name="evidence_summaries"
    )
    condition = models.ForeignKey(
        Condition, on_delete=models.PROTECT, related_name="evidence_summaries"
    )
    evidence_level = models.CharField(
        max_length=20,
        choices=EvidenceLevel.choices,
        help_text="The level of the best published evidence for this condition, on the "
        "hierarchy of the evidence-level page.",
    )
    verdict = models.CharField(
        max_length=20,
        choices=Verdict.choices,
        help_text='What that evidence says. Choose "insufficient evidence" when there is '
        'too little to tell; keep "no benefit" and "harm" for studies that found them.',
    )
    evidence_basis = models.CharField(
        max_length=20,
        choices=EvidenceBasis.choices,
        help_text="Direct only when the compound was studied in people or models of this "
        "condition; otherwise the evidence is extrapolated from other indications.",
    )
    preclinical_evidence = models.TextField(
        blank=True,
        help_text="What animal and cell studies show for this condition. Leave empty when "
        "there are none.",
    )
    human_evidence = models.TextField(
        help_text="What studies in people show for this condition, or, where there are "
        "none, which other uses the human data come from.",
    )
    regulatory_status = models.TextField(
        "regulatory status for this condition",
        help_text='Whether it is approved for this condition: "Not approved for leukemia; '
        'FDA-approved as an anesthetic".',
    )
    has_condition_safety_data = models.BooleanField(
        "condition-specific safety data exist",
        default=False,
        help_text="Tick only when published studies report safety in patients with this "
        "condition; the safety page says so.",
    )
    key_takeaways = models.TextField(
        blank=True,
        help_text="Two to four key takeaways for patients, in plain language, one per line. "
        "They head the pair's pages; each must be supported by the evidence above.",
    )
    mechanism_relevance_documented = models.BooleanField(
        "mechanism's relevance documented",
        default=False,
        help_text="Tick only when published work links the compound's mechanism to this "
        "condition's biology.",
    )

    objects = EvidenceSummaryManager()

    published_model = PublishedSummary
    snapshot_children = ("references", "safety_findings")
    # A pair's pages go live only when its compound and condition are live too.
    live_related = ("compound", "condition")
    # Its pages list each approval's changes (compounds/review/change_log.py).
    keeps_change_log = True

    class Meta:
        verbose_name_plural = "evidence summaries"
        permissions = [("review_evidencesummary", "Can approve, request changes to and withdraw")]
        ordering = ["compound__name", "condition__name"]
        # The admin lists summaries newest edit first (-updated_at, -id), whole or after
        # one filter of its sidebar: each index below serves one of those, the filter's
        # column first. The compound and condition filters and the search use the
        # foreign-key indexes; the review-due filter the index of Version by kind and date.
        indexes = [
            models.Index(fields=["-updated_at", "-id"], name="summary_updated_idx"),
            models.Index(
                fields=["review_state", "-updated_at", "-id"], name="summary_state_updated_idx"
            ),
            models.Index(
                fields=["evidence_level", "-updated_at", "-id"], name="summary_level_updated_idx"
            ),
            models.Index(
                fields=["verdict", "-updated_at", "-id"], name="summary_verdict_updated_idx"
            ),
            models.Index(
                fields=["evidence_basis", "-updated_at", "-id"], name="summary_basis_updated_idx"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["compound", "condition"],
                name="evidence_summary_unique_pair",
                violation_error_message="This compound already has an evidence summary for "
                "this condition; edit that one instead.",
            ),
            models.CheckConstraint(
                condition=~Q(
                    evidence_level=EvidenceLevel.NONE, evidence_basis=EvidenceBasis.DIRECT
                ),
                name="evidence_summary_no_evidence_is_not_direct",
                violation_error_message='"No published evidence" cannot be direct evidence: '
                "choose extrapolated, or the level of the studies in this condition.",
            ),
            models.CheckConstraint(
                condition=~Q(
                    verdict__in=[Verdict.EFFECTIVE, Verdict.LIKELY_EFFECTIVE],
                    evidence_level__in=[EvidenceLevel.PRECLINICAL, EvidenceLevel.NONE],
                ),
                name="evidence_summary_positive_verdict_needs_human_evidence",
                violation_error_message="An effective or likely effective verdict needs "
                "evidence from studies in people (Level 1 to 5).",
            ),
        ]

    def __str__(self):
        return f"{self.compound} for {self.condition}"

    def natural_key(self):
        return self.compound.natural_key() + self.condition.natural_key()

    natural_key.dependencies = ["compounds.compound", "compounds.condition"]

    def clean(self):
        super().clean()
        lines = self.takeaway_list
        if lines and not 2 <= len(lines) <= 4:
            raise ValidationError(
                {
                    "key_takeaways": f"Give two to four takeaways, one per line; this has "
                    f"{len(lines)}."
                }
            )

    @property
    def takeaway_list(self):
        return [line.strip() for line in self.key_takeaways.splitlines() if line.strip()]

    @property
    def has_safety_research(self):
        """Whether studies report safety in people with the condition: ticked, or found."""
        return self.has_condition_safety_data or bool(self.safety_findings.all())

    @property
    def is_direct(self):
        return self.evidence_basis == EvidenceBasis.DIRECT

    @property
    def cited_designs(self):
        """The study designs of the references this summary cites."""
        return {reference.study_design for reference in self.references.all()}

    @property
    def condition_designs(self):
        """The study designs of the cited references that studied this condition: what a
        sentence about people (or models) with it rests on."""
        return {r.study_design for r in self.references.all() if r.studied_condition}

    @property
    def grade_designs(self):
        """The study designs that can stand behind the grade and the verdict: a direct
        grade's are the studies of this condition; an extrapolated grade's, any."""
        return designs_behind_grade(self.evidence_basis, self.references.all())

    @property
    def grade_is_cited(self):
        """Whether a cited study of the grade's design, or a stronger one, stands behind it
        (of this condition, when the grade is direct)."""
        return grade_is_cited(self.evidence_level, self.grade_designs)

    @property
    def cites_controlled_trial(self):
        return any(StudyDesign(design).is_controlled_trial for design in self.cited_designs)

    @property
    def cites_study(self):
        """Whether a study (in people, animals or cells) is cited, not only documents."""
        return any(design in STUDIES for design in self.cited_designs)

    @property
    def cites_human_study(self):
        return any(StudyDesign(design).is_human_study for design in self.cited_designs)

    @property
    def cites_study_of_condition(self):
        """Whether a study of people, animals or cells with this condition is cited."""
        return any(design in STUDIES for design in self.condition_designs)

    @property
    def cites_human_study_of_condition(self):
        """Whether a study of people with this condition is cited."""
        return any(StudyDesign(design).is_human_study for design in self.condition_designs)

    @property
    def cites_controlled_trial_of_condition(self):
        """Whether a controlled trial in people with this condition is cited."""
        return any(StudyDesign(design).is_controlled_trial for design in self.condition_designs)

    @property
    def grade_needs_confirming(self):
        """A grade of Level 1 to 4 that no cited study of that design or a stronger one
        supports (of this condition, when the grade is direct): approving it asks the
        advisor to confirm it in a comment."""
        return (
            EvidenceLevel(self.evidence_level) in GRADES_NEEDING_STUDIES and not self.grade_is_cited
        )

    @property
    def evidence_level_phrase(self):
        """The level as it reads inside a sentence, in lower case."""
        return EvidenceLevel(self.evidence_level).phrase


class ResearchUpdate(LiveAddress, Publishable, Timestamped):
    """A short plain-language summary of one study or body of research."""

    title = models.CharField(max_length=300, help_text="A plain-language headline.")
    slug = models.SlugField(
        max_length=300, unique=True, help_text="Its web address. Filled in from the title."
    )
    summary = models.TextField(help_text="What was studied, in whom, and what was found.")
    study_design = models.CharField(max_length=30, choices=StudyDesign.choices)
    participants = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Number of people studied. Leave empty when the source does not say.",
    )
    source = models.CharField(
        "institution or source",
        max_length=300,
        blank=True,
        help_text='Who did the research or where it was reported: "Cleveland Clinic".',
    )
    source_url = models.URLField(
        "source link", blank=True, help_text="The study or its announcement, when online."
    )
    date = models.DateField(help_text="The date of this update, shown to readers.")
    compounds = models.ManyToManyField(Compound, blank=True, related_name="research_updates")
    conditions = models.ManyToManyField(Condition, blank=True, related_name="research_updates")

    objects = PublishableSlugManager()

    published_model = PublishedResearchUpdate
    snapshot_children = ("references",)

    class Meta:
        ordering = ["-date", "title"]
        permissions = [("review_researchupdate", "Can approve, request changes to and withdraw")]

    def __str__(self):
        return self.title

    def natural_key(self):
        return (self.slug,)
