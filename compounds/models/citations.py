"""The sources a review cites: studies by PMID, DOI or NCT id, and official documents by URL.

An evidence summary cites its `references`; a research update cites the study
or document it reports through its own `references` the same way. A reference
that is an official document (a regulator's label, a guideline) has no study
identifier: its address is how readers find it.
"""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from compounds.evidence import StudyDesign
from compounds.identifiers import ClinicalTrialIdField, DoiField, PubMedIdField


def not_in_future(year):
    if year > datetime.date.today().year + 1:
        raise ValidationError(
            "%(year)s is in the future; give the year the work was published.",
            params={"year": year},
        )


class Citation(models.Model):
    pmid = PubMedIdField(
        "PMID", blank=True, help_text="PubMed ID, or the PubMed address it came from."
    )
    doi = DoiField("DOI", blank=True, help_text="Digital Object Identifier, or its doi.org link.")
    nct_id = ClinicalTrialIdField(
        "NCT id", blank=True, help_text="ClinicalTrials.gov registration, such as NCT01234567."
    )
    url = models.URLField(
        "document address",
        max_length=500,
        blank=True,
        help_text="For an official document with no PMID or DOI, such as a regulator's label: "
        "its address on the regulator's or maker's site.",
    )
    authors = models.CharField(
        max_length=300,
        blank=True,
        help_text='As the source lists them, shortened after three: "Smith J, Lee K, Ng A, et '
        'al.". Leave empty for a document without named authors.',
    )
    title = models.CharField(max_length=500, help_text="The title as published.")
    journal = models.CharField(
        max_length=300,
        blank=True,
        help_text="Journal, registry for a trial record, or the issuing body of a document.",
    )
    year = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1900), not_in_future],
        help_text="Year of publication, or of the document's revision.",
    )
    study_design = models.CharField(max_length=30, choices=StudyDesign.choices)
    participants = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Number of people studied. Leave empty for animal, cell or review work.",
    )

    # Where each identifier leads, as links name it.
    SITES = {"pmid": "PubMed", "doi": "DOI", "nct_id": "ClinicalTrials.gov"}

    # The fields that identify a source, with the message for one cited twice.
    IDENTIFIERS = {
        "pmid": "This PMID is already cited here.",
        "doi": "This DOI is already cited here.",
        "nct_id": "This trial is already cited here.",
        "url": "This document is already cited here.",
    }

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=~Q(pmid="", doi="", nct_id="", url=""),
                name="%(class)s_has_identifier",
                violation_error_message="Give at least one of PMID, DOI or NCT id, or the "
                "address of an official document, so readers can find the source.",
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.year})"

    @property
    def links(self):
        """(label, URL) for every way to find the source, PubMed first."""
        links = [
            (f"{name} {value}", type(self)._meta.get_field(field).address.format(value))
            for field, name in self.SITES.items()
            if (value := getattr(self, field))
        ]
        if self.url:
            links.append(("Document", self.url))
        return links


def _unique_per(parent, field, message):
    return models.UniqueConstraint(
        fields=[parent, field],
        condition=~Q(**{field: ""}),
        name=f"%(class)s_{field}_unique_per_{parent}",
        violation_error_message=message,
    )


class Reference(Citation):
    """A source an evidence summary rests on."""

    summary = models.ForeignKey(
        "compounds.EvidenceSummary", on_delete=models.CASCADE, related_name="references"
    )
    # What a sentence about people with the pair's condition rests on: the grade's evidence
    # basis says where the evidence comes from as a whole, this says it of one source.
    studied_condition = models.BooleanField(
        "studied this condition",
        default=False,
        help_text="Tick when the study's participants (or models) had this pair's condition. "
        "A study of another condition can support an extrapolated grade, never a sentence "
        "about people with this condition.",
    )

    class Meta:
        ordering = ["summary", "-year", "title"]
        constraints = Citation.Meta.constraints + [
            _unique_per("summary", field, message)
            for field, message in Citation.IDENTIFIERS.items()
        ]
        # The retraction watch finds every summary citing a study it has a notice on.
        indexes = [
            models.Index(fields=["doi"], name="reference_doi", condition=~Q(doi="")),
            models.Index(fields=["pmid"], name="reference_pmid", condition=~Q(pmid="")),
        ]


class ResearchReference(Citation):
    """A source a research update reports: the study, or the document, it summarises."""

    update = models.ForeignKey(
        "compounds.ResearchUpdate", on_delete=models.CASCADE, related_name="references"
    )

    class Meta:
        verbose_name = "reference"
        ordering = ["update", "-year", "title"]
        constraints = Citation.Meta.constraints + [
            _unique_per("update", field, message) for field, message in Citation.IDENTIFIERS.items()
        ]
