from django.core.management.base import BaseCommand

from compounds import roles


class Command(BaseCommand):
    help = (
        "List what the Editor and Medical Advisor groups are granted, as derived from the "
        "admin's registrations of the workflow's content and their inlines."
    )

    def handle(self, *args, **options):
        self.stdout.write(roles.describe())
