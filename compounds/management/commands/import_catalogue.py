"""manage.py import_catalogue PATH --user NAME [--dry-run] [--submit]"""

import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from compounds.catalogue import archives
from compounds.catalogue.apply import apply
from compounds.catalogue.check import check
from compounds.catalogue.issues import MAX_ISSUES, Failed, Refused
from compounds.catalogue.read import read


class Command(BaseCommand):
    help = (
        "Import a catalogue file (docs/catalogue-format.md): a .json file, a .zip of CSV "
        "files, a directory of CSV files or one CSV file. Objects are matched by slug; every "
        "change becomes a draft (or, with --submit, is submitted for review), never live. A "
        "file with any error changes nothing."
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
            parsed = read(archives.files_at(path))
        except Refused as refused:
            self._fail(refused.issues)
        plan = check(parsed, progress=self._progress("Checked"))
        if plan.issues:
            self._fail(plan.issues)
        self._summary(plan, "Would create" if dry_run else "Created")
        if dry_run:
            self.stdout.write("Dry run: nothing was changed.")
            return
        if not plan.count("created") and not plan.count("updated"):
            self.stdout.write("Nothing to import: the catalogue already holds what the file says.")
            return
        try:
            batch = apply(plan, account, str(path), submit=submit, progress=self._progress("Saved"))
        except Failed as failed:
            self._fail(failed.issues)
        state = "submitted for review" if submit else "saved as drafts"
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported as batch {batch.pk}: {batch.created_count + batch.updated_count} "
                f"changes {state}; none is live until a medical advisor approves it."
            )
        )

    def _progress(self, verb):
        def report(done, total):
            if self.verbosity < 1:
                return
            end = "\n" if done == total or not sys.stderr.isatty() else "\r"
            self.stderr.write(
                f"{verb} {done:,} of {total:,} objects ({done * 100 // total}%)", ending=end
            )
            self.stderr.flush()

        return report

    def _summary(self, plan, verb):
        counts = plan.counts
        updated = "would update" if verb.startswith("Would") else "updated"
        self.stdout.write(
            f"{verb} {counts['created']:,}, {updated} {counts['updated']:,}, "
            f"unchanged {counts['unchanged']:,}."
        )
        if self.verbosity >= 2:
            for change in plan.changes:
                if change.action != "unchanged":
                    kind = change.item.kind.model._meta.verbose_name
                    self.stdout.write(f"  {change.action} {kind} {change.item.label}")

    def _fail(self, issues):
        for issue in issues[:MAX_ISSUES]:
            self.stderr.write(str(issue))
        more = len(issues) - MAX_ISSUES
        if more > 0:
            self.stderr.write(f"... and {more:,} more.")
        raise CommandError(f"{len(issues):,} error(s): nothing was imported.")
