from django.apps import AppConfig


class PagesConfig(AppConfig):
    name = "pages"
    verbose_name = "Public pages"

    def ready(self):
        # Registers the review page types with the registry.
        from compounds.publishing import published_changed

        from . import cache, checks, page_types  # noqa: F401

        # An approval or withdrawal refreshes exactly the cached pages that show it.
        published_changed.connect(cache.on_publication_changed, dispatch_uid="page-cache")
