"""The evidence inbox in Chromium: the night's run finds a new trial for a pair, and an
advisor works it from the admin home to "needs an update", after which the pair is due
for review and its review screen suggests the trial for the next draft. Answers are
recorded (tests/compounds/recorded/README.md)."""

import datetime

import pytest
from django.core.management import call_command

from compounds.models import EvidenceSummary, InboxItem, Version
from tests.e2e.test_review_workflow import Browsing
from tests.factories import make_user
from tests.sources import recorded

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# A link to an inbox item's page in the admin (the record's own link leads to its source).
ITEM_LINK = "a[href*='/admin/compounds/inboxitem/']"


def _trial_record(nct_id):
    """The recorded study, as ClinicalTrials.gov files it under the fixture's NCT id."""
    return recorded("clinicaltrials_study.json").replace(b"NCT99999901", nct_id.encode())


def test_an_advisor_works_the_inbox_from_a_new_trial_to_a_summary_due_now(site, browser, sources):
    pair = EvidenceSummary.objects.get(
        compound__slug="ketamine", condition__slug="treatment-resistant-depression"
    )
    Version.objects.filter(pk=pair.live_version_id).update(
        approved_at=datetime.datetime(2026, 6, 1, tzinfo=datetime.UTC),
        next_review_due=datetime.date(2027, 1, 1),
    )
    make_user("amara", "Medical Advisor", byline=True)
    make_user("eve", "Editor")
    errors = []

    # The night's run: ClinicalTrials.gov answers with a trial first posted since the review.
    sources.answer("clinicaltrials_studies.json")
    call_command("watch_new_evidence", source="clinicaltrials", budget=1, verbosity=0)
    assert InboxItem.objects.filter(summary=pair).count() == 2

    advisor = Browsing(browser, site, errors, "amara")
    home = advisor.text()
    assert "Evidence inbox" in home
    assert "2 open items found by the evidence watch, the longest waiting first." in home

    # The pair's review screen lists what was found.
    advisor.open(f"/admin/compounds/evidencesummary/{pair.pk}/review/")
    screen = advisor.text()
    assert "2 open items in the evidence inbox about this" in screen
    assert "NCT99999911: New study registered (8 Oct 2026)." in screen

    # The new trial's page: the advisor notes why and presses "Needs an update"; the
    # reference lookup fills in the trial's details.
    sources.answer(_trial_record("NCT99999911"))
    advisor.submit(f"{ITEM_LINK}:text('NCT99999911')")
    assert "Recorded Test Record: A New Trial of a Test Compound" in advisor.text()
    advisor.page.fill("#id_note", "A randomized trial in this condition: read it for the grade.")
    advisor.submit("input[name=_needs_update]")
    told = advisor.text()
    assert "NCT99999911: needs an update." in told
    assert "is due for review now" in told

    # Back on the review screen, the older trial changes nothing.
    advisor.open(f"/admin/compounds/evidencesummary/{pair.pk}/review/")
    assert "1 open item in the evidence inbox about this" in advisor.text()
    advisor.submit(f"{ITEM_LINK}:text('NCT99999912')")
    advisor.submit("input[name=_changes_nothing]")
    assert "NCT99999912: changes nothing." in advisor.text()

    # Home: no open item is left, and the pair is due for review today.
    home = advisor.text("/admin/")
    assert "Nothing the evidence watch found is waiting for a decision." in home
    assert "Ketamine (IV / Esketamine) for Treatment-Resistant Depression" in home
    assert f"due {datetime.date.today():%d %b %Y}" in home
    pair.refresh_from_db()
    assert pair.live_version.next_review_due == datetime.date.today()

    # Its review screen suggests the trial for the next draft, with the lookup's details.
    advisor.open(f"/admin/compounds/evidencesummary/{pair.pk}/review/")
    suggested = advisor.page.inner_text(".suggested-references")
    assert "NCT99999911: Recorded Test Record: A Randomized Trial of a Test Compound" in suggested
    assert "ClinicalTrials.gov, 2019; randomized controlled trial; 84 participants." in suggested

    # An editor adds it to the draft: the summary's working copy cites it, the public
    # page does not until the draft is approved.
    editor = Browsing(browser, site, errors, "eve")
    editor.open(f"/admin/compounds/evidencesummary/{pair.pk}/change/")
    editor.submit("a:text('Add it to the draft')")
    assert "Adding it puts this reference in the working copy" in editor.text()
    editor.submit("input[value='Add to the draft']")
    assert "NCT99999911 is in the draft's references" in editor.text()
    pair.refresh_from_db()
    assert pair.review_state == "draft"
    assert pair.references.filter(nct_id="NCT99999911").exists()
    public = Browsing(browser, site, errors).text(
        "/compounds/ketamine/treatment-resistant-depression/does-it-work/"
    )
    assert "Recorded Test Record" not in public

    assert errors == []
