from django.apps import AppConfig


class PagesConfig(AppConfig):
    name = "pages"
    verbose_name = "Public pages"

    def ready(self):
        # Registers the review page types with the registry.
        from . import page_types  # noqa: F401
