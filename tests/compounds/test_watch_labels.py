"""A compound's official label: a new version on DailyMed lands in the compound's inbox
(`manage.py watch_labels`). Answers are recorded (tests/compounds/recorded/README.md)."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from compounds.models import Compound, InboxItem, OfficialLabel, Version, WatchCheck
from compounds.watch import command
from compounds.watch.sources import SourceClient
from tests.sources import RecordedClock

pytestmark = pytest.mark.usefixtures("live_seed")

# The recorded label's set id: a test fixture, no real label's.
SETID = "00000000-0000-4000-8000-000000000001"


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch):
    monkeypatch.setattr(command, "SourceClient", lambda: SourceClient(clock=RecordedClock()))


@pytest.fixture
def ketamine():
    """Ketamine, last reviewed on 1 June 2026, with its label followed."""
    compound = Compound.objects.get(slug="ketamine")
    Version.objects.filter(pk=compound.live_version_id).update(
        approved_at=datetime.datetime(2026, 6, 1, 12, 0, tzinfo=datetime.UTC)
    )
    OfficialLabel.objects.create(compound=compound, dailymed_setid=SETID)
    return compound


def watch_labels(**options):
    out, err = io.StringIO(), io.StringIO()
    call_command("watch_labels", stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def events(compound):
    return list(
        InboxItem.objects.filter(compound=compound)
        .order_by("event")
        .values_list("event", flat=True)
    )


def test_a_label_version_published_since_the_review_lands_in_the_compounds_inbox(sources, ketamine):
    sources.answer("dailymed_history.json")

    out, _ = watch_labels()

    assert sources.last_request.full_url == (
        f"https://dailymed.nlm.nih.gov/dailymed/services/v2/spls/{SETID}/history.json"
    )
    # Versions 1 and 2 were published before the compound's last review.
    assert events(ketamine) == ["version:3"]
    item = InboxItem.objects.get(compound=ketamine)
    assert item.change == "New label version 3"
    assert item.date == datetime.date(2026, 11, 2)
    assert item.title == "RECORDED TEST LABEL (TEST COMPOUND) NASAL SPRAY [RECORDED TEST SPONSOR]"
    assert item.link == f"https://dailymed.nlm.nih.gov/dailymed/lookup.cfm?setid={SETID}"
    assert item.label == "DailyMed label"
    assert WatchCheck.objects.get(compound=ketamine).seen_version == 3
    assert "DailyMed: 1 of 1 checked, 1 new in inboxes" in out


def test_a_later_version_is_news_once_and_an_unreadable_version_is_skipped(sources, ketamine):
    sources.answer("dailymed_history.json")
    watch_labels()
    sources.answer("dailymed_history_later.json")

    out, _ = watch_labels(recheck_days=0)

    assert events(ketamine) == ["version:3", "version:4"]
    assert WatchCheck.objects.get(compound=ketamine).seen_version == 4
    assert "1 new in inboxes, 1 records unreadable" in out

    sources.answer("dailymed_history_later.json")
    watch_labels(recheck_days=0)
    assert events(ketamine) == ["version:3", "version:4"]


def test_a_malformed_history_saves_nothing(sources, ketamine):
    sources.answer("dailymed_history_malformed.json")

    _, err = watch_labels()

    assert not WatchCheck.objects.exists()
    assert not InboxItem.objects.exists()
    assert "DailyMed's label history was not readable." in err


def test_a_set_id_dailymed_does_not_know_is_reported_and_the_run_goes_on(sources, ketamine):
    other = Compound.objects.create(
        slug="recorded-test-compound",
        name="Recorded test compound",
        drug_class="Test class",
        regulatory_status="Not approved anywhere.",
        evidence_overview="Studied in a few small trials.",
        safety_profile="Generally tolerated.",
    )
    OfficialLabel.objects.create(
        compound=other, dailymed_setid="00000000-0000-4000-8000-000000000002"
    )
    sources.answer(b"Not Found", status=404, content_type="text/html")
    sources.answer("dailymed_history.json")

    out, err = watch_labels()

    assert (
        "Not checked, asked again next run: Ketamine (IV / Esketamine): "
        "DailyMed has no such record." in err
    )
    # The compound never approved has no reviewed text a label could date: nothing is news.
    assert list(WatchCheck.objects.values_list("compound__slug", "seen_version")) == [
        ("recorded-test-compound", 3)
    ]
    assert not InboxItem.objects.exists()
    assert "DailyMed: 1 of 2 checked" in out


def test_dailymed_down_ends_the_run_with_the_reason(sources, ketamine):
    sources.fail(TimeoutError())

    with pytest.raises(CommandError, match="DailyMed did not answer within 15 seconds"):
        watch_labels()

    assert not WatchCheck.objects.exists()


def test_the_label_change_shows_on_the_compounds_review_screen(client, advisor, sources, ketamine):
    sources.answer("dailymed_history.json")
    watch_labels()
    client.force_login(advisor)

    page = client.get(reverse("admin:compounds_compound_review", args=[ketamine.pk]))

    assert "DailyMed label</a>: New label version 3 (2 Nov 2026)." in page.content.decode()


def test_an_editor_adds_a_compounds_label_in_the_admin(client, editor):
    client.force_login(editor)
    ketamine = Compound.objects.get(slug="ketamine")
    from tests.admin_forms import press

    press(
        client,
        reverse("admin:compounds_officiallabel_add"),
        "Save",
        compound=str(ketamine.pk),
        dailymed_setid=SETID,
    )

    assert str(OfficialLabel.objects.get(compound=ketamine).dailymed_setid) == SETID
