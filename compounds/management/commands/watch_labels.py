"""New versions of the compounds' official labels, for cron: `manage.py watch_labels`.

Asks DailyMed for the version history of each compound's label (compounds/watch/labels.py)
and puts a new version in the compound's inbox.
"""

from django.core.management.base import BaseCommand

from compounds.models import WatchSource
from compounds.watch import command

# 2,000 compounds at most have a label: all of them, at one request a second, in 35 minutes.
BUDGET = 2_000


class Command(BaseCommand):
    help = "Put each new version of a compound's DailyMed label in the compound's inbox."

    def add_arguments(self, parser):
        command.add_arguments(parser, BUDGET)

    def handle(self, *args, **options):
        command.run_sources(self, [WatchSource.DAILYMED], options)
