from django.contrib import admin
from django.contrib.admin.options import ShowFacets
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.db.models import Q
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import smart_split, unescape_string_literal

from compounds.admin_plumbing import (
    CraftedInputAdmin,
    ReadOnlyAdmin,
    filtered_list_link,
    related_object_filter,
)
from compounds.models import (
    Caution,
    Compound,
    Condition,
    EvidenceSummary,
    HelpLine,
    Interaction,
    Mechanism,
    MedicalAdvisor,
    Monitoring,
    Reference,
    ResearchReference,
    ResearchUpdate,
    ReviewEvent,
    SafetyFinding,
    SafetyNote,
    SitePage,
)
from compounds.references.admin import ReferenceLookupMixin
from compounds.review.admin import ReviewAdmin, ReviewEventAdmin


class MechanismInline(admin.TabularInline):
    model = Mechanism
    extra = 0
    fields = ["position", "description"]


class SafetyNoteInline(admin.TabularInline):
    model = SafetyNote
    extra = 0
    fields = ["position", "category", "description"]


class MonitoringInline(admin.StackedInline):
    model = Monitoring
    extra = 0
    fields = [("position", "what"), ("when", "how_long"), ("source", "source_url")]


class CautionInline(admin.StackedInline):
    model = Caution
    extra = 0
    fields = [("position", "kind"), "description", ("source", "source_url")]


class InteractionInline(admin.StackedInline):
    model = Interaction
    extra = 0
    fields = [("position", "drug", "severity"), "effect", "management", ("source", "source_url")]


class SafetyFindingInline(admin.StackedInline):
    model = SafetyFinding
    extra = 0
    verbose_name = "condition-specific safety finding"
    fields = [("position", "kind"), "description", ("source", "source_url")]


class HelpLineInline(admin.StackedInline):
    model = HelpLine
    extra = 0
    verbose_name_plural = "help lines, shown under the urgent-help notice"
    fields = [("position", "country"), ("service", "url"), "contact"]


# The fields the public pages put inside a sentence (pages/jinja2/pages/), with the
# sentence as readers see it: the help text shows it, with the object's name, so the
# editor writes what fits there. Set on the admin form, not on the model field, as the
# sentence is the pages' wording, not the data's.
PUBLIC_SENTENCES = {
    Compound: {
        "drug_class": (
            ["“{name} belongs to the class {text}.” on each safety page"],
            "Write the class alone, without a final full stop: “NMDA Antagonist / Anesthetic”.",
        ),
        "regulatory_status": (
            ["“Regulatory status: {text}” on each safety page"],
            "Write whole sentences.",
        ),
        "evidence_overview": (
            ["“Evidence overview: {text}” on the compound's own page, never under one condition"],
            "Write one or two whole sentences, naming each condition.",
        ),
        "safety_profile": (
            ["“Its known safety characteristics: {text}” on each safety page"],
            "Write a sentence or two; list each known consideration below as a safety note too.",
        ),
    },
    Condition: {
        "specialist": (
            [
                "“{name} is usually treated by your {specialist}.”",
                "“Questions to ask your {specialist}”",
            ],
            "Write who treats it in lower case, without “your” or a final full stop: "
            "“hematologist or oncologist”.",
        ),
        "standard_treatment": (
            [
                "“Standard treatment for {name}: {text}.” on the condition's page and on "
                "its interactions pages"
            ],
            "Write a phrase, without a final full stop.",
        ),
    },
}


def public_sentence_help(model, obj):
    """The help texts of `model`'s fields that pages put inside a sentence."""
    kind = model._meta.verbose_name
    name = obj if obj is not None else format_html("<em>the {}</em>", kind)
    # What the editor writes, in italics: "your text", or the field's own name.
    text = format_html("<em>{}</em>", "your text")
    specialist = format_html("<em>{}</em>", "specialist")
    return {
        field: format_html(
            "Shown to readers as: {}. {}",
            format_html_join(
                " and ",
                "{}",
                (
                    (format_html(shown, name=name, text=text, specialist=specialist),)
                    for shown in sentences
                ),
            ),
            advice,
        )
        for field, (sentences, advice) in PUBLIC_SENTENCES.get(model, {}).items()
    }


class PublicSentenceHelp:
    """Each field the public pages put inside a sentence shows that sentence as help."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["help_texts"] = {
            **public_sentence_help(self.model, obj),
            **(kwargs.get("help_texts") or {}),
        }
        return super().get_form(request, obj, change, **kwargs)


@admin.register(Compound)
class CompoundAdmin(PublicSentenceHelp, ReviewAdmin):
    list_display = ["name", "drug_class", "summaries"]
    search_fields = ["name", "aliases", "drug_class"]
    list_filter = ["drug_class"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [
        MechanismInline,
        SafetyNoteInline,
        MonitoringInline,
        CautionInline,
        InteractionInline,
    ]
    fieldsets = [
        (None, {"fields": ["name", "slug", "aliases", "drug_class"]}),
        (
            "Evidence and safety",
            {"fields": ["regulatory_status", "evidence_overview", "safety_profile"]},
        ),
    ]

    @admin.display(description="summaries")
    def summaries(self, compound):
        return filtered_list_link(EvidenceSummary, "compound", compound, "Summaries")


@admin.register(Condition)
class ConditionAdmin(PublicSentenceHelp, ReviewAdmin):
    list_display = ["name", "specialist", "summaries"]
    search_fields = ["name", "specialist"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [HelpLineInline]

    @admin.display(description="summaries")
    def summaries(self, condition):
        return filtered_list_link(EvidenceSummary, "condition", condition, "Summaries")


@admin.register(MedicalAdvisor)
class MedicalAdvisorAdmin(CraftedInputAdmin):
    list_display = ["display_name", "credentials", "user"]
    search_fields = ["display_name", "credentials", "user__username", "user__email"]
    prepopulated_fields = {"slug": ["display_name"]}
    autocomplete_fields = ["user"]


class CitationFormSet(BaseInlineFormSet):
    """Refuses one source cited twice in the same save.

    The database refuses it too, but Django's formset checks only unconditional
    unique constraints, so without this the editor would get a server error.
    """

    def clean(self):
        super().clean()
        identifiers = self.model.IDENTIFIERS
        seen = {field: set() for field in identifiers}
        for form in self.forms:
            if self._should_delete_form(form):
                continue
            for field, message in identifiers.items():
                # Cleaned by the model field, so a pasted address and a bare id match.
                value = getattr(form.instance, field, "")
                if not value:
                    continue
                if value in seen[field]:
                    form.add_error(field, message)
                seen[field].add(value)


CITATION_FIELDS = [
    ("pmid", "doi", "nct_id"),
    "url",
    "authors",
    "title",
    ("journal", "year"),
    ("study_design", "participants"),
]


class ReferenceInline(ReferenceLookupMixin, admin.StackedInline):
    model = Reference
    formset = CitationFormSet
    extra = 0
    # No source's record says whether the study was of this pair's condition: the
    # lookup leaves the box for the editor.
    fields = [*CITATION_FIELDS, "studied_condition"]


class ResearchReferenceInline(ReferenceLookupMixin, admin.StackedInline):
    model = ResearchReference
    formset = CitationFormSet
    extra = 0
    verbose_name = "source cited"
    verbose_name_plural = "sources cited"
    fields = CITATION_FIELDS


def search_terms(search_term):
    """The terms of a search as Django's admin splits them: words, or quoted phrases."""
    for bit in smart_split(search_term):
        if bit.startswith(('"', "'")) and bit[0] == bit[-1]:
            bit = unescape_string_literal(bit)
        if bit:
            yield bit


@admin.register(EvidenceSummary)
class EvidenceSummaryAdmin(ReviewAdmin):
    """The list of every pair: a million rows at the client's size.

    Each filter and the ordering are served by an index (EvidenceSummary.Meta), the
    compound and condition filters list only the object selected, and the search looks
    names up in the small compound and condition tables before it touches this one.
    """

    list_display = ["__str__", "level", "verdict", "updated_at"]
    list_select_related = ["compound", "condition"]
    list_filter = [
        "evidence_level",
        "verdict",
        "evidence_basis",
        related_object_filter("compound", Compound),
        related_object_filter("condition", Condition),
    ]
    # Most recently edited first: the index on (updated_at, id) serves it, alone and
    # after any filter of the sidebar (each has an index that ends with those columns).
    # Ordering by compound and condition name, the model's order, sorts the whole
    # table on every page.
    ordering = ["-updated_at", "-id"]
    # Other columns would sort a million rows for a page of a hundred.
    sortable_by = ["updated_at"]
    # Facet counts would count the whole table once for each option of each filter.
    show_facets = ShowFacets.NEVER
    # Searched by get_search_results, which looks the names up first.
    search_fields = ["compound__name", "compound__aliases", "condition__name"]
    search_help_text = "Compound name or alias, or condition name. Every word must match."
    autocomplete_fields = ["compound", "condition"]
    inlines = [ReferenceInline, SafetyFindingInline]

    @admin.display(description="evidence level")
    def level(self, summary):
        # "Level 2": the filter beside the list names each level in full.
        return summary.get_evidence_level_display().partition(":")[0]

    def get_search_results(self, request, queryset, search_term):
        """Each term as Django's search takes it, with the same result, found by index.

        `compound__name__icontains` on the summaries joins and scans all of them. There
        are only thousands of compounds and conditions, though: the names are matched
        there, and the summaries are then found by their compound and condition keys.
        """
        for term in search_terms(search_term):
            compounds = Compound.objects.filter(
                Q(name__icontains=term) | Q(aliases__icontains=term)
            ).values_list("pk", flat=True)
            conditions = Condition.objects.filter(name__icontains=term).values_list("pk", flat=True)
            # Lists, not subqueries: the planner sees the ids and picks the key indexes.
            queryset = queryset.filter(
                Q(compound__in=list(compounds)) | Q(condition__in=list(conditions))
            )
        return queryset, False

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
                    "key_takeaways",
                    "regulatory_status",
                    "has_condition_safety_data",
                    "mechanism_relevance_documented",
                ]
            },
        ),
    ]


@admin.register(Reference)
class ReferenceAdmin(ReadOnlyAdmin):
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


@admin.register(ResearchUpdate)
class ResearchUpdateAdmin(ReviewAdmin):
    list_display = ["title", "date", "study_design", "source"]
    list_filter = [
        "study_design",
        "date",
        related_object_filter("compounds", Compound),
        related_object_filter("conditions", Condition),
    ]
    search_fields = ["title", "summary", "source"]
    date_hierarchy = "date"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["compounds", "conditions"]
    inlines = [ResearchReferenceInline]


@admin.register(SitePage)
class SitePageAdmin(ReviewAdmin):
    """The site's own pages (About, editorial policy, funding and conflicts of interest,
    contact) and the advisors' pages: a handful of rows, reviewed like the rest."""

    list_display = ["__str__", "kind", "advisor"]
    list_select_related = ["advisor"]
    list_filter = ["kind"]
    search_fields = ["title", "advisor__display_name"]
    autocomplete_fields = ["advisor"]
    fields = ["kind", "advisor", "title", "body"]


# The audit trail. Registered here, not where its admin is defined: the admin site's own
# module (insightswarm/admin.py) imports the modules that import review_admin, which
# must therefore not ask for the site while it is being made.
admin.site.register(ReviewEvent, ReviewEventAdmin)

# The catalogue import and export pages, and import batches (compounds/catalogue/admin.py).
from compounds.catalogue import admin as catalogue_admin  # noqa: E402, F401

# Readers' reports of a problem with a page (compounds/feedback/admin.py).
from compounds.feedback.admin import FeedbackAdmin  # noqa: E402
from compounds.models import Feedback  # noqa: E402

admin.site.register(Feedback, FeedbackAdmin)

# Notices on cited studies, for advisors to decide on (compounds/watch/admin.py).
from compounds.models import NoticeReview  # noqa: E402
from compounds.watch.admin import NoticeReviewAdmin  # noqa: E402

admin.site.register(NoticeReview, NoticeReviewAdmin)

# The evidence watch's inbox and the official labels it follows
# (compounds/watch/inbox_admin.py).
from compounds.models import InboxItem, OfficialLabel  # noqa: E402
from compounds.watch.inbox_admin import InboxItemAdmin, OfficialLabelAdmin  # noqa: E402

admin.site.register(InboxItem, InboxItemAdmin)
admin.site.register(OfficialLabel, OfficialLabelAdmin)

# Django's own user and group admins, answering crafted input as the project's do.
for _model, _admin in ((User, UserAdmin), (Group, GroupAdmin)):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
    admin.site.register(_model, type(_admin.__name__, (CraftedInputAdmin, _admin), {}))
