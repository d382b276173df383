"""Fields for the identifiers a reference is cited by: PMID, DOI and NCT id.

Editors paste identifiers in whatever form they copied them ("PMID: 123",
"https://doi.org/10.1000/xyz", "nct01234567", a PubMed address with a query
string); each field stores the bare identifier, so links can be built from it,
and refuses anything else with a message that says what a good one looks like.

Digits are ASCII digits only: "1٢٣" would be a second spelling of PMID 123, seen as
another reference by the duplicate check and linked to nothing.
"""

import re

from django.core.validators import RegexValidator
from django.db import models


class _IdentifierField(models.CharField):
    """A CharField that keeps only the identifier out of a pasted label or address."""

    # Matches a pasted value in full; group "id" is the identifier inside it.
    pasted_forms: re.Pattern

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return value
        value = value.strip()
        match = self.pasted_forms.fullmatch(value)
        return self.normalize(match["id"] if match else value)

    def normalize(self, value):
        return value

    def formfield(self, **kwargs):
        # The form must accept a pasted address longer than the bare identifier;
        # the model field checks the length once the address is gone.
        return super().formfield(**{"max_length": 500, **kwargs})


# What may follow an identifier in a copied address: a slash, a query, an anchor.
_ADDRESS_TAIL = r"/?(?:[?#].*)?"


class PubMedIdField(_IdentifierField):
    # Where readers find the source: the address of an identifier.
    address = "https://pubmed.ncbi.nlm.nih.gov/{}/"
    pasted_forms = re.compile(
        r"(?:pmid\s*:?\s*|(?:https?://)?(?:www\.)?"
        r"(?:pubmed\.ncbi\.nlm\.nih\.gov|ncbi\.nlm\.nih\.gov/pubmed)/)"
        r"(?P<id>[0-9]+)" + _ADDRESS_TAIL,
        re.IGNORECASE,
    )
    default_validators = [
        RegexValidator(
            r"^[1-9][0-9]{0,8}\Z",
            "A PubMed ID is a number of up to nine digits, such as 31578302.",
        )
    ]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 9)
        super().__init__(*args, **kwargs)


class DoiField(_IdentifierField):
    address = "https://doi.org/{}"
    pasted_forms = re.compile(
        r"(?:doi\s*:\s*|(?:https?://)?(?:dx\.)?doi\.org/)(?P<id>10\..+)", re.IGNORECASE
    )
    default_validators = [
        RegexValidator(
            # The suffix may be any printable text; no space and no control character.
            r"^10\.[0-9]{4,9}/[^\s\x00-\x1f\x7f-\x9f]+\Z",
            'A DOI starts with "10.", a number, a slash and the item\'s suffix, '
            "such as 10.1176/appi.ajp.2018.18020138.",
        )
    ]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 255)
        super().__init__(*args, **kwargs)

    def normalize(self, value):
        # DOIs are case-insensitive: one spelling, so a repeat is seen as one.
        return value.lower()


class ClinicalTrialIdField(_IdentifierField):
    address = "https://clinicaltrials.gov/study/{}"
    pasted_forms = re.compile(
        r"(?:https?://)?(?:www\.)?clinicaltrials\.gov/(?:study|ct2/show)/"
        r"(?P<id>nct[0-9]{8})" + _ADDRESS_TAIL,
        re.IGNORECASE,
    )
    default_validators = [
        RegexValidator(
            r"^NCT[0-9]{8}\Z",
            'A ClinicalTrials.gov id is "NCT" followed by eight digits, such as NCT01234567.',
        )
    ]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 11)
        super().__init__(*args, **kwargs)

    def normalize(self, value):
        return re.sub(r"\s+", "", value).upper()
