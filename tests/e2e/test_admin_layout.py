"""The admin's pages fit the screens editors and advisors use, in Chromium: every list of
publishable content shows its review state at 1280 px, and the review screen, the
decision page and the change forms need no sideways scrolling on a 390 px phone."""

import pytest
from django.apps import apps

from compounds.evidence import StudyDesign
from compounds.models import Compound, EvidenceSummary, Reference
from compounds.review import workflow
from tests.factories import make_user, save_edit

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

LISTS = ["compound", "condition", "evidencesummary", "researchupdate"]
# A reference of the kind that made the review screen wider than a phone: an official
# document with a long address and a title without spaces.
LONG_ADDRESS = (
    "https://example.org/documents/a-label-with-a-long-path-segment-0123456789"
    "abcdefghijklmnopqrstuvwxyz-0123456789abcdefghijklmnopqrstuvwxyz.pdf"
)


def _signed_in(browser, site, username, width):
    page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    page.goto(f"{site}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw")
    with page.expect_navigation(wait_until="load"):
        page.click("input[type=submit]")
    return page


def _open(page, site, path):
    response = page.goto(site + path)
    assert response.status < 400, path
    return page


def _scroll_width(page):
    return page.evaluate("document.documentElement.scrollWidth")


@pytest.fixture
def in_every_state(site):
    """The seed content with one summary waiting on its author and one in review."""
    editor = make_user("erin", "Editor")
    advisor = make_user("ada", "Medical Advisor", byline=True)
    returned, waiting = EvidenceSummary.objects.order_by("id")[:2]
    for summary in (returned, waiting):
        workflow.submit(save_edit(summary, editor, human_evidence="Rewritten."), editor)
    workflow.request_changes(returned, advisor, comment="Name the trial.")
    compound = Compound.objects.get(slug="ketamine")
    workflow.submit(save_edit(compound, editor, safety_profile="Rewritten."), editor)
    return editor, advisor


def test_every_publishable_list_shows_the_review_state_on_a_1280_px_screen(
    site, browser, in_every_state
):
    page = _signed_in(browser, site, "erin", 1280)
    hidden = {}
    for model in LISTS:
        _open(page, site, f"/admin/compounds/{model}/")
        seen = page.evaluate(
            """() => {
              const state = document.querySelector('#result_list th.column-review_state');
              const box = document.querySelector('#changelist-form .results');
              return {
                state_right: state.getBoundingClientRect().right,
                box_right: box.getBoundingClientRect().right,
                box_scrolls: box.scrollWidth > box.clientWidth,
                page_width: document.documentElement.scrollWidth,
                first_column: document.querySelector('#result_list thead th:nth-child(3)')
                  .classList.contains('column-review_state'),
              };
            }"""
        )
        fits = (
            seen["first_column"]
            and seen["state_right"] <= min(seen["box_right"], 1280)
            and not seen["box_scrolls"]
            and seen["page_width"] <= 1280
        )
        if not fits:
            hidden[model] = seen
    assert hidden == {}


def test_the_review_screen_and_the_decision_page_fit_a_390_px_phone(site, browser, in_every_state):
    editor, _ = in_every_state
    summary = EvidenceSummary.objects.get(compound__slug="ketamine", condition__slug="leukemia")
    Reference.objects.create(
        summary=summary,
        url=LONG_ADDRESS,
        title="A_document_title_typed_without_a_single_space_in_it_from_end_to_end",
        journal="A regulator",
        year=2020,
        study_design=StudyDesign.EXPERT_OPINION,
    )
    summary = save_edit(summary, editor, human_evidence=f"Rewritten; see {LONG_ADDRESS}")
    workflow.submit(summary, editor)
    make_user("amara", "Medical Advisor", byline=True)

    page = _signed_in(browser, site, "amara", 390)
    _open(page, site, f"/admin/compounds/evidencesummary/{summary.pk}/review/")
    assert page.locator("table.review-diff").count() == 2  # the fields, and the references
    assert page.locator(".patient-page").count() == 4  # the pair's four pages
    assert _scroll_width(page) <= 390
    with page.expect_navigation(wait_until="load"):
        page.click("input[type=submit][value='Request changes']")
    assert page.locator("#id_comment").count() == 1
    assert _scroll_width(page) <= 390
    _open(page, site, f"/admin/compounds/evidencesummary/{summary.pk}/versions/")
    assert _scroll_width(page) <= 390
    _open(page, site, "/admin/")
    assert _scroll_width(page) <= 390


@pytest.mark.parametrize("model", LISTS)
def test_change_and_add_forms_fit_a_390_px_phone(site, browser, in_every_state, model):
    page = _signed_in(browser, site, "erin", 390)
    obj = apps.get_model("compounds", model).objects.order_by("id").first()
    for path in (f"/admin/compounds/{model}/{obj.pk}/change/", f"/admin/compounds/{model}/add/"):
        _open(page, site, path)
        assert page.locator("input[name=_save]").count() == 1
        assert _scroll_width(page) <= 390, path
