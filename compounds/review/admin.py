"""The review workflow in the admin: state columns and filters, the transition
actions (on the list and on the change form), the review screen with its diff,
what the staff preview's banner offers (the preview itself is pages/preview.py),
refusal of stale saves, and the read-only audit trail.

The rules themselves are in compounds/review/workflow.py; this module only asks them.
"""

import datetime
import json
import re

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.admin.options import ActionLocation
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.contrib.contenttypes.admin import GenericTabularInline
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import capfirst

from compounds import posted
from compounds.admin_plumbing import (
    AtLeast,
    CappedPaginator,
    CraftedInputAdmin,
    ReadOnlyAdmin,
    capped_count,
)
from compounds.feedback.dashboard import open_reports_about
from compounds.models import ReviewEvent, ReviewState, Version
from compounds.review import change_log, content_checks, patient_text, shown, snapshots, workflow
from compounds.review import messages as review_messages
from compounds.review.history import HistoryViews
from compounds.review.queue import editors_since_approval, next_in_queue, open_notices_of

EVERYWHERE = [ActionLocation.CHANGE_LIST, ActionLocation.CHANGE_FORM]
# The buttons of a change form's submit row: a post that names one is a save.
SAVE_BUTTONS = ("_save", "_continue", "_addanother", "_saveasnew", "_save_submit")
CHANGE_FORM_ACTION = f"{ActionLocation.CHANGE_FORM.value}-action"
# The revision of each object on the advisor's screen, carried by every decision's form.
SEEN_REVISION = "seen_revision_{}"
# ... and of each companion reviewed with it (a new pair's compound and condition).
SEEN_COMPANION_REVISION = "seen_{}_revision_{}"
_SEEN_COMPANION = re.compile(r"seen_([a-z]+)_revision_([0-9]{1,18})")
# An approval's public reason for each summary whose change log shows one: one field
# each, posted only by the summaries whose approval asks for one (or that were given one).
PUBLIC_REASON = "public_reason_{}"


class ReviewedForm(forms.ModelForm):
    """Refuses a save based on an older revision than the database holds."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "revision" in self.fields:
            self.fields["revision"].widget = forms.HiddenInput()

    # Set (by ReviewAdmin.changeform_view) when an action was run on a form with unsaved
    # edits: the form is shown again with the edits and this, and nothing is saved.
    refused_action = None

    def clean(self):
        cleaned = super().clean()
        if self.refused_action:
            self.add_error(
                None,
                ValidationError(
                    f"“{self.refused_action}” was not run: this page has changes that are not "
                    "saved yet, shown below. Save them first (“Save and submit for review” "
                    "does both), or reload the page to drop them.",
                    code="unsaved",
                ),
            )
        if self.instance.pk is not None and "revision" in self.fields:
            current = workflow.lock(self.instance)
            if cleaned.get("revision") != current.revision:
                raise ValidationError(workflow.conflict_message(current), code="stale")
            # The row was read before the lock; a review step may have committed since
            # (an approval, a withdrawal). The save must write the state as it is now.
            for name in workflow.BOOKKEEPING_FIELDS:
                setattr(self.instance, name, getattr(current, name))
        return cleaned


class DecisionForm(forms.Form):
    """The comment of a decision, checked as any text field of the admin is, and an
    approval's public reasons: one for each object of `reasons` ({object: whether its
    approval needs one}), as the workflow checks them."""

    comment = forms.CharField(required=False, strip=False)

    def __init__(self, *args, comment_required, reasons=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.comment_required = comment_required
        self.reason_fields = {}
        for obj, required in (reasons or {}).items():
            name = PUBLIC_REASON.format(obj.pk)
            self.fields[name] = forms.CharField(
                required=required,
                strip=False,
                error_messages={"required": "A reason for patients is required."},
            )
            self.reason_fields[name] = obj

    def clean_comment(self):
        comment = self.cleaned_data["comment"]
        if self.comment_required and not comment.strip():
            raise ValidationError("A comment is required.", code="required")
        return comment

    def clean(self):
        cleaned = super().clean()
        for name in self.reason_fields:
            if name in cleaned:
                try:
                    cleaned[name] = workflow.checked_public_reason(cleaned[name])
                except workflow.ReviewError as error:
                    self.add_error(name, str(error))
        return cleaned

    def public_reasons(self):
        """The reasons given, by workflow.revision_key (a valid form's)."""
        return {
            workflow.revision_key(obj): self.cleaned_data[name]
            for name, obj in self.reason_fields.items()
            if self.cleaned_data.get(name)
        }


def companions_seen(post):
    """The companions' revisions a decision's form carries, by workflow.revision_key."""
    seen = {}
    for name in post:
        match = _SEEN_COMPANION.fullmatch(name)
        revision = seen_revision(post.get(name)) if match else None
        if revision is not None:
            seen[match[1], int(match[2])] = revision
    return seen


def changed_parts(diff):
    """The labels of what a diff changed: its fields, then its groups of child rows."""
    return [change.label for change in diff.fields] + [
        group for group, rows in diff.children.items() if rows
    ]


# Posted by the review screen and the preview: after a decision, go to the next item.
NEXT_FIELD = "_next"


def seen_revision(raw):
    """A revision number posted by a form, or None when it is not one."""
    return posted.posted_revision(raw)


def edits_since(obj, revision):
    """What the admin's log says each edit after `revision` changed: "Erin: Changed X."."""
    entries = (
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(obj),
            object_id=str(obj.pk),
            action_flag=CHANGE,
        )
        .select_related("user")
        .order_by("-action_time", "-id")[:20]
    )
    edits = []
    for entry in entries:
        try:
            parts = json.loads(entry.change_message)
        except ValueError:
            continue
        marked = [p["revision"] for p in parts if isinstance(p, dict) and "revision" in p]
        if not marked or marked[0] <= revision:
            continue
        who = workflow.person(entry.user)
        edits.append(f"{who}: {entry.get_change_message()}")
    return list(reversed(edits))


class _Pending:
    """A decision posted: its objects, what the advisor was shown of them (shown.Shown),
    and, for an approval, the companions it takes along."""

    def __init__(self, request, objects, seen, approving):
        self.request = request
        self.objects = objects
        self.seen = seen
        self.approving = approving
        self.companions = workflow.companions_of(objects) if approving else {}
        self.confirmed = self._confirmed()

    def changed_since_seen(self, obj):
        """Whether obj, or a companion approved with it, changed since it was seen."""
        key = workflow.revision_key(obj)
        revision = self.seen.revisions.get(key)
        if revision is not None and revision != obj.revision:
            return True
        return any(
            self.seen.companions.get(workflow.revision_key(part), part.revision) != part.revision
            for part in self.companions.get(key, [])
        )

    def _confirmed(self):
        """Whether the advisor confirmed the decision on what they were shown. An object
        changed since it was seen is refused as stale by the workflow, and shown again
        with its changes; any other is approved only on the text shown."""
        post = self.request.POST
        text_unseen = self.approving and any(
            obj.pk not in self.seen.texts and not self.changed_since_seen(obj)
            for obj in self.objects
        )
        on_change_form = CHANGE_FORM_ACTION in post
        return not text_unseen and (
            bool(post.get("confirmed"))
            or (on_change_form and self.approving and "revision" in post)
        )


class ReviewEventInline(GenericTabularInline):
    """The object's audit trail, on its own page: read only, like the trail itself."""

    model = ReviewEvent
    verbose_name = "review step"
    verbose_name_plural = "review history"
    fields = ["at", "action", "from_state", "to_state", "user", "comment", "version_number"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    @admin.display(description="version")
    def version_number(self, event):
        return event.version.number if event.version else ""

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "version")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReviewDueFilter(admin.SimpleListFilter):
    title = "review due"
    parameter_name = "review_due"
    # Lists of content due for review come in the order it falls due, which the index on
    # Version.next_review_due serves (see ReviewAdmin.get_ordering).
    BY_DUE_DATE = ("overdue", "soon", "due")

    def lookups(self, request, model_admin):
        return [
            ("overdue", "Overdue"),
            ("soon", "Within 30 days"),
            ("due", "Overdue or within 30 days"),
            ("later", "Later"),
            ("not_live", "Not on the public site"),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        soon = today + workflow.DUE_SOON
        match self.value():
            case "overdue":
                return queryset.due_for_review(on_or_before=today - datetime.timedelta(days=1))
            case "soon":
                return queryset.due_for_review(on_or_after=today, on_or_before=soon)
            case "due":
                return queryset.due_for_review(on_or_before=soon)
            case "later":
                return queryset.due_for_review(on_or_after=soon + datetime.timedelta(days=1))
            case "not_live":
                return queryset.filter(live_version__isnull=True)
        return queryset


class ReviewAdmin(HistoryViews, CraftedInputAdmin):
    """A ModelAdmin for publishable content: compounds, conditions, summaries, updates."""

    # The most objects an approval's confirmation page shows, each with the text patients
    # will read. Rendering that text takes 20 to 100 ms a summary (pages/reading.py: four
    # pages), and the approval renders it again to check it has not moved: a selection of
    # a thousand is confirmed and approved a page at a time, each page bound to the text
    # it showed, so that neither request takes more than a few seconds.
    APPROVAL_PAGE = 50

    form = ReviewedForm
    # Lists of any size: no COUNT(*) of the whole table, and a capped count of the rows
    # listed (see CappedPaginator).
    show_full_result_count = False
    paginator = CappedPaginator
    change_form_template = "admin/compounds/review_change_form.html"
    actions = ["submit_for_review", "approve", "request_changes", "withdraw"]
    review_list_display = ["review_state", "is_live", "next_review_due"]
    review_list_filter = ["review_state", ReviewDueFilter]

    # Columns and filters ------------------------------------------------------------

    def get_list_display(self, request):
        # Right after the name: a list wider than the screen scrolls its last columns
        # out of sight, and the review state is what every list is opened for.
        name, *rest = super().get_list_display(request)
        return [name, *self.review_list_display, *rest]

    def get_list_filter(self, request):
        return [*self.review_list_filter, *super().get_list_filter(request)]

    def get_ordering(self, request):
        # Content due for review is listed most overdue first. Newest edit first would also
        # be slow here: what is overdue was mostly edited long ago, so the newest-first
        # scan would pass over most of the table before it found a page of it.
        if request.GET.get(ReviewDueFilter.parameter_name) in ReviewDueFilter.BY_DUE_DATE:
            return ["live_version__next_review_due", "id"]
        return super().get_ordering(request)

    def get_queryset(self, request):
        # Django applies list_select_related only to a queryset that selects nothing yet;
        # selecting the live version here would drop it, and every row would then query
        # its own relations. So the list's relations are selected here too.
        related = self.list_select_related
        related = list(related) if isinstance(related, (list, tuple)) else []
        return super().get_queryset(request).select_related("live_version", *related)

    @admin.display(description="live", boolean=True)
    def is_live(self, obj):
        return obj.is_live

    @admin.display(description="next review due", ordering="live_version__next_review_due")
    def next_review_due(self, obj):
        return obj.live_version.next_review_due if obj.live_version else None

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if any("revision" in options["fields"] for _, options in fieldsets):
            return fieldsets
        (name, options), *rest = fieldsets
        # The revision rides along hidden, so a stale save can be told apart.
        first = (name, {**options, "fields": [*options["fields"], "revision"]})
        return [first, *rest]

    def get_inlines(self, request, obj):
        inlines = list(super().get_inlines(request, obj))
        return [*inlines, ReviewEventInline] if obj else inlines

    # Permissions ----------------------------------------------------------------------

    def has_review_permission(self, request):
        return workflow.may_review(request.user, self.model)

    def has_delete_permission(self, request, obj=None):
        # Live content leaves the public site by being withdrawn, which is recorded.
        return super().has_delete_permission(request, obj) and not (obj and obj.is_live)

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location=action_location)
        # Bulk delete would take live content off the site with no review step.
        actions.pop("delete_selected", None)
        return actions

    # Saving ---------------------------------------------------------------------------

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        edited = form.has_changed() or any(formset.has_changed() for formset in formsets)
        if edited or not change:
            obj = form.instance
            workflow.record_edit(obj, request.user)
            obj.save(update_fields=["revision", *workflow.BOOKKEEPING_FIELDS])

    def construct_change_message(self, request, form, formsets, add=False):
        message = super().construct_change_message(request, form, formsets, add)
        if message:
            # The revision the edit made: a refused decision names the edits since its own.
            message.append({"revision": form.instance.revision})
        return message

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        refused = getattr(request, "refused_action", None)
        if refused:
            form = type(form.__name__, (form,), {"refused_action": refused})
        asked = workflow.latest_changes_requested(obj) if obj is not None else None
        if asked is not None and asked.about:
            # Each part the advisor pointed at carries their comment beside it.
            for field in form.base_fields.values():
                if field.label and capfirst(str(field.label)) in asked.about:
                    field.help_text = format_html(
                        '<strong class="changes-requested">Changes requested: {}</strong><br>{}',
                        asked.comment,
                        field.help_text,
                    )
        return form

    def _has_unsaved_edits(self, request, obj):
        """Whether the change form posted differs from the object as saved."""
        fields = flatten_fieldsets(self.get_fieldsets(request, obj))
        form = self.get_form(request, obj, change=True, fields=fields)(
            request.POST, request.FILES, instance=obj
        )
        formsets = self._posted_formsets(request, obj)
        edited = [name for name in form.changed_data if name != "revision"]
        return bool(edited) or any(formset.has_changed() for formset in formsets)

    def _posted_formsets(self, request, obj):
        """The inline formsets of obj's change form as posted, with the prefixes Django's
        change view gives them: the same name twice is numbered."""
        formsets, prefixes = [], {}
        for formset, inline in self.get_formsets_with_inlines(request, obj):
            prefix = formset.get_default_prefix()
            prefixes[prefix] = prefixes.get(prefix, 0) + 1
            if prefixes[prefix] != 1 or not prefix:
                prefix = f"{prefix}-{prefixes[prefix]}"
            formsets.append(formset(**self.get_formset_kwargs(request, obj, inline, prefix)))
        return formsets

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """A save button saves; the action box's Run button runs an action, never over edits.

        Django 6.1 puts the action box inside the change form, so every press of a button
        posts the action box too. As Django's own view decides, a post that names a save
        button is a save, whatever the action box holds. A post without one came from the
        Run button (or from Enter in a field, which presses the form's first button, Run):
        with no action chosen it is a save that stays on the page, as Enter was before the
        box moved into the form. An action chosen over unsaved edits is not run: the form
        comes back with them. A form whose revision is no longer current goes to the
        decision, which is refused as stale; or, for a submission, to the save, which is
        refused as stale and keeps the text on the page.
        """
        post = request.POST
        if request.method == "POST" and object_id is not None and CHANGE_FORM_ACTION in post:
            action = post.get(CHANGE_FORM_ACTION)
            if any(button in post for button in SAVE_BUTTONS):
                self._drop_action(request)
            elif not action:
                self._drop_action(request, then="_continue")
            else:
                obj = self.get_object(request, unquote(object_id))
                if (
                    obj is not None
                    and "revision" in post
                    and self.has_change_permission(request, obj)
                ):
                    current = seen_revision(post.get("revision")) == obj.revision
                    if current and self._has_unsaved_edits(request, obj):
                        actions = self.get_actions(request, ActionLocation.CHANGE_FORM)
                        label = actions[action].description if action in actions else action
                        request.refused_action = str(label)
                        self._drop_action(request)
                    elif not current and action == "submit_for_review":
                        self._drop_action(request)
        return super().changeform_view(request, object_id, form_url, extra_context)

    @staticmethod
    def _drop_action(request, then=None):
        """Make the post a save: without the action box's choice, and `then` as its button."""
        request.POST = request.POST.copy()
        del request.POST[CHANGE_FORM_ACTION]
        if then:
            request.POST[then] = ""

    def response_add(self, request, obj, post_url_continue=None):
        self._say_what_checks_found(request, obj)
        if "_save_submit" in request.POST:
            return self._submit_saved(request, obj)
        self._say_what_comes_next(request, obj)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        self._say_what_checks_found(request, obj)
        if "_save_submit" in request.POST:
            return self._submit_saved(request, obj)
        self._say_what_comes_next(request, obj)
        return super().response_change(request, obj)

    def _say_what_comes_next(self, request, obj):
        """After a plain save: who sees the draft now, and what publishes it."""
        if obj.review_state != ReviewState.DRAFT:
            return
        if obj.is_live:
            public = "Patients keep reading the approved version"
        else:
            public = "Patients do not see it"
        self.message_user(
            request,
            f"“{obj}” is a draft. {public} until it is submitted for review and a medical "
            "advisor approves it.",
            messages.INFO,
        )

    def _say_what_checks_found(self, request, obj):
        """After a save: what the content checks find in the text as saved, for the editor
        to look at before an advisor does (who approves it then only with a comment)."""
        found = content_checks.findings(obj)
        if not found:
            return
        listed = "; ".join(f"{finding.field}: {finding.message}" for finding in found)
        self.message_user(
            request,
            f"Content checks on “{obj}” found {content_checks.describe(found)}. An advisor "
            f"approves it as it is only with a comment saying why it may stand. {listed}",
            messages.WARNING,
        )

    def _submit_saved(self, request, obj):
        """After "Save and submit for review": submit what was saved, back on its form."""
        try:
            workflow.submit(obj, request.user)
            if obj.is_live:
                public = "Patients keep reading the approved version until an advisor approves"
            else:
                public = "Patients see it once a medical advisor approves"
            self.message_user(
                request,
                f"“{obj}” was saved and submitted for review. {public} it.",
                messages.SUCCESS,
            )
        except workflow.ReviewError as error:
            self.message_user(request, f"“{obj}” was saved. {error}", messages.WARNING)
        return HttpResponseRedirect(self._url("change", obj))

    # Transitions ----------------------------------------------------------------------

    def response_action(self, request, queryset, **kwargs):
        # "Select all" past the count's cap could mean a million objects, more than one
        # request can take through a review step: the list is narrowed first.
        select_across = forms.BooleanField(required=False).to_python(
            request.POST.get("select_across")
        )
        cap = getattr(self.paginator, "cap", None)
        if select_across and cap and isinstance(capped_count(queryset, cap), AtLeast):
            self.message_user(
                request,
                f"An action runs on at most {cap:,} {self.opts.verbose_name_plural} at a "
                "time: narrow the list with a filter or a search first.",
                messages.WARNING,
            )
            return None
        return super().response_action(request, queryset, **kwargs)

    def _run(self, request, outcomes, done):
        """Tell the person what a step on many objects did (its workflow.Outcomes): each
        refusal, and for the objects moved what `done` says happened and what comes next
        (compounds/review/messages.py). The objects refused as stale are returned."""
        for _, error in outcomes.refused:
            message = str(error)
            if isinstance(error, workflow.StaleDecision):
                edits = edits_since(error.current, error.seen_revision)
                message += f" Changed since: {'; '.join(edits)}" if edits else ""
            self.message_user(request, message, messages.ERROR)
        if outcomes.done:
            message = done(outcomes.done, self.opts, request.user)
            self.message_user(request, message, messages.SUCCESS)
        return [error.current for error in outcomes.stale]

    @admin.action(description="Submit for review", permissions=["change"], location=EVERYWHERE)
    def submit_for_review(self, request, queryset):
        outcomes = workflow.submit_many(list(queryset), request.user)
        self._run(request, outcomes, review_messages.submitted)

    @admin.action(description="Approve", permissions=["review"], location=EVERYWHERE)
    def approve(self, request, queryset):
        return self._decide(
            request,
            queryset,
            workflow.approve_many,
            review_messages.approved,
            title="Approve and publish",
            prompt=None,
        )

    @admin.action(description="Request changes", permissions=["review"], location=EVERYWHERE)
    def request_changes(self, request, queryset):
        return self._decide(
            request,
            queryset,
            workflow.request_changes_many,
            review_messages.returned,
            title="Request changes",
            prompt="What needs to change? The author sees this comment.",
        )

    @admin.action(
        description="Withdraw from the public site", permissions=["review"], location=EVERYWHERE
    )
    def withdraw(self, request, queryset):
        return self._decide(
            request,
            queryset,
            workflow.withdraw_many,
            review_messages.withdrawn,
            title="Withdraw from the public site",
            prompt="Why is it withdrawn? The reason is kept in the review history.",
        )

    def _decide(self, request, queryset, step, done, title, prompt):
        """Take a decision on the revisions the advisor saw, once they confirmed it.

        Each object's revision comes from the page the decision was taken on: the review
        screen, the change form, or this view's own confirmation page, which lists what
        the decision applies to with the revisions shown (held on the server, named by
        the token the page posts: compounds/review/shown.py). An object changed since is
        refused, and shown again with its changes, at its new revision, for the advisor
        to decide on.

        An approval is taken only on the text patients will read: the review screen and
        the confirmation page show it and bind the approval to its fingerprint
        (patient_text.py). From anywhere else (the change form's action box, the list,
        the preview's banner) an approval first shows the confirmation page with that
        text. An object whose text would differ from the text shown is not approved, and
        is shown again. A selection larger than APPROVAL_PAGE is confirmed and approved a
        page at a time, each page on the text it showed.
        """
        found = self._decision_objects(request, queryset)
        if found is None:
            self.message_user(
                request,
                "Nothing was decided: the confirmation page was open for longer than "
                f"{shown.KEPT.seconds // 3600} hours, or was not shown to you. Select the "
                f"{self.opts.verbose_name_plural} again.",
                messages.WARNING,
            )
            return None
        objects, seen = found
        pending = _Pending(request, objects, seen, approving=prompt is None)
        form = self._decision_form(pending)
        if pending.confirmed and None not in seen.revisions.values() and form.is_valid():
            return self._take_decision(pending, form, step, done, title, prompt)
        # A reason refused (too long, two lines, missing) is said beside what was typed.
        reason_refused = pending.confirmed and any(
            name in form.errors for name in form.reason_fields
        )
        if not (pending.confirmed and form.comment_required) and not reason_refused:
            form = DecisionForm(
                {"comment": request.POST.get("comment", "")}, comment_required=False
            )
        return self._decision_page(request, objects, title, prompt, form, seen=seen, rest=seen.rest)

    def _decision_objects(self, request, queryset):
        """The objects a decision is about, and what the advisor was shown of them
        (shown.Shown); None when the confirmation page posted can no longer be read."""
        token = request.POST.get(shown.FIELD)
        if token is None:
            objects = list(queryset.for_decision())
            return objects, self._posted_seen(request, objects)
        seen = shown.recall(request.user, self.model, self._action_name(request), token)
        if seen is None:
            return None
        return self._in_order(request, seen.ids), seen

    def _in_order(self, request, ids):
        """The objects of ids the advisor may see, in that order, ready for a decision."""
        found = self.get_queryset(request).for_decision().in_bulk(ids)
        return [found[pk] for pk in ids if pk in found]

    @staticmethod
    def _posted_seen(request, objects):
        """What a page posting a field for each object showed: the review screen, the
        change form, the preview's banner (a revision None: not shown at all)."""
        on_change_form = CHANGE_FORM_ACTION in request.POST
        seen = shown.Shown(
            texts=patient_text.seen_readings(request.POST),
            companions=companions_seen(request.POST),
        )
        for obj in objects:
            raw = request.POST.get(SEEN_REVISION.format(obj.pk))
            if raw is None and on_change_form:
                raw = request.POST.get("revision")
            seen.revisions[workflow.revision_key(obj)] = seen_revision(raw)
        return seen

    @staticmethod
    def _action_name(request):
        action_field = CHANGE_FORM_ACTION if CHANGE_FORM_ACTION in request.POST else "action"
        return request.POST.get(action_field, "")

    def _decision_form(self, pending):
        """The comment and public reasons as posted. An approval of a grade its references
        do not support, or of text with open content checks, needs the advisor's comment
        (workflow.grade_to_confirm, checks_to_confirm), asked for before approving; a
        change request or a withdrawal always does."""
        confirms = pending.approving and any(
            to_confirm(obj)
            for obj in pending.objects
            for to_confirm in self._to_confirm(pending.companions)
        )
        reasons = self._reasons_asked(pending.request, pending.objects) if pending.approving else {}
        return DecisionForm(
            pending.request.POST,
            comment_required=not pending.approving or confirms,
            reasons=reasons,
        )

    def _step_options(self, pending, form, step, prompt):
        """The options of the workflow's step: the comment, what a change request points
        at, the companions' revisions seen, an approval's public reasons."""
        request, objects = pending.request, pending.objects
        # A change request or withdrawal needs its comment; an approval may carry one.
        comment = form.cleaned_data["comment"]
        options = {"comment": comment} if prompt or comment.strip() else {}
        if step is workflow.request_changes_many and len(objects) == 1:
            # Only parts of what changed can be pointed at.
            parts = set(changed_parts(self._diff(objects[0])[1]))
            options["about"] = [label for label in request.POST.getlist("about") if label in parts]
        if step in (workflow.approve_many, workflow.request_changes_many):
            options["companions_seen"] = pending.seen.companions
        if pending.approving:
            options["public_reasons"] = form.public_reasons()
        return options

    def _take_decision(self, pending, form, step, done, title, prompt):
        """Decide on the objects as confirmed; show again those refused as changed since
        they were shown, then those of the selection still to be shown."""
        request, seen = pending.request, pending.seen
        options = self._step_options(pending, form, step, prompt)
        text_moved = [
            obj
            for obj in pending.objects
            if not pending.changed_since_seen(obj) and self._text_moved(request, obj, seen.texts)
        ]
        deciding = [obj for obj in pending.objects if obj not in text_moved]
        stale = []
        if deciding:
            outcomes = step(deciding, request.user, seen=seen.revisions, **options)
            stale = self._run(request, outcomes, done)
        again = stale + text_moved
        if again:
            return self._decision_page(
                request, again, title, prompt, form, show_diffs=True, rest=seen.rest
            )
        if seen.rest:
            # The next page of a large selection, with the comment as typed.
            comment = DecisionForm(
                {"comment": form.data.get("comment", "")}, comment_required=False
            )
            return self._decision_page(
                request, self._in_order(request, seen.rest), title, prompt, comment
            )
        if request.POST.get(NEXT_FIELD) == "queue":
            # Decided from the review screen or the preview: on to the next item.
            return HttpResponseRedirect(next_in_queue(request, pending.objects))
        return None

    @staticmethod
    def _reasons_asked(request, objects):
        """The objects an approval may give a public reason for, each with whether it
        needs one (workflow.public_reason_to_give); one refused anyway needs none."""
        asked = workflow.public_reasons_to_give(objects)
        return {
            obj: workflow.approval_refused(obj, request.user) is None
            and asked[workflow.revision_key(obj)] is not None
            for obj in objects
            if obj.keeps_change_log
        }

    @staticmethod
    def _to_confirm(companions):
        """The reasons an approval may need the advisor's comment, each a function of an
        object giving the reason or None: its grade, and its open content checks or
        those of a companion approved with it (companions: workflow.companions_of)."""

        def checks(obj):
            parts = companions.get(workflow.revision_key(obj), [])
            return next(filter(None, map(workflow.checks_to_confirm, [obj, *parts])), None)

        return [workflow.grade_to_confirm, checks]

    def _text_moved(self, request, obj, texts_seen):
        """Whether what patients would read of obj once approved is not the text the
        advisor approved it on (texts_seen is empty for other decisions)."""
        if obj.pk not in texts_seen:
            return False
        if self._reading(request, obj).fingerprint == texts_seen[obj.pk]:
            return False
        self.message_user(
            request,
            f"“{obj}” was not approved: what patients would read changed after you were "
            "shown it (an edit of it, of its compound or condition, or of its references). "
            "It is shown again below with the text as it is now.",
            messages.ERROR,
        )
        return True

    def _reading(self, request, obj):
        """The public pages a change of obj affects, before and after (pages/reading.py)."""
        return self.admin_site.what_patients_read(request, obj)

    def _decision_page(
        self, request, objects, title, prompt, form, seen=None, show_diffs=False, rest=()
    ):
        """The confirmation page of a decision on objects: each with what the decision
        does to it, and one form naming what it shows (a shown.remember token). seen:
        what the page the advisor came from showed (shown.Shown), if any; rest: ids of
        the selection to show after these. An approval shows APPROVAL_PAGE objects at
        most, with the text patients will read; the others follow."""
        seen = seen or shown.Shown()
        action_name = self._action_name(request)
        if prompt is None and len(objects) > self.APPROVAL_PAGE:
            rest = [obj.pk for obj in objects[self.APPROVAL_PAGE :]] + list(rest)
            objects = objects[: self.APPROVAL_PAGE]
        rows, refused = [], []
        for row in self._decision_rows(request, objects, prompt, form, seen, show_diffs):
            (refused if row["reason"] else rows).append(row)
        form.is_valid()
        token = None
        if rows:
            token = shown.remember(
                request.user,
                self.model,
                action_name,
                [
                    (r["object"], r["revision"], getattr(r.get("reading"), "fingerprint", None))
                    for r in rows
                ],
                [(c["object"], c["revision"]) for r in rows for c in r["companions"]],
                rest,
            )
        return TemplateResponse(
            request,
            "admin/compounds/review_comment.html",
            {
                **self.admin_site.each_context(request),
                "title": title,
                "prompt": prompt,
                "rows": rows,
                "refused": refused,
                "still_to_show": len(rest),
                "opts": self.opts,
                "action_field": CHANGE_FORM_ACTION
                if CHANGE_FORM_ACTION in request.POST
                else "action",
                "action_name": action_name,
                "comment": form.data.get("comment", ""),
                "comment_errors": form.errors.get("comment"),
                "confirms_grade": any(row["grade_to_confirm"] for row in rows),
                "confirms_checks": any(row["checks"] for row in rows)
                or any(c["checks"] for row in rows for c in row["companions"]),
                # The list's actions need an object selected to run: the first shown
                # stands for all, which the token names (the decision reads them from it).
                "first_selected": rows[0]["object"].pk if rows else None,
                "shown_field": shown.FIELD,
                "shown_token": token,
                # Kept through the confirmation, so the decision still leads to the next item.
                "next": "queue" if request.POST.get(NEXT_FIELD) == "queue" else "",
                "next_field": NEXT_FIELD,
            },
        )

    def _decision_rows(self, request, objects, prompt, form, seen, show_diffs):
        """A row of the confirmation page for each object: what it shows of it, and why
        the decision is refused for it (`reason`), if it is."""
        approving = prompt is None
        asks_changes = self._action_name(request) == "request_changes"
        # An approval or a change request takes along a new pair's compound and condition.
        companions = workflow.companions_of(objects) if approving or asks_changes else {}
        reasons_asked = workflow.public_reasons_to_give(objects) if approving else {}
        # A change request on one object may point at the parts it is about.
        points = asks_changes and len(objects) == 1
        for obj in objects:
            key = workflow.revision_key(obj)
            seen_revision = seen.revisions.get(key)
            parts = companions.get(key, [])
            row = {
                "object": obj,
                "reason": workflow.approval_refused(obj, request.user) if approving else None,
                "grade_to_confirm": workflow.grade_to_confirm(obj) if approving else None,
                "checks": content_checks.findings(obj) if approving else [],
                "review_url": self._url("review", obj),
                # What the advisor saw, if they came from a page showing the object
                # (revision 0 included: a newly made object's first).
                "revision": obj.revision if seen_revision is None else seen_revision,
                "companions": self._companion_rows(request, parts, seen=seen.companions),
            }
            if approving and row["reason"] is None:
                # An approval publishes the companions too: who may not approve one of
                # them may not approve this one.
                row["reason"] = next(
                    (c["refused"] for c in row["companions"] if c["refused"]), None
                )
            base, diff = self._diff(obj) if show_diffs or points else (None, None)
            if show_diffs:
                row["base"], row["diff"] = base, diff
            if points:
                # Only the parts that changed can be pointed at.
                row["parts"] = changed_parts(diff)
                row["pointed"] = request.POST.getlist("about")
            if approving and row["reason"] is None:
                # What the advisor approves: the text patients will read.
                row["reading"] = self._reading(request, obj)
                row["pages"] = patient_text.shown(row["reading"])
                row["public_reason"] = self._public_reason_row(
                    request, obj, reasons_asked.get(key), form
                )
            yield row

    @staticmethod
    def _public_reason_row(request, obj, asked, form):
        """The public reason of an approval, as its page asks for it: only where the
        approval needs one (`asked` says why), or one was typed (shown again as typed)."""
        if not obj.keeps_change_log:
            return None
        name = PUBLIC_REASON.format(obj.pk)
        typed = request.POST.get(name, "")
        if not asked and not typed:
            return None
        return {
            "field": name,
            "asked": asked,
            "value": typed,
            "errors": form.errors.get(name),
            "length": change_log.REASON_LENGTH,
        }

    def _url(self, view, obj):
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_{view}", args=[obj.pk])

    # Review screen and what the preview shows ----------------------------------------

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/review/",
                self.admin_site.admin_view(self.review_view),
                name="{}_{}_review".format(*info),
            ),
            *super().get_urls(),
        ]

    def object_or_deny(self, request, object_id):
        """The object for a page about it: 403 for who may not see such objects, 404
        for one that does not exist (a link to a deleted object, say). The review
        screen, the versions and the preview (pages/preview.py) ask it."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        obj = self.get_object(request, object_id)
        if obj is None:
            raise Http404(f"No {self.opts.verbose_name} has this id.")
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        return obj

    def _compared_with(self, obj):
        """The version an edit is judged against: the live one, else the last approved."""
        if obj.live_version:
            return obj.live_version
        return Version.objects.of(obj).order_by("-number").first()

    def _diff(self, obj):
        base = self._compared_with(obj)
        return base, snapshots.compare(type(obj), base.data if base else None, snapshots.take(obj))

    @staticmethod
    def _in_review(parts):
        """Those of a decision's companions that it takes along: the ones in review."""
        return [part for part in parts if part.review_state == ReviewState.IN_REVIEW]

    def _companion_rows(self, request, companions, diffs=False, seen=None):
        """What a decision's page shows and posts of each companion: the revision the
        advisor saw (`seen`, by revision_key, else as posted by the page they came from)
        or else its current one, and why the advisor may not approve it, if so; on the
        review screen, its changes."""
        if seen is None:
            seen = companions_seen(request.POST) if request.method == "POST" else {}
        rows = []
        for part in self._in_review(companions):
            opts = part._meta
            key = workflow.revision_key(part)
            row = {
                "object": part,
                "kind": opts.verbose_name,
                "seen_field": SEEN_COMPANION_REVISION.format(*key),
                "revision": seen.get(key, part.revision),
                "review_url": reverse(
                    f"admin:{opts.app_label}_{opts.model_name}_review", args=[part.pk]
                ),
                "refused": workflow.approval_refused(part, request.user),
                "checks": content_checks.findings(part),
            }
            if diffs:
                row["base"], row["diff"] = self._diff(part)
            rows.append(row)
        return rows

    def review_view(self, request, object_id):
        obj = self.object_or_deny(request, object_id)
        base, diff = self._diff(obj)
        reading = self._reading(request, obj)
        companions = self._companion_rows(request, workflow.companions(obj), diffs=True)
        approval_refused = workflow.approval_refused(obj, request.user) or next(
            (c["refused"] for c in companions if c["refused"]), None
        )
        return TemplateResponse(
            request,
            "admin/compounds/review.html",
            {
                **self.admin_site.each_context(request),
                "title": f"Review: {obj}",
                "opts": self.opts,
                "original": obj,
                "base": base,
                "diff": diff,
                "changes_requested": workflow.latest_changes_requested(obj),
                "open_reports": open_reports_about(request, obj),
                "watch_inbox": self._watch_inbox(request, obj),
                "study_notices": open_notices_of(obj),
                "can_review": self.has_review_permission(request),
                "in_review": obj.review_state == ReviewState.IN_REVIEW,
                "action_field": CHANGE_FORM_ACTION,
                "seen_revision_field": SEEN_REVISION.format(obj.pk),
                "next_field": NEXT_FIELD,
                "change_url": self._url("change", obj),
                "approval_refused": approval_refused,
                "grade_to_confirm": workflow.grade_to_confirm(obj),
                "checks": content_checks.findings(obj),
                "confirms_checks": bool(content_checks.findings(obj))
                or any(c["checks"] for c in companions),
                "edited_by": editors_since_approval(obj),
                "companions": companions,
                "reading": reading,
                "patient_pages": patient_text.shown(reading),
                "seen_readings_field": patient_text.SEEN_READINGS,
                "seen_readings": patient_text.seen_field_value({obj.pk: reading}),
                "public_reason": {
                    "field": PUBLIC_REASON.format(obj.pk),
                    "asked": workflow.public_reason_to_give(obj),
                    "length": change_log.REASON_LENGTH,
                }
                if obj.keeps_change_log
                else None,
            },
        )

    def _watch_inbox(self, request, obj):
        # The evidence watch stands above the review workflow: the site hands it over.
        hook = getattr(self.admin_site, "watch_inbox", None)
        return hook(request, obj) if hook else None

    def preview_banner(self, request, obj):
        """What the preview's banner offers (pages/jinja2/base.html): the way back to the
        review, and the decisions the advisor may take there."""
        return {
            "review_url": self._url("review", obj),
            "change_url": self._url("change", obj),
            "action_field": CHANGE_FORM_ACTION,
            "seen_field": SEEN_REVISION.format(obj.pk),
            "next_field": NEXT_FIELD,
            "object": obj,
            "may_decide": self.has_review_permission(request)
            and obj.review_state == ReviewState.IN_REVIEW,
            "may_approve": workflow.approval_refused(obj, request.user) is None,
        }

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["changes_requested"] = workflow.latest_changes_requested(obj)
            context["open_reports"] = open_reports_about(request, obj)
            context["watch_inbox"] = self._watch_inbox(request, obj)
            context["study_notices"] = open_notices_of(obj)
            context["can_save_and_submit"] = self.has_change_permission(request, obj)
        else:
            context["can_save_and_submit"] = self.has_add_permission(request)
        return super().render_change_form(request, context, add, change, form_url, obj)


class ReviewEventAdmin(ReadOnlyAdmin):
    """The whole audit trail. Nobody adds, changes or deletes a step through the admin."""

    list_display = ["at", "action", "object_repr", "states", "user", "comment"]
    # Only the kinds of content that have review steps, not every model of the project.
    list_filter = ["action", ("content_type", admin.RelatedOnlyFieldListFilter), "user"]
    search_fields = ["object_repr", "comment", "user__username"]
    date_hierarchy = "at"
    list_select_related = ["user", "content_type"]

    @admin.display(description="state")
    def states(self, event):
        return f"{event.get_from_state_display()} → {event.get_to_state_display()}"
