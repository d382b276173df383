"""What the watch's management commands share: their options, the run, and the report.

A run that a source cut short ends with an error (exit status 1), after saying what was
done, so cron mails it; everything checked before that is kept.
"""

import datetime

from django.core.management.base import CommandError
from django.utils import timezone

from compounds.watch import runs
from compounds.watch.sources import SourceClient


def add_arguments(parser, budget):
    parser.add_argument(
        "--budget",
        type=int,
        default=budget,
        help=f"Check at most this many per source tonight (default {budget:,}).",
    )
    parser.add_argument(
        "--recheck-days",
        type=int,
        default=runs.RECHECK.days,
        help="Leave out what was checked fewer days ago than this "
        f"(default {runs.RECHECK.days}): a run cut off and started again goes on where "
        "it stopped.",
    )
    parser.add_argument(
        "--progress-every",
        type=int,
        default=100,
        help="Print a progress line after every this many checks (default 100).",
    )


def run_sources(command, sources, options, client=None):
    if options["budget"] < 0 or options["recheck_days"] < 0 or options["progress_every"] < 1:
        raise CommandError(
            "The budget and the days must be 0 or more; the progress step 1 or more."
        )
    client = client or SourceClient()
    now = timezone.now()
    stopped = []
    for source in sources:
        report = runs.run(
            client,
            source,
            options["budget"],
            now,
            recheck=datetime.timedelta(days=options["recheck_days"]),
            say=command.stdout.write,
            every=options["progress_every"],
        )
        for line in report.unreadable:
            command.stderr.write(f"Not checked, asked again next run: {line}")
        for line in report.too_broad:
            command.stderr.write(f"Search too broad, only the first records listed: {line}")
        if report.stopped:
            stopped.append(report.stopped)
    command.stdout.write(f"{client.requests_made:,} requests made.")
    if stopped:
        raise CommandError(" ".join(stopped))
