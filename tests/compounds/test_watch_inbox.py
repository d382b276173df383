"""The evidence inbox on the advisor's desk: deciding on an item as a browser posts it,
what "needs an update" changes (the review due date, a suggested reference) and does not
(the working copy, the public pages), and what the dashboard, the review screen and the
history show."""

import datetime
import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from compounds.models import (
    InboxItem,
    PublishedSummary,
    ReviewAction,
    ReviewEvent,
    Version,
    WatchSource,
)
from compounds.watch import inbox
from tests.admin_forms import form_data, press
from tests.conftest import summary
from tests.sources import recorded

pytestmark = pytest.mark.usefixtures("live_seed")

DUE = datetime.date(2027, 6, 1)
# The recorded PubMed record (tests/compounds/recorded/pubmed_esummary.json): a fixture.
PMID = "999999901"


@pytest.fixture
def pair():
    pair = summary("ketamine", "treatment-resistant-depression")
    Version.objects.filter(pk=pair.live_version_id).update(next_review_due=DUE)
    return pair


@pytest.fixture
def item(pair):
    return InboxItem.objects.create(
        summary=pair,
        source=WatchSource.PUBMED,
        identifier=PMID,
        event="new",
        change="New record in PubMed",
        title="Recorded test record: a randomized trial of a test compound",
        design="Randomized Controlled Trial",
        date=datetime.date(2026, 11, 2),
        link=f"https://pubmed.ncbi.nlm.nih.gov/{PMID}/",
    )


def change_url(item):
    return reverse("admin:compounds_inboxitem_change", args=[item.pk])


def review_url(pair):
    return reverse("admin:compounds_evidencesummary_review", args=[pair.pk])


def test_needs_an_update_makes_the_summary_due_now_and_suggests_the_reference(
    client, advisor, sources, item, pair
):
    sources.answer("pubmed_esummary.json")
    client.force_login(advisor)

    response = press(
        client, change_url(item), "Needs an update", note="Larger than the trials cited."
    )

    assert response.status_code == 302
    item.refresh_from_db()
    assert item.decision == InboxItem.Decision.NEEDS_UPDATE
    assert item.decided_by == advisor
    assert item.note == "Larger than the trials cited."
    pair.refresh_from_db()
    assert pair.live_version.next_review_due == timezone.localdate()
    # The details come from the reference lookup, from PubMed's record.
    assert "esummary.fcgi" in sources.last_request.full_url
    assert item.suggested["fields"] == {
        "pmid": PMID,
        "authors": "Example A, Sample B",
        "title": "Recorded test record: a randomized trial of a test compound",
        "journal": "Rec Test J",
        "year": 2019,
        "study_design": "rct",
    }
    # The summary's review screen offers the record for its next draft.
    page = client.get(review_url(pair)).content.decode()
    assert "Suggested references for the next draft" in page
    assert (
        "PMID 999999901</a>: Recorded test record: a randomized trial of a test compound, "
        "Rec Test J, 2019" in page
    )


def test_needs_an_update_publishes_nothing_and_leaves_the_working_copy_alone(
    client, advisor, sources, item, pair
):
    sources.answer("pubmed_esummary.json")
    published = PublishedSummary.objects.get(pk=pair.pk)
    before = (pair.review_state, pair.revision, pair.references.count())
    client.force_login(advisor)

    press(client, change_url(item), "Needs an update")

    pair.refresh_from_db()
    assert (pair.review_state, pair.revision, pair.references.count()) == before
    now_published = PublishedSummary.objects.get(pk=pair.pk)
    assert now_published.data == published.data
    assert now_published.version_number == published.version_number
    page = client.get("/compounds/ketamine/treatment-resistant-depression/does-it-work/")
    assert PMID not in page.content.decode()


def test_changes_nothing_is_kept_and_leaves_the_review_date(client, advisor, item, pair):
    client.force_login(advisor)

    press(client, change_url(item), "Changes nothing", note="A small pilot of a known effect.")

    item.refresh_from_db()
    assert item.decision == InboxItem.Decision.CHANGES_NOTHING
    assert item.suggested == {}
    pair.refresh_from_db()
    assert pair.live_version.next_review_due == DUE


def test_the_history_keeps_what_was_decided_about_each_item(client, advisor, item, pair):
    client.force_login(advisor)
    press(client, change_url(item), "Changes nothing", note="A small pilot of a known effect.")

    event = ReviewEvent.objects.of(pair).get(action=ReviewAction.INBOX_DECISION)
    assert event.user == advisor
    assert event.from_state == event.to_state == pair.review_state
    assert event.comment == (
        "Evidence inbox, PubMed: PMID 999999901, New record in PubMed (“Recorded test record: "
        "a randomized trial of a test compound”). Decided: changes nothing. A small pilot of "
        "a known effect."
    )
    history = client.get(reverse("admin:compounds_reviewevent_changelist")).content.decode()
    assert "Evidence inbox item decided" in history


def test_a_decided_item_is_a_record_nobody_changes(client, advisor, item):
    inbox.decide(item, advisor, InboxItem.Decision.CHANGES_NOTHING)
    client.force_login(advisor)

    page = client.get(change_url(item))

    with pytest.raises(AssertionError, match="Needs an update"):
        form_data(page, "Needs an update")
    with pytest.raises(inbox.AlreadyDecided, match="was decided by Nikhil Joshi meanwhile"):
        inbox.decide(item, advisor, InboxItem.Decision.NEEDS_UPDATE)


def test_an_editor_reads_the_inbox_and_decides_nothing(client, editor, item):
    client.force_login(editor)

    page = client.get(change_url(item))

    assert page.status_code == 200
    with pytest.raises(AssertionError, match="Changes nothing"):
        form_data(page, "Changes nothing")
    refused = client.post(change_url(item), {"note": "", "_changes_nothing": "Changes nothing"})
    assert refused.status_code == 403
    item.refresh_from_db()
    assert item.is_open


def test_the_list_marks_several_items_changes_nothing(client, advisor, item, pair):
    other = InboxItem.objects.create(
        summary=pair,
        source=WatchSource.TRIALS,
        identifier="NCT99999911",
        event="new",
        change="New study registered",
        title="Recorded Test Record: A New Trial of a Test Compound",
        link="https://clinicaltrials.gov/study/NCT99999911",
    )
    client.force_login(advisor)
    url = reverse("admin:compounds_inboxitem_changelist")

    press(
        client,
        url,
        "Run",
        action="mark_changes_nothing",
        _selected_action=[str(item.pk), str(other.pk)],
    )

    assert set(InboxItem.objects.values_list("decision", flat=True)) == {"changes_nothing"}
    assert not client.get(url).context["cl"].result_count


def test_the_dashboard_counts_open_items_oldest_first(client, advisor, item, pair):
    newer = InboxItem.objects.create(
        summary=pair,
        source=WatchSource.TRIALS,
        identifier="NCT99999911",
        event="new",
        change="New study registered",
        title="Recorded Test Record: A New Trial of a Test Compound",
        link="https://clinicaltrials.gov/study/NCT99999911",
        found_at=item.found_at + datetime.timedelta(hours=1),
    )
    client.force_login(advisor)

    home = client.get(reverse("admin:index"))

    shown = home.context["evidence_inbox"]
    assert shown["count"] == 2
    assert [i.record for i in shown["items"]] == ["PMID 999999901", "NCT99999911"]
    page = home.content.decode()
    assert "2 open items found by the evidence watch, the longest waiting first." in page
    assert change_url(newer) in page


def test_the_review_screen_and_change_form_show_the_pairs_open_items(client, advisor, item, pair):
    client.force_login(advisor)

    for url in (
        review_url(pair),
        reverse("admin:compounds_evidencesummary_change", args=[pair.pk]),
    ):
        page = client.get(url).content.decode()
        assert "1 open item in the evidence inbox</a> about this" in page
        link = f'<a href="{change_url(item)}?_changelist_filters=summary%3D{pair.pk}">'
        # The source's name as it is spelt: "PubMed", not "pubmed".
        assert f"{link}PMID 999999901</a>: New record in PubMed (2 Nov 2026)." in page


def test_an_item_of_another_pair_is_not_shown_on_this_one(client, advisor, item):
    client.force_login(advisor)
    other = summary("ketamine", "leukemia")
    page = client.get(review_url(other)).content.decode()
    assert "evidence inbox" not in page


def _decided_needs_update(advisor, item, sources, answer=None):
    sources.answer(answer or "pubmed_esummary.json")
    return inbox.decide(item, advisor, InboxItem.Decision.NEEDS_UPDATE)


def test_an_editor_adds_the_suggested_reference_to_the_draft_and_nothing_is_published(
    client, advisor, editor, sources, item, pair
):
    _decided_needs_update(advisor, item, sources)
    published = PublishedSummary.objects.get(pk=pair.pk).data
    client.force_login(editor)
    form = reverse("admin:compounds_evidencesummary_change", args=[pair.pk])
    page = client.get(form)
    add = reverse("admin:compounds_inboxitem_add_to_draft", args=[item.pk])
    assert f'<a href="{add}">Add it to the draft</a>' in page.content.decode()

    response = press(client, add, "Add to the draft")

    assert response.status_code == 302 and response.url == form
    pair.refresh_from_db()
    assert pair.review_state == "draft"
    assert editor.pk in pair.editors_since_approval
    reference = pair.references.get(pmid=PMID)
    assert (reference.title, reference.journal, reference.year, reference.study_design) == (
        "Recorded test record: a randomized trial of a test compound",
        "Rec Test J",
        2019,
        "rct",
    )
    assert reference.studied_condition is False
    assert PublishedSummary.objects.get(pk=pair.pk).data == published
    # Cited in the draft now, it is no longer suggested.
    assert "Suggested references for the next draft" not in client.get(form).content.decode()


def test_a_suggestion_without_a_design_is_left_for_the_editor_to_add_by_hand(
    client, advisor, editor, sources, item, pair
):
    undesigned = recorded("pubmed_esummary.json").replace(
        b'"Journal Article","Randomized Controlled Trial"', b'"Journal Article"'
    )
    _decided_needs_update(advisor, item, sources, undesigned)
    revision = pair.revision
    client.force_login(editor)

    response = press(
        client,
        reverse("admin:compounds_inboxitem_add_to_draft", args=[item.pk]),
        "Add to the draft",
    )

    told = [str(m) for m in get_messages(response.wsgi_request)]
    assert told == [
        "The lookup did not give its study design: add PMID 999999901 under References on "
        "the summary's form, where the lookup button fills in the rest."
    ]
    pair.refresh_from_db()
    assert pair.revision == revision
    assert not pair.references.filter(pmid=PMID).exists()


def test_the_inbox_and_an_items_page_are_headed_by_what_they_are(client, advisor, item):
    """Not Django's "Select evidence inbox item to change": the list is the inbox, and an
    open item's page is where an advisor decides on it."""
    client.force_login(advisor)

    listed = client.get(reverse("admin:compounds_inboxitem_changelist")).content.decode()
    page = client.get(change_url(item)).content.decode()

    assert "<h1>Evidence inbox</h1>" in listed
    assert "<h1>Decide on what the evidence watch found</h1>" in page


def test_a_decided_items_page_names_the_advisor_and_offers_its_reference_to_the_editor(
    client, advisor, editor, sources, item
):
    """From the inbox, an editor reads who decided, the suggested reference as the
    reference form names its fields, and the way to add it to the draft."""
    _decided_needs_update(advisor, item, sources)
    client.force_login(editor)

    page = client.get(change_url(item)).content.decode()
    words = " ".join(re.sub(r"<[^>]+>", " ", page).split())

    assert "Decided by: Nikhil Joshi" in words
    assert "Study design: Randomized controlled trial" in words
    assert "study_design" not in words and "pmid:" not in words
    add = reverse("admin:compounds_inboxitem_add_to_draft", args=[item.pk])
    assert re.search(rf'<a [^>]*href="{add}"[^>]*>Add it to the draft</a>', page)


def test_only_a_record_that_needs_an_update_has_a_page_to_add_it_to_a_draft(
    client, editor, item, pair
):
    """An open item, or a label's (a compound has no draft references), has no such page:
    not one that says it was decided to need an update, nor a server error."""
    label = InboxItem.objects.create(
        compound=pair.compound,
        source=WatchSource.DAILYMED,
        identifier="00000000-0000-4000-8000-000000000001",
        event="version:3",
        change="New label version 3",
        title="RECORDED TEST LABEL (TEST COMPOUND) NASAL SPRAY [RECORDED TEST SPONSOR]",
        link="https://dailymed.nlm.nih.gov/dailymed/lookup.cfm?setid=00000000-0000-4000-8000-000000000001",
    )
    client.force_login(editor)

    for record in (item, label):
        url = reverse("admin:compounds_inboxitem_add_to_draft", args=[record.pk])
        assert client.get(url).status_code == 404


def test_the_desk_offers_an_editor_each_reference_suggested_for_a_draft_until_it_is_added(
    client, advisor, editor, sources, item, pair
):
    """After "needs an update" the editor's desk says which record waits for its draft,
    with the way to add it; once the draft cites it, it is no longer offered."""
    _decided_needs_update(advisor, item, sources)
    client.force_login(editor)
    add = reverse("admin:compounds_inboxitem_add_to_draft", args=[item.pk])

    home = client.get(reverse("admin:index")).content.decode()

    words = " ".join(re.sub(r"<[^>]+>", " ", home).split())
    assert "1 record decided to need an update waits to be added to its draft:" in words
    assert re.search(
        rf'<a href="{add}">Add PMID {PMID} to the draft of {re.escape(str(pair))}</a>', home
    )

    press(client, add, "Add to the draft")

    home = client.get(reverse("admin:index")).content.decode()
    assert add not in home
    assert "waits to be added to its draft" not in home


def test_deciding_an_item_of_one_summarys_inbox_goes_back_to_that_summarys_inbox(
    client, advisor, item, pair
):
    """From the review screen's link, the inbox narrowed to one summary: the decision
    leads back to that list, not to the whole catalogue's."""
    client.force_login(advisor)
    narrowed = reverse("admin:compounds_inboxitem_changelist") + f"?summary={pair.pk}"
    listed = client.get(narrowed).content.decode()
    link = re.search(rf'href="({re.escape(change_url(item))}\?[^"]+)"', listed).group(1)

    response = press(client, link.replace("&amp;", "&"), "Changes nothing")

    assert response.status_code == 302
    assert response.url == narrowed


def test_an_item_opened_from_the_review_screen_leads_back_to_its_summarys_inbox(
    client, advisor, item, pair
):
    client.force_login(advisor)
    screen = client.get(review_url(pair)).content.decode()
    link = re.search(rf'href="({re.escape(change_url(item))}[^"]*)"', screen).group(1)

    response = press(client, link.replace("&amp;", "&"), "Changes nothing")

    assert response.url == reverse("admin:compounds_inboxitem_changelist") + f"?summary={pair.pk}"
