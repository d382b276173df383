"""The readers' reports on the admin's screens: on the home page, how many are open, the
longest waiting first, each a link to its page in the queue; on an object's review screen
and change form, how many are open about it."""

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils.text import Truncator

from compounds.admin_plumbing import capped_count
from compounds.models import Feedback

from .admin import reports_about_url

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


def open_reports_about(request, obj):
    """How many open reports are about obj, with the link to all of them; None when there
    are none or the user may not see them."""
    if not request.user.has_perm("compounds.view_feedback"):
        return None
    rows = Feedback.objects.open().about(obj)
    count = capped_count(rows, COUNT_CAP)
    if not count:
        return None
    content_type = ContentType.objects.get_for_model(type(obj))
    return {"count": count, "url": reports_about_url(content_type.pk, obj.pk)}
