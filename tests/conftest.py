"""Fixtures the whole suite shares, one definition each.

The live content of the public page tests (the seed pages approved, and builders
around them) is here too: public pages read approved versions only, so these
fixtures take content through the review workflow as an editor and a medical
advisor would.

Seeding and approving the whole demo catalogue takes seconds, so a module of tests
that all ask for it (`live_seed`) gets it once: loaded inside a transaction that is
open for the module and rolled back after it, as Django's TestCase does for
setUpTestData. Each test's own transaction is then a savepoint inside it, so every
test still starts from the same approved catalogue and leaves nothing behind. A
transactional test (live_server, transaction=True) commits for real, so it is never
run inside that transaction: it seeds for itself, as before.
"""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from pytest_django.plugin import validate_django_db

from compounds.evidence import StudyDesign
from compounds.management.commands.seed_demo import approve_everything
from compounds.models import (
    Compound,
    Condition,
    EvidenceSummary,
    MedicalAdvisor,
    Reference,
    ResearchUpdate,
)
from compounds.review import workflow
from tests.factories import approve_as, save_edit

User = get_user_model()

# The production hasher is slow on purpose; tests only need it to work.
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# The test being set up, so that a module's catalogue knows whether the test that
# opens the module is transactional (fixtures of a module are set up for its first test).
OPENING_TEST = pytest.StashKey()
# Whether the catalogue of the current module is loaded once for all its tests.
SEEDED_FOR_MODULE = pytest.StashKey()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    item.config.stash[OPENING_TEST] = item


def _transactional(item):
    """As pytest-django decides: such a test commits, and runs after all the others."""
    marker = item.get_closest_marker("django_db")
    if marker:
        transactional, reset_sequences, *_ = validate_django_db(marker)
        if transactional or reset_sequences:
            return True
    return bool({"transactional_db", "live_server"} & set(item.fixturenames))


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture(autouse=True)
def no_page_cache(settings):
    """Pages are rendered afresh in tests, whose transactions never commit (so the
    cache is never told of an approval); tests/pages/test_cache.py turns it on."""
    settings.PAGE_CACHE_SECONDS = 0


def _seeded_for_module(request):
    return request.config.stash.get(SEEDED_FOR_MODULE, False)


@pytest.fixture
def seed_content(db, request):
    """The client's seed pages as data, loaded from fixtures/."""
    if not _seeded_for_module(request):
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


# The reference added to ketamine for neuropathic pain: one of each identifier.
NEUROPATHIC_REFERENCE = {
    "pmid": "31578302",
    "doi": "10.1016/j.pain.2019.01.001",
    "nct_id": "NCT01234567",
    "title": "Ketamine infusions for refractory neuropathic pain: a randomized trial",
    "journal": "Pain",
    "year": 2019,
    "study_design": StudyDesign.RCT,
    "participants": 48,
    "studied_condition": True,
}


def _make_editor():
    user = User.objects.create_user("erin", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name="Editor"))
    return user


def _make_advisor():
    user = User.objects.create_user(
        "nikhil", password="x", is_staff=True, first_name="Nikhil", last_name="Joshi"
    )
    user.groups.add(Group.objects.get(name="Medical Advisor"))
    MedicalAdvisor.objects.filter(slug="nikhil-joshi").update(user=user)
    return user


@pytest.fixture
def editor(db, request):
    """Erin, an editor."""
    if _seeded_for_module(request):
        return User.objects.get(username="erin")
    return _make_editor()


@pytest.fixture
def advisor(seed_content, request):
    """Nikhil Joshi, the seed's medical advisor, with a sign-in account linked to the byline."""
    if _seeded_for_module(request):
        return User.objects.get(username="nikhil")
    return _make_advisor()


@pytest.fixture
def publish(editor, advisor):
    """Take an object through review: submitted by the editor, approved by the advisor."""

    return lambda obj: approve_as(obj, editor, advisor)


@pytest.fixture
def edit(editor):
    """Save an edit of the working copy, booked as the admin books it; nothing is approved."""

    return lambda obj, **fields: save_edit(obj, editor, **fields)


@pytest.fixture
def withdraw(advisor):
    def withdraw(obj):
        return workflow.withdraw(obj, advisor, comment="Withdrawn for re-review.")

    return withdraw


@pytest.fixture
def publish_all(editor, advisor):
    """Approve every object that is not live yet, as seed_demo does."""
    return lambda: approve_everything(editor, advisor)


def _approve_live_seed(editor, advisor):
    Reference.objects.create(
        summary=summary("ketamine", "neuropathic-pain"), **NEUROPATHIC_REFERENCE
    )
    approve_everything(editor, advisor)


@pytest.fixture(scope="module")
def live_seed_for_module(request, django_db_setup, django_db_blocker):
    """The live seed, loaded once for the tests of a module, in a transaction rolled
    back after them; nothing when the module's first test is transactional."""
    if _transactional(request.config.stash[OPENING_TEST]):
        yield
        return
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            # What the autouse settings fixtures give each test, for the module's seeding.
            with override_settings(PASSWORD_HASHERS=FAST_HASHERS, PAGE_CACHE_SECONDS=0):
                call_command("loaddata", "seed_content", verbosity=0)
                _approve_live_seed(_make_editor(), _make_advisor())
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    request.config.stash[SEEDED_FOR_MODULE] = True
    yield
    request.config.stash[SEEDED_FOR_MODULE] = False
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture
def live_seed(live_seed_for_module, seed_content, editor, advisor, request):
    """The seed content, with a reference for ketamine in neuropathic pain, all approved."""
    if not _seeded_for_module(request):
        _approve_live_seed(editor, advisor)


@pytest.fixture
def make_live_compound(publish):
    """A new compound, approved, with a summary for each given condition slug, approved."""

    def make(slug, name, conditions=(), **fields):
        values = {
            "drug_class": "Test class",
            "regulatory_status": "Not approved anywhere.",
            "evidence_overview": "Studied in a few small trials.",
            "safety_profile": "Generally tolerated.",
        }
        values.update(fields)
        compound = publish(Compound.objects.create(slug=slug, name=name, **values))
        for condition_slug, level, verdict, basis in conditions:
            publish(
                EvidenceSummary.objects.create(
                    compound=compound,
                    condition=Condition.objects.get(slug=condition_slug),
                    evidence_level=level,
                    verdict=verdict,
                    evidence_basis=basis,
                    human_evidence="Some trials in people.",
                    regulatory_status="Not approved for this condition.",
                )
            )
        return compound

    return make


@pytest.fixture
def make_live_updates(publish):
    """n research updates, approved, dated one day apart, linked to the given compound."""

    def make(n, compound=None, prefix="Update"):
        updates = []
        for i in range(n):
            update = ResearchUpdate.objects.create(
                title=f"{prefix} number {i + 1}",
                slug=f"{prefix.lower()}-number-{i + 1}",
                summary=f"What study {i + 1} of the {prefix.lower()} series found.",
                study_design=StudyDesign.RCT,
                participants=10 + i,
                date=datetime.date(2025, 1, 1) + datetime.timedelta(days=i),
            )
            if compound is not None:
                update.compounds.add(compound)
            updates.append(publish(update))
        return updates

    return make


def summary(compound_slug, condition_slug):
    return EvidenceSummary.objects.get(compound__slug=compound_slug, condition__slug=condition_slug)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a workflow step and what its commit triggers, as production does."""

    def committed(step, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return step(*args, **kwargs)

    return committed
