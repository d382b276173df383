"""The site's addresses plus the minimal views the measurements are compared with."""

from django.urls import path

from insightswarm.urls import handler404
from insightswarm.urls import urlpatterns as site_urls
from pages.cache import cached_page

from . import views

urlpatterns = [
    path("bench/minimal/<int:pk>/", views.minimal, name="bench_minimal"),
    path(
        "bench/minimal-cached/<int:pk>/",
        cached_page(views.minimal, tags=views.minimal_tags),
        name="bench_minimal_cached",
    ),
    *site_urls,
]

__all__ = ["handler404", "urlpatterns"]
