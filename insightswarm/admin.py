"""The admin site, with the review dashboard, the open readers' reports and the evidence
inbox on its home page.

Django makes the site from this module while it loads the apps' admin modules: what
it imports must not register with the site on import (compounds/admin.py registers).
"""

import functools
import re

from django.contrib import admin, messages
from django.http import HttpResponseRedirect, JsonResponse
from django.urls import path

from compounds.feedback.dashboard import open_reports
from compounds.models import PUBLISHABLE_MODELS
from compounds.references.admin import reference_lookup
from compounds.review.dashboard import review_dashboard
from compounds.review.queue import review_queue_view
from compounds.watch.dashboard import inbox_of, open_inbox
from pages.preview import preview_page
from pages.reading import reading

# The parts of a date the admin's date hierarchy reads from the address, and the values
# each may take: a year the list can also step one year past, a month, a day.
_DATE_PARTS = {"year": (1, 9998), "month": (1, 12), "day": (1, 31)}
_DATE_PART = re.compile(r".+__(year|month|day)")
# Longer search terms than anyone types; SQLite refuses a LIKE pattern over 50,000 bytes.
SEARCH_TERM_LIMIT = 1_000


# A filter's value, or each of an __in list's: a whole number, as the lists read them.
_NUMBERS = re.compile(r"(?<![0-9.])[-+]?[0-9]{19,}(?![0-9.])")


def _past_64_bits(number):
    # The databases' integers hold 64 bits: SQLite cannot even bind a larger number.
    return not -(2**63) <= int(number) < 2**63


def unusable_query(request):
    """Why no admin list could answer the request's query string, or None.

    A NUL character cannot be sent to PostgreSQL in a query, a date part out of range
    overflows Python's dates, SQLite refuses a very long search pattern and cannot bind
    a number past 64 bits (?id__in=99…9); each used to be a server error.
    """
    for name, values in request.GET.lists():
        if name in ("q", "term") and any(len(value) > SEARCH_TERM_LIMIT for value in values):
            return f"A search of more than {SEARCH_TERM_LIMIT:,} characters cannot be run."
        if any("\x00" in text for text in (name, *values)):
            shown = name.replace("\x00", "")
            return (
                f"The address had a NUL character in “{shown}”, "
                "which no filter or search can contain."
            )
        if name in ("pk", "id") or "__" in name.strip("_"):
            # A field lookup (id__in, user__id__exact) goes to the database as it is; the
            # project's own filters (?compound=, ?page=) ignore what is not an id.
            for value in values:
                too_large = next((n for n in _NUMBERS.findall(value) if _past_64_bits(n)), None)
                if too_large:
                    return f"“{too_large[:20]}…” is a larger number than any id or count."
        part = _DATE_PART.fullmatch(name)
        if part:
            low, high = _DATE_PARTS[part[1]]
            for value in values:
                if not (re.fullmatch(r"[0-9]{1,4}", value) and low <= int(value) <= high):
                    return f"“{value[:20]}” is not a {part[1]} the list can show."
    return None


def refusing_unusable_queries(view):
    @functools.wraps(view)
    def guarded(request, *args, **kwargs):
        problem = unusable_query(request)
        if problem is None:
            return view(request, *args, **kwargs)
        if request.path.endswith("/autocomplete/"):
            return JsonResponse({"error": problem}, status=400)
        messages.error(request, f"{problem} It is shown without the filters and search.")
        return HttpResponseRedirect(request.path)

    return guarded


class InsightSwarmAdminSite(admin.AdminSite):
    site_header = "Insight Swarm CMS"
    site_title = "Insight Swarm CMS"
    index_title = "Evidence reviews"

    def admin_view(self, view, cacheable=False):
        return super().admin_view(refusing_unusable_queries(view), cacheable)

    def index(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "review_dashboard": review_dashboard(request),
            "readers_reports": open_reports(request),
            "evidence_inbox": open_inbox(request),
        }
        return super().index(request, extra_context)

    def what_patients_read(self, request, obj):
        """The public pages a change of obj affects, before and after (pages/reading.py):
        the review screens show them, and an approval is bound to them."""
        return reading(request, obj)

    def watch_inbox(self, request, obj):
        """What the evidence watch found about obj (compounds/watch/dashboard.py): the
        review screens and change forms show it."""
        return inbox_of(request, obj)

    def get_urls(self):
        return [
            path("review-queue/", self.admin_view(review_queue_view), name="review_queue"),
            # One lookup for every model with a reference's fields (compounds/references/admin.py),
            # so an inline, which has no addresses of its own, can use it.
            path(
                "reference-lookup/<str:app_label>/<str:model_name>/",
                self.admin_view(reference_lookup),
                name="reference_lookup",
            ),
            *self._preview_urls(),
            *super().get_urls(),
        ]

    def _preview_urls(self):
        """The staff preview of each kind of content (pages/preview.py), beside its review
        screen and named as the admin names its own pages; before the model's own
        addresses, which would take .../preview/ for an object's id."""
        urls = []
        for model in PUBLISHABLE_MODELS:
            opts = model._meta
            urls.append(
                path(
                    f"{opts.app_label}/{opts.model_name}/<path:object_id>/preview/",
                    self.admin_view(preview_page),
                    {"model_admin": self.get_model_admin(model)},
                    name=f"{opts.app_label}_{opts.model_name}_preview",
                )
            )
        return urls
