"""The pages around the reviews: home, A-Z lists, compound and condition pages, research."""

import pytest

from compounds.evidence import EvidenceBasis, EvidenceLevel, Verdict
from compounds.models import ResearchUpdate
from tests.factories import live_objects
from tests.pages.markup import Page, get_page, sitemap_paths

pytestmark = pytest.mark.usefixtures("live_seed")

KETAMINE = "Ketamine (IV / Esketamine)"
PAGE_TYPES = ["does-it-work", "evidence-level", "interactions", "safety"]
KETAMINE_CONDITIONS = {
    "chronic-pain": "Chronic Pain",
    "leukemia": "Leukemia",
    "neuropathic-pain": "Neuropathic Pain",
    "stage-iv-cancer": "Stage IV Cancer",
    "treatment-resistant-depression": "Treatment-Resistant Depression",
}
SEED_UPDATES = [
    "ketamine-cognition-and-neuroplasticity",
    "iv-ketamine-versus-intranasal-esketamine-for-treatment-resistant-depression",
    "low-dose-ketamine-infusions-for-chronic-pain",
    "ketamine-for-suicidal-ideation-in-major-depression",
]


@pytest.fixture
def lidocaine(make_live_compound):
    """A second live compound, reviewed for neuropathic pain with a different grade."""
    return make_live_compound(
        "lidocaine",
        "Lidocaine",
        drug_class="Sodium channel blocker",
        conditions=[
            ("neuropathic-pain", EvidenceLevel.LEVEL_1, Verdict.EFFECTIVE, EvidenceBasis.DIRECT)
        ],
    )


def rows(page):
    """(row heading, cells) of the table of reviewed pairs."""
    return [
        (tr.find("th").text, [td for td in tr.find_all("td")])
        for tr in page.find("table", class_="pairs").find("tbody").find_all("tr")
    ]


# Home ---------------------------------------------------------------------------------------


def test_home_links_every_live_compound_and_condition(client):
    page = get_page(client, "/")
    hrefs = page.main.links()
    assert ("/compounds/ketamine/", KETAMINE) in hrefs
    for slug, name in KETAMINE_CONDITIONS.items():
        assert (f"/conditions/{slug}/", name) in hrefs


def test_home_shows_the_latest_three_research_updates_and_links_them_all(client):
    hrefs = get_page(client, "/").find("section", aria_labelledby="updates").links()
    research = [href for href, _ in hrefs if href.startswith("/research/") and href != "/research/"]
    assert len(research) == 3
    assert ("/research/", "All research updates") in hrefs


def test_home_explains_the_grading_and_links_to_it(client):
    grading = get_page(client, "/").find("section", aria_labelledby="grading")
    assert ("/how-we-grade-evidence/", "How we grade evidence") in grading.links()
    assert len(grading.find("ol", class_="hierarchy").find_all("li")) == len(EvidenceLevel)


# Compounds ----------------------------------------------------------------------------------


def test_compound_list_names_each_compound_with_its_class_and_other_names(client, lidocaine):
    page = get_page(client, "/compounds/")
    assert ("/compounds/ketamine/", KETAMINE) in page.main.links()
    assert ("/compounds/lidocaine/", "Lidocaine") in page.main.links()
    assert "NMDA Antagonist / Anesthetic; also called esketamine, Spravato" in page.main.text


def test_compound_list_offers_the_letters_that_have_compounds(client, lidocaine):
    letters = get_page(client, "/compounds/").find("nav", class_="letters").links()
    assert letters == [("/compounds/?letter=k", "K"), ("/compounds/?letter=l", "L")]


def test_a_letter_of_the_compound_list_lists_only_its_compounds(client, lidocaine):
    page = get_page(client, "/compounds/?letter=l")
    assert ("/compounds/lidocaine/", "Lidocaine") in page.main.links()
    assert ("/compounds/ketamine/", KETAMINE) not in page.main.links()
    assert page.find("link", rel="canonical").attrs["href"].endswith("/compounds/?letter=l")


@pytest.mark.parametrize("letter", ["q", "K", "kk", "%00", "é", "other"])
def test_a_letter_without_compounds_or_not_a_letter_is_not_found(client, lidocaine, letter):
    assert client.get(f"/compounds/?letter={letter}").status_code == 404


def test_compound_page_gives_class_aliases_regulatory_status_and_safety_profile(client):
    text = get_page(client, "/compounds/ketamine/").main.text
    assert "Class NMDA Antagonist / Anesthetic" in text
    assert "Also called esketamine, Spravato" in text
    assert "Ketamine (Ketalar) is FDA-approved as an anesthetic." in text
    assert "Long-term use can harm the bladder." in text


def test_compound_page_lists_its_mechanisms_in_order(client):
    mechanisms = get_page(client, "/compounds/ketamine/").find("ul", class_="mechanisms")
    assert [li.text for li in mechanisms.find_all("li")] == [
        "NMDA receptor antagonism",
        # As the editor typed it: never capitalised by the page.
        "rapid antidepressant via AMPA activation",
        "opioid receptor modulation",
        "BDNF release",
    ]


def test_compound_page_lists_every_reviewed_condition_with_its_four_pages(client):
    page = get_page(client, "/compounds/ketamine/")
    found = rows(page)
    assert [name for name, _ in found] == sorted(KETAMINE_CONDITIONS.values())
    hrefs = page.hrefs()
    for slug in KETAMINE_CONDITIONS:
        assert f"/conditions/{slug}/" in hrefs
        for kind in PAGE_TYPES:
            assert f"/compounds/ketamine/{slug}/{kind}/" in hrefs


def test_compound_page_omits_conditions_without_a_review(client):
    page = get_page(client, "/compounds/ketamine/")
    assert "Suicidal Ideation" not in [name for name, _ in rows(page)]
    assert not any(
        href.startswith("/compounds/ketamine/suicidal-ideation/") for href in page.hrefs()
    )


def test_compound_page_gives_each_conditions_grade(client):
    cells = dict(rows(get_page(client, "/compounds/ketamine/")))
    assert [td.text for td in cells["Leukemia"][:3]] == [
        "Insufficient evidence",
        "No published evidence",
        "Extrapolated",
    ]
    assert [td.text for td in cells["Neuropathic Pain"][:3]] == [
        "Promising but not proven",
        "Level 2: Randomized controlled trials (RCTs)",
        "Direct",
    ]


def test_compound_page_lists_the_research_updates_linked_to_it(client):
    section = get_page(client, "/compounds/ketamine/").find("section", aria_labelledby="updates")
    hrefs = {href for href, _ in section.links()}
    assert hrefs == {f"/research/{slug}/" for slug in SEED_UPDATES}


def test_compound_page_leaves_out_research_updates_about_other_compounds(client, lidocaine):
    section = get_page(client, "/compounds/lidocaine/").find("section", aria_labelledby="updates")
    assert not any(href.startswith("/research/") for href, _ in section.links())


# Conditions ---------------------------------------------------------------------------------


def test_condition_list_links_every_live_condition(client):
    page = get_page(client, "/conditions/")
    for slug, name in KETAMINE_CONDITIONS.items():
        assert (f"/conditions/{slug}/", name) in page.main.links()


def test_condition_page_names_the_specialist_and_standard_treatment(client):
    text = get_page(client, "/conditions/leukemia/").main.text
    assert "hematologist or oncologist" in text
    assert "depends on the type of leukemia" in text


def test_condition_page_lists_every_compound_reviewed_for_it_with_its_grade(client, lidocaine):
    page = get_page(client, "/conditions/neuropathic-pain/")
    found = {name: [td.text for td in cells[:3]] for name, cells in rows(page)}
    assert found == {
        KETAMINE: [
            "Promising but not proven",
            "Level 2: Randomized controlled trials (RCTs)",
            "Direct",
        ],
        # Graded Level 1 with no study cited: the advisors' grade, as its pages say.
        "Lidocaine": [
            "Effective",
            "Level 1: Systematic reviews and meta-analyses of RCTs Our advisors' grade; the "
            "studies behind it are not cited yet.",
            "Direct",
        ],
    }
    for compound in ("ketamine", "lidocaine"):
        for kind in PAGE_TYPES:
            assert f"/compounds/{compound}/neuropathic-pain/{kind}/" in page.hrefs()


def test_condition_page_lists_the_research_updates_linked_to_it(client):
    section = get_page(client, "/conditions/chronic-pain/").find(
        "section", aria_labelledby="updates"
    )
    assert {href for href, _ in section.links()} == {
        "/research/low-dose-ketamine-infusions-for-chronic-pain/"
    }


def test_condition_without_reviews_says_so(client):
    page = get_page(client, "/conditions/suicidal-ideation/")
    assert page.find("table", class_="pairs") is None
    assert "No compound has an approved review for this condition yet." in page.main.text


def test_condition_page_names_the_specialist_without_a_wrong_article(client):
    text = get_page(client, "/conditions/stage-iv-cancer/").main.text
    assert "a oncologist" not in text
    assert "oncologist" in text


def test_a_hub_without_related_updates_does_not_claim_none_are_published(client):
    section = get_page(client, "/conditions/stage-iv-cancer/").find(
        "section", aria_labelledby="updates"
    )
    assert live_objects(ResearchUpdate)
    assert "No research updates are published yet." not in section.text


# Research updates ---------------------------------------------------------------------------


@pytest.fixture
def many_updates(make_live_updates):
    """16 live updates in all: two pages of ten."""
    return make_live_updates(12)


def update_links(page):
    return [
        href
        for href, _ in page.find("ul", class_="updates").links()
        if href.startswith("/research/")
    ]


def test_research_list_shows_ten_updates_newest_first(client, many_updates):
    page = get_page(client, "/research/")
    links = update_links(page)
    assert len(links) == 10
    dates = [t.attrs["datetime"] for t in page.find("ul", class_="updates").find_all("time")]
    assert dates == sorted(dates, reverse=True)


def test_research_list_second_page_shows_the_rest(client, many_updates):
    first = update_links(get_page(client, "/research/"))
    page = get_page(client, "/research/?page=2")
    second = update_links(page)
    assert len(second) == 6
    assert not set(first) & set(second)
    assert "Page 2 of 2" in page.find("nav", class_="pagination").text
    assert ("/research/", "Newer updates") in page.find("nav", class_="pagination").links()


def test_research_list_first_page_links_to_older_updates(client, many_updates):
    pagination = get_page(client, "/research/").find("nav", class_="pagination")
    assert ("/research/?page=2", "Older updates") in pagination.links()


def test_research_list_pages_have_distinct_titles(client, many_updates):
    assert get_page(client, "/research/").title != get_page(client, "/research/?page=2").title


@pytest.mark.parametrize("query", ["abc", "999", "0", "-1", "", "1.5", "٢", "9" * 30])
def test_research_list_answers_a_page_that_does_not_exist_with_not_found(
    client, many_updates, query
):
    assert client.get(f"/research/?page={query}").status_code == 404


def test_research_list_second_page_names_itself_as_canonical(client, many_updates):
    page = get_page(client, "/research/?page=2")
    assert page.find("link", rel="canonical").attrs["href"].endswith("/research/?page=2")
    assert page.find("link", rel="prev").attrs["href"] == "/research/"
    assert page.find("link", rel="next") is None


def test_research_update_page_gives_the_study_and_its_source(client):
    page = get_page(client, "/research/low-dose-ketamine-infusions-for-chronic-pain/")
    assert (
        page.find("h1").text == "Chronic pain improved for some patients after ketamine infusions, "
        "in a study with no comparison group"
    )
    text = page.main.text
    assert "Study design Case report or case series" in text
    assert "Participants 1034" in text
    assert "Institution or source Cleveland Clinic" in text
    assert "A four-year Cleveland Clinic study looked back at 1,034 patients" in text
    assert "no comparison group" in text
    assert "Medically reviewed by Nikhil Joshi, MD, FRCPC" in text


def test_research_update_page_links_the_compounds_and_conditions_it_is_about(client):
    page = get_page(client, "/research/low-dose-ketamine-infusions-for-chronic-pain/")
    assert ("/compounds/ketamine/", KETAMINE) in page.main.links()
    assert ("/conditions/chronic-pain/", "Chronic Pain") in page.main.links()


def test_research_update_page_carries_the_medical_disclaimer(client):
    page = get_page(client, "/research/ketamine-cognition-and-neuroplasticity/")
    assert "is not medical advice" in page.find("aside", aria_label="Medical disclaimer").text


# Grading ------------------------------------------------------------------------------------


def test_grading_page_lists_the_whole_hierarchy_in_order(client):
    hierarchy = get_page(client, "/how-we-grade-evidence/").find("ol", class_="hierarchy")
    labels = [label for _, label in EvidenceLevel.choices]
    assert [li.text for li in hierarchy.find_all("li")] == labels


def test_grading_page_explains_every_verdict_apart_from_the_level(client):
    text = get_page(client, "/how-we-grade-evidence/").main.text
    for _, label in Verdict.choices:
        assert label in text
    assert "extrapolated" in text


# Breadcrumbs --------------------------------------------------------------------------------


HOME, COMPOUNDS, CONDITIONS = (
    ("Home", "/"),
    ("Compounds", "/compounds/"),
    ("Conditions", "/conditions/"),
)
RESEARCH = ("Research updates", "/research/")


@pytest.mark.parametrize(
    ("url", "trail"),
    [
        ("/compounds/", [HOME, COMPOUNDS]),
        ("/compounds/ketamine/", [HOME, COMPOUNDS, (KETAMINE, "/compounds/ketamine/")]),
        ("/conditions/", [HOME, CONDITIONS]),
        ("/conditions/leukemia/", [HOME, CONDITIONS, ("Leukemia", "/conditions/leukemia/")]),
        ("/research/", [HOME, RESEARCH]),
        (
            "/research/low-dose-ketamine-infusions-for-chronic-pain/",
            [
                HOME,
                RESEARCH,
                (
                    "Chronic pain improved for some patients after ketamine infusions, "
                    "in a study with no comparison group",
                    "/research/low-dose-ketamine-infusions-for-chronic-pain/",
                ),
            ],
        ),
        ("/how-we-grade-evidence/", [HOME, ("How we grade evidence", "/how-we-grade-evidence/")]),
        (
            "/compounds/ketamine/leukemia/safety/",
            [
                HOME,
                COMPOUNDS,
                (KETAMINE, "/compounds/ketamine/"),
                ("Leukemia: Safety", "/compounds/ketamine/leukemia/safety/"),
            ],
        ),
    ],
)
def test_every_hub_has_a_breadcrumb_trail_ending_at_itself(client, url, trail):
    page = get_page(client, url)
    assert [(href_label[1], href_label[0]) for href_label in page.breadcrumbs] == trail
    current = [a for a in page.find("nav", aria_label="Breadcrumb").find_all("a")][-1]
    assert current.attrs.get("aria-current") == "page"


# Landmarks ----------------------------------------------------------------------------------


def test_every_public_page_has_one_heading_main_banner_footer_and_main_navigation(client):
    sectioning = {"article", "aside", "main", "nav", "section"}
    urls = [*sitemap_paths(client), "/search/", "/search/?q=ketamine", "/no-such-page/"]
    for url in urls:
        page = Page(client.get(url))

        def top_level(tag, page=page):
            return [
                e for e in page.find_all(tag) if not any(a.tag in sectioning for a in e.ancestors())
            ]

        counts = [
            len(page.find_all("h1")),
            len(page.find_all("main")),
            len(top_level("header")),
            len(top_level("footer")),
            len(page.find_all("nav", aria_label="Main")),
        ]
        assert counts == [1, 1, 1, 1, 1], url


def test_every_footer_link_opens_a_page_for_people(client):
    """The footer leads to the A-Z lists, not to the XML sitemap, which is for crawlers
    (robots.txt names it)."""
    footer = get_page(client, "/").find("footer")
    links = dict(footer.links())
    assert {"/compounds/", "/conditions/"} <= set(links), links
    for href in links:
        response = client.get(href)
        assert response.status_code == 200, href
        assert response["Content-Type"].startswith("text/html"), href


@pytest.mark.parametrize(
    "url",
    [
        "/compounds/ketamine/",
        "/conditions/leukemia/",
        "/research/low-dose-ketamine-infusions-for-chronic-pain/",
    ],
)
def test_pages_with_medical_content_name_their_reviewer_and_dates(client, url):
    page = get_page(client, url)
    byline = page.find("p", class_="byline")
    assert "Medically reviewed by Nikhil Joshi, MD, FRCPC" in byline.text
    assert "last reviewed" in byline.text and "next review due" in byline.text
    [data] = page.json_ld_of_type("MedicalWebPage")
    assert data["reviewedBy"]["name"] == "Nikhil Joshi"
    assert data["lastReviewed"] == byline.find("time").attrs["datetime"]


@pytest.mark.parametrize("url", ["/compounds/", "/conditions/", "/research/"])
def test_pages_that_only_list_others_are_collection_pages(client, url):
    assert get_page(client, url).json_ld_of_type("CollectionPage")


@pytest.mark.parametrize("url", ["/", "/search/", "/conditions/leukemia/", "/research/"])
def test_the_page_frame_names_no_compound_of_the_catalogue(client, url):
    """Examples in search boxes and help text are generic: the frame is the same for
    every page of every compound."""
    page = get_page(client, url)
    frame = " ".join(
        [i.attrs.get("placeholder", "") for i in page.find_all("input")]
        + [page.find("header").text, page.find("footer").text]
    )
    assert "ketamine" not in frame.lower()
    assert "spravato" not in frame.lower()


CRISIS_LINE = "Call or text 988"


def test_a_condition_with_an_urgent_help_notice_shows_it_first(client):
    page = get_page(client, "/conditions/suicidal-ideation/")
    notice = page.find("div", aria_label="Urgent help")
    assert CRISIS_LINE in notice.text
    assert page.main.text.index(CRISIS_LINE) < page.main.text.index("Compounds reviewed for")


def test_every_review_page_of_the_condition_shows_its_urgent_help(client, make_live_compound):
    make_live_compound(
        "lithium",
        "Lithium",
        conditions=[
            ("suicidal-ideation", EvidenceLevel.LEVEL_1, Verdict.EFFECTIVE, EvidenceBasis.DIRECT)
        ],
    )
    for kind in PAGE_TYPES:
        page = get_page(client, f"/compounds/lithium/suicidal-ideation/{kind}/")
        assert CRISIS_LINE in page.find("div", aria_label="Urgent help").text, kind


def test_a_research_update_about_the_condition_shows_its_urgent_help(client):
    page = get_page(client, "/research/ketamine-for-suicidal-ideation-in-major-depression/")
    assert CRISIS_LINE in page.find("div", aria_label="Urgent help").text


def test_a_condition_without_a_notice_shows_none(client):
    assert get_page(client, "/conditions/leukemia/").find("div", aria_label="Urgent help") is None


@pytest.mark.parametrize("hub", ["/compounds/ketamine/", "/conditions/leukemia/"])
def test_a_hubs_pair_table_heads_the_grade_as_a_grade_not_as_the_best_evidence(client, hub):
    # The seed's reviews cite no study yet: "Best evidence" over their grades said the
    # studies exist (issue 19). The pair pages say whether each grade is cited.
    heads = [th.text for th in get_page(client, hub).find("table", class_="pairs").find_all("th")]
    assert "Evidence grade" in heads
    assert "Best evidence" not in heads
