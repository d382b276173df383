"""The evidence inbox in the admin: what the watch found, open items first, the longest
waiting at the top; each decided on its own page by a medical advisor, "changes nothing"
or "needs an update" (compounds/watch/inbox.py). A decided item is a record: nobody
changes it. Editors read the inbox; the official labels the watch follows are theirs to
keep (granted_to_roles, which compounds/roles.py reads)."""

from urllib.parse import urlencode

from django.contrib import admin, messages
from django.contrib.admin.options import ShowFacets
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from compounds.admin_plumbing import CraftedInputAdmin, OpenByDefaultFilter, related_object_filter
from compounds.models import Compound, EvidenceSummary, InboxItem
from compounds.review import workflow
from compounds.watch import inbox

CHANGES_NOTHING = "_changes_nothing"
NEEDS_UPDATE = "_needs_update"
BUTTONS = {
    CHANGES_NOTHING: InboxItem.Decision.CHANGES_NOTHING,
    NEEDS_UPDATE: InboxItem.Decision.NEEDS_UPDATE,
}


class DecisionFilter(OpenByDefaultFilter):
    """Open items unless another decision is chosen: the inbox is what awaits one."""

    title = "decision"
    parameter_name = field = "decision"
    choices_class = InboxItem.Decision
    DEFAULT = InboxItem.Decision.OPEN


def inbox_url(obj, decision=None):
    """The inbox narrowed to one summary's (or compound's) items."""
    field = "summary" if isinstance(obj, EvidenceSummary) else "compound"
    url = reverse("admin:compounds_inboxitem_changelist")
    query = f"{field}={obj.pk}"
    if decision:
        query += f"&{DecisionFilter.parameter_name}={decision}"
    return f"{url}?{query}"


def item_url(item, obj):
    """An item's page, opened from obj's screens: deciding there leads back to obj's
    inbox, as from that list (the admin's preserved filters)."""
    field = "summary" if isinstance(obj, EvidenceSummary) else "compound"
    url = reverse("admin:compounds_inboxitem_change", args=[item.pk])
    return f"{url}?{urlencode({'_changelist_filters': f'{field}={obj.pk}'})}"


class InboxItemAdmin(CraftedInputAdmin):
    # Both roles read the inbox; deciding asks for an advisor's review permission too
    # (has_change_permission).
    granted_to_roles = ("view", "change")

    list_display = ["found_at", "about", "record", "change", "title", "date", "decision"]
    list_display_links = ["found_at"]
    list_filter = [
        DecisionFilter,
        "source",
        related_object_filter("summary", EvidenceSummary),
        related_object_filter("compound", Compound),
    ]
    list_select_related = ["summary__compound", "summary__condition", "compound"]
    search_fields = ["identifier", "title"]
    show_facets = ShowFacets.NEVER
    ordering = ["found_at", "id"]
    actions = ["mark_changes_nothing"]
    fields = [
        "about",
        "record",
        "change",
        "title",
        "design",
        "date",
        "found_at",
        "decision",
        "decided_by_name",
        "decided_at",
        "suggested_reference",
        "note",
    ]
    readonly_fields = [f for f in fields if f != "note"]

    def has_add_permission(self, request):
        return False

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(
            request, {"title": "Evidence inbox", **(extra_context or {})}
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        item = self.get_object(request, object_id)
        may_decide = item is not None and self.has_change_permission(request, item)
        title = (
            "Decide on what the evidence watch found"
            if may_decide
            else "What the evidence watch found"
        )
        context = {"title": title, "add_to_draft_url": self._add_to_draft_url(request, item)}
        return super().change_view(
            request, object_id, form_url, {**context, **(extra_context or {})}
        )

    def _add_to_draft_url(self, request, item):
        """Where an editor adds the item's suggested reference to its summary's draft, while
        the draft does not cite it yet; None otherwise."""
        if item is None or item.summary_id is None or not inbox.may_add(request.user):
            return None
        if item not in inbox.suggested_references(item.summary):
            return None
        return reverse("admin:compounds_inboxitem_add_to_draft", args=[item.pk])

    def get_urls(self):
        return [
            path(
                "<path:object_id>/add-to-draft/",
                self.admin_site.admin_view(self.add_to_draft_view),
                name="compounds_inboxitem_add_to_draft",
            ),
            *super().get_urls(),
        ]

    def add_to_draft_view(self, request, object_id):
        """The suggested reference of an item that needs an update, shown as it would be
        added to its summary's working copy, and added there when the button is pressed."""
        item = self.get_object(request, object_id)
        if item is None or not self.has_view_permission(request, item):
            raise Http404("No such inbox item.")
        if item.summary_id is None or item.decision != InboxItem.Decision.NEEDS_UPDATE:
            # Only a summary's record decided to need an update is offered to its draft.
            raise Http404("This record is not suggested for a draft.")
        if not inbox.may_add(request.user):
            raise PermissionDenied
        summary_url = reverse("admin:compounds_evidencesummary_change", args=[item.summary_id])
        if request.method == "POST":
            try:
                inbox.add_to_draft(item, request.user)
            except inbox.CannotAdd as refused:
                self.message_user(request, str(refused), messages.ERROR)
            else:
                self.message_user(
                    request,
                    f"{item.label} is in the draft's references: tick “studied this "
                    "condition” if it was, then submit the draft for review.",
                    messages.SUCCESS,
                )
            return HttpResponseRedirect(summary_url)
        fields = item.suggested.get("fields") or {}
        return TemplateResponse(
            request,
            "admin/compounds/inboxitem/add_to_draft.html",
            {
                **self.admin_site.each_context(request),
                "title": f"Add {item.label} to the draft of {item.summary}",
                "opts": self.opts,
                "item": item,
                "fields": [
                    (inbox.REFERENCE_LABELS[name], value)
                    for name, value in fields.items()
                    if name in inbox.REFERENCE_LABELS
                ],
                "design": item.suggested.get("design", ""),
                "summary_url": summary_url,
            },
        )

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        if obj is None:
            return self.has_decide_permission(request)
        return obj.is_open and inbox.may_decide(request.user, obj)

    def has_decide_permission(self, request):
        """Whether the user may decide on some items: an advisor of summaries or compounds."""
        return any(
            request.user.has_perm(f"compounds.review_{model._meta.model_name}")
            for model in (EvidenceSummary, Compound)
        )

    @admin.display(description="about")
    def about(self, item):
        target = item.target
        opts = target._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[target.pk])
        return format_html('<a href="{}">{}</a>', url, target)

    @admin.display(description="record", ordering="identifier")
    def record(self, item):
        return format_html('<a href="{}" rel="noopener">{}</a>', item.link, item.label)

    @admin.display(description="decided by")
    def decided_by_name(self, item):
        return workflow.person(item.decided_by, nobody="—")

    @admin.display(description="suggested reference")
    def suggested_reference(self, item):
        fields = item.suggested.get("fields") if item.suggested else None
        if not fields:
            return "—"
        # As the reference form names them: "Study design: Randomized controlled trial".
        design = item.suggested.get("design")
        shown = "; ".join(
            f"{inbox.REFERENCE_LABELS[name]}: "
            f"{design if name == 'study_design' and design else value}"
            for name, value in fields.items()
            if name in inbox.REFERENCE_LABELS
        )
        if item.suggested.get("failure"):
            return f"{shown}. {item.suggested['failure']}"
        return shown

    @admin.action(description="Changes nothing: mark the selected items", permissions=["decide"])
    def mark_changes_nothing(self, request, queryset):
        decided = refused = 0
        for item in queryset.filter(decision=InboxItem.Decision.OPEN).select_related(
            "summary", "compound"
        ):
            if not inbox.may_decide(request.user, item):
                refused += 1
                continue
            try:
                inbox.decide(item, request.user, InboxItem.Decision.CHANGES_NOTHING)
                decided += 1
            except inbox.AlreadyDecided:
                refused += 1
        self.message_user(request, f"{decided} marked “changes nothing”.", messages.SUCCESS)
        if refused:
            self.message_user(
                request,
                f"{refused} left as they were: decided meanwhile, or not yours to decide.",
                messages.WARNING,
            )

    def save_model(self, request, obj, form, change):
        pressed = next((BUTTONS[name] for name in BUTTONS if name in request.POST), None)
        if pressed is None:
            return
        try:
            inbox.decide(obj, request.user, pressed, form.cleaned_data.get("note", ""))
        except inbox.AlreadyDecided as decided:
            obj.decided_meanwhile = True
            self.message_user(request, str(decided), messages.WARNING)

    def response_change(self, request, obj):
        # Back to the inbox as it was narrowed, which no longer lists an item decided here
        # or meanwhile.
        back = HttpResponseRedirect(self._back_to_list(request))
        if getattr(obj, "decided_meanwhile", False):
            return back
        obj.refresh_from_db()
        if obj.decision == InboxItem.Decision.NEEDS_UPDATE:
            self.message_user(
                request,
                f"{obj.label}: needs an update. {obj.target} is due for review now, and "
                "the record is suggested as a reference for its next draft.",
                messages.SUCCESS,
            )
        elif obj.decision == InboxItem.Decision.CHANGES_NOTHING:
            self.message_user(request, f"{obj.label}: changes nothing.", messages.SUCCESS)
        return back

    def _back_to_list(self, request):
        return add_preserved_filters(
            {"preserved_filters": self.get_preserved_filters(request), "opts": self.opts},
            reverse("admin:compounds_inboxitem_changelist"),
        )


class OfficialLabelAdmin(CraftedInputAdmin):
    # Which label the watch follows for a compound; it says nothing on a public page.
    granted_to_roles = ("view", "add", "change", "delete")

    list_display = ["compound", "dailymed_setid", "daily_med"]
    list_select_related = ["compound"]
    search_fields = ["compound__name", "dailymed_setid"]
    autocomplete_fields = ["compound"]

    @admin.display(description="on DailyMed")
    def daily_med(self, label):
        return format_html('<a href="{}" rel="noopener">The label</a>', label.link)
