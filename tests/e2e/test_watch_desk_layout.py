"""The evidence watch on the advisor's desk reads at 1280 px and on a 390 px phone, in
Chromium: the open notices on cited studies and the evidence inbox fit their boxes, each
summary's name a readable line rather than a letter a line, and nothing needs sideways
scrolling on a phone."""

import datetime

import pytest

from compounds.models import EvidenceSummary, InboxItem, NoticeReview, StudyNotice, WatchSource
from tests.factories import make_user

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PAIR = "Ketamine (IV / Esketamine) for Treatment-Resistant Depression"


@pytest.fixture
def watch_found(site):
    """An open retraction notice on a study the pair cites, and two open inbox items."""
    make_user("amara", "Medical Advisor", byline=True)
    pair = EvidenceSummary.objects.get(
        compound__slug="ketamine", condition__slug="treatment-resistant-depression"
    )
    # Recorded test fixtures (tests/compounds/recorded/README.md): no real study or notice.
    notice = StudyNotice.objects.create(
        identifier_kind="doi",
        identifier="10.5555/recorded-retracted-study",
        kind=StudyNotice.Kind.RETRACTION,
        link="https://doi.org/10.5555/recorded-retraction-notice",
        source="Retraction Watch",
        notice_date=datetime.date(2026, 11, 20),
    )
    NoticeReview.objects.create(notice=notice, summary=pair)
    for nct_id, title in [
        ("NCT99999911", "Recorded Test Record: A New Trial of a Test Compound"),
        ("NCT99999912", "Recorded Test Record: An Older Trial That Posted Results"),
    ]:
        InboxItem.objects.create(
            summary=pair,
            source=WatchSource.TRIALS,
            identifier=nct_id,
            event="new",
            change="New study registered",
            title=title,
            design="Interventional, randomized, phase 2",
            date=datetime.date(2026, 10, 8),
            link=f"https://clinicaltrials.gov/study/{nct_id}",
        )
    return pair


def _desk(browser, site, width):
    page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    page.goto(f"{site}/admin/login/")
    page.fill("#id_username", "amara")
    page.fill("#id_password", "pw")
    with page.expect_navigation(wait_until="load"):
        page.click("input[type=submit]")
    assert "Cited studies with a notice: check the review" in page.inner_text("#content")
    assert "2 open items found by the evidence watch" in page.inner_text("#content")
    return page


def _fit(page, module):
    """How the module's table sits in its box, and how its summary's name is laid out."""
    return page.evaluate(
        """(module) => {
          const box = document.querySelector(module);
          const table = box.querySelector('table');
          const name = [...table.querySelectorAll('tbody a')]
            .find(a => a.textContent.includes('Treatment-Resistant'));
          return {
            box_right: Math.round(box.getBoundingClientRect().right),
            table_right: Math.round(table.getBoundingClientRect().right),
            name_width: Math.round(name.getBoundingClientRect().width),
            page_width: document.documentElement.scrollWidth,
          };
        }""",
        module,
    )


@pytest.mark.parametrize("module", [".module.review-dashboard", ".module.evidence-inbox"])
def test_the_watchs_tables_fit_the_desk_at_1280_px(site, browser, watch_found, module):
    page = _desk(browser, site, 1280)
    seen = _fit(page, module)
    assert seen["table_right"] <= seen["box_right"], seen
    # The summary's name reads as words: at least "Treatment-Resistant" on one line.
    assert seen["name_width"] >= 100, seen
    assert seen["page_width"] <= 1280, seen


@pytest.mark.parametrize("module", [".module.review-dashboard", ".module.evidence-inbox"])
def test_the_watchs_tables_fit_a_390_px_phone(site, browser, watch_found, module):
    page = _desk(browser, site, 390)
    seen = _fit(page, module)
    assert seen["page_width"] <= 390, seen
    assert seen["table_right"] <= seen["box_right"], seen
    assert seen["name_width"] >= 100, seen


@pytest.mark.parametrize("listed", ["noticereview", "inboxitem"])
def test_the_watchs_lists_show_every_column_at_1280_px(site, browser, watch_found, listed):
    """With the navigation and the filters open, the notices' and the inbox's lists show
    their last column (the decision) without scrolling their box sideways."""
    page = _desk(browser, site, 1280)
    page.goto(f"{site}/admin/compounds/{listed}/")
    seen = page.evaluate(
        """() => {
          const box = document.querySelector('#changelist-form .results');
          const last = document.querySelector('#result_list thead th:last-child');
          return {
            box_scrolls: box.scrollWidth > box.clientWidth,
            last_right: Math.round(last.getBoundingClientRect().right),
            box_right: Math.round(box.getBoundingClientRect().right),
          };
        }"""
    )
    assert not seen["box_scrolls"] and seen["last_right"] <= seen["box_right"], seen
