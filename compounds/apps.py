from django.apps import AppConfig


class CompoundsConfig(AppConfig):
    name = "compounds"
    verbose_name = "Evidence content"

    def ready(self):
        from compounds import notifications  # noqa: F401  (connects the review emails)
