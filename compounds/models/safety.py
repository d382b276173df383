"""What patients ask about a compound's safety, as rows an advisor approves.

Per compound: the monitoring it needs, its contraindications and cautions, and
its known drug interactions; per pair: what studies in people with the
condition found about its safety. Each row names its source, so that every
sentence a safety or interactions page states can be traced to it. Modelled on
what prescribing information, MSK About Herbs and drug interaction checkers
give patients.
"""

from django.db import models

from compounds.evidence import CautionKind, FindingKind, Severity


class CompoundPartManager(models.Manager):
    """Finds a compound's row by the compound's slug and the row's own text."""

    def get_by_natural_key(self, compound_slug, text):
        return self.get(compound__slug=compound_slug, **{self.model.natural_field: text})


class CompoundPart(models.Model):
    """A row of a compound's page, edited inline and approved with the compound.

    Each subclass has its own `compound` foreign key, for its related name.
    """

    position = models.PositiveSmallIntegerField(
        default=1, help_text="Order on the page: 1 comes first."
    )

    # The field that tells the compound's rows apart, for fixtures and messages.
    natural_field = "description"

    objects = CompoundPartManager()

    class Meta:
        abstract = True
        ordering = ["compound", "position", "id"]

    def __str__(self):
        return getattr(self, self.natural_field)

    def natural_key(self):
        return self.compound.natural_key() + (getattr(self, self.natural_field),)

    natural_key.dependencies = ["compounds.compound"]


class Sourced(models.Model):
    """Where a row's statement comes from: readers see the source, linked when online."""

    source = models.CharField(
        max_length=300,
        help_text='Where this is stated: "SPRAVATO US prescribing information, section 5.1", '
        'or a study as "Smith 2021, PMID 12345678".',
    )
    source_url = models.URLField(
        "source link",
        max_length=500,
        blank=True,
        help_text="The document or study online, when it is.",
    )

    class Meta:
        abstract = True


def unique_per_compound(model_name, field, message):
    return [
        models.UniqueConstraint(
            fields=["compound", field],
            name=f"{model_name}_unique_per_compound",
            violation_error_message=message,
        )
    ]


class Monitoring(CompoundPart, Sourced):
    compound = models.ForeignKey(
        "compounds.Compound", on_delete=models.CASCADE, related_name="monitoring"
    )
    what = models.CharField(
        max_length=200, help_text='What is checked or watched for: "Blood pressure".'
    )
    when = models.CharField(
        max_length=300, help_text='When it is checked: "Before each dose and after it".'
    )
    how_long = models.CharField(
        "for how long",
        max_length=300,
        blank=True,
        help_text='How long it goes on, where the source says: "At least 2 hours after each '
        'dose, until the patient is stable".',
    )

    natural_field = "what"

    class Meta(CompoundPart.Meta):
        verbose_name = "monitoring"
        verbose_name_plural = "monitoring"
        constraints = unique_per_compound(
            "monitoring", "what", "This compound already lists this monitoring."
        )


class Caution(CompoundPart, Sourced):
    compound = models.ForeignKey(
        "compounds.Compound", on_delete=models.CASCADE, related_name="cautions"
    )
    kind = models.CharField(
        max_length=20,
        choices=CautionKind.choices,
        help_text="A contraindication only where the source says it must not be used.",
    )
    description = models.CharField(
        max_length=300,
        help_text="One contraindication or caution in a full sentence, as its source states "
        "it: “People with an aneurysm must not use it.”",
    )

    class Meta(CompoundPart.Meta):
        verbose_name = "contraindication or caution"
        verbose_name_plural = "contraindications and cautions"
        constraints = unique_per_compound(
            "caution", "description", "This compound already lists this."
        )


class Interaction(CompoundPart, Sourced):
    compound = models.ForeignKey(
        "compounds.Compound", on_delete=models.CASCADE, related_name="interactions"
    )
    drug = models.CharField(
        "drug or drug class",
        max_length=200,
        help_text='As patients know it, class or name: "Benzodiazepines", "MAO inhibitors".',
    )
    severity = models.CharField(
        max_length=20,
        choices=Severity.choices,
        help_text="How much harm the combination can cause, graded by the advisors; what the "
        "source advises goes in what to do.",
    )
    effect = models.CharField(
        "what happens",
        max_length=500,
        help_text='In plain words: "More sleepiness and slowed breathing".',
    )
    management = models.CharField(
        "what to do",
        max_length=500,
        help_text='As the source advises: "Watch closely for sedation".',
    )

    natural_field = "drug"

    class Meta(CompoundPart.Meta):
        constraints = unique_per_compound(
            "interaction", "drug", "This compound already lists an interaction with this drug."
        )

    @property
    def severity_grade(self):
        """The grade as a Severity, whose word and definition the page shows apart."""
        return Severity(self.severity)


class SafetyFindingManager(models.Manager):
    def get_by_natural_key(self, compound_slug, condition_slug, description):
        return self.get(
            summary__compound__slug=compound_slug,
            summary__condition__slug=condition_slug,
            description=description,
        )


class SafetyFinding(Sourced):
    """What studies in people with the condition found about the compound's safety."""

    summary = models.ForeignKey(
        "compounds.EvidenceSummary", on_delete=models.CASCADE, related_name="safety_findings"
    )
    position = models.PositiveSmallIntegerField(
        default=1, help_text="Order on the page: 1 comes first."
    )
    kind = models.CharField(max_length=20, choices=FindingKind.choices)
    description = models.CharField(
        max_length=500,
        help_text="One finding or caution in a full sentence, as the source supports it.",
    )

    objects = SafetyFindingManager()

    class Meta:
        ordering = ["summary", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["summary", "description"],
                name="safety_finding_unique_per_summary",
                violation_error_message="This summary already lists this finding.",
            )
        ]

    def __str__(self):
        return self.description

    def natural_key(self):
        return self.summary.natural_key() + (self.description,)

    natural_key.dependencies = ["compounds.evidencesummary"]
