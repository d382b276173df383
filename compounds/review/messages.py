"""What the admin tells whoever took a review step: what happened, and what comes next.

Each function takes the objects the step moved, as the step returned them, the model's
options (for the plural) and the person who took the step, and returns one message.
"""

from django.utils import dateformat

from compounds.models import ReviewAction, ReviewEvent
from compounds.review import workflow
from compounds.review.notifications import editors_since_last_approval


def _subject(objects, opts, one="is", many="are"):
    if len(objects) == 1:
        return f"“{objects[0]}” {one}"
    return f"{len(objects)} {opts.verbose_name_plural} {many}"


def _names(names):
    names = list(dict.fromkeys(names))
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def submitted(objects, opts, user):
    live = [obj for obj in objects if obj.is_live]
    waiting = f"{_subject(objects, opts)} waiting for a medical advisor"
    if len(objects) == 1:
        if live:
            return f"{waiting}; the public site keeps the approved version until then."
        return f"{waiting}; patients see it once one approves it."
    if len(live) == len(objects):
        return f"{waiting}; the public site keeps their approved versions until then."
    if not live:
        return f"{waiting}; patients see them once one approves them."
    return (
        f"{waiting}; the public site keeps the approved versions of those it shows until "
        "then, and patients see the others once one approves them."
    )


def approved(objects, opts, user):
    due = sorted({obj.live_version.next_review_due for obj in objects})
    due = _names([dateformat.format(day, "j F Y") for day in due])
    if len(objects) == 1:
        read = f"patients now read this version, version {objects[0].live_version.number}"
    else:
        read = "patients now read these versions"
    return f"{_subject(objects, opts)} live: {read}; next review due {due}."


def _authors(obj, user):
    """Who the change request goes back to: who submitted or edited it since its last
    approval (the people it is mailed to), but not the advisor who asked."""
    event = ReviewEvent.objects.of(obj).filter(action=ReviewAction.REQUEST_CHANGES).first()
    people = editors_since_last_approval(event) if event is not None else []
    return [workflow.person(person) for person in people if person.pk != user.pk]


def returned(objects, opts, user):
    authors = [name for obj in objects for name in _authors(obj, user)]
    one = len(objects) == 1
    to = _names(authors) if authors else ("its editors" if one else "their editors")
    sees = "sees" if len(set(authors)) == 1 else "see"
    form = "the form" if one else "each form"
    what = _subject(objects, opts, "was", "were")
    return f"{what} returned to {to}, who {sees} your comment on {form}."


def withdrawn(objects, opts, user):
    history = "its history keeps" if len(objects) == 1 else "their histories keep"
    return f"{_subject(objects, opts)} off the public site; {history} every version."
