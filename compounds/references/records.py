"""Reading a reference's details out of each source's record.

One function per source, from the decoded JSON body to the fields of a reference.
Each returns only what the record states: a field the record leaves out, or states
in a way that fits more than one of our study designs, is left out too, so that the
editor chooses it. compounds/references/lookup.py does the fetching.
"""

import html
import re

from django.utils.html import strip_tags

from compounds.evidence import StudyDesign


class NoRecord(Exception):
    """The source answered, and has no record with this identifier."""


class Unreadable(Exception):
    """The answer is not in the source's documented format."""


def _text(value):
    """Plain text out of a title as sources send it: with HTML or JATS tags
    (<i>, <jats:italic>), entities, and line breaks."""
    if not isinstance(value, str):
        return ""
    return " ".join(strip_tags(html.unescape(value)).split())


def _year(value):
    """The year a date string starts with: "2019 Oct 3", "2019-10", "2019/10/03 00:00"."""
    match = re.match(r"\s*(\d{4})\b", value) if isinstance(value, str) else None
    return int(match[1]) if match else None


def _object(value):
    if not isinstance(value, dict):
        raise Unreadable
    return value


# PubMed E-utilities, esummary.fcgi?db=pubmed&retmode=json -----------------------------------

# MEDLINE publication types that name one of our designs and nothing else. "Review"
# is left out on purpose: PubMed tagged systematic reviews as plain "Review" for
# decades, so it does not tell a narrative review from a systematic one. So are
# "Clinical Trial" and "Controlled Clinical Trial", which do not say whether the
# trial was randomized.
PUBMED_DESIGNS = {
    "Meta-Analysis": StudyDesign.META_ANALYSIS,
    "Systematic Review": StudyDesign.META_ANALYSIS,
    "Randomized Controlled Trial": StudyDesign.RCT,
    "Observational Study": StudyDesign.OBSERVATIONAL,
    "Case Reports": StudyDesign.CASE_REPORT,
    "Practice Guideline": StudyDesign.EXPERT_OPINION,
    "Guideline": StudyDesign.EXPERT_OPINION,
    "Consensus Development Conference": StudyDesign.EXPERT_OPINION,
}


def authors_line(names):
    """Authors as references list them, shortened after three: "Smith J, Lee K, Ng A, et al."."""
    names = [name for name in names if name]
    if len(names) > 3:
        return ", ".join(names[:3]) + ", et al."
    return ", ".join(names)


def pubmed(pmid, body):
    result = _object(_object(body).get("result"))
    record = result.get(pmid)
    if record is None or (isinstance(record, dict) and "error" in record):
        # An unknown PMID is answered 200 with {"uid": ..., "error": "cannot get
        # document summary"} in its place, or with no entry at all.
        raise NoRecord
    record = _object(record)
    publication_types = record.get("pubtype")
    if not isinstance(publication_types, list):
        publication_types = []
    designs = {PUBMED_DESIGNS[kind] for kind in publication_types if kind in PUBMED_DESIGNS}
    people = record.get("authors") if isinstance(record.get("authors"), list) else []
    details = {
        "authors": authors_line(
            _text(_object(person).get("name"))
            for person in people
            if _object(person).get("authtype", "Author") == "Author"
        ),
        # MEDLINE ends every title with a full stop; the title as published has none.
        "title": _text(record.get("title")).removesuffix("."),
        # The NLM abbreviation, as PubMed cites it: "Am J Psychiatry".
        "journal": _text(record.get("source")) or _text(record.get("fulljournalname")),
        "year": _year(record.get("pubdate")) or _year(record.get("sortpubdate")),
        "study_design": designs.pop() if len(designs) == 1 else "",
        "notes": [],
    }
    if "Retracted Publication" in publication_types:
        details["notes"].append("PubMed marks this article as retracted.")
    return details


# Crossref REST API, api.crossref.org/works/<doi> --------------------------------------------


def _first_text(values):
    """Crossref gives titles as lists (with any translated ones); the first is taken."""
    return _text(values[0]) if isinstance(values, list) and values else ""


def _initialled(person):
    family = _text(person.get("family")) or _text(person.get("name"))
    initials = "".join(part[0] for part in _text(person.get("given")).split() if part)
    return f"{family} {initials}".strip()


def crossref(doi, body):
    body = _object(body)
    if body.get("status") != "ok" or body.get("message-type") != "work":
        raise Unreadable
    work = _object(body.get("message"))
    title = _first_text(work.get("title"))
    if title and (subtitle := _first_text(work.get("subtitle"))):
        title = f"{title}: {subtitle}"
    try:
        year = work["issued"]["date-parts"][0][0]
    except (KeyError, IndexError, TypeError):
        year = None
    people = work.get("author") if isinstance(work.get("author"), list) else []
    details = {
        # As PubMed writes them: family name and initials, "Example A".
        "authors": authors_line(_initialled(_object(person)) for person in people),
        "title": title,
        "journal": _first_text(work.get("container-title")),
        "year": year if isinstance(year, int) else None,
        # Crossref's type says what was published (a journal article, a book chapter),
        # never how the study was done: the design is the editor's to choose.
        "notes": [],
    }
    if work.get("type") == "posted-content" and work.get("subtype") == "preprint":
        details["notes"].append("Crossref lists this as a preprint, not yet peer reviewed.")
    return details


# ClinicalTrials.gov API v2, /api/v2/studies/<NCT id> ----------------------------------------

OBSERVATIONAL_DESIGNS = {
    "COHORT": StudyDesign.COHORT,
    "CASE_CONTROL": StudyDesign.CASE_CONTROL,
}


def _trial_design(design):
    study_type = design.get("studyType")
    info = design.get("designInfo") or {}
    if not isinstance(info, dict):
        return ""
    if study_type == "INTERVENTIONAL":
        # A single-group trial ("NA") has no control arm: none of our designs fits.
        return {
            "RANDOMIZED": StudyDesign.RCT,
            "NON_RANDOMIZED": StudyDesign.NON_RANDOMIZED,
        }.get(info.get("allocation"), "")
    if study_type == "OBSERVATIONAL":
        return OBSERVATIONAL_DESIGNS.get(info.get("observationalModel"), StudyDesign.OBSERVATIONAL)
    return ""


def _actual_date(status, name):
    date = status.get(name) or {}
    if isinstance(date, dict) and date.get("type") == "ACTUAL":
        return date.get("date")
    return None


def clinical_trial(nct_id, body):
    protocol = _object(_object(body).get("protocolSection"))
    identification = _object(protocol.get("identificationModule") or {})
    status = _object(protocol.get("statusModule") or {})
    design = _object(protocol.get("designModule") or {})
    notes = []

    # A trial record has no publication year: the year it was completed says when
    # its results came to be, else the year it started; dates still ahead are
    # estimates and give no year.
    year = None
    if completed := _actual_date(status, "completionDateStruct"):
        year = _year(completed)
        notes.append(f"The year is when the trial was completed ({completed}).")
    elif started := _actual_date(status, "startDateStruct"):
        year = _year(started)
        notes.append(f"The year is when the trial started ({started}); it has not completed.")

    participants = None
    enrollment = design.get("enrollmentInfo") or {}
    count = enrollment.get("count") if isinstance(enrollment, dict) else None
    if isinstance(count, int) and count > 0:
        if enrollment.get("type") == "ACTUAL":
            participants = count
        else:
            notes.append(
                f"ClinicalTrials.gov gives {count} participants as an estimate, "
                "not the number enrolled, so it is not filled in."
            )

    filed_as = identification.get("nctId")
    if isinstance(filed_as, str) and filed_as.upper() != nct_id:
        notes.append(f"ClinicalTrials.gov now files this study as {filed_as}.")

    return {
        "title": _text(identification.get("briefTitle"))
        or _text(identification.get("officialTitle")),
        "journal": "ClinicalTrials.gov",
        "year": year,
        "study_design": _trial_design(design),
        "participants": participants,
        "notes": notes,
    }
