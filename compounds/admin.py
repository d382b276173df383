from django.contrib import admin
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils.html import format_html

from .models import (
    Compound,
    Condition,
    EvidenceSummary,
    Mechanism,
    MedicalAdvisor,
    Reference,
    ResearchUpdate,
    SafetyNote,
)
from .review_admin import ReviewAdmin


class MechanismInline(admin.TabularInline):
    model = Mechanism
    extra = 0
    fields = ["position", "description"]


class SafetyNoteInline(admin.TabularInline):
    model = SafetyNote
    extra = 0
    fields = ["position", "category", "description"]


@admin.register(Compound)
class CompoundAdmin(ReviewAdmin):
    list_display = ["name", "drug_class", "aliases", "updated_at"]
    search_fields = ["name", "aliases", "drug_class"]
    list_filter = ["drug_class"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MechanismInline, SafetyNoteInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "aliases", "drug_class"]}),
        (
            "Evidence and safety",
            {"fields": ["regulatory_status", "evidence_overview", "safety_profile"]},
        ),
    ]


@admin.register(Condition)
class ConditionAdmin(ReviewAdmin):
    list_display = ["name", "specialist", "updated_at"]
    search_fields = ["name", "specialist"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(MedicalAdvisor)
class MedicalAdvisorAdmin(admin.ModelAdmin):
    list_display = ["display_name", "credentials", "user"]
    search_fields = ["display_name", "credentials", "user__username", "user__email"]
    prepopulated_fields = {"slug": ["display_name"]}
    autocomplete_fields = ["user"]


class ReferenceFormSet(BaseInlineFormSet):
    """Refuses one identifier cited twice in the same save.

    The database refuses it too, but Django's formset checks only unconditional
    unique constraints, so without this the editor would get a server error.
    """

    IDENTIFIERS = {
        "pmid": "This summary already cites this PMID.",
        "doi": "This summary already cites this DOI.",
        "nct_id": "This summary already cites this trial.",
    }

    def clean(self):
        super().clean()
        seen = {field: set() for field in self.IDENTIFIERS}
        for form in self.forms:
            if self._should_delete_form(form):
                continue
            for field, message in self.IDENTIFIERS.items():
                # Cleaned by the model field, so a pasted address and a bare id match.
                value = getattr(form.instance, field, "")
                if not value:
                    continue
                if value in seen[field]:
                    form.add_error(field, message)
                seen[field].add(value)


class ReferenceInline(admin.StackedInline):
    model = Reference
    formset = ReferenceFormSet
    extra = 0
    fields = [
        ("pmid", "doi", "nct_id"),
        "title",
        ("journal", "year"),
        ("study_design", "participants"),
    ]


@admin.register(EvidenceSummary)
class EvidenceSummaryAdmin(ReviewAdmin):
    list_display = ["__str__", "evidence_level", "verdict", "evidence_basis", "updated_at"]
    list_select_related = ["compound", "condition"]
    list_filter = ["evidence_level", "verdict", "evidence_basis", "compound", "condition"]
    search_fields = ["compound__name", "compound__aliases", "condition__name"]
    autocomplete_fields = ["compound", "condition"]
    inlines = [ReferenceInline]

    def get_readonly_fields(self, request, obj=None):
        # A summary is its pair: reviewing another pair means another summary.
        return ["compound", "condition"] if obj else []

    fieldsets = [
        (None, {"fields": ["compound", "condition"]}),
        ("Grade", {"fields": ["evidence_level", "verdict", "evidence_basis"]}),
        (
            "Evidence",
            {
                "fields": [
                    "preclinical_evidence",
                    "human_evidence",
                    "regulatory_status",
                    "has_condition_safety_data",
                    "mechanism_relevance_documented",
                ]
            },
        ),
    ]


@admin.register(Reference)
class ReferenceAdmin(admin.ModelAdmin):
    """Finds a reference across summaries. References are edited on their summary, so
    that each change is reviewed and approved with it."""

    list_display = ["title", "year", "study_design", "pmid", "doi", "nct_id", "summary_link"]
    list_select_related = ["summary__compound", "summary__condition"]
    list_filter = ["study_design", "year"]
    search_fields = ["title", "journal", "pmid", "doi", "nct_id"]

    @admin.display(description="evidence summary", ordering="summary")
    def summary_link(self, reference):
        url = reverse("admin:compounds_evidencesummary_change", args=[reference.summary_id])
        return format_html('<a href="{}">{}</a>', url, reference.summary)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ResearchUpdate)
class ResearchUpdateAdmin(ReviewAdmin):
    list_display = ["title", "date", "study_design", "participants", "source"]
    list_filter = ["study_design", "date", "compounds", "conditions"]
    search_fields = ["title", "summary", "source"]
    date_hierarchy = "date"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["compounds", "conditions"]
