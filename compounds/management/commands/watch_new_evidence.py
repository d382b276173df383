"""New evidence for each live pair, for cron: `manage.py watch_new_evidence`.

Searches PubMed and ClinicalTrials.gov for what was published about each pair since its
last review and puts it in the pair's evidence inbox (compounds/watch/new_evidence.py),
for at most --budget pairs a source a night, the pairs due for review first
(compounds/watch/runs.py).
"""

from django.core.management.base import BaseCommand

from compounds.models import WatchSource
from compounds.watch import command

# At the sources' limits, about six hours of ClinicalTrials.gov's 50 requests a minute
# and well under an hour of PubMed's 10 a second (README, "The evidence watch").
BUDGET = 18_000


class Command(BaseCommand):
    help = "Put what PubMed and ClinicalTrials.gov published since each pair's review in its inbox."

    def add_arguments(self, parser):
        command.add_arguments(parser, BUDGET)
        parser.add_argument(
            "--source",
            choices=[WatchSource.PUBMED, WatchSource.TRIALS],
            help="Ask this source only (default: both, one after the other).",
        )

    def handle(self, *args, **options):
        sources = (
            [options["source"]] if options["source"] else [WatchSource.PUBMED, WatchSource.TRIALS]
        )
        command.run_sources(self, sources, options)
