"""A reference is findable: at least one valid identifier, stored bare, linked correctly."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from compounds.evidence import StudyDesign
from compounds.models import Reference
from tests.factories import make_reference, make_summary

pytestmark = pytest.mark.django_db


def _reference(**fields):
    values = {
        "summary": make_summary(),
        "title": "A trial",
        "year": 2021,
        "study_design": StudyDesign.RCT,
    }
    values.update(fields)
    return Reference(**values)


def _errors(reference):
    with pytest.raises(ValidationError) as caught:
        reference.full_clean()
    return caught.value.message_dict


@pytest.mark.parametrize(
    "pasted",
    [
        "31578302",
        " PMID: 31578302 ",
        "pmid31578302",
        "https://pubmed.ncbi.nlm.nih.gov/31578302/",
        "pubmed.ncbi.nlm.nih.gov/31578302",
        "https://www.ncbi.nlm.nih.gov/pubmed/31578302",
        "https://pubmed.ncbi.nlm.nih.gov/31578302/?otool=example",
    ],
)
def test_pmid_is_stored_bare_whatever_form_it_was_pasted_in(pasted):
    reference = _reference(pmid=pasted)
    reference.full_clean()
    assert reference.pmid == "31578302"


@pytest.mark.parametrize(
    "pasted",
    [
        "10.1176/appi.ajp.2018.18020138",
        "doi:10.1176/appi.ajp.2018.18020138",
        "https://doi.org/10.1176/appi.ajp.2018.18020138",
        "http://dx.doi.org/10.1176/appi.ajp.2018.18020138",
        "DOI: 10.1176/APPI.AJP.2018.18020138",
    ],
)
def test_doi_is_stored_bare_and_in_one_case_whatever_form_it_was_pasted_in(pasted):
    reference = _reference(doi=pasted)
    reference.full_clean()
    assert reference.doi == "10.1176/appi.ajp.2018.18020138"


@pytest.mark.parametrize(
    "pasted",
    [
        "NCT01234567",
        "nct01234567",
        "NCT 0123 4567",
        "https://clinicaltrials.gov/study/NCT01234567",
        "http://www.clinicaltrials.gov/ct2/show/NCT01234567?term=ketamine",
    ],
)
def test_nct_id_is_stored_bare_and_upper_case(pasted):
    reference = _reference(nct_id=pasted)
    reference.full_clean()
    assert reference.nct_id == "NCT01234567"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("pmid", "PMC1234567", "A PubMed ID is a number"),
        ("pmid", "0123", "A PubMed ID is a number"),
        ("pmid", "1234567890", "A PubMed ID is a number"),
        ("pmid", "https://example.org/31578302", "A PubMed ID is a number"),
        ("doi", "11.1000/xyz", 'A DOI starts with "10."'),
        ("doi", "10.1000", 'A DOI starts with "10."'),
        ("nct_id", "NCT123", 'A ClinicalTrials.gov id is "NCT" followed by eight digits'),
        ("nct_id", "ISRCTN12345678", 'A ClinicalTrials.gov id is "NCT" followed by eight digits'),
    ],
)
def test_malformed_identifier_is_refused_with_an_example_of_a_good_one(field, value, message):
    errors = _errors(_reference(**{field: value}))
    assert any(message in text for text in errors[field])


def test_reference_without_any_identifier_is_refused_by_validation():
    errors = _errors(_reference())
    assert "Give at least one of PMID, DOI or NCT id" in " ".join(errors["__all__"])


def test_reference_without_any_identifier_is_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        _reference().save()


def test_the_same_pmid_twice_on_one_summary_is_refused():
    existing = make_reference(pmid="31578302")
    errors = _errors(_reference(summary=existing.summary, pmid="31578302"))
    assert "This PMID is already cited here." in errors["__all__"]


def test_the_same_pmid_on_two_summaries_is_allowed():
    make_reference(pmid="31578302")
    _reference(pmid="31578302").full_clean()


def test_two_references_of_one_summary_may_both_lack_a_doi():
    existing = make_reference(pmid="31578302", doi="")
    _reference(summary=existing.summary, pmid="31578303", doi="").full_clean()


def test_publication_year_after_next_year_is_refused():
    next_next_year = datetime.date.today().year + 2
    errors = _errors(_reference(pmid="1", year=next_next_year))
    assert f"{next_next_year} is in the future" in " ".join(errors["year"])


def test_zero_participants_is_refused():
    errors = _errors(_reference(pmid="1", participants=0))
    assert "participants" in errors


def test_links_point_to_pubmed_doi_and_clinicaltrials_gov():
    reference = _reference(pmid="31578302", doi="10.1000/xyz", nct_id="NCT01234567")
    assert reference.links == [
        ("PubMed 31578302", "https://pubmed.ncbi.nlm.nih.gov/31578302/"),
        ("DOI 10.1000/xyz", "https://doi.org/10.1000/xyz"),
        ("ClinicalTrials.gov NCT01234567", "https://clinicaltrials.gov/study/NCT01234567"),
    ]


def test_links_name_only_the_identifiers_a_reference_has():
    assert _reference(nct_id="NCT01234567").links == [
        ("ClinicalTrials.gov NCT01234567", "https://clinicaltrials.gov/study/NCT01234567")
    ]


def test_an_official_document_is_cited_by_its_address():
    reference = _reference(url="https://www.accessdata.fda.gov/label.pdf")
    reference.full_clean()
    assert reference.links == [("Document", "https://www.accessdata.fda.gov/label.pdf")]


# Only ASCII digits: other scripts' digits make a second spelling of one id, and a dead link.


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("pmid", "1٢٣"),
        ("pmid", "١٢٣"),
        ("pmid", "PMID: ١٢٣"),
        ("pmid", "https://pubmed.ncbi.nlm.nih.gov/١٢٣/"),
        ("nct_id", "NCT١٢٣٤٥٦٧٨"),
        ("nct_id", "https://clinicaltrials.gov/study/NCT١٢٣٤٥٦٧٨"),
        ("doi", "10.١٢٣٤/abc"),
        ("doi", "10.1234/ab\x07c"),
        ("doi", "10.1234/abc\x7f"),
        ("doi", "10.1234/a\u0085b"),
    ],
)
def test_an_identifier_with_non_ascii_digits_or_control_characters_is_refused(field, value):
    assert field in _errors(_reference(**{field: value}))
