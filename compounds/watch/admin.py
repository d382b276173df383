"""Notices on cited studies in the admin: each summary citing a retracted, corrected or
questioned study, open until an advisor decides. "The review stands" records that
decision, with what was checked, in the summary's history; approving a new version of
the summary decides it too. Editors read them; only medical advisors decide."""

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html

from compounds.admin_plumbing import CraftedInputAdmin
from compounds.models import EvidenceSummary, NoticeReview
from compounds.review import workflow
from compounds.watch import retractions

STANDS = "_stands"


class OpenFilter(admin.SimpleListFilter):
    """Open notices unless "decided" or "all" is chosen: the list is what needs deciding."""

    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("open", "To check"), ("decided", "Decided"), ("all", "All")]

    def choices(self, changelist):
        chosen = self.value() if self.value() in {"open", "decided", "all"} else "open"
        for lookup, title in self.lookup_choices:
            yield {
                "selected": chosen == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        if self.value() == "all":
            return queryset
        return queryset.filter(decided_at__isnull=self.value() != "decided")


class NoticeReviewForm(forms.ModelForm):
    class Meta:
        model = NoticeReview
        fields = ["comment"]
        labels = {"comment": "What you checked"}
        help_texts = {
            "comment": "Why the review stands after this notice: the summary's history keeps "
            "it. If the review must change, edit the summary instead: approving its new "
            "version decides this notice."
        }

    def clean(self):
        cleaned = super().clean()
        if STANDS in self.data and not (cleaned.get("comment") or "").strip():
            self.add_error(
                "comment", "Say what you checked and why the review stands: the history keeps it."
            )
        return cleaned


class NoticeReviewAdmin(CraftedInputAdmin):
    # Both roles read the notices; the service lets only medical advisors decide.
    granted_to_roles = ("view", "change")

    form = NoticeReviewForm
    list_display = ["found_at", "summary", "study", "notice_kind", "notice_link", "decision"]
    list_display_links = ["found_at"]
    list_filter = [OpenFilter]
    list_select_related = ["notice", "summary__compound", "summary__condition"]
    ordering = ["found_at", "id"]
    fields = [
        "summary_link",
        "study",
        "notice_kind",
        "notice_link",
        "notice_source",
        "found_at",
        "decision",
        "decided_by_name",
        "decided_at",
        "comment",
    ]
    readonly_fields = [
        "summary_link",
        "study",
        "notice_kind",
        "notice_link",
        "notice_source",
        "found_at",
        "decision",
        "decided_by_name",
        "decided_at",
    ]

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(
            request, {"title": "Study notices to check", **(extra_context or {})}
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        title = "Check the review after a notice on a cited study"
        return super().change_view(
            request, object_id, form_url, {"title": title, **(extra_context or {})}
        )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        if obj is not None and not obj.is_open:
            return False
        may_decide = workflow.may_review(request.user, EvidenceSummary)
        return may_decide and super().has_change_permission(request, obj)

    @admin.display(description="study")
    def study(self, review):
        notice = review.notice
        return f"{notice.get_identifier_kind_display()} {notice.identifier}"

    @admin.display(description="notice")
    def notice_kind(self, review):
        return review.notice.get_kind_display()

    @admin.display(description="notice's address")
    def notice_link(self, review):
        return format_html('<a href="{0}" rel="external">{0}</a>', review.notice.link)

    @admin.display(description="stated by")
    def notice_source(self, review):
        date = review.notice.notice_date
        return f"{review.notice.source}" + (f", {date:%d %b %Y}" if date else "")

    @admin.display(description="decided by")
    def decided_by_name(self, review):
        return workflow.person(review.decided_by, nobody="—")

    @admin.display(description="evidence summary")
    def summary_link(self, review):
        url = reverse("admin:compounds_evidencesummary_review", args=[review.summary_id])
        return format_html('<a href="{}">{}</a>', url, review.summary)

    def save_model(self, request, obj, form, change):
        if STANDS not in request.POST:
            # The comment alone is no decision: nothing is saved without one.
            obj.undecided = True
            return
        try:
            retractions.review_stands(obj, request.user, form.cleaned_data["comment"] or "")
        except workflow.ReviewError as refused:
            obj.refused = str(refused)

    def response_change(self, request, obj):
        if getattr(obj, "refused", None):
            self.message_user(request, obj.refused, messages.ERROR)
            return HttpResponseRedirect(request.path)
        if getattr(obj, "undecided", False):
            self.message_user(
                request, "Nothing was decided: press “The review stands”.", messages.WARNING
            )
            return HttpResponseRedirect(request.path)
        self.message_user(request, f"Decided: the review stands. {obj}.", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:compounds_noticereview_changelist"))
