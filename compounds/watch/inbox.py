"""An advisor's decision on an inbox item: "changes nothing" or "needs an update".

"Needs an update" makes the summary (or compound) due for review now: its live
version's next review date becomes today, so it heads the dashboard's review-due list
and the review reminders. For a study or trial, the reference lookup
(compounds/references/lookup.py) fills in the details of the record, which the
summary's change form and review screen offer as a suggested reference for its next
draft. The decision changes neither the working copy nor the public pages: an editor
adds the reference to the working copy (add_to_draft, an edit like any other), and it
is published only when an advisor approves that draft.

Either decision is kept twice: on the item (who, when, the note) and as a step in the
object's review history, beside its approvals.
"""

from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from compounds.evidence import StudyDesign
from compounds.models import EvidenceSummary, InboxItem, Reference, WatchSource
from compounds.references import lookup
from compounds.review import workflow

# The reference lookup's kind of identifier for each source it can look up.
LOOKUP_KINDS = {WatchSource.PUBMED: "pmid", WatchSource.TRIALS: "nct_id"}


class CannotAdd(Exception):
    """A suggested reference that cannot be added as it is, with what the editor does."""


# What a reference needs that a source's record may not give, as the form names it.
NEEDED = {"title": "title", "year": "year", "study_design": "study design"}
# The suggestion's fields a reference takes.
REFERENCE_FIELDS = (
    "pmid",
    "nct_id",
    "authors",
    "title",
    "journal",
    "year",
    "study_design",
    "participants",
)


# How the reference form names each field, for the page that shows what will be added.
REFERENCE_LABELS = {
    "pmid": "PMID",
    "nct_id": "NCT id",
    "authors": "Authors",
    "title": "Title",
    "journal": "Journal",
    "year": "Year",
    "study_design": "Study design",
    "participants": "Participants",
}


def may_add(user):
    """Who may add a suggested reference to a draft: whoever may edit summaries."""
    return workflow.may_edit(user, EvidenceSummary)


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


def waiting_for_drafts():
    """The records decided to need an update that their summary's working copy does not
    cite yet, across the catalogue, oldest decision first: what editors have to add."""
    cited = Q()
    for source, field in LOOKUP_KINDS.items():
        cites = Reference.objects.filter(
            summary_id=OuterRef("summary_id"), **{field: OuterRef("identifier")}
        )
        cited |= Q(source=source) & Exists(cites)
    return (
        InboxItem.objects.filter(
            decision=InboxItem.Decision.NEEDS_UPDATE,
            summary__isnull=False,
            source__in=list(LOOKUP_KINDS),
        )
        .exclude(cited)
        .order_by("decided_at", "id")
    )


def add_to_draft(item, user):
    """Add the item's suggested reference to its summary's working copy, as an edit the
    admin would save: the summary becomes a draft, one revision on, with the user among
    its editors. It reaches the public pages only once an advisor approves that draft.
    Whether the study was of the pair's condition is no record's to say: left unticked,
    for the editor. CannotAdd when the lookup left out what a reference needs, or the
    working copy cites the record already."""
    if not may_add(user):
        raise PermissionDenied("Only editors and advisors change a summary's references.")
    if item.summary_id is None or item.decision != InboxItem.Decision.NEEDS_UPDATE:
        raise CannotAdd("Only a record decided to need an update is suggested for a draft.")
    fields = {
        k: v for k, v in (item.suggested.get("fields") or {}).items() if k in REFERENCE_FIELDS
    }
    missing = [label for name, label in NEEDED.items() if fields.get(name) in (None, "")]
    if missing:
        raise CannotAdd(
            f"The lookup did not give its {' and '.join(missing)}: add {item.label} under "
            "References on the summary's form, where the lookup button fills in the rest."
        )
    with transaction.atomic():
        summary = workflow.lock(item.summary)
        kind = LOOKUP_KINDS[item.source]
        if summary.references.filter(**{kind: item.identifier}).exists():
            raise CannotAdd(f"The summary cites {item.label} already.")
        reference = Reference(summary=summary, **fields)
        try:
            reference.full_clean()
        except ValidationError as error:
            raise CannotAdd(
                f"{item.label} cannot be added as the lookup gave it ({' '.join(error.messages)}): "
                "add it under References on the summary's form."
            ) from None
        reference.save()
        workflow.record_edit(summary, user)
        summary.save(update_fields=["revision", *workflow.BOOKKEEPING_FIELDS])
        LogEntry.objects.log_actions(
            user_id=user.pk,
            queryset=[summary],
            action_flag=CHANGE,
            change_message=f"Added {item.label} to the references, as the evidence watch "
            "suggested.",
            single_object=True,
        )
    return summary
