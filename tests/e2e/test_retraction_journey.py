"""An advisor decides on a retracted study in Chromium: the notice heads their desk, the
pair's pages say the review is being checked, and "The review stands" takes that
sentence off them while the reference list keeps the notice."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from compounds.evidence import StudyDesign
from compounds.models import EvidenceSummary, Reference, StudyCheck
from compounds.watch import retractions
from tests.e2e.test_review_workflow import Browsing
from tests.factories import approve_as, make_user, save_edit

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PAGE = "/compounds/ketamine/leukemia/safety/"
CHECKING = "A study this review cites has been retracted, and our medical advisors are checking"


def test_an_advisor_records_that_the_review_stands_after_a_retraction(site, browser, sources):
    editor = make_user("eve", "Editor")
    advisor_user = make_user("amara", "Medical Advisor", byline=True)
    summary = EvidenceSummary.objects.get(compound__slug="ketamine", condition__slug="leukemia")
    Reference.objects.create(
        summary=summary,
        doi="10.5555/recorded-retracted-study",
        title="Recorded test record: a trial later retracted",
        year=2021,
        study_design=StudyDesign.RCT,
        participants=40,
    )
    approve_as(save_edit(summary, editor), editor, advisor_user)
    # The seed's own studies were checked a moment ago: this run asks about the fixture.
    retractions.enrol_cited_studies()
    StudyCheck.objects.exclude(identifier="10.5555/recorded-retracted-study").update(
        checked_at=timezone.now()
    )
    sources.answer("crossref_work_retracted.json")
    call_command("watch_retractions", verbosity=0)
    errors = []

    reader = Browsing(browser, site, errors)
    assert CHECKING in reader.read(PAGE)

    advisor = Browsing(browser, site, errors, "amara")
    home = advisor.read("/admin/")
    assert "Cited studies with a notice: check the review" in home
    assert "A cited study (DOI 10.5555/recorded-retracted-study) was retracted" in home
    advisor.submit("table.study-notices a:text('Ketamine (IV / Esketamine) for Leukemia')")
    advisor.page.fill("#id_comment", "One of four trials; the grade rests on the other three.")
    advisor.submit("input[type=submit][value='The review stands']")
    assert "Decided: the review stands." in advisor.read()

    page = reader.read(PAGE)
    assert CHECKING not in page
    assert "Retracted: the notice, 20 November 2026." in page
    history = advisor.read(f"/admin/compounds/evidencesummary/{summary.pk}/change/")
    assert "Checked after a notice on a cited study" in history
    assert "the grade rests on the other three" in history
    assert errors == []
