"""A reference's details from its identifier: PubMed, Crossref or ClinicalTrials.gov.

`look_up("pmid", "31578302")` asks the source that keeps that kind of identifier and
answers either the `Details` its record gives (only those; see records.py) or
a `Failure` whose message tells the editor what went wrong and that the fields are
theirs to type. Answers are kept briefly in Django's cache to spare the sources.
"""

import hashlib
import http.client
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from compounds.references import records

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 5
# Found records and "no such record" both stay true for a while; a timeout or an
# error may be gone a moment later, so those are never kept.
CACHE_SECONDS = 15 * 60
# A study record is tens of kilobytes; anything far larger is not what we asked for.
MAX_BODY_BYTES = 2 * 1024 * 1024

NOT_FOUND = "not_found"
TIMEOUT = "timeout"
UNAVAILABLE = "unavailable"
UNREADABLE = "unreadable"


@dataclass(frozen=True)
class Details:
    """What a source's record says about a reference; a field it does not give is empty."""

    source: str
    identifier: str
    authors: str = ""
    title: str = ""
    journal: str = ""
    year: int | None = None
    study_design: str = ""
    participants: int | None = None
    notes: tuple[str, ...] = ()

    def found(self):
        """The reference fields the record gives, by field name."""
        names = ["authors", "title", "journal", "year", "study_design", "participants"]
        values = {name: getattr(self, name) for name in names}
        return {name: value for name, value in values.items() if value not in ("", None)}


@dataclass(frozen=True)
class Failure:
    """A lookup that gave nothing, with a message for the editor."""

    source: str
    reason: str
    message: str


@dataclass(frozen=True)
class Source:
    name: str
    # How an editor names the record: "PMID {}".
    label: str
    # (identifier, decoded body) -> the record's fields; see records.py.
    read: Callable[[str, object], dict]
    # The HTTP status with which the source says it has no such record, if any:
    # E-utilities answer 200 and say so in the body.
    missing_status: int | None = None

    def address(self, identifier):
        raise NotImplementedError


class PubMed(Source):
    def address(self, pmid):
        query = {"db": "pubmed", "id": pmid, "retmode": "json", "tool": "insightswarm-cms"}
        if settings.REFERENCE_LOOKUP_CONTACT:
            query["email"] = settings.REFERENCE_LOOKUP_CONTACT
        return (
            "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/esummary.fcgi?"
            + urllib.parse.urlencode(query)
        )


class Crossref(Source):
    def address(self, doi):
        # DOIs may hold ";", "#", "?" or "<": all but the slash must be escaped.
        return "https://api.crossref.org/works/" + urllib.parse.quote(doi, safe="/")


class ClinicalTrials(Source):
    def address(self, nct_id):
        # Only the modules read: a whole record with its results can run to megabytes.
        modules = ["identificationModule", "statusModule", "designModule"]
        fields = ",".join(f"protocolSection.{module}" for module in modules)
        return f"https://clinicaltrials.gov/api/v2/studies/{nct_id}?" + urllib.parse.urlencode(
            {"fields": fields}
        )


SOURCES = {
    "pmid": PubMed("PubMed", "PMID {}", records.pubmed),
    "doi": Crossref("Crossref", "DOI {}", records.crossref, missing_status=404),
    "nct_id": ClinicalTrials(
        "ClinicalTrials.gov", "trial {}", records.clinical_trial, missing_status=404
    ),
}


def user_agent():
    """Who is asking, as Crossref's and NCBI's etiquette asks: the site, and a contact."""
    contact = settings.REFERENCE_LOOKUP_CONTACT
    about = f"{settings.SITE_URL}; mailto:{contact}" if contact else settings.SITE_URL
    return f"InsightSwarmCMS/1.0 (Insight Swarm CMS reference lookup; {about})"


def look_up(kind, identifier):
    """The details of the reference with this identifier ("pmid", "doi" or "nct_id",
    already cleaned by the model field), or a Failure."""
    source = SOURCES[kind]
    key = "reference-lookup:v1:" + hashlib.sha256(f"{kind}:{identifier}".encode()).hexdigest()
    try:
        kept = cache.get(key)
    except Exception as error:  # noqa: BLE001 - a failing cache only costs a request
        logger.warning("Reference lookup cache unavailable: %s", error)
        kept = None
    if kept is not None:
        return kept
    result = _ask(source, identifier)
    if isinstance(result, Details) or result.reason == NOT_FOUND:
        try:
            cache.set(key, result, CACHE_SECONDS)
        except Exception as error:  # noqa: BLE001
            logger.warning("Reference lookup cache unavailable: %s", error)
    return result


def _ask(source, identifier):
    label = source.label.format(identifier)

    def failed(reason, message):
        return Failure(source.name, reason, message)

    type_it = "type the details yourself"
    request = urllib.request.Request(
        source.address(identifier),
        headers={"User-Agent": user_agent(), "Accept": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            body = response.read(MAX_BODY_BYTES + 1)
    except urllib.error.HTTPError as error:
        error.close()
        if error.code == source.missing_status:
            return failed(NOT_FOUND, f"No {source.name} record for {label}.")
        logger.warning("%s answered HTTP %s for %s", source.name, error.code, label)
        if error.code == 429:
            return failed(
                UNAVAILABLE,
                f"{source.name} asks us to slow down; try again in a minute, or {type_it}.",
            )
        return failed(
            UNAVAILABLE,
            f"{source.name} answered with an error (HTTP {error.code}); "
            f"try again later, or {type_it}.",
        )
    except (TimeoutError, urllib.error.URLError, OSError, http.client.HTTPException) as error:
        reason = getattr(error, "reason", error)
        if isinstance(error, TimeoutError) or isinstance(reason, TimeoutError):
            return failed(
                TIMEOUT,
                f"{source.name} did not answer within {TIMEOUT_SECONDS} seconds; "
                f"try again later, or {type_it}.",
            )
        logger.warning("Could not reach %s for %s: %s", source.name, label, reason)
        return failed(UNAVAILABLE, f"Could not reach {source.name}; try again later, or {type_it}.")

    unreadable = failed(
        UNREADABLE,
        f"{source.name} sent an answer for {label} that could not be read; {type_it}.",
    )
    if len(body) > MAX_BODY_BYTES:
        return unreadable
    try:
        fields = source.read(identifier, json.loads(body))
    except records.NoRecord:
        return failed(NOT_FOUND, f"No {source.name} record for {label}.")
    except (ValueError, records.Unreadable):
        logger.warning("Unreadable answer from %s for %s", source.name, label)
        return unreadable
    notes = tuple(fields.pop("notes", ()))
    return Details(source=source.name, identifier=label, notes=notes, **fields)
