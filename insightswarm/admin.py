"""The admin site, with the review dashboard on its home page."""

from django.contrib import admin


class InsightSwarmAdminSite(admin.AdminSite):
    site_header = "Insight Swarm CMS"
    site_title = "Insight Swarm CMS"
    index_title = "Evidence reviews"

    def index(self, request, extra_context=None):
        from compounds.dashboard import review_dashboard

        extra_context = {**(extra_context or {}), "review_dashboard": review_dashboard(request)}
        return super().index(request, extra_context)
