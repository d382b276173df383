"""What a decision's confirmation page showed, held on the server and named by a token.

A confirmation page lists every object a decision applies to (as many as the admin
lets an advisor select). Posting back a field for each (its revision, the
fingerprint of the text shown) would pass Django's limit on form fields
(DATA_UPLOAD_MAX_NUMBER_FIELDS) past about 500 objects, and the advisor's confirmation
would be refused after they read the whole list. So the page writes what it showed to
a ShownDecision row and posts one signed token naming it; the decision reads the row
back, and is bound to it exactly as it is to the fields of the review screen: an object
changed since, or whose text would differ, is refused and shown again.

The token is signed (django.core.signing) and good for KEPT; the record belongs to the
advisor it was shown to, and to the kind and the action it was shown for.
"""

import datetime
from dataclasses import dataclass, field

from django.core import signing
from django.utils import timezone

from compounds.models import ShownDecision

# The posted field naming the record.
FIELD = "shown"
# How long a confirmation page can be acted on: a long list takes a while to read.
KEPT = datetime.timedelta(hours=2)
_SALT = "compounds.review.shown"


@dataclass
class Shown:
    """What the advisor was shown: revisions by workflow.revision_key, the fingerprints
    of the text patients would read by object id, the companions' revisions by
    revision_key, and the ids selected with them that are still to be shown."""

    revisions: dict = field(default_factory=dict)
    texts: dict = field(default_factory=dict)
    companions: dict = field(default_factory=dict)
    rest: list = field(default_factory=list)

    @property
    def ids(self):
        return [pk for _, pk in self.revisions]


def remember(user, model, action, objects, companions, rest=()):
    """Write what a page shows and return its token. objects: (obj, revision shown,
    fingerprint or None) for each; companions: (companion, revision shown) for each."""
    # Records outlive their use only by KEPT: the oldest go as each new one is written.
    ShownDecision.objects.filter(created_at__lt=timezone.now() - KEPT).delete()
    record = ShownDecision.objects.create(
        user=user,
        model=model._meta.label,
        action=action,
        shown={
            "objects": [[obj.pk, revision, text] for obj, revision, text in objects],
            "companions": [
                [part._meta.model_name, part.pk, revision] for part, revision in companions
            ],
            "rest": list(rest),
        },
    )
    return signing.dumps(record.pk, salt=_SALT)


def recall(user, model, action, token):
    """What the page of `token` showed (Shown), or None when the token is not one this
    site signed, is older than KEPT, or was shown to someone else, for another kind or
    another action."""
    try:
        pk = signing.loads(token, salt=_SALT, max_age=KEPT)
    except signing.BadSignature:
        return None
    record = ShownDecision.objects.filter(
        pk=pk, user=user, model=model._meta.label, action=action
    ).first()
    if record is None:
        return None
    model_name = model._meta.model_name
    shown = Shown(rest=list(record.shown.get("rest", [])))
    for pk, revision, text in record.shown["objects"]:
        shown.revisions[model_name, pk] = revision
        if text is not None:
            shown.texts[pk] = text
    for name, pk, revision in record.shown["companions"]:
        shown.companions[name, pk] = revision
    return shown
