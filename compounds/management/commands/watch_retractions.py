"""The retraction watch, for cron: `manage.py watch_retractions --budget 20000`.

Enrols every study (PMID or DOI) cited by a live evidence summary, then asks PubMed and
Crossref about up to --budget of them that were not checked in the last --cycle-days,
longest unchecked first (compounds/watch/retractions.py). Each study's result is saved
as it comes, so a run stopped halfway and started again goes on with the studies it had
not reached, and a run after a complete one asks nothing until the cycle comes round.
A source that is down is reported and left alone for the rest of the run; the studies it
should have answered stay due. Exit status 0 even then: the next run takes them up.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError

from compounds.watch import retractions


class Command(BaseCommand):
    help = "Check cited studies for retractions, corrections and expressions of concern."

    def add_arguments(self, parser):
        parser.add_argument(
            "--budget",
            type=int,
            default=20_000,
            help="Studies to check in this run at most (default 20,000).",
        )
        parser.add_argument(
            "--cycle-days",
            type=int,
            default=30,
            help="Check each study again after this many days (default 30).",
        )

    def handle(self, *args, budget, cycle_days, verbosity, **options):
        if budget < 1 or cycle_days < 1:
            raise CommandError("--budget and --cycle-days must be at least 1.")
        enrolled = retractions.enrol_cited_studies()
        if verbosity >= 1 and enrolled:
            self.stdout.write(f"{enrolled} cited studies added to the watch.")

        def progress(run):
            if verbosity >= 1:
                self.stdout.write(run.line())

        run = retractions.check(budget, datetime.timedelta(days=cycle_days), progress=progress)
        if verbosity >= 1:
            self.stdout.write(f"Done: {run.line()}")
        for message in run.failed.values():
            self.stderr.write(message)
