"""Readers' personal data whose time is up, cleared, for cron: `manage.py clear_old_feedback`.

Run daily. Clears the email address of every report received more than
FEEDBACK_EMAIL_RETENTION_DAYS ago, and the text of every report closed more than
FEEDBACK_TEXT_RETENTION_DAYS ago; the report itself stays, with its page, what it was
about and the note that answered it.
"""

from django.conf import settings
from django.core.management.base import BaseCommand

from compounds.feedback import service


class Command(BaseCommand):
    help = "Clear readers' email addresses and closed reports' texts kept past their settings."

    def handle(self, *args, **options):
        emails, texts = service.forget()
        if options["verbosity"] >= 1:
            self.stdout.write(
                f"Cleared {emails} email address{'es' if emails != 1 else ''} kept over "
                f"{settings.FEEDBACK_EMAIL_RETENTION_DAYS} days and {texts} "
                f"closed report text{'s' if texts != 1 else ''} kept over "
                f"{settings.FEEDBACK_TEXT_RETENTION_DAYS} days."
            )
