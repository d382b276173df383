"""One check of one live pair against one source, and what it puts in the pair's inbox.

PubMed: the pair's saved search (searches.py) for records added since the later of its
last review and its last check (a day of overlap, so nothing added late in a day is
missed; what was found already is not stored twice). One esearch request, and one
esummary request for each page of new records: 1 request for a pair with nothing new,
2 for one with up to PAGE new records.

ClinicalTrials.gov: one /studies request a page, for the pair's trials whose record
changed since then. A trial first posted since is a new study; for one seen before,
results posted and a new overall status are news; a trial the summary cites is
watched the same way from its first change.

Asking comes first, outside any transaction; what was found and the check itself are
then saved together (save), so a check cut off while asking leaves nothing behind, and
is asked again by the next run.
"""

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from compounds.models import InboxItem, WatchCheck, WatchSource
from compounds.watch import answers, searches
from compounds.watch import sources as watch_sources

PAGE = 100
# Records one check lists at most; a search finding more is too broad to read, and the
# run says so for the pair.
MOST_RECORDS = 500
OVERLAP = datetime.timedelta(days=1)

STATUS_WORDS = {
    "NOT_YET_RECRUITING": "not yet recruiting",
    "RECRUITING": "recruiting",
    "ENROLLING_BY_INVITATION": "enrolling by invitation",
    "ACTIVE_NOT_RECRUITING": "active, not recruiting",
    "SUSPENDED": "suspended",
    "TERMINATED": "terminated",
    "COMPLETED": "completed",
    "WITHDRAWN": "withdrawn",
    "UNKNOWN": "unknown",
}


@dataclass
class Checked:
    """What one check found: the inbox items' fields, records it could not use, records
    beyond MOST_RECORDS, or the Failure that stopped it (nothing is then saved)."""

    items: list = field(default_factory=list)
    skipped: int = 0
    beyond: int = 0
    failure: object = None
    seen_version: int | None = None
    stored: int = 0


def search_from(reviewed_on, check):
    """The first day a check searches: the last review, or the last check less a day."""
    if check is None:
        return reviewed_on
    return max(reviewed_on, timezone.localdate(check.checked_at) - OVERLAP)


def reviewed_on(obj):
    return timezone.localdate(obj.live_version.approved_at)


def _failed(result):
    return isinstance(result, watch_sources.Failure)


def _unreadable(message):
    return watch_sources.Failure("", watch_sources.UNREADABLE, message)


def ask_pubmed(client, summary, since, today):
    names = searches.compound_names(summary.compound)
    conditions = searches.condition_names(summary.condition)
    term = searches.pubmed_term(names, conditions)
    checked = Checked()
    start = 0
    while True:
        body = client.json(
            watch_sources.PUBMED,
            "esearch.fcgi",
            {
                "db": "pubmed",
                "term": term,
                "datetype": "edat",
                "mindate": f"{since:%Y/%m/%d}",
                "maxdate": f"{today:%Y/%m/%d}",
                "retmode": "json",
                "retmax": PAGE,
                "retstart": start,
            },
        )
        if _failed(body):
            return Checked(failure=body)
        try:
            count, pmids = answers.esearch(body)
        except answers.Unreadable as error:
            return Checked(failure=_unreadable(f"PubMed's search answer was not readable {error}"))
        if pmids:
            summaries = client.json(
                watch_sources.PUBMED,
                "esummary.fcgi",
                {"db": "pubmed", "id": ",".join(pmids), "retmode": "json"},
            )
            if _failed(summaries):
                return Checked(failure=summaries)
            try:
                found = answers.esummary(summaries, pmids)
            except answers.Unreadable:
                return Checked(failure=_unreadable("PubMed's summaries were not readable"))
            checked.skipped += found.skipped
            checked.items += [_article_item(article) for article in found.records]
        start += PAGE
        if start >= min(count, MOST_RECORDS) or not pmids:
            checked.beyond = max(0, count - MOST_RECORDS)
            return checked


def _article_item(article):
    return {
        "source": WatchSource.PUBMED,
        "identifier": article.pmid,
        "event": "new",
        "change": "New record in PubMed",
        "title": article.title[:500],
        "design": article.design[:200],
        "date": article.date,
        "link": f"https://pubmed.ncbi.nlm.nih.gov/{article.pmid}/",
    }


def ask_trials(client, summary, since, today):
    names = searches.compound_names(summary.compound)
    conditions = searches.condition_names(summary.condition)
    query = searches.trials_query(names, conditions, since)
    fields = "|".join(
        [
            "protocolSection.identificationModule",
            "protocolSection.statusModule",
            "protocolSection.designModule",
            "hasResults",
        ]
    )
    trials, skipped, token = [], 0, None
    while True:
        params = {**query, "fields": fields, "pageSize": PAGE, "countTotal": "true"}
        if token:
            params["pageToken"] = token
        body = client.json(watch_sources.CLINICAL_TRIALS, "studies", params)
        if _failed(body):
            return Checked(failure=body)
        try:
            found, token = answers.studies(body)
        except answers.Unreadable:
            return Checked(failure=_unreadable("ClinicalTrials.gov's answer was not readable"))
        trials += found.records
        skipped += found.skipped
        if not token or len(trials) >= MOST_RECORDS:
            total = body.get("totalCount") if isinstance(body.get("totalCount"), int) else 0
            checked = Checked(skipped=skipped, beyond=max(0, total - MOST_RECORDS))
            checked.items = _trial_items(summary, trials[:MOST_RECORDS], since)
            return checked


def _trial_items(summary, trials, since):
    """The news in these trials for the pair: new studies, results, new statuses."""
    seen = {}
    for nct_id, event, status in (
        InboxItem.objects.filter(
            summary=summary,
            source=WatchSource.TRIALS,
            identifier__in=[trial.nct_id for trial in trials],
        )
        .order_by("found_at", "id")
        .values_list("identifier", "event", "status")
    ):
        events, _ = seen.get(nct_id, (set(), ""))
        seen[nct_id] = (events | {event}, status or seen.get(nct_id, (set(), ""))[1])
    cited = set(summary.references.exclude(nct_id="").values_list("nct_id", flat=True))
    items = []
    for trial in trials:
        events, last_status = seen.get(trial.nct_id, (set(), ""))
        status = STATUS_WORDS.get(trial.status, trial.status.lower().replace("_", " "))
        if not events and trial.first_posted and trial.first_posted >= since:
            items.append(_trial_item(trial, "new", "New study registered", trial.first_posted))
            continue
        if trial.results_posted and "results" not in events and trial.results_posted >= since:
            items.append(_trial_item(trial, "results", "Results posted", trial.results_posted))
        watched = events or trial.nct_id in cited
        if watched and trial.status and trial.status != last_status:
            items.append(
                _trial_item(
                    trial, f"status:{trial.status}", f"Status now {status}", trial.last_updated
                )
            )
    return items


def _trial_item(trial, event, change, date):
    return {
        "source": WatchSource.TRIALS,
        "identifier": trial.nct_id,
        "event": event[:60],
        "change": change[:200],
        "title": trial.title[:500],
        "design": trial.design[:200],
        "date": date,
        "status": trial.status[:40],
        "link": f"https://clinicaltrials.gov/study/{trial.nct_id}",
    }


ASK = {WatchSource.PUBMED: ask_pubmed, WatchSource.TRIALS: ask_trials}


def check(client, summary, source, now):
    """Ask one source about one pair and save what it found: the Checked."""
    last = WatchCheck.objects.filter(summary=summary, source=source).first()
    since = search_from(reviewed_on(summary), last)
    checked = ASK[source](client, summary, since, timezone.localdate(now))
    if checked.failure is None:
        save(checked, now, source, summary=summary)
    return checked


def save(checked, now, source, *, summary=None, compound=None):
    """What a check found and the check itself, together or not at all. Sets how many of
    the items were new to the inbox (the rest were there from an earlier check)."""
    target = {"summary": summary} if summary is not None else {"compound": compound}
    with transaction.atomic():
        before = InboxItem.objects.filter(**target).count()
        InboxItem.objects.bulk_create(
            [InboxItem(**target, found_at=now, **item) for item in checked.items],
            ignore_conflicts=True,
        )
        WatchCheck.objects.update_or_create(
            **target,
            source=source,
            defaults={"checked_at": now, "seen_version": checked.seen_version},
        )
        checked.stored = InboxItem.objects.filter(**target).count() - before
