"""The review queue: what waits for review, who submitted it, when, and what changed.

An advisor's queue lists every object in review of the kinds they may review,
longest waiting first; an object they edited since its last approval is set
apart as "needs another advisor", since the four-eyes rule bars them from
approving it. The admin home shows the head of the queue; the queue page
(admin/review-queue/) all of it, filtered by kind and by whose edits, newest
or oldest first, a page at a time.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.text import capfirst

from compounds.models import (
    PUBLISHABLE_MODELS,
    EvidenceSummary,
    NoticeReview,
    ReviewAction,
    ReviewEvent,
    ReviewState,
    Version,
)
from compounds.review import snapshots, workflow

PER_PAGE = 50


@dataclass
class QueueItem:
    obj: object
    kind: str
    review_url: str
    submitted_by: str
    submitted_at: object
    changed: str
    needs_another_advisor: bool

    @property
    def label(self):
        return str(self.obj)


@dataclass
class NoticeItem:
    """A summary citing a study with a notice that advisors have not decided on: the head
    of the queue, before anything waiting for review."""

    summary: str
    reason: str
    notice_url: str
    decide_url: str
    found_at: object


def open_notices(user, limit):
    """(the oldest `limit` open notices on cited studies, how many are open in all), for a
    user who may see summaries; two queries."""
    if not user.has_perm("compounds.view_evidencesummary"):
        return [], 0
    rows = NoticeReview.objects.filter(decided_at__isnull=True).order_by("found_at", "id")
    shown = list(rows.select_related("notice", "summary__compound", "summary__condition")[:limit])
    count = len(shown) if len(shown) < limit else rows.count()
    items = [
        NoticeItem(
            summary=str(review.summary),
            reason=_reason(review.notice),
            notice_url=review.notice.link,
            decide_url=reverse("admin:compounds_noticereview_change", args=[review.pk]),
            found_at=review.found_at,
        )
        for review in shown
    ]
    return items, count


def open_notices_of(obj):
    """The open notices on studies an evidence summary cites, for its review screen and
    change form: approving a new version decides them, so the advisor sees them first."""
    if not isinstance(obj, EvidenceSummary) or obj.pk is None:
        return []
    return [
        NoticeItem(
            summary=str(obj),
            reason=_reason(review.notice),
            notice_url=review.notice.link,
            decide_url=reverse("admin:compounds_noticereview_change", args=[review.pk]),
            found_at=review.found_at,
        )
        for review in NoticeReview.objects.filter(summary=obj, decided_at__isnull=True)
        .select_related("notice")
        .order_by("found_at", "id")
    ]


def _reason(notice):
    study = f"{notice.get_identifier_kind_display()} {notice.identifier}"
    said = {
        "retraction": "retracted",
        "correction": "corrected",
        "expression_of_concern": "given an expression of concern",
    }[notice.kind]
    return f"A cited study ({study}) was {said} ({notice.source})"


def kinds_for(user):
    """The publishable models the user may see, as (model name, model)."""
    return [
        (model._meta.model_name, model)
        for model in PUBLISHABLE_MODELS
        if user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}")
    ]


def _in_review(model, newest_first):
    order = ("-updated_at", "-id") if newest_first else ("updated_at", "id")
    return (
        model._default_manager.filter(review_state=ReviewState.IN_REVIEW)
        .select_related("live_version", "last_edited_by", *model.live_related)
        .prefetch_related(*model.snapshot_children, *(f.name for f in model._meta.many_to_many))
        .order_by(*order)
    )


def _submissions(model, objects):
    """The latest submission of each object, by object id."""
    events = (
        ReviewEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(model),
            object_id__in=[obj.pk for obj in objects],
            action=ReviewAction.SUBMIT,
        )
        .select_related("user")
        .order_by("object_id", "-at", "-id")
    )
    latest = {}
    for event in events:
        latest.setdefault(event.object_id, event)
    return latest


def _bases(model, objects):
    """The version each object's edit is judged against: its live one, else its last."""
    bases = {obj.pk: obj.live_version for obj in objects if obj.live_version_id}
    withdrawn = [obj.pk for obj in objects if not obj.live_version_id]
    if withdrawn:
        for version in Version.objects.of_model(model).filter(object_id__in=withdrawn):
            bases.setdefault(version.object_id, version)  # newest first (Meta.ordering)
    return bases


def summary_of(diff):
    """What changed, in a line: "Human evidence, Verdict; References: 1 added"."""
    parts = []
    if diff.fields:
        parts.append(", ".join(change.label for change in diff.fields))
    for group, rows in diff.children.items():
        if rows:
            counts = {}
            for row in rows:
                counts[row.kind] = counts.get(row.kind, 0) + 1
            parts.append(f"{group}: " + ", ".join(f"{n} {kind}" for kind, n in counts.items()))
    return "; ".join(parts) or "No change since the last approval"


def items_of(request, model, objects):
    submitted = _submissions(model, objects)
    bases = _bases(model, objects)
    opts = model._meta
    review = f"admin:{opts.app_label}_{opts.model_name}_review"
    # The four-eyes rule bars an advisor from approving their own edit; an editor is
    # barred from approving anything, so the mark would tell them nothing.
    barred = settings.REVIEW_FOUR_EYES and workflow.may_review(request.user, model)
    items = []
    for obj in objects:
        event = submitted.get(obj.pk)
        base = bases.get(obj.pk)
        diff = snapshots.compare(model, base.data if base else None, snapshots.take(obj))
        items.append(
            QueueItem(
                obj=obj,
                kind=capfirst(opts.verbose_name),
                review_url=reverse(review, args=[obj.pk]),
                submitted_by=workflow.person(event.user if event else obj.last_edited_by),
                submitted_at=event.at if event else obj.updated_at,
                changed=summary_of(diff) if base else "New: never approved",
                needs_another_advisor=barred and request.user.pk in obj.editors_since_approval,
            )
        )
    return items


def head(request, limit):
    """The longest-waiting items of the user's queue across kinds, in the queue page's
    order: a fixed number of queries whatever the length of the queue, and what
    changed is worked out for these items only."""
    ranked = []
    for _, model in kinds_for(request.user):
        rows = _in_review(model, newest_first=False).values_list("updated_at", "pk")
        ranked += [(updated_at, pk, model) for updated_at, pk in rows[:limit]]
    ranked.sort(key=lambda row: row[:2])
    chosen = ranked[:limit]
    found = {}
    for model in {model for _, _, model in chosen}:
        objects = _in_review(model, newest_first=False).filter(
            pk__in=[pk for _, pk, of in chosen if of is model]
        )
        for item in items_of(request, model, list(objects)):
            found[model, item.obj.pk] = item
    return [found[model, pk] for _, pk, model in chosen if (model, pk) in found]


# At most this many waiting objects of one kind are sorted and paged; more is a backlog
# the admin lists (filtered to "in review") page through better.
QUEUE_CAP = 10_000


def _waiting(model, user, whose):
    """(updated_at, model, pk) of the objects in review, filtered by whose edits they hold."""
    rows = model._default_manager.filter(review_state=ReviewState.IN_REVIEW).values_list(
        "pk", "updated_at", "editors_since_approval"
    )
    for pk, updated_at, editors in rows.order_by("updated_at", "id")[:QUEUE_CAP]:
        mine = user.pk in (editors or [])
        if whose == "mine" and not mine or whose == "others" and mine:
            continue
        yield updated_at, model, pk


def review_queue_view(request):
    """The whole queue: ?kind=<model name>, ?whose=others|mine, ?order=newest, ?page=N."""
    kinds = kinds_for(request.user)
    kind = request.GET.get("kind", "")
    whose = request.GET.get("whose", "")
    newest_first = request.GET.get("order") == "newest"
    waiting = [
        entry
        for name, model in kinds
        if not kind or name == kind
        for entry in _waiting(model, request.user, whose)
    ]
    waiting.sort(key=lambda entry: entry[0], reverse=newest_first)
    page = Paginator(waiting, PER_PAGE).get_page(request.GET.get("page"))
    by_model = {}
    for _, model, pk in page.object_list:
        by_model.setdefault(model, []).append(pk)
    queue = []
    for model, pks in by_model.items():
        objects = _in_review(model, newest_first).filter(pk__in=pks)
        queue += items_of(request, model, list(objects))
    queue.sort(key=lambda item: item.obj.updated_at, reverse=newest_first)
    notices, notices_open = open_notices(request.user, PER_PAGE)
    return TemplateResponse(
        request,
        "admin/review_queue.html",
        {
            **admin.site.each_context(request),
            "title": "Review queue",
            "notices": notices,
            "notices_open": notices_open,
            "queue": queue,
            "page": page,
            "kinds": [(name, capfirst(model._meta.verbose_name_plural)) for name, model in kinds],
            "kind": kind,
            "whose": whose,
            "newest_first": newest_first,
        },
    )


def editors_since_approval(obj):
    """Who edited obj since its last approval, by name, in the order they first did."""
    users = get_user_model().objects.in_bulk(obj.editors_since_approval)
    return [workflow.person(users[pk]) for pk in obj.editors_since_approval if pk in users]


def next_in_queue(request, decided=()):
    """The review screen of the longest-waiting item the user may decide on, leaving out
    what they just decided; the queue page when nothing is left."""
    skip = {(type(obj), obj.pk) for obj in decided}
    four_eyes = settings.REVIEW_FOUR_EYES
    best = None
    for _, model in kinds_for(request.user):
        if not workflow.may_review(request.user, model):
            continue
        rows = (
            model._default_manager.filter(review_state=ReviewState.IN_REVIEW)
            .order_by("updated_at", "id")
            .values_list("pk", "updated_at", "editors_since_approval")
        )
        # Read until the first the user may decide on, however many they may not.
        for pk, updated_at, editors in rows.iterator(chunk_size=100):
            if (model, pk) in skip or (four_eyes and request.user.pk in (editors or [])):
                continue
            if best is None or updated_at < best[0]:
                best = (updated_at, model, pk)
            break
    if best is None:
        return reverse("admin:review_queue")
    _, model, pk = best
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_review", args=[pk])
