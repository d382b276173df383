from django.contrib.admin.apps import AdminConfig


class InsightSwarmAdminConfig(AdminConfig):
    default_site = "insightswarm.admin.InsightSwarmAdminSite"

    def ready(self):
        super().ready()
        # Connects the sign-in stamp of the session idle expiry: signal receivers are
        # connected once the apps are ready, as Django asks.
        from insightswarm import middleware  # noqa: F401
