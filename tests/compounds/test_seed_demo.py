"""`manage.py seed_demo`: the demo content and accounts behind `make run`."""

import io

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from compounds.models import (
    Compound,
    EvidenceSummary,
    MedicalAdvisor,
    PublishedSitePage,
    SitePage,
)
from compounds.review import content_checks

pytestmark = pytest.mark.django_db

User = get_user_model()


def _sign_in_request():
    # Sign-in limits count per address, so authentication needs the request it came with.
    return RequestFactory().post("/admin/login/")


@pytest.fixture
def debug(settings):
    settings.DEBUG = True


@pytest.fixture
def no_demo_password(monkeypatch):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)


def test_creates_admin_editor_and_advisor_with_the_demo_password(debug, no_demo_password):
    call_command("seed_demo")
    for username in ("admin", "editor", "advisor"):
        user = authenticate(_sign_in_request(), username=username, password="insightswarm-demo")
        assert user is not None and user.is_staff
    assert User.objects.get(username="admin").is_superuser
    assert not User.objects.get(username="editor").is_superuser


def test_demo_password_comes_from_the_environment_when_set(debug, monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "another-long-password")
    call_command("seed_demo")
    request = _sign_in_request()
    assert authenticate(request, username="editor", password="another-long-password") is not None
    assert authenticate(request, username="editor", password="insightswarm-demo") is None


def test_advisor_account_carries_the_seed_byline(debug, no_demo_password):
    call_command("seed_demo")
    advisor = User.objects.get(username="advisor")
    assert advisor.medical_advisor == MedicalAdvisor.objects.get(slug="nikhil-joshi")


def test_running_twice_creates_nothing_twice(debug, no_demo_password):
    call_command("seed_demo")
    call_command("seed_demo")
    assert User.objects.count() == 4
    assert Compound.objects.count() == 1
    assert EvidenceSummary.objects.count() == 5


def test_a_second_run_keeps_what_editors_changed(debug, no_demo_password):
    call_command("seed_demo")
    Compound.objects.filter(slug="ketamine").update(drug_class="Edited by an editor")
    call_command("seed_demo")
    assert Compound.objects.get(slug="ketamine").drug_class == "Edited by an editor"


def test_reload_puts_the_seed_content_back(debug, no_demo_password):
    call_command("seed_demo")
    Compound.objects.filter(slug="ketamine").update(drug_class="Edited by an editor")
    call_command("seed_demo", reload=True)
    assert Compound.objects.get(slug="ketamine").drug_class == "NMDA Antagonist / Anesthetic"
    assert User.objects.get(username="advisor").medical_advisor.slug == "nikhil-joshi"


def test_refuses_to_run_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="runs only with DEBUG=on"):
        call_command("seed_demo")
    assert not User.objects.exists()
    assert not Compound.objects.exists()


def test_migrations_alone_create_no_accounts():
    assert not User.objects.exists()


def test_second_advisor_is_bylined_as_a_plausible_person(debug, no_demo_password):
    call_command("seed_demo")
    byline = User.objects.get(username="advisor2").medical_advisor.byline
    assert byline == "Maria Okafor, PharmD"


def test_a_demo_site_seeded_before_gets_the_second_advisors_new_byline(debug, no_demo_password):
    call_command("seed_demo")
    user = User.objects.get(username="advisor2")
    MedicalAdvisor.objects.filter(user=user).update(
        slug="demo-second-advisor", display_name="Second Advisor", credentials="MD"
    )
    call_command("seed_demo")
    assert MedicalAdvisor.objects.get(user=user).byline == "Maria Okafor, PharmD"
    assert not MedicalAdvisor.objects.filter(display_name="Second Advisor").exists()


def test_the_site_pages_and_both_advisors_pages_are_live_after_seeding(debug, no_demo_password):
    call_command("seed_demo")
    live = SitePage.objects.filter(live_version__isnull=False)
    assert {page.kind for page in live} == set(SitePage.Kind)
    advisors = {
        page.advisor.slug: page.live_version.reviewer.slug
        for page in live.filter(kind=SitePage.Kind.ADVISOR).select_related(
            "advisor", "live_version__reviewer"
        )
    }
    # Each advisor's page approved by the other: nobody approves their own.
    assert advisors == {"nikhil-joshi": "maria-okafor", "maria-okafor": "nikhil-joshi"}
    assert PublishedSitePage.objects.count() == 6


def test_a_demo_site_seeded_before_the_site_pages_gets_them(debug, no_demo_password):
    call_command("loaddata", "seed_content", verbosity=0)
    call_command("seed_demo")
    assert PublishedSitePage.objects.filter(kind="about").exists()


def test_the_site_pages_say_nothing_the_content_checks_flag(debug, no_demo_password):
    call_command("seed_demo")
    for page in SitePage.objects.all():
        assert content_checks.findings(page) == [], page


# Real commits: the review emails of the seed's approvals go out once they commit.
COMMITTED = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@COMMITTED
def test_a_first_run_says_what_it_did_in_a_few_lines_and_sends_no_email(debug, no_demo_password):
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert mail.outbox == []
    assert len(out.getvalue().splitlines()) <= 3, out.getvalue()


@COMMITTED
def test_with_verbosity_2_the_review_emails_go_out_linking_to_site_url(
    debug, no_demo_password, settings
):
    # As `make run PORT=8812` sets it.
    settings.SITE_URL = "http://127.0.0.1:8812"
    call_command("seed_demo", verbosity=2, stdout=io.StringIO())
    assert mail.outbox
    for message in mail.outbox:
        assert "Open it: http://127.0.0.1:8812/admin/compounds/" in message.body
