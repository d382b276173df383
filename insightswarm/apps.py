from django.contrib.admin.apps import AdminConfig


class InsightSwarmAdminConfig(AdminConfig):
    default_site = "insightswarm.admin.InsightSwarmAdminSite"

    def ready(self):
        super().ready()
        # Connects the sign-in stamp of the session idle expiry.
        from insightswarm import middleware  # noqa: F401
