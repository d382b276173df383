"""The seed site as a reader finds it says no more than its data (issue 19): none of the
client's overclaims survives on a page, every pair opens with plain takeaways, and an
update whose published source is unknown says so."""

import re

import pytest

from compounds.models import EvidenceSummary, ResearchUpdate
from tests.pages.markup import get_page

pytestmark = pytest.mark.usefixtures("live_seed")

PAGE_TYPES = ["does-it-work", "evidence-level", "interactions", "safety"]
# The pages that open with the pair's key takeaways.
TAKEAWAY_PAGES = ["does-it-work", "evidence-level"]
SEED_PAIRS = [
    "leukemia",
    "stage-iv-cancer",
    "neuropathic-pain",
    "treatment-resistant-depression",
    "chronic-pain",
]
SEED_UPDATES = [
    "ketamine-cognition-and-neuroplasticity",
    "iv-ketamine-versus-intranasal-esketamine-for-treatment-resistant-depression",
    "low-dose-ketamine-infusions-for-chronic-pain",
    "ketamine-for-suicidal-ideation-in-major-depression",
]
# The seed's claims that said more than their studies (issue 19), as the client wrote them.
OVERCLAIMS = [
    "rapid and sustained reductions in suicidality",
    "sustained reductions",
    "offering hope",
    "valuable neuropsychiatric tools",
    "IV ketamine helped from the first session",
    "eased chronic pain",
    "pave the way",
    "promising treatment for suicidal ideation",
    "known as a safe anesthetic",
    "The therapy was safe",
]
# Words that promise more than evidence can: a takeaway never uses them.
PROMISES = re.compile(
    r"\b(safe|safely|proven|cures?|hope|hopeful|valuable|breakthrough|better)\b", re.IGNORECASE
)


def every_seed_page():
    reviews = [
        f"/compounds/ketamine/{condition}/{kind}/"
        for condition in SEED_PAIRS
        for kind in PAGE_TYPES
    ]
    updates = [f"/research/{slug}/" for slug in SEED_UPDATES]
    hubs = ["/", "/compounds/ketamine/", "/research/"]
    hubs += [f"/conditions/{condition}/" for condition in [*SEED_PAIRS, "suicidal-ideation"]]
    return reviews + updates + hubs


def text_of(page):
    return " ".join(page.main.text.split())


def test_the_seed_is_every_pair_and_update_these_tests_read():
    pairs = EvidenceSummary.objects.filter(compound__slug="ketamine")
    assert sorted(pairs.values_list("condition__slug", flat=True)) == sorted(SEED_PAIRS)
    assert sorted(ResearchUpdate.objects.values_list("slug", flat=True)) == sorted(SEED_UPDATES)


@pytest.mark.parametrize("url", every_seed_page())
def test_no_seed_page_repeats_an_overclaim(client, url):
    page = get_page(client, url)
    text = f"{text_of(page)} {page.find('title').text}"
    assert [claim for claim in OVERCLAIMS if claim.lower() in text.lower()] == []


@pytest.mark.parametrize("condition", SEED_PAIRS)
@pytest.mark.parametrize("kind", TAKEAWAY_PAGES)
def test_every_seed_pair_opens_with_two_to_four_plain_takeaways(client, condition, kind):
    page = get_page(client, f"/compounds/ketamine/{condition}/{kind}/")
    section = page.find("section", aria_labelledby="takeaways")
    assert section is not None
    takeaways = [" ".join(item.text.split()) for item in section.find_all("li")]
    assert 2 <= len(takeaways) <= 4
    assert [t for t in takeaways if PROMISES.search(t)] == []
    # They come first: before the page's lead paragraph.
    text = text_of(page)
    assert text.index(takeaways[0]) < text.index("not medical advice")


@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_no_leukemia_page_prints_the_overview_of_other_conditions(client, kind):
    text = text_of(get_page(client, f"/compounds/ketamine/leukemia/{kind}/"))
    assert "Across all conditions" not in text
    # The merged string's parts, kept as a leukemia field's text, read the same way.
    assert "strong data" not in text.lower()


def test_the_chronic_pain_grade_is_what_one_uncontrolled_study_supports(client):
    # A look-back study of treated patients with no comparison group is a case series:
    # the lowest level of studies in people on the site's scale, not Level 4.
    page = get_page(client, "/compounds/ketamine/chronic-pain/evidence-level/")
    current = page.find("li", class_="current")
    assert "Level 5: Case reports and expert opinion" in current.text
    assert "Level 4" not in current.text
    evidence = text_of(get_page(client, "/compounds/ketamine/chronic-pain/does-it-work/"))
    assert "The study had no comparison group" in evidence
    assert "counts as a case series (Level 5)" in evidence


@pytest.mark.parametrize("slug", SEED_UPDATES)
def test_an_update_without_its_published_source_says_so_first(client, slug):
    update = ResearchUpdate.objects.get(slug=slug)
    assert not update.source_url and not update.references.exists()
    text = text_of(get_page(client, f"/research/{slug}/"))
    summary = text.index(update.summary[:40])
    notice = (
        "We have not yet found the published source of this report, so treat it as unconfirmed."
    )
    assert text.index(notice) == summary
    # The research list shows the start of each summary: the notice is read there too.
    assert notice in text_of(get_page(client, "/research/"))
