"""The site's URLconf with one address that fails, to see what a 500 answers."""

from django.urls import path

from insightswarm.urls import handler404
from insightswarm.urls import urlpatterns as site_urlpatterns


def fails(request):
    raise RuntimeError("a fault, on purpose")


urlpatterns = [path("fails/", fails), *site_urlpatterns]

__all__ = ["handler404", "urlpatterns"]
