"""What patients will read, on the advisor's review screen (pages/reading.py,
compounds/review/patient_text.py): every sentence a change makes on a public page is
there before the advisor approves it, and the approval is bound to that text."""

import html
import re

import pytest
from django.contrib import admin
from django.urls import reverse

from compounds.evidence import EvidenceBasis, EvidenceLevel, StudyDesign, Verdict
from compounds.models import EvidenceSummary, ReviewState
from compounds.review import change_log, workflow
from pages.reading import text_of
from pages.registry import Pair, page_types
from tests.admin_forms import form_data, submit
from tests.factories import (
    approve_as,
    confirming,
    make_compound,
    make_reference,
    make_summary,
    make_user,
    public_reason,
    save_edit,
    shown_by,
)

pytestmark = pytest.mark.django_db


def test_text_of_reads_title_description_and_main_in_reading_order():
    page = """<html><head><title>Does X work?</title>
    <meta name="description" content="Our answer."></head><body>
    <nav><p>Not read: the site's frame</p></nav>
    <main><h1>Does X work?</h1><p>First <strong>sentence</strong>.</p>
    <script>var x = 1;</script><p hidden>Hidden</p>
    <table><tr><th>Verdict</th><td>Promising</td></tr></table>
    <ul><li>One</li><li>Two<br>lines</li></ul></main></body></html>"""
    assert text_of(page) == [
        "Does X work?",
        "Search result description: Our answer.",
        "Does X work?",
        "First sentence.",
        "Verdict | Promising",
        "One",
        "Two lines",
    ]


@pytest.fixture
def people(db):
    return make_user("erin", "Editor"), make_user("ada", "Medical Advisor", byline=True)


def _live_summary(people, name="Xylocaine"):
    editor, advisor = people
    summary = make_summary(compound=make_compound(name=name))
    make_reference(summary)
    approve_as(summary, editor, advisor)
    return EvidenceSummary.objects.get(pk=summary.pk)


def _public_text(client, summary):
    pair = Pair.of(summary)
    return {
        kind.slug: text_of(client.get(pair.url(kind)).content.decode()) for kind in page_types()
    }


def _review_url(summary):
    return reverse("admin:compounds_evidencesummary_review", args=[summary.pk])


def _once_approved(review_page):
    """The passages the review screen says patients will read once it is approved."""
    page = review_page.content.decode()
    changed = re.findall(r'<span class="after">Once approved: (.*?)</span></li>', page, re.S)
    added = re.findall(r'<li class="added">Added: (.*?)</li>', page, re.S)
    return [
        html.unescape(re.sub(r"<[^>]+>|inserted: ", "", part)).strip() for part in changed + added
    ]


# A change of each structured field, and of a child row, of a live summary.
CHANGES = {
    "verdict": {"verdict": Verdict.INSUFFICIENT},
    "evidence level": {"evidence_level": EvidenceLevel.LEVEL_5},
    "evidence basis": {"evidence_basis": EvidenceBasis.EXTRAPOLATED},
    "condition safety data": {"has_condition_safety_data": True},
    "mechanism relevance": {"mechanism_relevance_documented": True},
    "human evidence": {"human_evidence": "One small trial, with no control group."},
    "preclinical evidence": {"preclinical_evidence": "Studied in mice only."},
    "regulatory status": {"regulatory_status": "Approved in one country."},
    "key takeaways": {"key_takeaways": "It has been studied.\nAsk your doctor first."},
}


@pytest.mark.parametrize(
    "change", [*CHANGES, "a reference removed", "a reference found to be of another condition"]
)
def test_each_changed_patient_sentence_is_on_the_review_screen_before_approval(
    client, people, change
):
    editor, advisor = people
    summary = _live_summary(people)
    before = _public_text(client, summary)
    if change == "a reference removed":
        summary.references.all().delete()
        summary = save_edit(summary, editor)
    elif change == "a reference found to be of another condition":
        summary.references.update(studied_condition=False)
        summary = save_edit(summary, editor)
    else:
        summary = save_edit(summary, editor, **CHANGES[change])
    workflow.submit(summary, editor)
    client.force_login(advisor)
    review = client.get(_review_url(summary))
    shown = _once_approved(review)

    # Approved, the public pages read as the review screen said they would; the reason
    # for patients, typed as the advisor approves, where the screen said it would go.
    reason = public_reason(summary)
    workflow.approve(
        summary, advisor, comment=confirming(summary) or "Checked.", public_reason=reason
    )
    client.logout()
    after = _public_text(client, EvidenceSummary.objects.get(pk=summary.pk))
    new_sentences = [
        passage.replace(reason, f"{change_log.REASON_TO_COME}.") if reason else passage
        for kind, passages in after.items()
        for passage in passages
        if passage not in before[kind] and "Medically reviewed by" not in passage
    ]
    assert new_sentences, f"a change of {change} changed no sentence patients read"
    missing = [sentence for sentence in new_sentences if sentence not in shown]
    assert missing == []


def test_a_new_summary_shows_its_four_pages_as_new(client, people):
    editor, advisor = people
    summary = workflow.submit(make_summary(), editor)
    client.force_login(advisor)
    review = client.get(_review_url(summary)).content.decode()
    assert review.count("a new page") == 4
    assert "Does Compound" in review


def test_a_compound_change_shows_its_page_and_a_sample_of_its_pairs(client, people):
    editor, advisor = people
    compound = make_compound(name="Xylocaine")
    for _ in range(3):
        approve_as(make_summary(compound=compound), editor, advisor)
    compound = save_edit(compound, editor, name="Xylocaine (lidocaine)")
    workflow.submit(compound, editor)
    client.force_login(advisor)
    review = client.get(reverse("admin:compounds_compound_review", args=[compound.pk]))
    text = review.content.decode()
    # Its own page, and the four pages of two of its three pairs, a sample of twelve.
    assert text.count('class="patient-page ') == 1 + 4 * 2
    assert "This change affects 12 pair pages" in text
    assert "Does Xylocaine (lidocaine) work for" in " ".join(_once_approved(review))


def test_an_approval_is_refused_when_the_text_changed_after_it_was_shown(client, people):
    """The pair's pages show its compound's working copy under review: an edit of it
    changes the text without changing the summary's revision. The approval shown the
    old text is refused, and shown again with the new."""
    editor, advisor = people
    summary = _live_summary(people)
    summary = save_edit(summary, editor, verdict=Verdict.INSUFFICIENT)
    workflow.submit(summary, editor)
    compound = summary.compound
    compound = save_edit(compound, editor, name="Xylocaine (old name)")
    workflow.submit(compound, editor)
    client.force_login(advisor)
    review = client.get(_review_url(summary))
    approve = form_data(review, "Approve")
    assert approve["seen_readings"][0].startswith(f"{summary.pk}:")

    compound = save_edit(compound, make_user("eve", "Editor"), name="Xylocaine (new name)")
    workflow.submit(compound, editor)
    client.force_login(advisor)
    comment = {"comment": confirming(summary)} if confirming(summary) else {}
    # The verdict changes: the approval gives patients its reason.
    comment[f"public_reason_{summary.pk}"] = public_reason(summary)
    response = submit(client, review, "Approve", **comment)

    summary.refresh_from_db()
    assert summary.review_state == ReviewState.IN_REVIEW
    page = response.content.decode()
    assert "what patients would read changed after you were shown it" in page
    assert "Xylocaine (new name)" in page
    # Confirmed on the text shown now, it is approved.
    response = submit(client, response, "Approve and publish", **comment)
    summary.refresh_from_db()
    assert summary.review_state == ReviewState.APPROVED


def test_the_bulk_confirmation_folds_each_objects_text(client, people):
    editor, advisor = people
    summaries = [workflow.submit(make_summary(), editor) for _ in range(3)]
    client.force_login(advisor)
    changelist = client.get(reverse("admin:compounds_evidencesummary_changelist"))
    page = submit(
        client,
        changelist,
        "Run",
        action="approve",
        _selected_action=[str(s.pk) for s in summaries],
    )
    text = page.content.decode()
    assert text.count('<details class="decision-reading">') == 3
    # Each object's text is bound by its fingerprint, which the page's token names.
    seen = shown_by(page, "Approve and publish", advisor, EvidenceSummary)
    assert seen.texts == {
        s.pk: admin.site.what_patients_read(page.wsgi_request, s).fingerprint for s in summaries
    }


def test_a_reference_of_an_uncontrolled_design_changes_the_claim_shown(client, people):
    """The claims rest on references: adding one changes what the review screen says
    patients will read."""
    editor, advisor = people
    summary = _live_summary(people)
    make_reference(summary, pmid="", doi="10.1000/xyz", study_design=StudyDesign.CASE_REPORT)
    summary = save_edit(summary, editor)
    workflow.submit(summary, editor)
    client.force_login(advisor)
    shown = " ".join(_once_approved(client.get(_review_url(summary))))
    assert "10.1000/xyz" in shown or "case series" in shown.lower()


def test_a_compounds_interaction_edit_shows_on_its_pairs_interactions_page(client, people):
    """An interaction is shown on the pairs' interactions pages, not on the compound's
    own: the compound's review screen shows it there."""
    from compounds.evidence import Severity
    from compounds.models import Interaction

    editor, advisor = people
    summary = _live_summary(people)
    compound = summary.compound
    Interaction.objects.create(
        compound=compound,
        position=1,
        drug="Benzodiazepines",
        severity=Severity.MODERATE,
        effect="More drowsiness.",
        management="Your care team watches your breathing.",
        source="A drug label",
        source_url="https://example.org/label",
    )
    compound = save_edit(compound, editor)
    workflow.submit(compound, editor)
    client.force_login(advisor)
    review = client.get(reverse("admin:compounds_compound_review", args=[compound.pk]))
    shown = " ".join(_once_approved(review))
    assert "Benzodiazepines" in shown and "More drowsiness." in shown
