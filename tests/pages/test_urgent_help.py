"""Urgent help: a condition's notice and its help lines, first on every page about it.

Treatment-resistant depression and suicidal ideation carry a crisis notice in the
seed; their help lines are rows of the condition, approved with it, so what a page
shows is what an advisor approved.
"""

import pytest

from compounds.models import Condition, HelpLine
from tests.pages.markup import get_page

pytestmark = pytest.mark.usefixtures("live_seed")

PAGE_TYPES = ["does-it-work", "evidence-level", "interactions", "safety"]
TRD = "treatment-resistant-depression"
# The seed's lines, as a page reads them under the notice.
SEED_LINES = [
    "United States: 988 Suicide & Crisis Lifeline. Call or text 988, at any hour.",
    "United Kingdom and Ireland: Samaritans. Call 116 123, free, at any hour.",
    "Anywhere else: Emergency services. Call your local emergency number, or go to the "
    "nearest emergency department.",
]
PAGES_ABOUT = {
    TRD: [f"/conditions/{TRD}/", *(f"/compounds/ketamine/{TRD}/{kind}/" for kind in PAGE_TYPES)],
    "suicidal-ideation": ["/conditions/suicidal-ideation/"],
}
EVERY_PAGE_ABOUT = [(slug, url) for slug, urls in PAGES_ABOUT.items() for url in urls]


def notice(page):
    return page.find("div", aria_label="Urgent help")


def lines(page):
    # The markup reader puts a space around each element; a linked name ends before its ".".
    items = notice(page).find("ul", class_="help-lines").find_all("li")
    return [li.text.replace(" .", ".") for li in items]


@pytest.mark.parametrize(("condition", "url"), EVERY_PAGE_ABOUT)
def test_the_crisis_notice_is_the_first_thing_on_every_page_about_the_condition(
    client, condition, url
):
    page = get_page(client, url)
    order = list(page.main.iter())
    assert order.index(notice(page)) < order.index(page.find("h1"))
    assert page.main.text.startswith("Urgent help:")
    assert lines(page) == SEED_LINES


@pytest.mark.parametrize("condition", PAGES_ABOUT)
def test_every_seed_condition_that_needs_a_notice_has_one_with_the_local_emergency_number(
    condition,
):
    needing = Condition.objects.get(slug=condition)
    assert needing.urgent_help
    assert "call your local emergency number" in " ".join(
        line.contact.lower() for line in needing.help_lines.all()
    )


def test_each_service_links_to_its_own_page(client):
    links = notice(get_page(client, f"/conditions/{TRD}/")).links()
    assert links == [
        ("https://988lifeline.org/", "988 Suicide & Crisis Lifeline"),
        ("https://www.samaritans.org/", "Samaritans"),
    ]


def test_a_help_line_added_in_a_draft_shows_only_once_approved(client, edit, publish):
    trd = Condition.objects.get(slug=TRD)
    HelpLine.objects.create(
        condition=trd,
        position=3,
        country="Testland",
        service="Test crisis line",
        contact="Call 000 000, at any hour.",
    )
    edit(trd)
    for url in PAGES_ABOUT[TRD]:
        assert lines(get_page(client, url)) == SEED_LINES, url
    publish(Condition.objects.get(slug=TRD))
    for url in PAGES_ABOUT[TRD]:
        assert "Testland: Test crisis line. Call 000 000, at any hour." in lines(
            get_page(client, url)
        ), url


def test_a_changed_number_shows_only_once_approved(client, edit, publish):
    trd = Condition.objects.get(slug=TRD)
    trd.help_lines.filter(service="Samaritans").update(contact="Call 000 000.")
    edit(trd)
    url = f"/compounds/ketamine/{TRD}/safety/"
    assert lines(get_page(client, url)) == SEED_LINES
    publish(Condition.objects.get(slug=TRD))
    assert "United Kingdom and Ireland: Samaritans. Call 000 000." in lines(get_page(client, url))


def test_a_research_update_shows_the_help_lines_its_condition_was_approved_with(client, edit):
    url = "/research/ketamine-for-suicidal-ideation-in-major-depression/"
    suicidal = Condition.objects.get(slug="suicidal-ideation")
    suicidal.help_lines.filter(service="Samaritans").delete()
    edit(suicidal)
    page = get_page(client, url)
    assert page.main.text.startswith("Urgent help:")
    assert lines(page) == SEED_LINES


def test_a_condition_without_a_notice_shows_no_note_on_its_pages(client):
    for url in ["/conditions/leukemia/", "/compounds/ketamine/leukemia/does-it-work/"]:
        assert notice(get_page(client, url)) is None, url
