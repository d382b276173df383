"""The admin home page's review dashboard: what waits on whom, and what is due for review.

Each list shows at most LIMIT objects, the longest waiting first, with how many there
are in all and links to the admin lists filtered to the rest: at the client's size a
list could hold a million summaries.
"""

import datetime
from dataclasses import dataclass, field

from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from compounds.admin_plumbing import AtLeast, capped_count
from compounds.models import PUBLISHABLE_MODELS, ReviewState
from compounds.review import queue as review_queue
from compounds.review import workflow

LIMIT = 20
# Beyond this many, a total reads "1,000+": counting stops there.
COUNT_CAP = 1_000


@dataclass
class Item:
    label: str
    kind: str
    url: str
    note: str
    due_on: datetime.date | None = None
    since: datetime.datetime | None = None


@dataclass
class MoreLink:
    """Every object of one kind in a list, on that kind's filtered admin list."""

    label: str
    count: int
    url: str


@dataclass
class Section:
    items: list[Item] = field(default_factory=list)
    links: list[MoreLink] = field(default_factory=list)

    @property
    def total(self):
        total = sum(link.count for link in self.links)
        return (
            AtLeast(total) if any(isinstance(link.count, AtLeast) for link in self.links) else total
        )

    @property
    def truncated(self):
        return self.total > len(self.items)

    def add(self, model, rows, item, sort_key, query):
        """Adds the first LIMIT of rows, and the count of all of them with their link."""
        shown = list(rows[:LIMIT])
        if not shown:
            return
        count = len(shown) if len(shown) < LIMIT else capped_count(rows, COUNT_CAP)
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        label = str(opts.verbose_name_plural).capitalize()
        self.links.append(MoreLink(label, count, f"{url}?{urlencode(query)}"))
        # The first LIMIT of each kind hold the first LIMIT of all kinds.
        self.items = sorted([*self.items, *map(item, shown)], key=sort_key)[:LIMIT]


def _item(obj, note, due_on=None):
    opts = obj._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    return Item(str(obj), str(opts.verbose_name).capitalize(), url, note, due_on, obj.updated_at)


def _rows(request, model):
    """The model's rows as its admin lists them, with what their names need selected."""
    model_admin = admin.site.get_model_admin(model)
    return model_admin.get_queryset(request)


def review_dashboard(request):
    """Lists for the signed-in user, limited to the kinds of content they may see."""
    today = timezone.localdate()
    awaiting, returned, due = Section(), Section(), Section()

    def waiting(obj):
        return obj.since, obj.kind, obj.label

    def due_first(obj):
        return obj.due_on, obj.kind, obj.label

    for model in PUBLISHABLE_MODELS:
        opts = model._meta
        if not request.user.has_perm(f"{opts.app_label}.view_{opts.model_name}"):
            continue
        rows = _rows(request, model)
        # Longest waiting first: the edit, or the submission, longest ago.
        for section, state, note in [
            (awaiting, ReviewState.IN_REVIEW, "in review"),
            (returned, ReviewState.CHANGES_REQUESTED, "changes requested"),
        ]:
            section.add(
                model,
                rows.filter(review_state=state).order_by("updated_at", "id"),
                lambda obj, note=note: _item(obj, note),
                waiting,
                {"review_state__exact": state},
            )
        due.add(
            model,
            rows.due_for_review(on_or_before=today + workflow.DUE_SOON).order_by(
                "live_version__next_review_due", "id"
            ),
            lambda obj: _due_item(obj, today),
            due_first,
            {"review_due": "due"},
        )
    queue = review_queue.head(request, LIMIT)
    notices, notices_open = review_queue.open_notices(request.user, LIMIT)
    return {
        # Cited studies retracted, corrected or under an expression of concern come first.
        "notices": notices,
        "notices_open": notices_open,
        "queue": [item for item in queue if not item.needs_another_advisor],
        "own_edits": [item for item in queue if item.needs_another_advisor],
        "awaiting": awaiting,
        "returned": returned,
        "due": due,
        "can_review": any(workflow.may_review(request.user, model) for model in PUBLISHABLE_MODELS),
    }


def _due_item(obj, today):
    when = obj.live_version.next_review_due
    note = f"overdue since {when:%d %b %Y}" if when < today else f"due {when:%d %b %Y}"
    return _item(obj, note, when)
