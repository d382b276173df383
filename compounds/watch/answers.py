"""Reading what the watch's searches found out of each source's decoded answer.

One function per kind of answer, from the decoded JSON body to plain records. Each
raises Unreadable when the body is not in the source's documented shape as a whole
(no result list, an error message in its place); a single record in a good answer
that lacks what the inbox needs (an identifier, a title) is skipped and counted, so
one bad record does not hide the others. compounds/watch/new_evidence.py and
labels.py do the asking.
"""

import datetime
import re
from dataclasses import dataclass, field

from compounds.references.records import _text


class Unreadable(Exception):
    """The answer is not in the source's documented shape."""


@dataclass
class Found:
    """Records out of one answer, with how many records were unusable."""

    records: list = field(default_factory=list)
    skipped: int = 0


def _object(value):
    if not isinstance(value, dict):
        raise Unreadable
    return value


def _list(value):
    if not isinstance(value, list):
        raise Unreadable
    return value


MONTHS = {
    name: number
    for number, name in enumerate(
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
        start=1,
    )
}


def _date(value):
    """A date out of the forms the sources write: "2026-11-02", "2026-11" (the first of
    the month), "2026/11/02 00:00", "2026 Nov 2", "Nov 02, 2026"; None for anything else."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    patterns = [
        (r"(\d{4})[-/](\d{1,2})(?:[-/](\d{1,2}))?", lambda m: (m[1], m[2], m[3] or 1)),
        (r"(\d{4}) ([A-Z][a-z]{2})(?: (\d{1,2}))?", lambda m: (m[1], MONTHS.get(m[2]), m[3] or 1)),
        (r"([A-Z][a-z]{2}) (\d{1,2}), (\d{4})", lambda m: (m[3], MONTHS.get(m[1]), m[2])),
    ]
    for pattern, parts in patterns:
        match = re.match(pattern, value)
        if match:
            year, month, day = parts(match)
            try:
                return datetime.date(int(year), int(month), int(day))
            except (TypeError, ValueError):
                return None
    return None


# PubMed E-utilities ---------------------------------------------------------------------


@dataclass(frozen=True)
class Article:
    pmid: str
    title: str
    design: str
    date: datetime.date | None


def esearch(body):
    """(total count, PMIDs of this page) of an esearch.fcgi?retmode=json answer."""
    result = _object(_object(body).get("esearchresult"))
    if "ERROR" in result:
        # E-utilities answer a query they cannot run with 200 and {"ERROR": "..."}.
        raise Unreadable(result["ERROR"])
    ids = _list(result.get("idlist"))
    try:
        count = int(result.get("count"))
    except (TypeError, ValueError):
        raise Unreadable from None
    return count, [pmid for pmid in ids if isinstance(pmid, str) and pmid.isdigit()]


# What the inbox shows as a PubMed record's design: its publication types, less the
# ones every record has. The advisor reads them; the lookup fills our own design field.
_PLAIN_TYPES = {"Journal Article", "English Abstract"}


def esummary(body, pmids):
    """The articles of an esummary.fcgi?retmode=json answer, in the order of pmids."""
    result = _object(_object(body).get("result"))
    found = Found()
    for pmid in pmids:
        record = result.get(pmid)
        if not isinstance(record, dict) or "error" in record:
            found.skipped += 1
            continue
        title = _text(record.get("title")).removesuffix(".")
        if not title:
            found.skipped += 1
            continue
        types = record.get("pubtype") if isinstance(record.get("pubtype"), list) else []
        design = ", ".join(t for t in types if isinstance(t, str) and t not in _PLAIN_TYPES)
        found.records.append(
            Article(
                pmid=pmid,
                title=title,
                design=design,
                date=_date(record.get("sortpubdate")) or _date(record.get("pubdate")),
            )
        )
    return found


# ClinicalTrials.gov API v2, /studies ------------------------------------------------------


@dataclass(frozen=True)
class Trial:
    nct_id: str
    title: str
    design: str
    status: str
    first_posted: datetime.date | None
    last_updated: datetime.date | None
    results_posted: datetime.date | None


_NCT = re.compile(r"NCT\d{8}")


def _date_struct(status, name):
    struct = status.get(name)
    return _date(struct.get("date")) if isinstance(struct, dict) else None


def _trial_design(design):
    """ "Interventional, randomized, phase 2 / phase 3" as the record states it."""
    parts = []
    study_type = design.get("studyType")
    if isinstance(study_type, str):
        parts.append(study_type.replace("_", " ").capitalize())
    info = design.get("designInfo") if isinstance(design.get("designInfo"), dict) else {}
    allocation = info.get("allocation")
    if isinstance(allocation, str) and allocation != "NA":
        parts.append(allocation.replace("_", "-").lower())
    phases = design.get("phases") if isinstance(design.get("phases"), list) else []
    named = [p.replace("PHASE", "phase ").replace("EARLY_", "early ") for p in phases if p != "NA"]
    if named:
        parts.append(" / ".join(named))
    return ", ".join(parts)


def studies(body):
    """(trials of this page, the next page's token or None) of a /api/v2/studies answer."""
    body = _object(body)
    token = body.get("nextPageToken")
    found = Found()
    for study in _list(body.get("studies")):
        try:
            protocol = _object(_object(study).get("protocolSection"))
            identification = _object(protocol.get("identificationModule") or {})
            status = _object(protocol.get("statusModule") or {})
            design = _object(protocol.get("designModule") or {})
        except Unreadable:
            found.skipped += 1
            continue
        nct_id = identification.get("nctId")
        title = _text(identification.get("briefTitle")) or _text(
            identification.get("officialTitle")
        )
        if not (isinstance(nct_id, str) and _NCT.fullmatch(nct_id) and title):
            found.skipped += 1
            continue
        overall = status.get("overallStatus")
        found.records.append(
            Trial(
                nct_id=nct_id,
                title=title,
                design=_trial_design(design),
                status=overall if isinstance(overall, str) else "",
                first_posted=_date_struct(status, "studyFirstPostDateStruct"),
                last_updated=_date_struct(status, "lastUpdatePostDateStruct"),
                results_posted=_date_struct(status, "resultsFirstPostDateStruct")
                if study.get("hasResults") is True
                else None,
            )
        )
    return found, token if isinstance(token, str) and token else None


# DailyMed, /services/v2/spls/{setid}/history.json -----------------------------------------


@dataclass(frozen=True)
class LabelVersion:
    version: int
    published: datetime.date | None


def label_history(body):
    """(the label's title, its versions, newest first) of a history.json answer."""
    data = _object(_object(body).get("data"))
    spl = data.get("spl") if isinstance(data.get("spl"), dict) else {}
    found = Found()
    for entry in _list(data.get("history")):
        version = entry.get("spl_version") if isinstance(entry, dict) else None
        if isinstance(version, str) and version.isdigit():
            version = int(version)
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            found.skipped += 1
            continue
        found.records.append(LabelVersion(version, _date(entry.get("published_date"))))
    found.records.sort(key=lambda v: v.version, reverse=True)
    return _text(spl.get("title")), found
