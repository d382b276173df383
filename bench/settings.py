"""Settings of the bench's app servers: the project's, plus the anchor views of bench/urls.py."""

from insightswarm.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

# Unknown addresses are measured on purpose: their warnings are not news.
LOGGING = {
    **LOGGING,  # noqa: F405
    "loggers": {"django.request": {"level": "ERROR"}, "django.server": {"level": "ERROR"}},
}
