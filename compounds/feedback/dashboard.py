"""The readers' reports on the admin home page: how many are open, the longest waiting
first, each a link to its page in the queue."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.text import Truncator

from compounds.admin_plumbing import capped_count
from compounds.models import Feedback

LIMIT = 10
COUNT_CAP = 1_000


@dataclass
class Item:
    received_at: object
    about: str
    excerpt: str
    url: str


def open_reports(request):
    """The open reports for the signed-in user, or None if they may not see them."""
    if not request.user.has_perm("compounds.view_feedback"):
        return None
    rows = Feedback.objects.open().only("received_at", "about_name", "page", "message")
    shown = list(rows[:LIMIT])
    return {
        "count": len(shown) if len(shown) < LIMIT else capped_count(rows, COUNT_CAP),
        "items": [
            Item(
                report.received_at,
                report.about_name or report.page,
                Truncator(report.message).words(12),
                reverse("admin:compounds_feedback_change", args=[report.pk]),
            )
            for report in shown
        ],
        "url": reverse("admin:compounds_feedback_changelist"),
    }
