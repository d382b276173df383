"""The admin site, with the review dashboard on its home page."""

from django.contrib import admin
from django.urls import path


class InsightSwarmAdminSite(admin.AdminSite):
    site_header = "Insight Swarm CMS"
    site_title = "Insight Swarm CMS"
    index_title = "Evidence reviews"

    def index(self, request, extra_context=None):
        from compounds.dashboard import review_dashboard

        extra_context = {**(extra_context or {}), "review_dashboard": review_dashboard(request)}
        return super().index(request, extra_context)

    def get_urls(self):
        # One lookup for every model with a reference's fields (compounds/lookup_admin.py),
        # so an inline, which has no addresses of its own, can use it.
        from compounds.lookup_admin import reference_lookup
        from compounds.review_queue import review_queue_view

        return [
            path("review-queue/", self.admin_view(review_queue_view), name="review_queue"),
            path(
                "reference-lookup/<str:app_label>/<str:model_name>/",
                self.admin_view(reference_lookup),
                name="reference_lookup",
            ),
            *super().get_urls(),
        ]
