from django.apps import AppConfig


class PagesConfig(AppConfig):
    name = "pages"
    verbose_name = "Public pages"

    def ready(self):
        # Imported here, not above: Django reads this module before any model is loaded,
        # and these import models. Importing page_types registers the review page types,
        # checks registers the settings checks.
        from compounds.review.publishing import published_changed

        from . import cache, checks, edge, page_types, replication  # noqa: F401

        # First where replicas answer public reads: the primary's position at the decision,
        # noted before the cached pages are refreshed (pages/replication.py).
        published_changed.connect(replication.on_publication_changed, dispatch_uid="replicas")
        # An approval or withdrawal refreshes exactly the cached pages that show it.
        published_changed.connect(cache.on_publication_changed, dispatch_uid="page-cache")
        # ... and purges them at the edge cache in front, if there is one.
        published_changed.connect(edge.on_publication_changed, dispatch_uid="edge-cache")
