"""An advisor's decision on an inbox item: "changes nothing" or "needs an update".

"Needs an update" makes the summary (or compound) due for review now: its live
version's next review date becomes today, so it heads the dashboard's review-due list
and the review reminders. For a study or trial, the reference lookup
(compounds/references/lookup.py) fills in the details of the record, which the
summary's change form and review screen offer as a suggested reference for its next
draft. Nothing changes the working copy or the public pages: the editor adds the
reference to a draft, and it is published only when an advisor approves that draft.

Either decision is kept twice: on the item (who, when, the note) and as a step in the
object's review history, beside its approvals.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from compounds.evidence import StudyDesign
from compounds.models import InboxItem, WatchSource
from compounds.references import lookup
from compounds.review import workflow

# The reference lookup's kind of identifier for each source it can look up.
LOOKUP_KINDS = {WatchSource.PUBMED: "pmid", WatchSource.TRIALS: "nct_id"}


class AlreadyDecided(Exception):
    def __init__(self, item):
        self.item = item
        who = workflow.person(item.decided_by)
        super().__init__(
            f"{item.label} was decided by {who} meanwhile ({item.get_decision_display()}): "
            "their decision stands."
        )


def may_decide(user, item):
    """Advisors who may review the item's summary (or compound) decide on it."""
    return workflow.may_review(user, type(item.target))


def suggestion(item):
    """The reference's details as the lookup gives them, or why it gave none."""
    kind = LOOKUP_KINDS.get(item.source)
    if kind is None or item.summary_id is None:
        return {}
    result = lookup.look_up(kind, item.identifier)
    if isinstance(result, lookup.Details):
        fields = {kind: item.identifier, **result.found()}
        design = fields.get("study_design")
        return {
            "fields": fields,
            # The design as the reference form names it: "Randomized controlled trial".
            "design": StudyDesign(design).label if design in StudyDesign.values else "",
            "notes": list(result.notes),
        }
    return {"fields": {kind: item.identifier}, "failure": result.message}


def decide(item, user, decision, note=""):
    """Record the advisor's decision on an open item; AlreadyDecided if someone was first."""
    if decision not in (InboxItem.Decision.CHANGES_NOTHING, InboxItem.Decision.NEEDS_UPDATE):
        raise ValueError(f"Not a decision: {decision!r}")
    if not may_decide(user, item):
        raise PermissionDenied("Only a medical advisor decides on what the watch found.")
    note = note.strip()
    # Asked before the transaction: a slow source must not hold the rows locked.
    suggested = suggestion(item) if decision == InboxItem.Decision.NEEDS_UPDATE else {}
    now = timezone.now()
    with transaction.atomic():
        decided = InboxItem.objects.filter(pk=item.pk, decision=InboxItem.Decision.OPEN).update(
            decision=decision, decided_by=user, decided_at=now, note=note, suggested=suggested
        )
        if not decided:
            raise AlreadyDecided(InboxItem.objects.select_related("decided_by").get(pk=item.pk))
        target = type(item.target).objects.get(pk=item.target.pk)
        item.refresh_from_db()
        workflow.book_inbox_decision(
            target,
            user,
            history_line(item),
            due_now=decision == InboxItem.Decision.NEEDS_UPDATE,
        )
    return item


def history_line(item):
    """The decision as the history shows it."""
    line = (
        f"Evidence inbox, {item.get_source_display()}: {item.label}, {item.change} "
        f"(“{item.title}”). Decided: {item.get_decision_display().lower()}."
    )
    if item.decision == InboxItem.Decision.NEEDS_UPDATE:
        line += " Due for review now; the record is suggested as a reference for the next draft."
    if item.note:
        line += f" {item.note}"
    return line


def suggested_references(summary):
    """The items that need an update whose record the summary's working copy does not
    cite yet: what its next draft is offered, oldest decision first."""
    cited = {
        field: set(summary.references.exclude(**{field: ""}).values_list(field, flat=True))
        for field in ("pmid", "nct_id")
    }
    items = InboxItem.objects.filter(
        summary=summary, decision=InboxItem.Decision.NEEDS_UPDATE
    ).order_by("decided_at", "id")
    offered = []
    for item in items:
        kind = LOOKUP_KINDS.get(item.source)
        if kind and item.identifier in cited[kind]:
            continue
        offered.append(item)
    return offered
