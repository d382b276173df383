"""Fields for the identifiers a reference is cited by: PMID, DOI and NCT id.

Editors paste identifiers in whatever form they copied them ("PMID: 123",
"https://doi.org/10.1000/xyz", "nct01234567"); each field stores the bare
identifier, so links can be built from it, and refuses anything else with a
message that says what a good one looks like.
"""

import re

from django.core.validators import RegexValidator
from django.db import models


class _IdentifierField(models.CharField):
    """A CharField that strips known prefixes before validating."""

    prefixes: tuple[str, ...] = ()

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return value
        value = value.strip()
        for prefix in self.prefixes:
            if value.lower().startswith(prefix):
                value = value[len(prefix) :].strip()
                break
        return self.normalize(value.strip().rstrip("/"))

    def normalize(self, value):
        return value

    def formfield(self, **kwargs):
        # The form must accept a pasted URL longer than the bare identifier;
        # the model field checks the length after the prefix is gone.
        return super().formfield(**{"max_length": 300, **kwargs})


class PubMedIdField(_IdentifierField):
    prefixes = (
        "https://pubmed.ncbi.nlm.nih.gov/",
        "http://pubmed.ncbi.nlm.nih.gov/",
        "pubmed.ncbi.nlm.nih.gov/",
        "pmid:",
        "pmid",
    )
    default_validators = [
        RegexValidator(
            r"^[1-9]\d{0,8}$",
            "A PubMed ID is a number of up to nine digits, such as 31578302.",
        )
    ]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 9)
        super().__init__(*args, **kwargs)


class DoiField(_IdentifierField):
    prefixes = (
        "https://doi.org/",
        "http://doi.org/",
        "https://dx.doi.org/",
        "http://dx.doi.org/",
        "doi.org/",
        "doi:",
    )
    default_validators = [
        RegexValidator(
            r"^10\.\d{4,9}/\S+$",
            'A DOI starts with "10.", a number, a slash and the item\'s suffix, '
            "such as 10.1176/appi.ajp.2018.18020138.",
        )
    ]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 255)
        super().__init__(*args, **kwargs)


class ClinicalTrialIdField(_IdentifierField):
    prefixes = (
        "https://clinicaltrials.gov/study/",
        "https://clinicaltrials.gov/ct2/show/",
        "https://www.clinicaltrials.gov/study/",
        "clinicaltrials.gov/study/",
    )
    default_validators = [
        RegexValidator(
            r"^NCT\d{8}$",
            'A ClinicalTrials.gov id is "NCT" followed by eight digits, such as NCT01234567.',
        )
    ]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 11)
        super().__init__(*args, **kwargs)

    def normalize(self, value):
        return re.sub(r"\s+", "", value).upper()
