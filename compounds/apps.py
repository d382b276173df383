from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CompoundsConfig(AppConfig):
    name = "compounds"
    verbose_name = "Evidence content"

    def ready(self):
        # Imported here, not above: Django reads this module before any model is loaded.
        from compounds.review import notifications  # noqa: F401  (connects the review emails)
        from compounds.roles import grant_after_migrate

        # After Django's own receiver has made this app's permissions.
        post_migrate.connect(grant_after_migrate, sender=self)
