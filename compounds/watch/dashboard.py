"""The evidence inbox on the admin's screens: on the home page, how many items are open,
the longest waiting first, each a link to its page; on a summary's (or compound's)
review screen and change form, its open items and the references suggested for its
next draft."""

from dataclasses import dataclass

from django.urls import reverse

from compounds.admin_plumbing import capped_count
from compounds.models import InboxItem
from compounds.watch import inbox

from .inbox_admin import inbox_url, item_url

LIMIT = 10
COUNT_CAP = 1_000


@dataclass
class Item:
    found_at: object
    about: str
    record: str
    change: str
    title: str
    url: str


def _may_see(request):
    return request.user.has_perm("compounds.view_inboxitem")


def open_inbox(request):
    """The open inbox items for the signed-in user, or None if they may not see them.
    (The retraction watch's hits are counted beside these.)"""
    if not _may_see(request):
        return None
    rows = InboxItem.objects.open().select_related(
        "summary__compound", "summary__condition", "compound"
    )
    shown = list(rows[:LIMIT])
    return {
        "count": len(shown) if len(shown) < LIMIT else capped_count(rows, COUNT_CAP),
        "items": [
            Item(
                item.found_at,
                str(item.target),
                item.label,
                item.change,
                item.title,
                reverse("admin:compounds_inboxitem_change", args=[item.pk]),
            )
            for item in shown
        ],
        "url": reverse("admin:compounds_inboxitem_changelist"),
        "waiting": _waiting_for_drafts(request),
    }


def _waiting_for_drafts(request):
    """For those who edit summaries: the records an advisor decided need an update, each
    with the page that adds it to its summary's draft, the longest waiting first."""
    if not inbox.may_add(request.user):
        return None
    rows = inbox.waiting_for_drafts().select_related("summary__compound", "summary__condition")
    shown = list(rows[:LIMIT])
    if not shown:
        return None
    return {
        "count": len(shown) if len(shown) < LIMIT else capped_count(rows, COUNT_CAP),
        "items": [
            (
                f"Add {item.label} to the draft of {item.summary}",
                reverse("admin:compounds_inboxitem_add_to_draft", args=[item.pk]),
            )
            for item in shown
        ],
    }


def inbox_of(request, obj):
    """What the watch found about obj that awaits a decision, and the records decided to
    need an update that its working copy does not cite yet; None when there is nothing."""
    if not _may_see(request) or obj._meta.model_name not in ("evidencesummary", "compound"):
        return None
    rows = InboxItem.objects.of(obj).open()
    open_items = list(rows[:LIMIT])
    suggested = inbox.suggested_references(obj) if obj._meta.model_name == "evidencesummary" else []
    if not open_items and not suggested:
        return None
    return {
        "count": len(open_items) if len(open_items) < LIMIT else capped_count(rows, COUNT_CAP),
        "items": [(item, item_url(item, obj)) for item in open_items],
        "url": inbox_url(obj),
        "suggested": suggested,
        "may_add": inbox.may_add(request.user),
    }
