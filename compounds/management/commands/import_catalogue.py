"""manage.py import_catalogue PATH --user NAME [--dry-run] [--submit]"""

import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from compounds.catalogue import archives, batches
from compounds.catalogue.issues import MAX_ISSUES, Failed, Refused
from compounds.catalogue.read import Catalogue


class Command(BaseCommand):
    help = (
        "Import a catalogue file (docs/catalogue-format.md): a .json file, a .zip of CSV "
        "files, a directory of CSV files or one CSV file, of any size: it is read, checked "
        "and written in batches. Objects are matched by slug; every change becomes a draft "
        "(or, with --submit, is submitted for review), never live. The whole file is "
        "checked before anything is written, and a file with any error changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument(
            "--user",
            required=True,
            help="The editor the changes are booked to: they show as this user's edits.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the file and show what would change; change nothing.",
        )
        parser.add_argument(
            "--submit", action="store_true", help="Submit every imported change for review."
        )

    def handle(self, path, user, dry_run=False, submit=False, verbosity=1, **options):
        try:
            account = get_user_model().objects.get(username=user)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user “{user}”.") from None
        self.verbosity = verbosity
        try:
            catalogue = Catalogue(archives.sources_at(path))
            checked = batches.check_file(
                catalogue,
                progress=self._progress("Checked"),
                spool=not dry_run,
                listing=self._list if verbosity >= 2 else None,
            )
        except Refused as refused:
            self._fail(refused.issues, len(refused.issues))
        if checked.issues.total:
            self._fail(checked.issues.issues, checked.issues.total)
        self._summary(checked.counts, "Would create" if dry_run else "Created")
        if dry_run:
            self.stdout.write("Dry run: nothing was changed.")
            return
        if not checked.counts["created"] and not checked.counts["updated"]:
            checked.close()
            self.stdout.write("Nothing to import: the catalogue already holds what the file says.")
            return
        try:
            batch = batches.import_file(
                checked, account, str(path), submit=submit, progress=self._progress("Saved")
            )
        except Failed as failed:
            self._fail(failed.issues, len(failed.issues))
        state = "submitted for review" if submit else "saved as drafts"
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported as batch {batch.pk}: {batch.created_count + batch.updated_count} "
                f"changes {state}; none is live until a medical advisor approves it."
            )
        )

    def _progress(self, verb):
        shown = [0]

        def report(done, total):
            # On a terminal, each batch; in a log, every 10,000 objects and the last.
            if self.verbosity < 1:
                return
            if not sys.stderr.isatty() and done // 10_000 == shown[0] // 10_000 and done != total:
                return
            shown[0] = done
            end = "\n" if done == total or not sys.stderr.isatty() else "\r"
            self.stderr.write(
                f"{verb} {done:,} of {total:,} objects ({done * 100 // total}%)", ending=end
            )
            self.stderr.flush()

        return report

    def _list(self, change):
        if change.action != "unchanged":
            kind = change.item.kind.model._meta.verbose_name
            self.stdout.write(f"  {change.action} {kind} {change.item.label}")

    def _summary(self, counts, verb):
        updated = "would update" if verb.startswith("Would") else "updated"
        self.stdout.write(
            f"{verb} {counts['created']:,}, {updated} {counts['updated']:,}, "
            f"unchanged {counts['unchanged']:,}."
        )

    def _fail(self, issues, total):
        for issue in issues[:MAX_ISSUES]:
            self.stderr.write(str(issue))
        more = total - min(len(issues), MAX_ISSUES)
        if more > 0:
            self.stderr.write(f"... and {more:,} more.")
        raise CommandError(f"{total:,} error(s): nothing was imported.")
