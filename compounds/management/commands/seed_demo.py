"""Load the seed content and the demo accounts, for `make run` on a development machine."""

import os

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from compounds.models import Compound, MedicalAdvisor

DEFAULT_PASSWORD = "insightswarm-demo"
SEED_FIXTURE = "seed_content"
DEMO_ADVISOR_SLUG = "nikhil-joshi"


class Command(BaseCommand):
    help = (
        "Load the seed content (once: a database that has content keeps it) and create "
        "the demo accounts admin, editor and advisor. Refuses to run with DEBUG off, "
        "so a production site never gets accounts with a published password."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reload",
            action="store_true",
            help="Load the seed content even when content exists, overwriting the seed rows.",
        )

    def handle(self, *args, reload=False, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo creates accounts with a known password and runs only with DEBUG=on."
            )
        password = os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD
        with transaction.atomic():
            if reload or not Compound.objects.exists():
                call_command("loaddata", SEED_FIXTURE, verbosity=0)
                self.stdout.write("Seed content loaded.")
            else:
                self.stdout.write(
                    "Content exists; seed content left as it is (--reload to load it)."
                )
            self._create_accounts(password)
        self.stdout.write("Demo accounts ready: admin, editor, advisor.")

    def _create_accounts(self, password):
        User = get_user_model()
        content_permissions = Permission.objects.filter(content_type__app_label="compounds")

        admin = self._account(User, "admin", password, is_superuser=True)
        editor = self._account(User, "editor", password, first_name="Demo", last_name="Editor")
        advisor = self._account(User, "advisor", password, first_name="Nikhil", last_name="Joshi")
        for user in (editor, advisor):
            user.user_permissions.add(*content_permissions)

        byline, _ = MedicalAdvisor.objects.get_or_create(
            slug=DEMO_ADVISOR_SLUG,
            defaults={"display_name": "Nikhil Joshi", "credentials": "MD, FRCPC"},
        )
        if byline.user_id != advisor.pk:
            byline.user = advisor
            byline.save(update_fields=["user"])
        return admin, editor, advisor

    @staticmethod
    def _account(User, username, password, is_superuser=False, **names):
        user, _ = User.objects.get_or_create(username=username, defaults=names)
        user.is_staff = True
        user.is_active = True
        user.is_superuser = is_superuser
        user.set_password(password)
        user.save()
        return user
