"""The answer at a glance: the top of every review page, and the marks of the hubs' lists.

Each review page opens with the pair's four questions as tabs, the verdict and the
level in words and on their scales, and the key takeaways, before any general text.
What the scales show is what the advisor approved: a grade no cited study stands
behind is drawn dashed and said to be the advisors'. The hubs' tables carry the
same marks, and every cell names its column for a phone, where the table stacks.
(Where all this lands on a phone's first screen is measured in chromium:
tests/e2e/test_glance_on_a_phone.py.)
"""

import pytest

from compounds.evidence import EvidenceLevel, StudyDesign, Verdict
from compounds.models import EvidenceSummary
from pages.views import PAIR_COLUMNS
from tests.factories import make_reference
from tests.pages.markup import get_page

pytestmark = pytest.mark.usefixtures("live_seed")

PAGE_TYPES = ["does-it-work", "evidence-level", "interactions", "safety"]
NAMES = ["Does it work?", "Evidence level", "Interactions", "Safety"]
TRD = "treatment-resistant-depression"
# In the test seed, ketamine for neuropathic pain cites a randomized trial: its grade is
# cited. For treatment-resistant depression nothing is cited: the grade is the advisors'.
CITED, NOT_CITED = "neuropathic-pain", TRD
PAIRS = ["neuropathic-pain", "leukemia", "chronic-pain", TRD]
EVERY_PAGE = [(condition, kind) for condition in PAIRS for kind in PAGE_TYPES]


def url(condition, kind):
    return f"/compounds/ketamine/{condition}/{kind}/"


def summary(condition):
    return EvidenceSummary.objects.get(compound__slug="ketamine", condition__slug=condition)


def on(svg):
    """The positions (1 first) of the marked shapes of a scale."""
    shapes = svg.find_all("rect")
    return [n for n, shape in enumerate(shapes, 1) if "on" in shape.attrs["class"].split()]


# Review pages -------------------------------------------------------------------------------


@pytest.mark.parametrize(("condition", "kind"), EVERY_PAGE)
def test_every_page_opens_with_the_tabs_the_grade_and_the_takeaways_before_any_section(
    client, condition, kind
):
    page = get_page(client, url(condition, kind))
    order = list(page.main.iter())
    glance = page.find("div", class_="glance")
    first_section = next(e for e in order if e.tag == "section" and glance not in e.ancestors())
    lead = page.find("p", class_="lead")
    parts = [page.find("h1"), page.find("nav", class_="pair-tabs"), page.find("dl", class_="grade")]
    parts.append(glance.find("section", class_="takeaways"))
    assert [order.index(part) for part in parts] == sorted(order.index(part) for part in parts)
    assert order.index(parts[-1]) < min(order.index(lead), order.index(first_section))


def test_the_verdict_comes_before_what_works_means(client):
    text = get_page(client, url(TRD, "does-it-work")).main.text
    assert text.index("Our advisors' verdict Effective") < text.index("What “works” means")


@pytest.mark.parametrize(("condition", "kind"), EVERY_PAGE)
def test_the_tabs_link_the_pairs_four_pages_and_mark_this_one(client, condition, kind):
    tabs = get_page(client, url(condition, kind)).find("nav", class_="pair-tabs")
    expected = [
        (url(condition, other), name) for other, name in zip(PAGE_TYPES, NAMES, strict=True)
    ]
    assert tabs.links() == expected
    current = [a.attrs["href"] for a in tabs.find_all("a") if "aria-current" in a.attrs]
    assert current == [url(condition, kind)]
    assert tabs.find("a", aria_current="page").attrs["href"] == url(condition, kind)


@pytest.mark.parametrize("condition", PAIRS)
def test_the_verdict_is_said_in_words_and_raised_on_its_scale(client, condition):
    verdict = Verdict(summary(condition).verdict)
    grade = get_page(client, url(condition, "safety")).find("dl", class_="grade")
    box = grade.find("div", class_="grade-verdict")
    assert box.find("dt").text == "Our advisors' verdict"
    assert box.find("dd", class_="grade-value").text == verdict.label
    scale = box.find("svg")
    assert on(scale) == [verdict.step]
    assert len(scale.find_all("rect")) == len(Verdict)
    assert (scale.attrs["role"], scale.attrs["aria-label"].split(":")[0]) == ("img", verdict.label)


@pytest.mark.parametrize(
    ("condition", "bars"),
    [("neuropathic-pain", 5), ("leukemia", 0), ("chronic-pain", 2), (TRD, 5)],
)
def test_the_level_is_said_in_words_and_fills_its_bars_on_the_meter(client, condition, bars):
    level = EvidenceLevel(summary(condition).evidence_level)
    box = get_page(client, url(condition, "interactions")).find("div", class_="grade-level")
    assert box.find("dd", class_="grade-value").text == level.label
    meter = box.find("svg")
    assert on(meter) == list(range(1, bars + 1))
    assert meter.attrs["aria-label"].startswith(f"{bars} of 6 bars")


@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_an_uncited_grade_is_drawn_apart_and_said_to_be_the_advisors(client, kind):
    page = get_page(client, url(NOT_CITED, kind))
    box = page.find("div", class_="grade-level")
    assert box.find("dt").text == "Our advisors' grade"
    assert "uncited" in box.find("svg").attrs["class"].split()
    assert page.find("p", class_="grade-note").text == (
        "The studies behind this verdict and this grade have not been added to this review yet."
    )


@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_a_cited_grade_is_drawn_solid_without_a_note(client, kind):
    page = get_page(client, url(CITED, kind))
    assert "uncited" not in page.find("div", class_="grade-level").find("svg").attrs["class"]
    assert page.find("p", class_="grade-note") is None


@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_the_glance_lists_the_approved_takeaways(client, kind):
    takeaways = get_page(client, url(TRD, kind)).find("div", class_="glance").find("ul")
    assert [li.text for li in takeaways.find_all("li")] == summary(TRD).takeaway_list


def test_a_pair_without_takeaways_still_opens_with_its_grade(client, make_live_compound):
    make_live_compound(
        "lithium",
        "Lithium",
        conditions=[("leukemia", EvidenceLevel.LEVEL_5, Verdict.CONFLICTING, "direct")],
    )
    glance = get_page(client, "/compounds/lithium/leukemia/does-it-work/").find(
        "div", class_="glance"
    )
    assert glance.find("section", class_="takeaways") is None
    assert glance.find("dd", class_="grade-value").text == "Conflicting evidence"


# Hubs ---------------------------------------------------------------------------------------


def rows(page):
    return page.find("table", class_="pairs").find("tbody").find_all("tr")


@pytest.mark.parametrize("hub", ["/compounds/ketamine/", f"/conditions/{TRD}/"])
def test_every_cell_of_a_hubs_table_is_labelled_with_its_column(client, hub):
    page = get_page(client, hub)
    heads = [th.text for th in page.find("table", class_="pairs").find("thead").find_all("th")]
    assert heads[1:] == list(PAIR_COLUMNS)
    for row in rows(page):
        assert [td.attrs.get("data-label") for td in row.find_all("td")] == heads[1:]


def test_a_hubs_rows_carry_the_verdict_and_level_marks_of_the_review_pages(client):
    page = get_page(client, "/compounds/ketamine/")
    symbols = {symbol.attrs["id"] for symbol in page.find_all("symbol")}
    for row in rows(page):
        condition = row.find("th").find("a").attrs["href"].split("/")[2]
        pair = summary(condition)
        verdict_cell, level_cell = row.find_all("td")[:2]
        verdict_mark = verdict_cell.find("use").attrs["href"]
        level_mark = level_cell.find("use").attrs["href"]
        assert verdict_mark == f"#verdict-mark-{Verdict(pair.verdict).step}"
        cited = "" if pair.grade_is_cited else "-uncited"
        assert level_mark == f"#level-mark-{EvidenceLevel(pair.evidence_level).strength}{cited}"
        assert {verdict_mark[1:], level_mark[1:]} <= symbols
        assert verdict_cell.find("svg").attrs["aria-hidden"] == "true"


def test_a_hub_calls_an_uncited_grade_the_advisors_until_a_study_is_approved(client, edit, publish):
    def level_cell():
        page = get_page(client, f"/conditions/{TRD}/")
        return rows(page)[0].find_all("td")[1]

    assert "Our advisors' grade; the studies behind it are not cited yet." in level_cell().text
    make_reference(summary(TRD), pmid="12345678", study_design=StudyDesign.RCT)
    edit(summary(TRD))
    assert "Our advisors' grade" in level_cell().text
    publish(summary(TRD))
    assert level_cell().text == "Level 2: Randomized controlled trials (RCTs)"
    assert level_cell().find("use").attrs["href"] == "#level-mark-5"


def test_a_hub_keeps_a_direct_grade_the_advisors_when_its_study_was_of_another_condition(
    client, edit, publish
):
    # As the pair's pages say (pages/claims.py): a direct grade rests on studies of its
    # condition only.
    make_reference(
        summary(TRD), pmid="12345678", study_design=StudyDesign.RCT, studied_condition=False
    )
    edit(summary(TRD))
    publish(summary(TRD))
    page = get_page(client, url(TRD, "does-it-work"))
    assert "uncited" in page.find("div", class_="grade-level").find("svg").attrs["class"]
    row = rows(get_page(client, f"/conditions/{TRD}/"))[0]
    assert row.find_all("td")[1].find("use").attrs["href"] == "#level-mark-5-uncited"
