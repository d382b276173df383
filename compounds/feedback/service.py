"""Every change to a reader's report, in one place: received, its note saved, closed,
and its personal data forgotten when FEEDBACK_*_RETENTION_DAYS are up."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from compounds.feedback import acknowledgement
from compounds.models import Feedback


@dataclass(frozen=True)
class About:
    """What a public page is about: a working model, its object's id (the published row's
    id is its working object's), and the name the page shows."""

    model: type
    pk: int
    name: str


class AlreadyClosed(Exception):
    def __init__(self, feedback):
        self.feedback = feedback
        super().__init__(f"{feedback} was closed already.")


NOTE_NEEDED = "Write a note before closing: what was done, or why nothing was."


def receive(*, page, message, email="", about=None):
    """Record a reader's report; the reader is acknowledged once it is saved."""
    feedback = Feedback.objects.create(
        page=page,
        content_type=ContentType.objects.get_for_model(about.model) if about else None,
        object_id=about.pk if about else None,
        about_name=about.name if about else "",
        message=message,
        email=email,
    )
    if email:
        transaction.on_commit(lambda: acknowledgement.send(feedback), robust=True)
    return feedback


def save_note(feedback, note):
    """Keep a note on an open report without closing it."""
    if not Feedback.objects.filter(pk=feedback.pk, status=Feedback.Status.OPEN).update(note=note):
        raise AlreadyClosed(Feedback.objects.get(pk=feedback.pk))
    feedback.note = note


def close(feedback, user, note):
    """Close an open report with the note that answers it. Two people closing the same
    report at once: the first one's note stands, the second is told."""
    note = note.strip()
    if not note:
        raise ValueError(NOTE_NEEDED)
    now = timezone.now()
    closed = Feedback.objects.filter(pk=feedback.pk, status=Feedback.Status.OPEN).update(
        status=Feedback.Status.CLOSED, note=note, closed_by=user, closed_at=now
    )
    if not closed:
        raise AlreadyClosed(Feedback.objects.get(pk=feedback.pk))
    feedback.refresh_from_db()
    return feedback


def forget(now=None):
    """Clear the personal data whose time is up: every reader's address received more
    than FEEDBACK_EMAIL_RETENTION_DAYS ago, and the text of every report closed more
    than FEEDBACK_TEXT_RETENTION_DAYS ago (an open report keeps its text until it is
    dealt with). Returns how many addresses and texts were cleared."""
    now = now or timezone.now()
    email_before = now - timedelta(days=settings.FEEDBACK_EMAIL_RETENTION_DAYS)
    text_before = now - timedelta(days=settings.FEEDBACK_TEXT_RETENTION_DAYS)
    emails = (
        Feedback.objects.filter(received_at__lt=email_before).exclude(email="").update(email="")
    )
    texts = (
        Feedback.objects.filter(status=Feedback.Status.CLOSED, closed_at__lt=text_before)
        .exclude(message="")
        .update(message="")
    )
    return emails, texts
