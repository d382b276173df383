""" "What changed" on a pair's four pages: each approval, newest first, dated, with what it
changed, the reason given for patients and the approving advisor, read from the pair's
published row; and on the advisor's review screen, the entry the approval will add."""

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from compounds.evidence import Verdict
from compounds.models import EvidenceSummary
from compounds.review import change_log, workflow
from pages.reading import text_of
from pages.registry import Pair, page_types
from tests.admin_forms import submit
from tests.factories import confirming, make_reference, make_summary, make_user, save_edit

pytestmark = pytest.mark.django_db

REASON = "A larger trial found no benefit"


@pytest.fixture
def people(db):
    return (
        make_user("erin", "Editor"),
        make_user("ada", "Medical Advisor", byline=True, first_name="Ada", last_name="Byron"),
    )


def _live(people):
    editor, advisor = people
    summary = make_summary()
    make_reference(summary)
    workflow.submit(summary, editor)
    workflow.approve(summary, advisor, comment=confirming(summary))
    return EvidenceSummary.objects.get(pk=summary.pk)


def _pages(client, summary):
    pair = Pair.of(summary)
    return {kind.slug: client.get(pair.url(kind)).content.decode() for kind in page_types()}


def _what_changed(page):
    """The entries of a page's change log, as patients read them."""
    section = re.search(r'<section aria-labelledby="what-changed".*?</section>', page, re.S)
    assert section, "the page has no “What changed”"
    return [
        passage for passage in text_of(f"<main>{section[0]}</main>") if "Approved by" in passage
    ]


def _day(moment=None):
    day = timezone.localdate(moment)
    return f"{day.day} {day:%B %Y}", day.isoformat()


def test_the_first_approval_reads_first_published_on_each_page(client, people):
    summary = _live(people)
    shown, iso = _day()
    for page in _pages(client, summary).values():
        assert _what_changed(page) == [f"{shown} — First published. Approved by Ada Byron, MD."]
        assert f'<time datetime="{iso}">{shown}</time>' in page


def test_a_verdict_change_approved_with_its_reason_shows_on_all_four_pages(client, people):
    editor, advisor = people
    summary = save_edit(_live(people), editor, verdict=Verdict.INSUFFICIENT)
    workflow.submit(summary, editor)
    client.force_login(advisor)
    review = client.get(reverse("admin:compounds_evidencesummary_review", args=[summary.pk]))
    comment = {"comment": confirming(summary)} if confirming(summary) else {}
    submit(client, review, "Approve", **comment, **{f"public_reason_{summary.pk}": REASON})
    client.logout()

    shown, _ = _day()
    pages = _pages(client, EvidenceSummary.objects.get(pk=summary.pk))
    for kind, page in pages.items():
        assert _what_changed(page) == [
            f"{shown} — Verdict changed from “Promising but not proven” to “Insufficient "
            f"evidence”. Reason: {REASON}. Approved by Ada Byron, MD.",
            f"{shown} — First published. Approved by Ada Byron, MD.",
        ], kind
        # After the references, before the questions and the disclaimer.
        order = [page.index(f'id="{part}"') for part in ("references", "what-changed")]
        assert order == sorted(order)
        assert page.index('id="what-changed"') < page.index('class="disclaimer"')


def test_the_review_screen_shows_the_entry_the_approval_adds(client, people):
    """The reason is typed as the advisor approves, after the text was shown: the entry
    shows where it will go, and the text the approval is bound to does not depend on it."""
    editor, advisor = people
    summary = save_edit(_live(people), editor, verdict=Verdict.INSUFFICIENT)
    workflow.submit(summary, editor)
    client.force_login(advisor)
    review = client.get(reverse("admin:compounds_evidencesummary_review", args=[summary.pk]))
    shown, _ = _day()
    entry = (
        f"{shown} — Verdict changed from “Promising but not proven” to “Insufficient "
        f"evidence”. Reason: {change_log.REASON_TO_COME}. Approved by Ada Byron, MD."
    )
    text = html.unescape(re.sub(r"<[^>]+>|inserted: ", "", review.content.decode()))
    # On each of the four pages, as a passage the approval adds.
    assert text.count(f"Added: {entry}") == len(page_types())


def test_a_page_says_how_many_approvals_its_log_leaves_out(client, people, monkeypatch):
    monkeypatch.setattr(change_log, "LIMIT", 2)
    editor, advisor = people
    summary = _live(people)
    for text in ("Second text.", "Third text."):
        summary = workflow.submit(save_edit(summary, editor, human_evidence=text), editor)
        workflow.approve(summary, advisor, comment=confirming(summary))
    page = _pages(client, summary)["does-it-work"]
    assert len(_what_changed(page)) == 2
    assert "The 2 most recent of 3 approvals are listed." in page


def test_the_log_costs_a_review_page_no_query(client, people):
    """It rides on the pair's published row: a review page is still its pair's query (and
    the footer's, of the live site pages), with a long log as with a short one."""
    editor, advisor = people
    short = _live(people)
    long = _live(people)
    for text in ("Second text.", "Third text.", "Fourth text."):
        long = workflow.submit(save_edit(long, editor, human_evidence=text), editor)
        workflow.approve(long, advisor, comment=confirming(long))
    kind = page_types()[0]
    # Once first, so that what any first page does once (a query compiled) is not counted.
    client.get(Pair.of(short).url(kind))
    counts = []
    for summary in (short, long):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(Pair.of(summary).url(kind)).status_code == 200
        counts.append(len(queries))
    assert counts == [2, 2]
