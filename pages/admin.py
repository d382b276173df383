"""The admin of what the site search finds: synonyms and promoted results.

Registered here rather than with the content (compounds/admin.py): a promoted result
names a public page by its address, which only the public pages can check. Editors and
advisors keep both (`granted_to_roles`, read by compounds/roles.py); they change which
approved pages a search finds, never what a page says, so they take effect on saving.
"""

from django import forms
from django.contrib import admin

from compounds.admin_plumbing import CraftedInputAdmin
from compounds.models import PromotedResult, SearchSynonym

from . import pinned


@admin.register(SearchSynonym)
class SearchSynonymAdmin(CraftedInputAdmin):
    granted_to_roles = ("view", "add", "change", "delete")
    list_display = ["term", "means"]
    search_fields = ["term", "means"]
    fields = ["term", "means"]


class PromotedResultForm(forms.ModelForm):
    class Meta:
        model = PromotedResult
        fields = ["term", "page"]

    def clean_page(self):
        address = self.cleaned_data["page"]
        path = pinned.site_path(address)
        if path is None:
            raise forms.ValidationError(
                "Give the address of a page of this site, such as /compounds/ketamine/, "
                "without ? or #."
            )
        if pinned.page_at(path) is None:
            raise forms.ValidationError(
                "No published page of the site answers at this address: check it, or "
                "promote the page once it is approved."
            )
        return path


@admin.register(PromotedResult)
class PromotedResultAdmin(CraftedInputAdmin):
    granted_to_roles = ("view", "add", "change", "delete")
    form = PromotedResultForm
    list_display = ["term", "page", "shown_as"]
    search_fields = ["term", "page"]

    @admin.display(description="shown as")
    def shown_as(self, promoted):
        page = pinned.page_at(promoted.page)
        return page.title if page else "Not shown: no published page at this address now"
