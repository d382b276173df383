"""Deployment checks of the page cache (`manage.py check --deploy`)."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.caches, deploy=True)
def page_cache_is_shared(app_configs, **kwargs):
    backend = settings.CACHES[settings.PAGE_CACHE_ALIAS]["BACKEND"]
    if settings.PAGE_CACHE_SECONDS > 0 and backend.endswith(("LocMemCache", "DummyCache")):
        return [
            Warning(
                "Public pages are cached in each process's own memory.",
                hint="With more than one app process, one keeps serving a page another has "
                "withdrawn. Set CACHE_URL to a shared cache (Redis), or PAGE_CACHE_SECONDS=0.",
                id="pages.W001",
            )
        ]
    return []


@register(Tags.caches, deploy=True)
def edge_cache_can_be_purged(app_configs, **kwargs):
    """An edge named without what its purge needs would keep pages for a day unpurged."""
    from django.core.exceptions import ImproperlyConfigured

    from . import edge

    try:
        edge.purger()
    except ImproperlyConfigured as error:
        return [
            Error(
                str(error),
                hint="Pages at the edge would not be purged after a decision (pages/edge.py).",
                id="pages.E001",
            )
        ]
    return []
