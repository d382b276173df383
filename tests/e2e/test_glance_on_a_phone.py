"""The answer at a glance on a phone, in Chromium at 390 x 844 px, and urgent help first.

On every page type, the first screen holds the pair's four questions, the verdict and
the level on their scales and the key takeaways; a hub's table, stacked on a phone,
names each value; the header's search says what it finds without being cut. Where a
condition calls for urgent help, its notice comes first, before all of that. A help
line an editor adds shows on the pages only once an advisor has approved it.
"""

import pytest

from compounds.models import Condition
from tests.e2e.test_review_workflow import Browsing
from tests.factories import CHECKS_NOTED, make_user

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PHONE = {"width": 390, "height": 844}
PAGE_TYPES = ["does-it-work", "evidence-level", "interactions", "safety"]
NAMES = ["Does it work?", "Evidence level", "Interactions", "Safety"]
TRD = "treatment-resistant-depression"
# Pairs of the seed whose verdict, level and takeaways all fit on the first screen.
SHORT = ["neuropathic-pain", "leukemia", "stage-iv-cancer", "chronic-pain"]


def _phone(browser):
    return browser.new_context(viewport=PHONE).new_page()


def _box(page, selector):
    """(top, bottom) of the first element a selector finds, in px from the page's top."""
    return page.eval_on_selector(
        selector, "e => { const r = e.getBoundingClientRect(); return [r.top, r.bottom]; }"
    )


def _url(condition, kind):
    return f"/compounds/ketamine/{condition}/{kind}/"


def test_the_first_screen_holds_the_tabs_verdict_level_and_takeaways(site, browser):
    page = _phone(browser)
    below = {}
    for condition in SHORT:
        for kind in PAGE_TYPES:
            page.goto(site + _url(condition, kind))
            for part in (
                ".pair-tabs",
                ".grade-verdict",
                ".grade-level",
                ".glance .takeaways",
            ):
                if _box(page, part)[1] > PHONE["height"]:
                    below[(condition, kind, part)] = _box(page, part)
    assert below == {}


def test_after_urgent_help_the_first_screen_holds_the_verdict_level_and_start_of_takeaways(
    site, browser
):
    page = _phone(browser)
    for kind in PAGE_TYPES:
        page.goto(site + _url(TRD, kind))
        # Urgent help comes first; the verdict and the level follow it on the same screen,
        # and the key takeaways begin there.
        assert _box(page, ".urgent-help")[1] < _box(page, "h1")[0], kind
        assert _box(page, ".grade-verdict")[1] <= PHONE["height"], kind
        assert _box(page, ".grade-level")[1] <= PHONE["height"], kind
        assert _box(page, ".glance .takeaways h2")[1] <= PHONE["height"], kind


def test_the_tabs_lead_to_each_of_the_pairs_four_pages(site, browser):
    page = _phone(browser)
    page.goto(site + _url("neuropathic-pain", "does-it-work"))
    for kind, name in zip(PAGE_TYPES, NAMES, strict=True):
        with page.expect_navigation():
            page.click(f".pair-tabs a:text-is('{name}')")
        assert page.url == site + _url("neuropathic-pain", kind)
        assert page.inner_text(".pair-tabs [aria-current=page]") == name


@pytest.mark.parametrize("hub", ["/compounds/ketamine/", "/conditions/neuropathic-pain/"])
def test_each_value_of_a_hubs_table_is_labelled_on_a_phone(site, browser, hub):
    page = _phone(browser)
    page.goto(site + hub)
    cells = page.eval_on_selector_all(
        "table.pairs tbody td",
        "cells => cells.map(td => [getComputedStyle(td, '::before').content,"
        " td.closest('table').tHead.rows[0].cells[td.cellIndex].textContent,"
        " getComputedStyle(td).display])",
    )
    assert cells
    assert [(label, display) for label, _, display in cells] == [
        (f'"{head}: "', "block") for _, head, _ in cells
    ]


@pytest.mark.parametrize("width", [360, 390, 1280])
def test_the_header_search_says_what_it_finds_without_being_cut(site, browser, width):
    page = browser.new_context(viewport={"width": width, "height": 844}).new_page()
    page.goto(site + "/")
    room, needed = page.eval_on_selector(
        "#site-search-q",
        "input => { const s = getComputedStyle(input); const c = document.createElement('canvas')"
        ".getContext('2d'); c.font = s.font; return [input.clientWidth"
        " - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight),"
        " c.measureText(input.placeholder).width]; }",
    )
    assert needed <= room


def test_a_help_line_reaches_the_pages_only_once_an_advisor_approves_it(site, browser):
    condition = Condition.objects.get(slug="suicidal-ideation")
    make_user("eve", "Editor")
    make_user("amara", "Medical Advisor", byline=True, first_name="Amara", last_name="Okafor")
    errors = []
    reader = Browsing(browser, site, errors)
    public = "/conditions/suicidal-ideation/"
    reader.open(public)
    assert reader.page.inner_text("main").startswith("Urgent help:")

    editor = Browsing(browser, site, errors, "eve")
    editor.open(f"/admin/compounds/condition/{condition.pk}/change/")
    editor.page.click("text=Add another help line")
    row = editor.page.locator(".dynamic-help_lines").last
    row.locator("input[name$=-position]").fill("4")
    row.locator("input[name$=-country]").fill("Testland")
    row.locator("input[name$=-service]").fill("Test crisis line")
    row.locator("input[name$=-contact]").fill("Call 000 000, at any hour.")
    editor.submit("input[name=_save_submit]")
    assert "was saved and submitted for review" in editor.text()
    assert "Testland" not in reader.text(public)

    advisor = Browsing(browser, site, errors, "amara")
    advisor.open(f"/admin/compounds/condition/{condition.pk}/review/")
    assert "Test crisis line" in advisor.read()
    assert "is live: patients now read this version" in advisor.approve_on_review_screen(
        comment=CHECKS_NOTED
    )
    reader.open(public)
    shown = reader.page.inner_text("main .urgent-help")
    assert "Testland: Test crisis line. Call 000 000, at any hour." in shown
    assert errors == []
