import pytest
from django.core.management import call_command


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The production hasher is slow on purpose; tests only need it to work.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def no_page_cache(settings):
    """Pages are rendered afresh in tests, whose transactions never commit (so the
    cache is never told of an approval); tests/pages/test_cache.py turns it on."""
    settings.PAGE_CACHE_SECONDS = 0


@pytest.fixture
def seed_content(db):
    """The client's seed pages as data, loaded from fixtures/."""
    call_command("loaddata", "seed_content", verbosity=0)


@pytest.fixture
def sources(monkeypatch, settings):
    """PubMed, Crossref and ClinicalTrials.gov as recorded (tests/sources.py), with a
    cache of the test's own, so each test sees its own answers and no kept ones."""
    import urllib.request

    from django.core.cache import cache

    from tests.sources import RecordedSources

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "recorded-sources",
        }
    }
    cache.clear()
    recorded = RecordedSources()
    monkeypatch.setattr(urllib.request, "urlopen", recorded.urlopen)
    return recorded
