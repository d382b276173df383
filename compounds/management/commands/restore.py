from django.core.management.base import BaseCommand, CommandError

from compounds.backups import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into the database. A database that "
        "is not empty is refused unless --overwrite is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("backup", help="The backup file (.dump or .sqlite3).")
        parser.add_argument(
            "--overwrite",
            action="store_true",
            help="Replace the content of a database that is not empty.",
        )

    def handle(self, *args, **options):
        try:
            restore(options["backup"], overwrite=options["overwrite"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Restored {options['backup']}.")
