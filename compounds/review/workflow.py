"""The review workflow's rules: who may move content between states, and what each step does.

    draft / changes requested / withdrawn --submit--> in review
    in review --approve--> approved (the snapshot becomes the live version)
    in review --request changes--> changes requested (with the advisor's comment)
    anything live --withdraw--> withdrawn (off the public site)
    any saved edit --> draft (the live version stays until the edit is approved)

Editors (change permission) submit; medical advisors (review permission and a
byline) approve, request changes and withdraw. Every step locks the object's
row first, so two people pressing the same button at once change it once, and
writes a ReviewEvent, and sends `step_taken` after it (the emails listen).

Each state change is written here once, and every caller goes through it: the
change form, the list actions, the review screen, the bulk confirmation page, the
import and the import batches. Each has two forms: one object (`submit`, `approve`,
`request_changes`, `withdraw`, `restore`), raising ReviewError with the reason, and
many (`submit_many`, `approve_many`, `request_changes_many`, `withdraw_many`),
returning the Outcomes: what was moved and what was refused, and why. Options are
keyword-only. `submit_many` moves its rows a chunk at a time, which is what lets an
import submit twenty thousand objects in seconds; `approve_many` approves evidence
summaries that take nothing along the same way, every one judged first and those
refused left out; the other decisions are taken one object a transaction. Either way
a refusal leaves the others decided. A summary whose
grade its references do not support is approved only with the advisor's comment
confirming it (`grade_to_confirm`); so is an object whose text the content checks
flag (`checks_to_confirm`): they inform, the advisor decides, and says why in the history.
A summary whose verdict or evidence level the approval changes is approved only with a
one-line reason for patients (`public_reason_to_give`), which its pages' change log
shows with the advisor's name (compounds/review/change_log.py).

A decision (approve, request changes, withdraw) is a signature on what the
advisor saw: the admin passes the revision on the advisor's screen as
`seen_revision`, and the step is refused if the object, or any of its inline
children (saving them counts as an edit of the object), changed since.

A new pair is reviewed in one go: an evidence summary whose compound or condition
has never been approved takes them along (its `companions`). Submitting the summary
submits them; approving it approves them first, each bound to the revision the
advisor saw and to the four-eyes rule, all in one transaction; a change request
returns all of them to the author.
"""

import calendar
import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import F, OuterRef, Subquery
from django.db.models.fields.json import KT
from django.dispatch import Signal
from django.utils import timezone

from compounds.models import (
    EvidenceSummary,
    MedicalAdvisor,
    NoticeReview,
    ReviewAction,
    ReviewEvent,
    ReviewState,
    Version,
)
from compounds.one_line import has_line_break
from compounds.review import change_log, content_checks, publishing, snapshots, working_copy

# Rows locked and moved per query by the bulk steps: well under SQLite's 32,766 variables.
CHUNK = 2000

# Sent after each review step with the ReviewEvent that books it (`event`), inside the
# step's transaction: compounds/review/notifications.py emails the people it concerns once
# that commits. An import's submission sends none (`announce=False`): it announces
# itself once, for the whole batch.
step_taken = Signal()


class ReviewError(Exception):
    """A step the user may not take, with the reason in words they can act on."""


@dataclass
class Outcomes:
    """What a step taken on many objects did: the objects it moved (as they are now) and
    those it refused, each with its ReviewError."""

    done: list = field(default_factory=list)
    refused: list = field(default_factory=list)  # (object, ReviewError)

    @property
    def stale(self):
        """The refusals of objects changed since the person deciding saw them."""
        return [error for _, error in self.refused if isinstance(error, StaleDecision)]


class StaleDecision(ReviewError):
    """A decision on a revision of the object that is no longer its working copy."""

    def __init__(self, current, seen_revision, decided):
        self.current = current
        self.seen_revision = seen_revision
        name, when = last_edit(current)
        self.editor = name or "Someone"
        when = when or "a moment ago"
        super().__init__(
            f"{self.editor} changed “{current}” at {when}, after you opened revision "
            f"{seen_revision}; it is now revision {current.revision}. Nothing was {decided}: "
            "look at the changes as they are now, and decide again."
        )


def check_seen(current, seen_revision, decided):
    """Refuse a step taken on another revision than current's (StaleDecision). current
    is the locked row; seen_revision None is a script's step, on whatever is there."""
    if seen_revision is not None and seen_revision != current.revision:
        raise StaleDecision(current, seen_revision, decided)


def _check_comment(comment):
    # PostgreSQL cannot store a NUL character in text; say so rather than fail.
    if "\x00" in comment:
        raise ReviewError("The comment contains a NUL character, which cannot be stored.")


def checked_public_reason(reason):
    """The public reason of an approval as the change log prints it: stripped, one line
    of at most change_log.REASON_LENGTH characters; ReviewError says what is wrong."""
    reason = reason.strip()
    if has_line_break(reason):
        raise ReviewError(
            "The reason for patients is one line of the page's change log: remove the line break."
        )
    if len(reason) > change_log.REASON_LENGTH:
        raise ReviewError(
            f"The reason for patients is one line of at most {change_log.REASON_LENGTH} "
            f"characters; this one has {len(reason)}."
        )
    if "\x00" in reason:
        raise ReviewError("The reason contains a NUL character, which cannot be stored.")
    return reason


# What the workflow keeps on a publishable row besides its content and revision.
BOOKKEEPING_FIELDS = [
    "review_state",
    "live_version",
    "last_edited_by",
    "last_edited_at",
    "editors_since_approval",
]

SUBMITTABLE = {ReviewState.DRAFT, ReviewState.CHANGES_REQUESTED, ReviewState.WITHDRAWN}


def may_edit(user, model):
    return user.has_perm(f"{model._meta.app_label}.change_{model._meta.model_name}")


def may_review(user, model):
    return user.has_perm(f"{model._meta.app_label}.review_{model._meta.model_name}")


def lock(obj):
    """Obj's row as it is now, locked until the transaction ends, on every database.

    An UPDATE that changes nothing takes the row lock on PostgreSQL and the
    write lock on SQLite, where SELECT ... FOR UPDATE does nothing.
    """
    model = type(obj)
    model._default_manager.filter(pk=obj.pk).update(revision=F("revision"))
    return model._default_manager.get(pk=obj.pk)


def record_edit(obj, user):
    """Book a saved edit: back to draft, one revision on, and the editor noted.

    Called by the admin as it saves the working copy; the live version is untouched.
    """
    obj.revision += 1
    obj.review_state = ReviewState.DRAFT
    obj.last_edited_by = user
    obj.last_edited_at = timezone.now()
    if user.pk not in obj.editors_since_approval:
        obj.editors_since_approval = [*obj.editors_since_approval, user.pk]


def person(user, nobody="someone"):
    """A user as messages and emails name them: full name, else username."""
    return (user.get_full_name() or user.get_username()) if user else nobody


def last_edit(current):
    """Who last edited current and when, as messages name them: ("Eve Editor",
    "2026-11-21 10:04"); the time is "" when it is not known."""
    name = person(current.last_edited_by, nobody="")
    when = current.last_edited_at
    return name, timezone.localtime(when).strftime("%Y-%m-%d %H:%M") if when else ""


def conflict_message(current):
    name, when = last_edit(current)
    name, when = name or "Someone", when or "a moment ago"
    return (
        f"{name} changed this {current._meta.verbose_name} at {when}, after you opened it. "
        "Nothing was saved, so their changes are kept: copy what you wrote, open the page "
        "again, and make your changes on top of theirs."
    )


def _event(obj, user, action, from_state, comment="", version=None):
    event = ReviewEvent.objects.create(
        content_object=obj,
        object_repr=str(obj)[:300],
        action=action,
        from_state=from_state,
        to_state=obj.review_state,
        user=user,
        comment=comment,
        version=version,
    )
    step_taken.send(sender=ReviewEvent, event=event)
    return event


def _move(obj, user, action, to_state, comment="", version=None, **fields):
    from_state = obj.review_state
    obj.review_state = to_state
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.save(update_fields=["review_state", *fields])
    return _event(obj, user, action, from_state, comment, version)


def _never_approved(model, ids):
    """The objects of model among ids that have never been approved: no version at all."""
    return model.objects.filter(pk__in=ids).exclude(
        pk__in=Version.objects.of_model(model).values("object_id")
    )


def companions(obj):
    """The objects reviewed with obj: those it needs live (a summary's compound and
    condition) that have never been approved. They go through review together with obj,
    so a new pair takes one submission and one decision."""
    return companions_of([obj])[revision_key(obj)]


def companions_of(objects):
    """companions() of each object, by revision_key: one query a related kind for all of
    them, so that a page listing a thousand summaries asks two queries, not two thousand."""
    found = {revision_key(obj): [] for obj in objects}
    by_model = {}
    for obj in objects:
        by_model.setdefault(type(obj), []).append(obj)
    for model, some in by_model.items():
        for name in model.live_related:
            related = model._meta.get_field(name).related_model
            ids = {getattr(obj, f"{name}_id") for obj in some}
            # With their child rows, which the decision pages' content checks read.
            parts = _never_approved(related, ids).prefetch_related(*related.snapshot_children)
            never = {part.pk: part for part in parts}
            for obj in some:
                part = never.get(getattr(obj, f"{name}_id"))
                if part is not None:
                    found[revision_key(obj)].append(part)
    return found


def revision_key(obj):
    """How the revision an advisor saw of an object is named in a decision on many
    objects, of several kinds, and of a companion: ("compound", 12)."""
    return obj._meta.model_name, obj.pk


def submit(obj, user, *, comment=""):
    """Submit obj for review (and its companions); ReviewError says why not."""
    outcomes = submit_many([obj], user, comment=comment)
    if outcomes.refused:
        raise outcomes.refused[0][1]
    return outcomes.done[0]


def submit_many(objects, user, *, comment="", announce=True):
    """Submit objects for review, in one transaction, a chunk of rows a query: each is
    locked, checked, moved to in review and given its Submitted step, and what it takes
    along (its companions) is submitted with it. Returns the Outcomes. announce=False:
    no step_taken for the objects (the caller announces them together)."""
    outcomes = Outcomes()
    by_model = {}
    for obj in objects:
        by_model.setdefault(type(obj), []).append(obj)
    with transaction.atomic():
        for model, some in by_model.items():
            if not may_edit(user, model):
                error = ReviewError("You may not submit content for review.")
                outcomes.refused += [(obj, error) for obj in some]
                continue
            for start in range(0, len(some), CHUNK):
                chunk = some[start : start + CHUNK]
                _submit_chunk(model, chunk, user, comment, announce, outcomes)
    return outcomes


def _submit_chunk(model, objects, user, comment, announce, outcomes):
    pks = [obj.pk for obj in objects]
    # Locked as lock() locks one row (the same update takes them all).
    model._default_manager.filter(pk__in=pks).update(revision=F("revision"))
    # With what names them (a summary's compound and condition): the review events and
    # messages print each one.
    rows = model._default_manager.all()
    if model.live_related:
        rows = rows.select_related(*model.live_related)
    current = rows.in_bulk(pks)
    moving = []
    for obj in objects:
        now = current.get(obj.pk)
        if now is None:
            outcomes.refused.append((obj, ReviewError(f"“{obj}” no longer exists.")))
        elif now.review_state == ReviewState.IN_REVIEW:
            outcomes.refused.append((now, ReviewError(f"“{now}” is already in review.")))
        elif now.review_state not in SUBMITTABLE:
            outcomes.refused.append(
                (
                    now,
                    ReviewError(f"“{now}” is approved and unchanged: there is nothing to review."),
                )
            )
        else:
            moving.append(now)
    if not moving:
        return
    if len(moving) == 1:
        together = f"Submitted with “{moving[0]}”."
    else:
        together = f"Submitted with its {model._meta.verbose_name}."
    _submit_companions(moving, user, f"{together} {comment}" if comment else together, announce)
    model._default_manager.filter(pk__in=[obj.pk for obj in moving]).update(
        review_state=ReviewState.IN_REVIEW
    )
    content_type = ContentType.objects.get_for_model(model)
    events = []
    for obj in moving:
        events.append(
            ReviewEvent(
                content_type=content_type,
                object_id=obj.pk,
                object_repr=str(obj)[:300],
                action=ReviewAction.SUBMIT,
                from_state=obj.review_state,
                to_state=ReviewState.IN_REVIEW,
                user=user,
                comment=comment,
            )
        )
        obj.review_state = ReviewState.IN_REVIEW
    ReviewEvent.objects.bulk_create(events)
    if announce:
        for event in events:
            step_taken.send(sender=ReviewEvent, event=event)
    outcomes.done += moving


def _submit_companions(summaries, user, comment, announce):
    """Submit what summaries being submitted take along: their compounds and conditions
    that have never been approved and wait as drafts or with changes requested. One
    query a related kind to find them, whatever the number of summaries."""
    model = type(summaries[0])
    for name in model.live_related:
        related = model._meta.get_field(name).related_model
        if not may_edit(user, related):
            continue
        ids = {getattr(summary, f"{name}_id") for summary in summaries}
        waiting = _never_approved(related, ids).filter(review_state__in=SUBMITTABLE)
        parts = [related(pk=pk) for pk in waiting.values_list("pk", flat=True)]
        if parts:
            # One changed by someone else meanwhile is left as it is: Outcomes unread.
            _submit_chunk(related, parts, user, comment, announce, Outcomes())


def companions_in_review(current):
    """The companions a decision on current takes along: those waiting in review."""
    return [
        part
        for part in map(lock, companions(current))
        if part.review_state == ReviewState.IN_REVIEW
    ]


def _check_companion_seen(part, companions_seen, decided):
    """A companion's decision is bound to its revision on the advisor's screen too;
    companions_seen None is a script's step, on whatever is there."""
    if companions_seen is None:
        return
    seen = companions_seen.get(revision_key(part))
    if seen is None:
        raise ReviewError(
            f"“{part}” is reviewed with this one but was not on your screen. Nothing was "
            f"{decided}: open the review again, where it is shown."
        )
    check_seen(part, seen, decided)


def _advisor_byline(user):
    advisor = MedicalAdvisor.objects.filter(user=user).first()
    if advisor is None:
        raise ReviewError(
            "Approving needs a medical advisor byline linked to your account, "
            "because every approved page names its reviewer."
        )
    return advisor


def _check_reviewer(user, current):
    if not may_review(user, type(current)):
        raise ReviewError("Only medical advisors may approve, request changes or withdraw.")


def approval_refused(current, user):
    """Why `user` may not approve `current` as it is, or None if they may."""
    if not may_review(user, type(current)):
        return "Only medical advisors may approve, request changes or withdraw."
    if current.review_state != ReviewState.IN_REVIEW:
        return (
            f"“{current}” is {current.get_review_state_display().lower()}, not in review: "
            "only content submitted for review can be approved."
        )
    if settings.REVIEW_FOUR_EYES and user.pk in current.editors_since_approval:
        return (
            f"You edited “{current}” since it was last approved; another medical "
            "advisor must approve it (four-eyes rule)."
        )
    if settings.REVIEW_FOUR_EYES and current.is_page_of(user):
        return (
            f"“{current}” is your own page: another medical advisor must approve what it "
            "says of you (four-eyes rule)."
        )
    return None


def grade_to_confirm(current):
    """Why approving `current` needs the advisor's comment confirming its grade, or None:
    a summary graded Level 1 to 4 whose references cite no study of that design or a
    stronger one (of its condition, when the grade is direct). The comment is kept in the
    history, beside the approval."""
    if not getattr(current, "grade_needs_confirming", False):
        return None
    # A direct grade's studies are of the condition: one of another condition is cited
    # for it only when the grade is extrapolated.
    of_condition = f" that studied {current.condition}" if current.is_direct else ""
    return (
        f"“{current}” is graded {current.get_evidence_level_display()}, and its references "
        f"have no cited study of that design or a stronger one{of_condition}: confirm the "
        "grade in a comment, which the history keeps, or add the studies to its references "
        "first."
    )


def checks_to_confirm(current):
    """Why approving `current` needs the advisor's comment on its open content checks, or
    None: the checks (compounds/review/content_checks.py) found text to look at, such as a
    word that promises more than its evidence or a figure without a source. The comment
    says why it may stand, and is kept in the history beside the approval."""
    found = content_checks.findings(current)
    if not found:
        return None
    return (
        f"“{current}” has open content checks ({content_checks.describe(found)}): approve "
        "it with a comment, which the history keeps, saying why they may stand, or request "
        "changes."
    )


def last_approved(obj):
    """The version an approval of obj is judged against: the live one, or the last one
    approved before it was withdrawn; None when obj was never approved."""
    return Version.objects.of(obj).order_by("-number").first()


def _reason_to_give(current, before):
    """Why approving current needs a public reason, or None; before: the snapshot of its
    last approved version (of which only change_log.NEEDS_REASON are read), None if
    there is none."""
    after = {name: getattr(current, name) for name in change_log.NEEDS_REASON}
    if before is not None:
        before = {name: before.get(name) for name in change_log.NEEDS_REASON}
    if not change_log.needs_reason(before, after):
        return None
    changed = " ".join(change_log.what_changed(before, after))
    return (
        f"“{current}”: {changed} Approving it needs a one-line reason for patients, which "
        "its pages show with your name under “What changed”."
    )


def public_reason_to_give(current):
    """Why approving `current` needs a public reason, or None: it is a summary whose
    verdict or evidence level differs from its last approved version's. The reason is
    one line patients read in the pair's change log, beside the change."""
    return public_reasons_to_give([current]).get(revision_key(current))


def public_reasons_to_give(objects):
    """public_reason_to_give() of each object, by revision_key: one query a kind for all
    of them, reading only the verdict and level of their versions."""
    found = {}
    by_model = {}
    for obj in objects:
        if type(obj).keeps_change_log:
            by_model.setdefault(type(obj), []).append(obj)
    for model, some in by_model.items():
        fields = [KT(f"data__{name}") for name in change_log.NEEDS_REASON]
        rows = (
            Version.objects.of_model(model)
            .filter(object_id__in=[obj.pk for obj in some])
            .order_by("object_id", "-number")
            .values_list("object_id", *fields)
        )
        last = {}
        for object_id, *values in rows:
            last.setdefault(object_id, dict(zip(change_log.NEEDS_REASON, values, strict=True)))
        for obj in some:
            found[revision_key(obj)] = _reason_to_give(obj, last.get(obj.pk))
    return found


def approve(obj, user, *, comment="", public_reason="", seen_revision=None, companions_seen=None):
    """Publish obj's working copy, and its companions' in review. `seen_revision`: the
    revision the advisor reviewed; `companions_seen`: each companion's, by
    revision_key (None for both only for scripts that approve what they have just read
    themselves); `public_reason`: the line the pair's change log shows with the entry
    (required by a change of verdict or evidence level)."""
    _check_comment(comment)
    public_reason = checked_public_reason(public_reason)
    with transaction.atomic():
        current = lock(obj)
        _check_reviewer(user, current)
        check_seen(current, seen_revision, "approved")
        # Each is refused (and all with it, in this transaction) as _publish judges it.
        for part in companions_in_review(current):
            _check_companion_seen(part, companions_seen, "approved")
            _publish(part, user, comment)
        return _publish(current, user, comment, public_reason)


def _publish(current, user, comment, public_reason=""):
    """Approve the locked row current: a version, the approved state, the published row."""
    previous = last_approved(current)
    _check_approvable(current, user, comment, public_reason, previous)
    advisor = _advisor_byline(user)
    data = snapshots.take(current)
    if "slug" in data:
        taken = type(current).address_taken(current.pk, data["slug"])
        if taken:
            raise ReviewError(taken)
    now = timezone.now()
    log = []
    if type(current).keeps_change_log:
        log = change_log.log_after(
            previous,
            data,
            day=timezone.localdate(now),
            approved_by=change_log.byline(advisor.display_name, advisor.credentials),
            reason=public_reason,
        )
    version = Version.objects.create(
        content_object=current,
        number=previous.number + 1 if previous else 1,
        data=data,
        approved_by=user,
        reviewer_name=advisor.display_name,
        reviewer_credentials=advisor.credentials,
        reviewer=advisor,
        approved_at=now,
        next_review_due=review_due_after(timezone.localdate(now)),
        public_reason=public_reason,
        change_log=log,
    )
    _move(
        current,
        user,
        ReviewAction.APPROVE,
        ReviewState.APPROVED,
        comment,
        version,
        live_version=version,
        editors_since_approval=[],
    )
    # The review screen shows the notices on cited studies that advisors are checking:
    # approving a version after them is a decision on them, and the pages stop saying so.
    if isinstance(current, EvidenceSummary):
        NoticeReview.objects.filter(summary_id=current.pk, decided_at__isnull=True).update(
            decision=NoticeReview.Decision.NEW_VERSION,
            decided_at=now,
            decided_by=user,
            version=version,
        )
    publishing.publish(
        current, version, previous_slug=previous.data.get("slug") if previous else None
    )
    return current


def request_changes(obj, user, *, comment, seen_revision=None, about=(), companions_seen=None):
    if not comment.strip():
        raise ReviewError("Say what needs to change: the comment is shown to the author.")
    _check_comment(comment)
    with transaction.atomic():
        current = lock(obj)
        _check_reviewer(user, current)
        check_seen(current, seen_revision, "sent back")
        if current.review_state != ReviewState.IN_REVIEW:
            raise ReviewError(f"“{current}” is not in review.")
        for part in companions_in_review(current):
            _check_companion_seen(part, companions_seen, "sent back")
            _check_reviewer(user, part)
            _move(
                part,
                user,
                ReviewAction.REQUEST_CHANGES,
                ReviewState.CHANGES_REQUESTED,
                f"With “{current}”: {comment}",
            )
        event = _move(
            current, user, ReviewAction.REQUEST_CHANGES, ReviewState.CHANGES_REQUESTED, comment
        )
        if about:
            event.about = list(about)
            event.save(update_fields=["about"])
        return current


def withdraw(obj, user, *, comment, seen_revision=None):
    if not comment.strip():
        raise ReviewError("Say why it is withdrawn: the reason is kept in the audit trail.")
    _check_comment(comment)
    with transaction.atomic():
        current = lock(obj)
        _check_reviewer(user, current)
        check_seen(current, seen_revision, "withdrawn")
        if current.live_version_id is None:
            raise ReviewError(f"“{current}” is not on the public site.")
        _move(
            current, user, ReviewAction.WITHDRAW, ReviewState.WITHDRAWN, comment, live_version=None
        )
        publishing.unpublish(current)
        return current


def restore(obj, user, *, version, seen_revision=None):
    """Make version's content the working copy of obj, as a draft edit by user: refused
    (StaleDecision) if the working copy is no longer seen_revision, the one the restore
    page showed the differences from. A version that no longer fits (a slug taken since)
    raises ValidationError or IntegrityError, and nothing is written."""
    with transaction.atomic():
        current = lock(obj)
        check_seen(current, seen_revision, "restored")
        working_copy.write(current, version.data)
        record_edit(current, user)
        current.save()
        LogEntry.objects.log_actions(
            user_id=user.pk,
            queryset=[current],
            action_flag=CHANGE,
            change_message=f"Restored version {version.number} as a draft.",
            single_object=True,
        )
        return current


def _each(step, objects, user, seen, options):
    """Take a decision on each object, each in its own transaction (one refusal leaves the
    others decided), bound to the revision `seen` gives for it (by revision_key) when given."""
    outcomes = Outcomes()
    for obj in objects:
        if seen is not None:
            options["seen_revision"] = seen.get(revision_key(obj))
            if options["seen_revision"] is None:
                error = ReviewError(f"“{obj}” was not on your screen: open it, and decide again.")
                outcomes.refused.append((obj, error))
                continue
        try:
            outcomes.done.append(step(obj, user, **options))
        except ReviewError as error:
            outcomes.refused.append((getattr(error, "current", obj), error))
    return outcomes


def approve_many(
    objects, user, *, comment="", public_reasons=None, seen=None, companions_seen=None
):
    """approve() each object; seen: the revision the advisor saw of each, by revision_key;
    public_reasons: the public reason given for each, by revision_key.

    Evidence summaries that take nothing along (the bulk case: pairs of live compounds
    and conditions) are approved together, a chunk a transaction, in a number of queries
    that does not grow with their count (_approve_summaries); the others, one at a time
    as approve() does. Each object is judged by the same rules either way, and one
    refused leaves the others approved. The Outcomes list them in the order given."""
    reasons = public_reasons or {}
    summaries = [obj for obj in objects if type(obj) is EvidenceSummary]
    along = companions_of(summaries) if summaries else {}
    # An object named twice is approved once, together; then refused, alone, as approved.
    together = {}
    for obj in summaries:
        if not along[revision_key(obj)]:
            together.setdefault(revision_key(obj), obj)
    together = list(together.values())
    decided = {}
    for start in range(0, len(together), CHUNK):
        chunk = together[start : start + CHUNK]
        decided.update(_approve_summaries(chunk, user, comment, reasons, seen))

    def step(obj, user, **options):
        return approve(obj, user, public_reason=reasons.get(revision_key(obj), ""), **options)

    options = {"comment": comment, "companions_seen": companions_seen}
    outcomes = Outcomes()
    for obj in objects:
        key = revision_key(obj)
        if key in decided and decided[key][1] is not None:
            done, result = decided[key]
            decided[key] = (done, None)
        else:
            each = _each(step, [obj], user, seen, dict(options))
            done, result = (True, each.done[0]) if each.done else (False, each.refused[0])
        (outcomes.done if done else outcomes.refused).append(result)
    return outcomes


def _approve_summaries(objects, user, comment, reasons, seen):
    """Approve evidence summaries that take nothing along, all in one transaction, by the
    rules approve() applies to each: {revision_key: (True, summary as now) or (False,
    (object, ReviewError))}. Every row is locked and read at once and judged in Python;
    what is approved is then written a kind of row a query (versions, the summaries'
    state, review events, decided notices, published rows, citations, publication
    changes). A summary refused leaves the others approved; an error in writing leaves
    all of them as they were."""
    results, asked = {}, []
    for obj in objects:
        key = revision_key(obj)
        if seen is not None and seen.get(key) is None:
            error = ReviewError(f"“{obj}” was not on your screen: open it, and decide again.")
            results[key] = (False, (obj, error))
            continue
        try:
            _check_comment(comment)
            asked.append((obj, checked_public_reason(reasons.get(key, ""))))
        except ReviewError as error:
            results[key] = (False, (obj, error))
    if not asked:
        return results
    with transaction.atomic():
        pks = [obj.pk for obj, _ in asked]
        # Locked as lock() locks one row (the same update takes them all), then read with
        # what the checks and the snapshots read: their names, child rows, last editor.
        EvidenceSummary._default_manager.filter(pk__in=pks).update(revision=F("revision"))
        current = EvidenceSummary._default_manager.filter(pk__in=pks).for_decision().in_bulk()
        previous = _last_approved_of(EvidenceSummary, pks)
        advisor = MedicalAdvisor.objects.filter(user=user).first()
        approving = []
        for obj, reason in asked:
            key = revision_key(obj)
            now = current.get(obj.pk)
            try:
                if now is None:
                    raise ReviewError(f"“{obj}” no longer exists.")
                _check_reviewer(user, now)
                check_seen(now, seen.get(key) if seen is not None else None, "approved")
                _check_approvable(now, user, comment, reason, previous.get(now.pk))
                if advisor is None:
                    _advisor_byline(user)
            except ReviewError as error:
                results[key] = (False, (getattr(error, "current", obj), error))
                continue
            approving.append((now, reason))
        if approving:
            _write_approvals(approving, user, comment, advisor, previous)
            for now, _ in approving:
                results[revision_key(now)] = (True, now)
    return results


def _last_approved_of(model, pks):
    """last_approved() of each object of model among pks, by id: one query."""
    versions = Version.objects.of_model(model)
    latest = versions.filter(object_id=OuterRef("object_id")).order_by("-number")
    found = versions.filter(object_id__in=pks, number=Subquery(latest.values("number")[:1]))
    return {version.object_id: version for version in found}


def _check_approvable(current, user, comment, public_reason, previous):
    """What an approval checks before it writes anything, one at a time (_publish) or in
    sets, for the locked row current whose last approved version is previous:
    ReviewError says what refuses it."""
    refused = approval_refused(current, user)
    if refused:
        raise ReviewError(refused)
    if not comment.strip():
        unconfirmed = grade_to_confirm(current) or checks_to_confirm(current)
        if unconfirmed:
            raise ReviewError(unconfirmed)
    if not public_reason and type(current).keeps_change_log:
        unexplained = _reason_to_give(current, previous.data if previous else None)
        if unexplained:
            raise ReviewError(unexplained)


def _write_approvals(approving, user, comment, advisor, previous):
    """What _publish writes for each approved summary, a kind of row a query: approving
    is [(locked summary, its public reason)], previous their last approved versions."""
    now = timezone.now()
    day = timezone.localdate(now)
    byline = change_log.byline(advisor.display_name, advisor.credentials)
    content_type = ContentType.objects.get_for_model(EvidenceSummary)
    versions = []
    for current, reason in approving:
        before = previous.get(current.pk)
        data = snapshots.take(current)
        versions.append(
            Version(
                content_type=content_type,
                object_id=current.pk,
                number=before.number + 1 if before else 1,
                data=data,
                approved_by=user,
                reviewer_name=advisor.display_name,
                reviewer_credentials=advisor.credentials,
                reviewer=advisor,
                approved_at=now,
                next_review_due=review_due_after(day),
                public_reason=reason,
                change_log=change_log.log_after(
                    before, data, day=day, approved_by=byline, reason=reason
                ),
            )
        )
    Version.objects.bulk_create(versions)
    events = []
    for (current, _), version in zip(approving, versions, strict=True):
        events.append(
            ReviewEvent(
                # The object itself, not only its id: the emails sent once this commits
                # read it and its last editor (read with it) without asking again.
                content_object=current,
                object_repr=str(current)[:300],
                action=ReviewAction.APPROVE,
                from_state=current.review_state,
                to_state=ReviewState.APPROVED,
                user=user,
                comment=comment,
                version=version,
            )
        )
        current.review_state = ReviewState.APPROVED
        current.live_version = version
        current.editors_since_approval = []
    summaries = [current for current, _ in approving]
    # Each one's live version is the one just written: its last.
    latest = Version.objects.of_model(EvidenceSummary).filter(object_id=OuterRef("pk"))
    EvidenceSummary.objects.filter(pk__in=[current.pk for current in summaries]).update(
        review_state=ReviewState.APPROVED,
        editors_since_approval=[],
        live_version=Subquery(latest.order_by("-number").values("pk")[:1]),
    )
    ReviewEvent.objects.bulk_create(events)
    for event in events:
        step_taken.send(sender=ReviewEvent, event=event)
    # Approving a version after the notices advisors are checking decides them (_publish).
    by_summary = {version.object_id: version for version in versions}
    notices = list(
        NoticeReview.objects.filter(summary_id__in=list(by_summary), decided_at__isnull=True)
    )
    for review in notices:
        review.decision = NoticeReview.Decision.NEW_VERSION
        review.decided_at = now
        review.decided_by = user
        review.version = by_summary[review.summary_id]
    if notices:
        NoticeReview.objects.bulk_update(
            notices, ["decision", "decided_at", "decided_by", "version"]
        )
    publishing.publish_summaries(list(zip(summaries, versions, strict=True)))


def request_changes_many(objects, user, *, comment, seen=None, about=(), companions_seen=None):
    """request_changes() of each object, with one comment."""
    options = {"comment": comment, "about": about, "companions_seen": companions_seen}
    return _each(request_changes, objects, user, seen, options)


def withdraw_many(objects, user, *, comment, seen=None):
    """withdraw() each object, for one reason."""
    return _each(withdraw, objects, user, seen, {"comment": comment})


# Live content whose review falls due within this time is listed with what is overdue
# (the dashboard, the admin's "review due" filter, the weekly reminders).
DUE_SOON = datetime.timedelta(days=30)


def review_due_after(day):
    """The day an approval made on `day` is due for review again."""
    month_index = day.month - 1 + settings.REVIEW_INTERVAL_MONTHS
    year, month = day.year + month_index // 12, month_index % 12 + 1
    # 29 February, or the 31st of a shorter month, falls back to the month's last day.
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def book_inbox_decision(obj, user, comment, *, due_now=False):
    """An advisor's decision on what the evidence watch found about obj (compounds/watch/
    inbox.py), booked as a step of obj's history. It changes no state and mails no one
    (no step_taken). With due_now, obj's review falls due today, unless it already has:
    its live version's date moves, the published row's (what pages show) waits for the
    next approval. Called inside the decision's transaction."""
    if due_now and obj.live_version_id:
        today = timezone.localdate()
        Version.objects.filter(pk=obj.live_version_id, next_review_due__gt=today).update(
            next_review_due=today
        )
    return _book_decision(obj, user, ReviewAction.INBOX_DECISION, comment)


def book_notice_checked(summary, user, comment):
    """An advisor's decision that a summary stands as approved after a notice on a study
    it cites (compounds/watch/retractions.py), booked as a step of its history. It
    changes no state and mails no one. Called inside the decision's transaction."""
    return _book_decision(summary, user, ReviewAction.NOTICE_CHECKED, comment)


def _book_decision(obj, user, action, comment):
    return ReviewEvent.objects.create(
        content_object=obj,
        object_repr=str(obj)[:300],
        action=action,
        from_state=obj.review_state,
        to_state=obj.review_state,
        user=user,
        comment=comment,
    )


def latest_changes_requested(obj):
    """The advisor's comment the author is working on, if the object waits on one."""
    if obj.review_state != ReviewState.CHANGES_REQUESTED:
        return None
    return (
        ReviewEvent.objects.of(obj)
        .filter(action=ReviewAction.REQUEST_CHANGES)
        .select_related("user")
        .first()
    )
