"""A reference's details from its identifier: what each source's record gives, and
what the editor is told when a source fails. Answers are recorded (tests/sources.py)."""

import json
import socket
import urllib.error
import urllib.parse

import pytest

from compounds.evidence import StudyDesign
from compounds.references import lookup
from compounds.references.lookup import Details, Failure
from tests.sources import recorded

PMID = "999999901"
DOI = "10.5555/recorded-test-record"
NCT = "NCT99999901"


def _changed(name, change):
    """A recorded JSON answer with one change made to its decoded body."""
    body = json.loads(recorded(name))
    change(body)
    return json.dumps(body).encode()


def _pubmed_types(*types):
    def change(body):
        body["result"][PMID]["pubtype"] = list(types)

    return _changed("pubmed_esummary.json", change)


def _trial(change):
    return _changed("clinicaltrials_study.json", lambda body: change(body["protocolSection"]))


# PubMed ------------------------------------------------------------------------------------


def test_pubmed_record_gives_title_journal_year_and_design(sources):
    sources.answer("pubmed_esummary.json")

    details = lookup.look_up("pmid", PMID)

    assert details == Details(
        source="PubMed",
        identifier=f"PMID {PMID}",
        authors="Example A, Sample B",
        title="Recorded test record: a randomized trial of a test compound",
        journal="Rec Test J",
        year=2019,
        study_design=StudyDesign.RCT,
    )
    assert details.found() == {
        "authors": "Example A, Sample B",
        "title": "Recorded test record: a randomized trial of a test compound",
        "journal": "Rec Test J",
        "year": 2019,
        "study_design": "rct",
    }


def test_pubmed_is_asked_briefly_and_told_who_asks(sources, settings):
    settings.REFERENCE_LOOKUP_CONTACT = "editors@example.org"
    sources.answer("pubmed_esummary.json")

    lookup.look_up("pmid", PMID)

    request, timeout = sources.requests[0]
    address = urllib.parse.urlsplit(request.full_url)
    assert address.netloc == "eutils.ncbi.nlm.nih.gov"
    assert address.path == "/entrez/eutils/esummary.fcgi"
    assert urllib.parse.parse_qs(address.query) == {
        "db": ["pubmed"],
        "id": [PMID],
        "retmode": ["json"],
        "tool": ["insightswarm-cms"],
        "email": ["editors@example.org"],
    }
    assert timeout == 5
    assert "Insight Swarm CMS" in request.get_header("User-agent")
    assert "mailto:editors@example.org" in request.get_header("User-agent")


def test_unknown_pmid_is_reported_as_no_record(sources):
    sources.answer("pubmed_esummary_missing.json")

    result = lookup.look_up("pmid", "999999902")

    assert result == Failure("PubMed", lookup.NOT_FOUND, "No PubMed record for PMID 999999902.")


@pytest.mark.parametrize(
    ("types", "design"),
    [
        (["Journal Article", "Randomized Controlled Trial"], StudyDesign.RCT),
        (["Journal Article", "Meta-Analysis", "Systematic Review"], StudyDesign.META_ANALYSIS),
        (["Case Reports"], StudyDesign.CASE_REPORT),
        (["Observational Study"], StudyDesign.OBSERVATIONAL),
        (["Practice Guideline"], StudyDesign.EXPERT_OPINION),
        # Not stated, or stated in a way that fits more than one design: the editor's.
        (["Journal Article"], ""),
        (["Journal Article", "Review"], ""),
        (["Clinical Trial"], ""),
        (["Meta-Analysis", "Randomized Controlled Trial"], ""),
        ([], ""),
    ],
)
def test_pubmed_design_is_given_only_when_the_publication_types_name_one(sources, types, design):
    sources.answer(_pubmed_types(*types))

    assert lookup.look_up("pmid", PMID).study_design == design


def test_pubmed_retraction_is_pointed_out(sources):
    sources.answer(_pubmed_types("Journal Article", "Retracted Publication"))

    assert lookup.look_up("pmid", PMID).notes == ("PubMed marks this article as retracted.",)


# Crossref ----------------------------------------------------------------------------------


def test_crossref_record_gives_title_journal_and_year_but_no_design(sources):
    sources.answer("crossref_work.json")

    details = lookup.look_up("doi", DOI)

    assert details.found() == {
        "authors": "Example A",
        "title": "Recorded test record: a cohort of test participants",
        "journal": "Journal of Recorded Test Records",
        "year": 2021,
    }
    assert details.source == "Crossref"
    assert sources.last_request.full_url == f"https://api.crossref.org/works/{DOI}"


def test_crossref_address_escapes_what_a_doi_may_hold(sources):
    sources.answer("crossref_work.json")

    lookup.look_up("doi", "10.5555/a;b#c?d")

    assert sources.last_request.full_url == "https://api.crossref.org/works/10.5555/a%3Bb%23c%3Fd"


def test_unknown_doi_is_reported_as_no_record(sources):
    sources.answer("crossref_missing.txt", status=404, content_type="text/plain")

    result = lookup.look_up("doi", "10.5555/missing")

    assert result == Failure(
        "Crossref", lookup.NOT_FOUND, "No Crossref record for DOI 10.5555/missing."
    )


def test_crossref_preprint_is_pointed_out(sources):
    def preprint(body):
        body["message"].update(type="posted-content", subtype="preprint")

    sources.answer(_changed("crossref_work.json", preprint))

    assert lookup.look_up("doi", DOI).notes == (
        "Crossref lists this as a preprint, not yet peer reviewed.",
    )


# ClinicalTrials.gov ------------------------------------------------------------------------


def test_trial_record_gives_title_registry_year_design_and_participants(sources):
    sources.answer("clinicaltrials_study.json")

    details = lookup.look_up("nct_id", NCT)

    assert details.found() == {
        "title": "Recorded Test Record: A Randomized Trial of a Test Compound",
        "journal": "ClinicalTrials.gov",
        "year": 2019,
        "study_design": "rct",
        "participants": 84,
    }
    assert details.notes == ("The year is when the trial was completed (2019-05).",)
    address = urllib.parse.urlsplit(sources.last_request.full_url)
    assert (address.netloc, address.path) == ("clinicaltrials.gov", f"/api/v2/studies/{NCT}")
    # Only the modules read: a record with its results can run to megabytes.
    assert urllib.parse.parse_qs(address.query) == {
        "fields": [
            "protocolSection.identificationModule,protocolSection.statusModule,"
            "protocolSection.designModule"
        ]
    }


def test_trial_still_running_gives_its_start_year_and_no_estimated_count(sources):
    def running(protocol):
        protocol["statusModule"]["completionDateStruct"] = {"date": "2031-12", "type": "ESTIMATED"}
        protocol["designModule"]["enrollmentInfo"] = {"count": 300, "type": "ESTIMATED"}

    sources.answer(_trial(running))

    details = lookup.look_up("nct_id", NCT)

    assert details.year == 2016
    assert details.participants is None
    assert details.notes == (
        "The year is when the trial started (2016-02-01); it has not completed.",
        "ClinicalTrials.gov gives 300 participants as an estimate, not the number "
        "enrolled, so it is not filled in.",
    )


@pytest.mark.parametrize(
    ("study_type", "design_info", "design"),
    [
        ("INTERVENTIONAL", {"allocation": "RANDOMIZED"}, StudyDesign.RCT),
        ("INTERVENTIONAL", {"allocation": "NON_RANDOMIZED"}, StudyDesign.NON_RANDOMIZED),
        ("INTERVENTIONAL", {"allocation": "NA", "interventionModel": "SINGLE_GROUP"}, ""),
        ("OBSERVATIONAL", {"observationalModel": "COHORT"}, StudyDesign.COHORT),
        ("OBSERVATIONAL", {"observationalModel": "CASE_CONTROL"}, StudyDesign.CASE_CONTROL),
        ("OBSERVATIONAL", {"observationalModel": "CASE_ONLY"}, StudyDesign.OBSERVATIONAL),
        ("EXPANDED_ACCESS", {}, ""),
    ],
)
def test_trial_design_follows_its_registered_design(sources, study_type, design_info, design):
    def designed(protocol):
        protocol["designModule"].update(studyType=study_type, designInfo=design_info)

    sources.answer(_trial(designed))

    assert lookup.look_up("nct_id", NCT).study_design == design


def test_unknown_trial_is_reported_as_no_record(sources):
    sources.answer("clinicaltrials_missing.txt", status=404, content_type="text/plain")

    result = lookup.look_up("nct_id", "NCT99999902")

    assert result == Failure(
        "ClinicalTrials.gov",
        lookup.NOT_FOUND,
        "No ClinicalTrials.gov record for trial NCT99999902.",
    )


# When a source fails -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "error",
    [TimeoutError("timed out"), urllib.error.URLError(TimeoutError("timed out"))],
    ids=["reading", "connecting"],
)
def test_a_source_that_does_not_answer_in_time_says_so(sources, error):
    sources.fail(error)

    result = lookup.look_up("pmid", PMID)

    assert result == Failure(
        "PubMed",
        lookup.TIMEOUT,
        "PubMed did not answer within 5 seconds; try again later, or type the details yourself.",
    )


@pytest.mark.parametrize(
    "error",
    [
        urllib.error.URLError(socket.gaierror(-3, "Temporary failure in name resolution")),
        ConnectionResetError(104, "Connection reset by peer"),
    ],
)
def test_a_source_out_of_reach_says_so(sources, error):
    sources.fail(error)

    result = lookup.look_up("doi", DOI)

    assert result == Failure(
        "Crossref",
        lookup.UNAVAILABLE,
        "Could not reach Crossref; try again later, or type the details yourself.",
    )


def test_a_source_error_gives_its_status(sources):
    sources.answer(b"<html>Service Unavailable</html>", status=503, content_type="text/html")

    result = lookup.look_up("nct_id", NCT)

    assert result.reason == lookup.UNAVAILABLE
    assert result.message == (
        "ClinicalTrials.gov answered with an error (HTTP 503); "
        "try again later, or type the details yourself."
    )


def test_a_source_that_asks_to_slow_down_is_heard(sources):
    sources.answer(b'{"error":"API rate limit exceeded"}', status=429)

    result = lookup.look_up("pmid", PMID)

    assert result.message == (
        "PubMed asks us to slow down; try again in a minute, or type the details yourself."
    )


@pytest.mark.parametrize(
    ("kind", "identifier", "body"),
    [
        ("pmid", PMID, recorded("pubmed_esummary.json")[:200]),
        ("pmid", PMID, b"<html><body>502 Bad Gateway</body></html>"),
        ("pmid", PMID, b'{"esummaryresult": ["Something went wrong"]}'),
        ("doi", DOI, b'{"status": "failed", "message-type": "validation-failure"}'),
        ("nct_id", NCT, b'["not", "a", "study"]'),
        ("nct_id", NCT, b"\xff\xfe\x00garbage"),
    ],
    ids=["truncated", "html", "pubmed-shape", "crossref-shape", "trial-shape", "bytes"],
)
def test_a_malformed_answer_says_it_could_not_be_read(sources, kind, identifier, body):
    sources.answer(body)

    result = lookup.look_up(kind, identifier)

    assert result.reason == lookup.UNREADABLE
    assert result.message.endswith("that could not be read; type the details yourself.")


# Sparing the sources -----------------------------------------------------------------------


def test_a_record_found_is_kept_for_a_while(sources):
    sources.answer("pubmed_esummary.json")

    first = lookup.look_up("pmid", PMID)
    again = lookup.look_up("pmid", PMID)

    assert again == first
    assert len(sources.requests) == 1


def test_a_failed_lookup_is_tried_again(sources):
    sources.fail(TimeoutError("timed out"))
    sources.answer("pubmed_esummary.json")

    assert lookup.look_up("pmid", PMID).reason == lookup.TIMEOUT
    assert lookup.look_up("pmid", PMID).title.startswith("Recorded test record")
    assert len(sources.requests) == 2


def test_authors_are_shortened_after_three():
    from compounds.references.records import authors_line

    assert authors_line(["A B", "C D", "E F", "G H"]) == "A B, C D, E F, et al."
    assert authors_line(["A B", "", "C D"]) == "A B, C D"
