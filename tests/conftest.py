import pytest
from django.core.management import call_command


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The production hasher is slow on purpose; tests only need it to work.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def seed_content(db):
    """The client's seed pages as data, loaded from fixtures/."""
    call_command("loaddata", "seed_content", verbosity=0)
