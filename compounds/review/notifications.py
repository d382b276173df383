"""Who is told what by email as content moves through review.

- Submitted for review: the advisors who may review it, never its author and
  never an advisor who edited it since its last approval (they may not approve it).
- Changes requested, approved or withdrawn: the editors who worked on it since its
  last approval, never the advisor who decided.
- Weekly: a digest of live content due for review (`manage.py review_reminders`).

Each email names the object, the person, the comment and a link to the admin.
Mail goes out once the review step has committed: a rolled-back approval tells
nobody anything. Whatever goes wrong with an email then (a mail server that is down,
an address or a header it refuses) is logged with the object and the recipients, and
never answers the person with a server error: their step is already done.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.dispatch import receiver
from django.urls import reverse

from compounds.models import ReviewAction, ReviewEvent
from compounds.review import workflow

log = logging.getLogger(__name__)

SUBJECT_PREFIX = "[Insight Swarm] "


def admin_link(obj, view="review"):
    opts = obj._meta
    path = reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=[obj.pk])
    return f"{settings.SITE_URL}{path}"


def reviewers_of(model):
    """Active accounts with an address that may review this kind of content."""
    codename = f"review_{model._meta.model_name}"
    perm = Q(user_permissions__codename=codename) | Q(groups__permissions__codename=codename)
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .exclude(email="")
        .filter(perm | Q(is_superuser=True))
        .distinct()
    )


def editors_since_last_approval(event):
    """Who submitted or edited the object since the approval before this event."""
    users = []
    earlier = ReviewEvent.objects.of_model(event.content_type.model_class()).filter(
        object_id=event.object_id, at__lte=event.at
    )
    for step in earlier.exclude(pk=event.pk).select_related("user").order_by("-at", "-id"):
        if step.action == ReviewAction.APPROVE:
            break
        if step.action == ReviewAction.SUBMIT:
            users.append(step.user)
    obj = event.content_object
    if obj is not None and getattr(obj, "last_edited_by", None) is not None:
        users.append(obj.last_edited_by)
    return users


def recipients(event):
    """The addresses an event is mailed to: never the person who took the step."""
    obj = event.content_object
    if event.action == ReviewAction.SUBMIT:
        barred = {event.user_id, *(obj.editors_since_approval if obj is not None else [])}
        people = [u for u in reviewers_of(type(obj)) if u.pk not in barred]
    else:
        people = [u for u in editors_since_last_approval(event) if u.pk != event.user_id]
    seen, addresses = set(), []
    for user in people:
        if user.email and user.is_active and user.email not in seen:
            seen.add(user.email)
            addresses.append(user.email)
    return addresses


SUBJECTS = {
    ReviewAction.SUBMIT: "Waiting for your review: {obj}",
    ReviewAction.APPROVE: "Approved and published: {obj}",
    ReviewAction.REQUEST_CHANGES: "Changes requested: {obj}",
    ReviewAction.WITHDRAW: "Withdrawn from the public site: {obj}",
}

OPENINGS = {
    ReviewAction.SUBMIT: "{who} submitted the {kind} “{obj}” for review.",
    ReviewAction.APPROVE: "{who} approved the {kind} “{obj}”; it is live on the public site.",
    ReviewAction.REQUEST_CHANGES: "{who} asked for changes to the {kind} “{obj}”.",
    ReviewAction.WITHDRAW: "{who} withdrew the {kind} “{obj}” from the public site.",
}


def message(event):
    """Subject and body of the email about one review step."""
    obj = event.content_object
    kind = obj._meta.verbose_name
    view = "review" if event.action == ReviewAction.SUBMIT else "change"
    subject = one_line(SUBJECT_PREFIX + SUBJECTS[event.action].format(obj=event.object_repr))
    lines = [
        OPENINGS[event.action].format(
            who=workflow.person(event.user), kind=kind, obj=event.object_repr
        ),
        "",
    ]
    if event.comment:
        lines += ["Comment:", event.comment, ""]
    lines += [f"Open it: {admin_link(obj, view)}", ""]
    return subject, "\n".join(lines)


def one_line(subject):
    # A header holds one line; a name saved with a line break before names were held to
    # one line must not make the email unsendable.
    return " ".join(subject.split())


def notify(event):
    """Email the people a committed review step concerns; a failure is only logged."""
    to = []
    try:
        obj = event.content_object
        to = recipients(event) if obj is not None else []
        if to:
            send_mail(*message(event), None, to)
    except Exception:  # noqa: BLE001
        # The review step stands; the people will see it in the admin's queue.
        log.exception(
            "Could not send the review email about %s “%s” (%s) to %s",
            event.content_type.model,
            event.object_repr,
            event.get_action_display(),
            ", ".join(to) or "nobody found",
        )


def notify_import(batch, models):
    """One email for a submitted import: it submits without a step_taken a step
    (workflow.submit_many's announce), as twenty thousand emails would tell nobody
    anything. Sent once
    the import has committed; a failure is only logged."""
    to = []
    try:
        importer = batch.imported_by
        to = sorted(
            {
                user.email
                for model in models
                for user in reviewers_of(model)
                if user.pk != importer.pk
            }
        )
        count = batch.created_count + batch.updated_count
        if not to or not count:
            return
        path = reverse("admin:compounds_importbatch_batch", args=[batch.pk])
        subject = SUBJECT_PREFIX + f"Waiting for your review: an import of {count} objects"
        body = (
            f"{workflow.person(importer)} imported {batch.file_name} and submitted {count} "
            f"objects for review.\n\nReview the batch: {settings.SITE_URL}{path}\n"
        )
        send_mail(subject, body, None, to)
    except Exception:  # noqa: BLE001
        log.exception(
            "Could not send the review email about import batch %s (%s) to %s",
            batch.pk,
            batch.file_name,
            ", ".join(to) or "nobody found",
        )


@receiver(workflow.step_taken, dispatch_uid="review_event_notifications")
def _on_review_step(sender, event, **kwargs):
    transaction.on_commit(lambda: notify(event), robust=True)
