"""Apply every recorded publication change to the page cache and the edge cache, and
forget old records.

Run by cron every minute (README, "Operations"). App processes apply pending changes
themselves before serving from the cache; this makes sure a change is applied even when
no request comes, purges at the edge (pages/edge.py) whatever a failed purge left
pending, and keeps the record small: a change older than the cache's page lifetime
cannot concern any cached page, and is deleted once the edge has it (the latest one is
kept, as the cache's note of what it has applied names it).
"""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from compounds.models import PublicationChange
from pages import cache, edge


class Command(BaseCommand):
    help = "Refresh cached pages from the recorded publication changes; forget old records."

    def handle(self, *args, **options):
        if settings.PAGE_CACHE_SECONDS > 0:
            try:
                cache.refresh_pending()
            except Exception as error:  # noqa: BLE001 - say it, and fail for cron to report
                raise CommandError(f"Could not refresh cached pages: {error}") from error
        failed = None
        purger = edge.purger()
        if purger is not None:
            try:
                edge.purge_pending()
            except Exception as error:  # noqa: BLE001 - the old records go all the same
                failed = error
        horizon = timezone.now() - datetime.timedelta(seconds=max(settings.PAGE_CACHE_SECONDS, 0))
        latest = PublicationChange.objects.order_by("-id").values_list("id", flat=True).first()
        old = PublicationChange.objects.filter(at__lt=horizon).exclude(id=latest)
        if purger is not None:
            # What the edge has not purged yet is kept until it has.
            old = old.exclude(edge_pending=True)
        deleted, _ = old.delete()
        if options["verbosity"] > 1:
            self.stdout.write(f"{deleted} old publication change(s) deleted.")
        if failed is not None:
            raise CommandError(
                f"Could not purge the edge cache: {failed}. The changes stay pending."
            )
