"""The readers' reports queue in the admin: open reports first, the longest waiting at the
top; each answered with a note and closed on its own page. A closed report is a record:
nobody changes it. Editors and medical advisors both work the queue (granted_to_roles,
which compounds/roles.py reads)."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import ShowFacets
from django.http import HttpResponseRedirect
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator

from compounds import posted
from compounds.admin_plumbing import CraftedInputAdmin, OpenByDefaultFilter
from compounds.feedback import service
from compounds.models import Feedback

CLOSE = "_close"


class StatusFilter(OpenByDefaultFilter):
    """Open reports unless another status is chosen: the queue is what needs an answer."""

    title = "status"
    parameter_name = field = "status"
    choices_class = Feedback.Status
    DEFAULT = Feedback.Status.OPEN


class AboutFilter(admin.SimpleListFilter):
    """What kind of page the report came from."""

    title = "about"
    parameter_name = "about"
    KINDS = {
        "evidencesummary": "A pair's pages",
        "compound": "A compound's page",
        "condition": "A condition's page",
        "researchupdate": "A research update",
    }
    NOTHING = "nothing"

    def lookups(self, request, model_admin):
        return [*self.KINDS.items(), (self.NOTHING, "Another page")]

    def queryset(self, request, queryset):
        value = self.value()
        if value == self.NOTHING:
            return queryset.filter(content_type__isnull=True)
        if value in self.KINDS:
            return queryset.filter(content_type__app_label="compounds", content_type__model=value)
        return queryset


class ObjectFilter(admin.SimpleListFilter):
    """The reports about one object, named in the address as ?object=<content type>.<id>:
    the links of a report's page and of an object's review screen lead here. The sidebar
    offers only the object selected, with "All"; a value that is not two ids is ignored."""

    title = "object"
    parameter_name = "object"

    def ids(self):
        content_type, _, object_id = (self.value() or "").partition(".")
        if posted.is_id(content_type) and posted.is_id(object_id):
            return int(content_type), int(object_id)
        return None

    def lookups(self, request, model_admin):
        ids = self.ids()
        if ids is None:
            return []
        named = (
            Feedback.objects.filter(content_type_id=ids[0], object_id=ids[1])
            .values_list("about_name", flat=True)
            .first()
        )
        return [(self.value(), named or "An object no report is about")]

    def queryset(self, request, queryset):
        ids = self.ids()
        if ids is None:
            return queryset
        return queryset.filter(content_type_id=ids[0], object_id=ids[1])


class FeedbackForm(forms.ModelForm):
    class Meta:
        model = Feedback
        fields = ["note"]

    def clean(self):
        cleaned = super().clean()
        if CLOSE in self.data and not (cleaned.get("note") or "").strip():
            self.add_error("note", service.NOTE_NEEDED)
        return cleaned


def about_url(feedback):
    """The admin page of what a report is about, if it still exists."""
    if feedback.content_type_id is None:
        return None
    model = feedback.content_type.model_class()
    if model is None or not model._default_manager.filter(pk=feedback.object_id).exists():
        return None
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[feedback.object_id])


def reports_about_url(content_type_id, object_id):
    """The queue narrowed to the reports about one object, open and closed."""
    url = reverse("admin:compounds_feedback_changelist")
    return f"{url}?status=all&{ObjectFilter.parameter_name}={content_type_id}.{object_id}"


class FeedbackAdmin(CraftedInputAdmin):
    # What both roles may do here (compounds/roles.py): read the reports and answer them.
    # Readers add them; nobody deletes one but an administrator (the retention clears
    # what is personal in them).
    granted_to_roles = ("view", "change")

    form = FeedbackForm
    list_display = ["received_at", "about_or_page", "excerpt", "has_email", "status", "closed_by"]
    list_display_links = ["received_at"]
    list_filter = [StatusFilter, AboutFilter, ObjectFilter]
    list_select_related = ["closed_by", "content_type"]
    search_fields = ["about_name", "page", "message"]
    show_facets = ShowFacets.NEVER
    ordering = ["received_at", "id"]
    fields = [
        "received_at",
        "page_link",
        "about_link",
        "message_text",
        "email",
        "status",
        "note",
        "closed_by",
        "closed_at",
    ]
    readonly_fields = [
        "received_at",
        "page_link",
        "about_link",
        "message_text",
        "email",
        "status",
        "closed_by",
        "closed_at",
    ]

    def lookup_allowed(self, lookup, value, request):
        # Reports about one object are asked for with ObjectFilter's ?object=, which checks
        # its ids; a raw ?content_type= of any number would go to the database as it is.
        if lookup.split("__")[0] in ("content_type", "object_id"):
            return False
        return super().lookup_allowed(lookup, value, request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # A closed report is a record of what was done: shown, never changed.
        if obj is not None and not obj.is_open:
            return False
        return super().has_change_permission(request, obj)

    def get_ordering(self, request):
        # The queue, oldest first; what was closed, the latest first.
        if request.GET.get(StatusFilter.parameter_name) == Feedback.Status.CLOSED:
            return ["-closed_at", "-id"]
        return self.ordering

    @admin.display(description="about", ordering="about_name")
    def about_or_page(self, feedback):
        return feedback.about_name or feedback.page

    @admin.display(description="what is wrong")
    def excerpt(self, feedback):
        return Truncator(feedback.message).words(12) if feedback.message else "(cleared)"

    @admin.display(description="email given", boolean=True)
    def has_email(self, feedback):
        return bool(feedback.email)

    @admin.display(description="page")
    def page_link(self, feedback):
        return format_html('<a href="{}">{}</a>', feedback.page, feedback.page)

    @admin.display(description="about")
    def about_link(self, feedback):
        if feedback.content_type_id is None:
            return "No one object: a list, the home page or another page."
        url = about_url(feedback)
        others = reports_about_url(feedback.content_type_id, feedback.object_id)
        name = feedback.about_name
        return format_html(
            '{} (<a href="{}">every report about it</a>)',
            format_html('<a href="{}">{}</a>', url, name) if url else f"{name} (deleted)",
            others,
        )

    @admin.display(description="what is wrong")
    def message_text(self, feedback):
        if not feedback.message:
            return "(cleared: the text of a closed report is kept for a limited time)"
        return format_html("<div>{}</div>", linebreaksbr(feedback.message))

    def save_model(self, request, obj, form, change):
        try:
            if CLOSE in request.POST:
                service.close(obj, request.user, form.cleaned_data["note"])
            else:
                service.save_note(obj, form.cleaned_data["note"])
        except service.AlreadyClosed as closed:
            obj.closed_meanwhile = True
            self.message_user(
                request,
                f"{closed.feedback} was closed by {closed.feedback.closed_by} meanwhile: "
                "their note stands.",
                messages.WARNING,
            )

    def response_change(self, request, obj):
        # Back to the queue, which no longer lists a report closed here or meanwhile.
        queue = HttpResponseRedirect(reverse("admin:compounds_feedback_changelist"))
        if getattr(obj, "closed_meanwhile", False):
            return queue
        if CLOSE in request.POST:
            self.message_user(request, f"Closed: {obj}.", messages.SUCCESS)
            return queue
        return super().response_change(request, obj)
