"""The admin home page's review dashboard: what waits on whom, and what is due for review."""

import datetime
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone

from compounds import workflow
from compounds.models import PUBLISHABLE_MODELS, ReviewState

DUE_SOON = datetime.timedelta(days=30)


@dataclass
class Item:
    label: str
    kind: str
    url: str
    note: str
    due_on: datetime.date | None = None


def _item(obj, note, due_on=None):
    opts = obj._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    return Item(str(obj), str(opts.verbose_name).capitalize(), url, note, due_on)


def review_dashboard(request):
    """Lists for the signed-in user, limited to the kinds of content they may see."""
    today = timezone.localdate()
    awaiting, returned, due = [], [], []
    for model in PUBLISHABLE_MODELS:
        opts = model._meta
        if not request.user.has_perm(f"{opts.app_label}.view_{opts.model_name}"):
            continue
        rows = model.objects.select_related("live_version")
        for obj in rows.filter(review_state=ReviewState.IN_REVIEW):
            awaiting.append(_item(obj, "in review"))
        for obj in rows.filter(review_state=ReviewState.CHANGES_REQUESTED):
            returned.append(_item(obj, "changes requested"))
        for obj in rows.filter(live_version__next_review_due__lte=today + DUE_SOON):
            when = obj.live_version.next_review_due
            note = f"overdue since {when:%d %b %Y}" if when < today else f"due {when:%d %b %Y}"
            due.append(_item(obj, note, when))
    return {
        "awaiting": awaiting,
        "returned": returned,
        "due": sorted(due, key=lambda item: item.due_on),
        "can_review": any(workflow.may_review(request.user, model) for model in PUBLISHABLE_MODELS),
    }
