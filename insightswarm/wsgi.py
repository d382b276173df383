import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "insightswarm.settings")

django_application = get_wsgi_application()

# Cached public pages are answered before Django handles the request (pages/cache.py).
from pages.cache import CachedPages  # noqa: E402 - needs Django set up first

application = CachedPages(django_application)
