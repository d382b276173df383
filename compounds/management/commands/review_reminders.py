"""The weekly digest of live content due for review, for cron: `manage.py review_reminders`.

Each advisor who may review a kind of content gets one email listing what of
that kind is overdue or falls due within the next 30 days, most overdue first,
with a link to each. Nobody is mailed when nothing is due.
"""

from django.core.mail import send_mail
from django.core.management.base import BaseCommand
from django.utils import timezone

from compounds.models import PUBLISHABLE_MODELS
from compounds.review import workflow
from compounds.review.notifications import SUBJECT_PREFIX, admin_link, reviewers_of

# At most this many objects of one kind are listed; the rest are counted.
LISTED = 50


class Command(BaseCommand):
    help = "Email each medical advisor the live content that is overdue or due for review soon."

    def handle(self, *args, **options):
        today = timezone.localdate()
        digests = {}
        for model in PUBLISHABLE_MODELS:
            due = (
                model._default_manager.due_for_review(on_or_before=today + workflow.DUE_SOON)
                .select_related("live_version")
                .order_by("live_version__next_review_due", "id")
            )
            shown = list(due[: LISTED + 1])
            if not shown:
                continue
            lines = [f"{str(model._meta.verbose_name_plural).capitalize()}:"]
            for obj in shown[:LISTED]:
                when = obj.live_version.next_review_due
                status = (
                    f"overdue since {when:%d %b %Y}" if when < today else f"due {when:%d %b %Y}"
                )
                lines.append(f"- {obj} ({status}): {admin_link(obj, 'change')}")
            if len(shown) > LISTED:
                lines.append(f"- and {due.count() - LISTED} more in the admin's review-due list.")
            for user in reviewers_of(model):
                digests.setdefault(user.email, []).append("\n".join(lines))
        for address, sections in digests.items():
            body = (
                "Live content that is overdue or due for review within 30 days:\n\n"
                + "\n\n".join(sections)
                + "\n"
            )
            send_mail(SUBJECT_PREFIX + "Content due for review", body, None, [address])
        self.stdout.write(f"Sent the due-for-review digest to {len(digests)} advisor(s).")
