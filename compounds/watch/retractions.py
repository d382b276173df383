"""The retraction watch: every cited study checked for retractions, corrections and
expressions of concern, and what advisors decide about them.

Crossref's record of a DOI lists, under `updated-by`, the notices that update it: those
its publisher deposited and those of the Retraction Watch database (source
"retraction-watch"). PubMed's summary of a PMID gives its publication types ("Retracted
Publication") and its linked comments ("Retraction in", "Erratum in", "Expression of
concern in"), up to 200 PMIDs to a request. One Crossref request per DOI, one PubMed
request per 200 PMIDs.

`check` asks about the studies longest unchecked, within a budget; each study's notices,
the reviews they open for the summaries citing it, their pages' refresh and its "last
checked" are written in one transaction, so an interrupted run leaves nothing half
written and a run started again goes on where it stopped. `review_stands` is an
advisor's decision that a review stands after a notice; approving a new version of the
summary is the other (compounds/review/workflow.py).
"""

import datetime
import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from compounds.models import (
    EvidenceSummary,
    IdentifierKind,
    NoticeReview,
    PublishedCitation,
    Reference,
    StudyCheck,
    StudyNotice,
)
from compounds.review import publishing, workflow
from compounds.watch import sources

logger = logging.getLogger(__name__)

# Crossref's update types, by what the page says of them; the others (an addendum, a new
# version, a reinstatement) say nothing against the study.
CROSSREF_KINDS = {
    "retraction": StudyNotice.Kind.RETRACTION,
    "partial_retraction": StudyNotice.Kind.RETRACTION,
    "withdrawal": StudyNotice.Kind.RETRACTION,
    "removal": StudyNotice.Kind.RETRACTION,
    "expression_of_concern": StudyNotice.Kind.CONCERN,
    "correction": StudyNotice.Kind.CORRECTION,
    "corrigendum": StudyNotice.Kind.CORRECTION,
    "erratum": StudyNotice.Kind.CORRECTION,
}
# PubMed's comment-and-correction links, by what the page says of them.
PUBMED_KINDS = {
    "Retraction in": StudyNotice.Kind.RETRACTION,
    "Partial retraction in": StudyNotice.Kind.RETRACTION,
    "Expression of concern in": StudyNotice.Kind.CONCERN,
    "Erratum in": StudyNotice.Kind.CORRECTION,
}
PUBMED_BATCH = 200
# A source that failed this many times running is left alone for the rest of the run.
FAILURES_TO_GIVE_UP = 3


class Unreadable(ValueError):
    """An answer without the structure the source documents."""


@dataclass(frozen=True)
class Found:
    kind: str
    link: str
    source: str
    date: datetime.date | None = None


def doi_address(doi):
    return "https://doi.org/" + sources.quote_doi(doi)


def pubmed_address(pmid):
    return f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/"


def _date(parts_holder):
    """A Crossref date ({"date-parts": [[2024, 5, 2]]}) as a date, when whole."""
    try:
        year, month, day = parts_holder["date-parts"][0]
        return datetime.date(int(year), int(month), int(day))
    except (KeyError, IndexError, TypeError, ValueError):
        return None


def crossref_notices(doi, answer):
    """The notices Crossref's /works/<doi> answer lists on the study."""
    try:
        message = answer["message"]
        updates = message.get("updated-by") or []
    except (KeyError, TypeError, AttributeError) as error:
        raise Unreadable(f"no message in Crossref's answer for DOI {doi}") from error
    if not isinstance(updates, list):
        raise Unreadable(f"updated-by of DOI {doi} is not a list")
    found = []
    for update in updates:
        if not isinstance(update, dict):
            raise Unreadable(f"an update of DOI {doi} is not an object")
        kind = CROSSREF_KINDS.get(str(update.get("type", "")).lower())
        if kind is None:
            continue
        notice_doi = update.get("DOI")
        found.append(
            Found(
                kind=kind,
                # A Retraction Watch entry may have no notice of its own: the study's page,
                # where its publisher marks it, is then where readers see it.
                link=doi_address(notice_doi) if notice_doi else doi_address(doi),
                source=(
                    "Retraction Watch" if update.get("source") == "retraction-watch" else "Crossref"
                ),
                date=_date(update.get("updated") or {}),
            )
        )
    return found


def pubmed_notices(answer, pmids):
    """The notices PubMed's esummary answer states on each PMID, by PMID; a PMID PubMed
    does not know is left out."""
    try:
        result = answer["result"]
        uids = {str(uid) for uid in result["uids"]}
    except (KeyError, TypeError) as error:
        raise Unreadable("no result in PubMed's answer") from error
    found = {}
    for pmid in pmids:
        record = result.get(pmid) if pmid in uids else None
        if not isinstance(record, dict) or record.get("error"):
            continue
        notices = []
        for reference in record.get("references") or []:
            if not isinstance(reference, dict):
                raise Unreadable(f"a linked comment of PMID {pmid} is not an object")
            kind = PUBMED_KINDS.get(reference.get("reftype", ""))
            if kind is None:
                continue
            linked = str(reference.get("pmid") or "")
            notices.append(
                Found(kind, pubmed_address(linked if linked.isdigit() else pmid), "PubMed")
            )
        pubtypes = record.get("pubtype") or []
        retracted = any(n.kind == StudyNotice.Kind.RETRACTION for n in notices)
        if "Retracted Publication" in pubtypes and not retracted:
            notices.append(Found(StudyNotice.Kind.RETRACTION, pubmed_address(pmid), "PubMed"))
        found[pmid] = notices
    return found


def citing_summaries(kind, identifier):
    """The ids of the evidence summaries citing the study: in their approved version (the
    pages) or in their working copy (the next version)."""
    approved = PublishedCitation.objects.filter(identifier_kind=kind, identifier=identifier)
    working = Reference.objects.filter(**{kind: identifier})
    return set(approved.values_list("summary_id", flat=True)) | set(
        working.values_list("summary_id", flat=True)
    )


def record(kind, identifier, found, outcome):
    """Writes what a check of one study found, in one transaction: new notices, a review
    for each summary citing a noticed study that has none, their pages' refresh, and when
    the study was checked. Answers the number of notices new to the watch."""
    now = timezone.now()
    with transaction.atomic():
        notices, new = [], 0
        for hit in found:
            notice, created = StudyNotice.objects.get_or_create(
                identifier_kind=kind,
                identifier=identifier,
                kind=hit.kind,
                link=hit.link,
                defaults={"source": hit.source, "notice_date": hit.date},
            )
            notices.append(notice)
            new += created
        if notices:
            summaries = citing_summaries(kind, identifier)
            reviewed = set(
                NoticeReview.objects.filter(
                    notice__in=notices, summary_id__in=summaries
                ).values_list("notice_id", "summary_id")
            )
            opened = [
                NoticeReview(notice=notice, summary_id=pk)
                for notice in notices
                for pk in summaries
                if (notice.pk, pk) not in reviewed
            ]
            NoticeReview.objects.bulk_create(opened)
            publishing.refresh_study_notices({review.summary_id for review in opened})
        StudyCheck.objects.update_or_create(
            identifier_kind=kind,
            identifier=identifier,
            defaults={"checked_at": now, "outcome": outcome[:200]},
        )
    return new


def enrol_cited_studies():
    """Adds every PMID and DOI an approved summary cites to the studies the watch checks;
    answers how many were new."""
    before = StudyCheck.objects.count()
    cited = (
        PublishedCitation.objects.values_list("identifier_kind", "identifier").distinct().order_by()
    )
    batch = []
    for kind, identifier in cited.iterator(chunk_size=5000):
        batch.append(StudyCheck(identifier_kind=kind, identifier=identifier))
        if len(batch) >= 5000:
            StudyCheck.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    StudyCheck.objects.bulk_create(batch, ignore_conflicts=True)
    return StudyCheck.objects.count() - before


def due(budget, cycle):
    """The studies to check now: never checked first, then those not checked within the
    cycle, longest unchecked first. Two queries, each in the order of the index on
    (checked_at, id)."""
    never = list(StudyCheck.objects.filter(checked_at__isnull=True).order_by("id")[:budget])
    since = timezone.now() - cycle
    stale = StudyCheck.objects.filter(checked_at__lt=since).order_by("checked_at", "id")
    return never + list(stale[: budget - len(never)]) if len(never) < budget else never


@dataclass
class Run:
    """What a run did, for its progress line and its last line."""

    due: int = 0
    checked: int = 0
    new_notices: int = 0
    failed: dict = field(default_factory=dict)  # source -> message of its last failure
    skipped: int = 0

    def line(self):
        text = f"checked {self.checked} of {self.due} studies, {self.new_notices} new notices"
        if self.failed:
            text += "; " + "; ".join(self.failed.values())
        if self.skipped:
            text += f"; {self.skipped} left for the next run"
        return text


def check(budget, cycle, client=None, progress=None):
    """Checks up to `budget` studies not checked within `cycle` (a timedelta) and records
    what they show; `progress(run)` is called as the run goes."""
    client = client or sources.SourceClient()
    studies = due(budget, cycle)
    run = Run(due=len(studies))
    failures = {sources.PUBMED: 0, sources.CROSSREF: 0}

    def failed(source, failure):
        run.failed[source] = failure.message
        failures[source] += 1

    def given_up(source):
        return failures[source] >= FAILURES_TO_GIVE_UP

    pmids = [study.identifier for study in studies if study.identifier_kind == IdentifierKind.PMID]
    for start in range(0, len(pmids), PUBMED_BATCH):
        batch = pmids[start : start + PUBMED_BATCH]
        if given_up(sources.PUBMED):
            run.skipped += len(batch)
            continue
        answer = client.json(
            sources.PUBMED, "esummary.fcgi", {"db": "pubmed", "id": ",".join(batch)}
        )
        if isinstance(answer, sources.Failure):
            failed(sources.PUBMED, answer)
            run.skipped += len(batch)
            continue
        try:
            notices = pubmed_notices(answer, batch)
        except Unreadable as error:
            failed(sources.PUBMED, sources.Failure(sources.PUBMED, sources.UNREADABLE, str(error)))
            run.skipped += len(batch)
            continue
        failures[sources.PUBMED] = 0
        for pmid in batch:
            outcome = "no PubMed record" if pmid not in notices else _outcome(notices[pmid])
            run.new_notices += record(IdentifierKind.PMID, pmid, notices.get(pmid, []), outcome)
            run.checked += 1
        if progress:
            progress(run)

    for study in studies:
        if study.identifier_kind != IdentifierKind.DOI:
            continue
        if given_up(sources.CROSSREF):
            run.skipped += 1
            continue
        doi = study.identifier
        answer = client.json(sources.CROSSREF, "works/" + sources.quote_doi(doi))
        if isinstance(answer, sources.Failure) and answer.reason == sources.NOT_FOUND:
            run.checked += 1
            record(IdentifierKind.DOI, doi, [], "no Crossref record")
            continue
        if isinstance(answer, sources.Failure):
            failed(sources.CROSSREF, answer)
            run.skipped += 1
            continue
        try:
            found = crossref_notices(doi, answer)
        except Unreadable as error:
            failed(
                sources.CROSSREF, sources.Failure(sources.CROSSREF, sources.UNREADABLE, str(error))
            )
            run.skipped += 1
            continue
        failures[sources.CROSSREF] = 0
        run.new_notices += record(IdentifierKind.DOI, doi, found, _outcome(found))
        run.checked += 1
        if progress and run.checked % 50 == 0:
            progress(run)
    return run


def _outcome(found):
    if not found:
        return "no notice"
    return ", ".join(sorted({StudyNotice.Kind(hit.kind).label for hit in found}))


def review_stands(review, user, comment):
    """An advisor's decision, after a notice on a study a summary cites, that the review
    stands as approved: recorded in the summary's history; its pages stop saying that it
    is being checked."""
    if not workflow.may_review(user, EvidenceSummary):
        raise workflow.ReviewError("Only a medical advisor may decide on a notice.")
    if not comment.strip():
        raise workflow.ReviewError(
            "Say what you checked and why the review stands: the history keeps it."
        )
    with transaction.atomic():
        current = NoticeReview.objects.select_for_update().get(pk=review.pk)
        if current.decided_at is not None:
            raise workflow.ReviewError("This notice has been decided on already.")
        summary = EvidenceSummary.objects.get(pk=current.summary_id)
        notice = current.notice
        current.decision = NoticeReview.Decision.STANDS
        current.decided_at = timezone.now()
        current.decided_by = user
        current.comment = comment.strip()
        current.save()
        workflow.book_notice_checked(summary, user, f"{notice} ({notice.link}): {current.comment}")
        publishing.refresh_study_notices([summary.pk])
    return current
