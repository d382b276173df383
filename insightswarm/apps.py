from django.contrib.admin.apps import AdminConfig


class InsightSwarmAdminConfig(AdminConfig):
    default_site = "insightswarm.admin.InsightSwarmAdminSite"
