"""A night's run of the watch: which pairs (or labels) are checked, in what order, and
what the run says while it goes and when it ends.

1,000,000 pairs cannot all be checked every night (see the README, "The evidence
watch"), so a run checks at most `budget` of them, chosen in this order: the pair whose
review falls due first (the review-due date of its live version), then the one that
waited longest since its last check, never-checked first. A pair checked within
`recheck` is not chosen again: so a run cut off halfway and run again goes on with
the pairs it had not reached, and each check is made once. The site records no page
traffic, so traffic plays no part in the choice.

A source that does not answer (down, timing out, refusing) stops its part of the run:
the pairs it had not reached wait for the next run, and nothing of the check it was
making is saved. A source that answers with something unreadable for one pair skips
that pair (a label DailyMed does not know, that label); ten in a row stop the run too.
"""

import datetime
import time
from dataclasses import dataclass, field

from django.db.models import F, OuterRef, Q, Subquery

from compounds.models import (
    EvidenceSummary,
    OfficialLabel,
    PublishedSummary,
    WatchCheck,
    WatchSource,
)
from compounds.watch import labels, new_evidence
from compounds.watch import sources as watch_sources

RECHECK = datetime.timedelta(days=7)
# Unreadable answers in a row after which a source is taken to be broken for the night.
UNREADABLE_IN_A_ROW = 10
CHUNK = 200
# Failures that concern the one pair or label asked about, not the source: an answer
# that cannot be read, a label's set id DailyMed does not know.
ONE_ROW_ONLY = {watch_sources.UNREADABLE, watch_sources.NOT_FOUND}

SOURCE_NAMES = {
    WatchSource.PUBMED: watch_sources.PUBMED,
    WatchSource.TRIALS: watch_sources.CLINICAL_TRIALS,
    WatchSource.DAILYMED: watch_sources.DAILYMED,
}


@dataclass
class Run:
    source: str
    chosen: int = 0
    checked: int = 0
    found: int = 0
    skipped: int = 0
    unreadable: list = field(default_factory=list)
    too_broad: list = field(default_factory=list)
    stopped: str = ""

    def line(self, elapsed):
        name = WatchSource(self.source).label
        line = f"{name}: {self.checked:,} of {self.chosen:,} checked, {self.found:,} new in inboxes"
        if self.skipped:
            line += f", {self.skipped:,} records unreadable"
        if self.unreadable:
            line += f", {len(self.unreadable):,} left unchecked (unreadable answers)"
        done = self.checked + len(self.unreadable)
        if 0 < done < self.chosen and elapsed > 0:
            left = (self.chosen - done) * elapsed / done
            line += f"; about {_duration(left)} to go"
        return line


def _duration(seconds):
    minutes = int(seconds // 60)
    if minutes < 1:
        return f"{int(seconds)} s"
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60} min"


def _last_checked(source, target):
    return Subquery(
        WatchCheck.objects.filter(**{target: OuterRef("pk")}, source=source).values("checked_at")[
            :1
        ]
    )


def due_pairs(source, now, recheck=RECHECK):
    """The live pairs due a check by this source, in the order they are checked."""
    return (
        EvidenceSummary.objects.filter(pk__in=PublishedSummary.objects.values("pk"))
        .annotate(last_checked=_last_checked(source, "summary"))
        .filter(Q(last_checked__isnull=True) | Q(last_checked__lt=now - recheck))
        .order_by("live_version__next_review_due", F("last_checked").asc(nulls_first=True), "id")
    )


def due_labels(now, recheck=RECHECK):
    """The official labels due a check, in the same order: their compound's review due
    date (a compound never approved last), then the longest since checked."""
    return (
        OfficialLabel.objects.annotate(last_checked=_last_checked(WatchSource.DAILYMED, "compound"))
        .filter(Q(last_checked__isnull=True) | Q(last_checked__lt=now - recheck))
        .order_by(
            F("compound__live_version__next_review_due").asc(nulls_last=True),
            F("last_checked").asc(nulls_first=True),
            "id",
        )
    )


def _chunks(queryset, ids, related):
    for start in range(0, len(ids), CHUNK):
        part = ids[start : start + CHUNK]
        rows = queryset.model.objects.filter(pk__in=part).select_related(*related)
        by_id = {row.pk: row for row in rows}
        yield from (by_id[pk] for pk in part if pk in by_id)


def run(client, source, budget, now, *, recheck=RECHECK, say=print, every=100, clock=time):
    """Check up to `budget` pairs (or labels, for DailyMed) with one source; the Run."""
    if source == WatchSource.DAILYMED:
        rows = due_labels(now, recheck)
        related = ["compound__live_version"]

        def check_one(label):
            return labels.check(client, label, now)

        def name(label):
            return str(label.compound)
    else:
        rows = due_pairs(source, now, recheck)
        related = ["compound", "condition", "live_version"]

        def check_one(summary):
            return new_evidence.check(client, summary, source, now)

        def name(summary):
            return str(summary)

    # The ids first, then the rows a chunk at a time: the checks write while the run
    # reads, and the order was fixed when the run began.
    ids = list(rows.values_list("pk", flat=True)[:budget])
    report = Run(source, chosen=len(ids))
    started = clock.monotonic()
    in_a_row = 0
    for done, row in enumerate(_chunks(rows, ids, related), start=1):
        checked = check_one(row)
        failure = checked.failure
        if failure is not None and failure.reason not in ONE_ROW_ONLY:
            report.stopped = (
                f"{failure.message} Stopped after {report.checked:,} of {report.chosen:,}; "
                "the others wait for the next run."
            )
            break
        if failure is not None:
            report.unreadable.append(f"{name(row)}: {failure.message}")
            in_a_row += 1
            if in_a_row >= UNREADABLE_IN_A_ROW:
                report.stopped = (
                    f"{SOURCE_NAMES[source]} sent {in_a_row} unreadable answers in a row. "
                    f"Stopped after {report.checked:,} of {report.chosen:,}."
                )
                break
        else:
            in_a_row = 0
            report.checked += 1
            report.found += checked.stored
            report.skipped += checked.skipped
            if checked.beyond:
                report.too_broad.append(f"{name(row)}: {checked.beyond:,} more records")
        if done % every == 0:
            say(report.line(clock.monotonic() - started))
    say(report.line(clock.monotonic() - started))
    return report
