"""The public pages in Chromium: what a patient on a phone, or printing a page, gets."""

import pytest

from tests.e2e.judges import PUBLIC_PATHS

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

REVIEW_PAGE = "/compounds/ketamine/neuropathic-pain/safety/"


def test_no_page_breaks_its_content_security_policy(site, browser):
    page = browser.new_page()
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    for path in PUBLIC_PATHS:
        page.goto(site + path)
    # The 404 page logs its own status; anything else is a refused load or script.
    assert [e for e in errors if "404" not in e] == []


@pytest.mark.parametrize("width", [360, 1280])
def test_pages_fit_the_screen_without_sideways_scrolling(site, browser, width):
    page = browser.new_page(viewport={"width": width, "height": 800})
    too_wide = {}
    for path in PUBLIC_PATHS:
        page.goto(site + path)
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > width:
            too_wide[path] = scroll_width
    assert too_wide == {}


def test_keyboard_focus_is_visible(site, browser):
    page = browser.new_page()
    page.goto(site + REVIEW_PAGE)
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => { const e = document.activeElement; const s = getComputedStyle(e);"
        " return [e.textContent.trim(), s.outlineStyle, parseFloat(s.outlineWidth)]; }"
    )
    assert focused[0] == "Skip to content"
    assert focused[1] != "none" and focused[2] >= 2


def test_printed_review_keeps_the_content_and_drops_the_navigation(site, browser):
    page = browser.new_page()
    page.goto(site + REVIEW_PAGE)
    page.emulate_media(media="print")
    visible = page.evaluate(
        "(selectors) => selectors.map(s => { const e = document.querySelector(s);"
        " return e !== null && getComputedStyle(e).display !== 'none'; })",
        [
            ".site-header nav",
            ".site-search",
            ".breadcrumbs",
            ".report-problem",
            "h1",
            ".byline",
            ".disclaimer",
        ],
    )
    assert visible == [False, False, False, False, True, True, True]
    assert page.pdf(format="A4")[:4] == b"%PDF"
