"""Load the seed content and the demo accounts, for `make run` on a development machine."""

import os
from contextlib import nullcontext

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test import override_settings

from compounds.models import PUBLISHABLE_MODELS, Compound, MedicalAdvisor, SitePage
from compounds.review import workflow

DEFAULT_PASSWORD = "insightswarm-demo"
SEED_FIXTURE = "seed_content"
# The site's own pages (About, editorial policy...) and the demo advisors' pages, with the
# second demo advisor's byline, which the first fixture does not have.
SITE_PAGES_FIXTURE = "site_pages"

# username: (first name, last name, role, byline slug and credentials or None)
DEMO_ACCOUNTS = {
    "admin": ("", "", None, None),
    "editor": ("Demo", "Editor", "Editor", None),
    "advisor": ("Nikhil", "Joshi", "Medical Advisor", ("nikhil-joshi", "MD, FRCPC")),
    # A second advisor, so the four-eyes rule can be tried: one edits, the other approves.
    # A fictional person, as every demo account is.
    "advisor2": ("Maria", "Okafor", "Medical Advisor", ("maria-okafor", "PharmD")),
}

NO_EMAIL = {"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}}


class Command(BaseCommand):
    help = (
        "Load the seed content and the site's own pages (once: a database that has them "
        "keeps them), approve them as the demo advisor (the advisor's own page as advisor2), "
        "and create the demo accounts admin, editor, advisor and advisor2. Refuses to run "
        "with DEBUG off, so a production site never gets accounts with a published "
        "password. The approvals' review emails are sent only with -v 2."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reload",
            action="store_true",
            help="Load the seed content even when content exists, overwriting the seed rows.",
        )

    def handle(self, *args, reload=False, verbosity=1, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo creates accounts with a known password and runs only with DEBUG=on."
            )
        password = os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD
        # Approving the seed sends its review emails (32, some 500 lines on the console)
        # when it commits: sent nowhere unless asked for with -v 2.
        emails = nullcontext() if verbosity >= 2 else override_settings(MAILERS=NO_EMAIL)
        with emails, transaction.atomic():
            load = reload or not Compound.objects.exists()
            if load:
                call_command("loaddata", SEED_FIXTURE, verbosity=0)
            # Loaded apart: a demo site seeded before the site had its own pages gets them.
            load_pages = reload or not SitePage.objects.exists()
            if load_pages:
                call_command("loaddata", SITE_PAGES_FIXTURE, verbosity=0)
            accounts = {name: self._account(name, password) for name in DEMO_ACCOUNTS}
            if load or load_pages:
                approved = approve_everything(
                    accounts["editor"], accounts["advisor"], accounts["advisor2"]
                )
                self.stdout.write(
                    f"Seed content loaded; {approved} objects approved by advisor "
                    "(advisor's own page by advisor2)."
                )
            else:
                self.stdout.write(
                    "Content exists; seed content left as it is (--reload to load it)."
                )
        self.stdout.write(f"Demo accounts ready: {', '.join(DEMO_ACCOUNTS)}.")

    def _account(self, username, password):
        first_name, last_name, role, byline = DEMO_ACCOUNTS[username]
        user, _ = get_user_model().objects.get_or_create(username=username)
        user.first_name, user.last_name = first_name, last_name
        # Review emails print to the console in development: each account has an address.
        user.email = f"{username}@example.org"
        user.is_staff = user.is_active = True
        user.is_superuser = role is None
        user.set_password(password)
        user.save()
        if role:
            user.groups.set([Group.objects.get(name=role)])
        if byline:
            slug, credentials = byline
            # The account's byline as the table names it, also on a site seeded when the
            # account had another name (its byline is found by the account first).
            advisor = (
                MedicalAdvisor.objects.filter(user=user).first()
                or MedicalAdvisor.objects.filter(slug=slug).first()
                or MedicalAdvisor(slug=slug)
            )
            advisor.slug, advisor.credentials = slug, credentials
            advisor.display_name = f"{first_name} {last_name}"
            advisor.user = user
            advisor.save()
        return user


SEED_GRADE_COMMENT = (
    "Demo approval of the client's seed grade: the studies behind it are not cited yet."
)
SEED_CHECKS_COMMENT = (
    "Seed content approved for the demo; its open content checks are noted for editing."
)


def approve_everything(editor, advisor, second_advisor=None):
    """Take every object not yet live through review, as the editor and the advisor would:
    the advisor's own page is approved by the second advisor (left unapproved without one),
    as the four-eyes rule asks."""
    approved = 0
    for model in PUBLISHABLE_MODELS:
        for obj in model.objects.filter(live_version__isnull=True):
            approver = advisor
            if obj.is_page_of(advisor):
                if second_advisor is None:
                    continue
                approver = second_advisor
            workflow.submit(obj, editor)
            # The client's seed summaries cite no study yet, and the content checks flag
            # some of its text: the demo's approval says so in the history rather than
            # passing their grades as supported or their text as checked.
            needed = [
                (SEED_GRADE_COMMENT, workflow.grade_to_confirm(obj)),
                (SEED_CHECKS_COMMENT, workflow.checks_to_confirm(obj)),
            ]
            comment = " ".join(comment for comment, asked in needed if asked)
            workflow.approve(obj, approver, comment=comment)
            approved += 1
    return approved
