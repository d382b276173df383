from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from compounds.backups import BackupError, backup


class Command(BaseCommand):
    help = (
        "Back up the whole database with its own tools (pg_dump -Fc, or SQLite's backup "
        "API) into a file named with the date and time."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dir",
            default=settings.BACKUP_DIR,
            help="Folder for the backup (default BACKUP_DIR: %(default)s).",
        )

    def handle(self, *args, **options):
        try:
            path = backup(options["dir"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(str(path))
