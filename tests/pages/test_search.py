"""Search finds a pair's pages by the words readers type, and live compounds by name and other
names, conditions and research updates."""

import re

import pytest
from django.db import connection
from django.db.models import TextField
from django.db.models.functions import Cast

from compounds.models import Compound, PublishedCompound
from compounds.review import workflow
from tests.pages.markup import get_page

pytestmark = pytest.mark.usefixtures("live_seed")

KETAMINE_LINK = ("/compounds/ketamine/", "Ketamine (IV / Esketamine)")


def search(client, query):
    return get_page(client, "/search/", data={"q": query})


def found(page, section):
    """The links of one section of results: promoted, reviews, compounds, conditions or
    updates."""
    heading = page.find("h2", id=f"found-{section}")
    return heading.parent.links() if heading else []


def results(page):
    """The addresses of every result, in the order the page gives them."""
    return [href for section in page.main.find_all("section") for href, _ in section.links()]


def pair_pages(compound, condition, first="does-it-work"):
    """A pair's addresses as results list them: the page asked about, the pair's other
    pages, then its compound's and its condition's pages."""
    kinds = ["does-it-work", "evidence-level", "interactions", "safety"]
    kinds.remove(first)
    pages = [f"/compounds/{compound}/{condition}/{kind}/" for kind in [first, *kinds]]
    return [*pages, f"/compounds/{compound}/", f"/conditions/{condition}/"]


KETAMINE_FOR_TRD = pair_pages("ketamine", "treatment-resistant-depression")
KETAMINE_FOR_LEUKEMIA = pair_pages("ketamine", "leukemia")


# A pair's pages ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "ketamine depression",
        "depression ketamine",
        "does esketamine help depression",
        "spravato for depression",
        "Does Spravato help with treatment-resistant depression?",
        "kétamine dépression",
        "ketamine treatment resistant depression",
    ],
)
def test_a_pair_is_found_by_its_compound_and_condition_in_any_words(client, query):
    assert results(search(client, query))[:6] == KETAMINE_FOR_TRD


@pytest.mark.parametrize("query", ["leukaemia", "ketamine leukaemia", "Leukaemia ketamine"])
def test_a_british_spelling_finds_the_pair_first(client, query):
    assert results(search(client, query))[:6] == KETAMINE_FOR_LEUKEMIA


def test_the_pair_is_headed_by_its_question(client):
    reviews = found(search(client, "spravato for depression"), "reviews")
    assert reviews[0] == (
        "/compounds/ketamine/treatment-resistant-depression/does-it-work/",
        "Does Ketamine (IV / Esketamine) work for Treatment-Resistant Depression?",
    )


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("is ketamine safe for leukaemia", "safety"),
        ("ketamine leukemia side effects", "safety"),
        ("can ketamine interact with leukemia treatment", "interactions"),
        ("how strong is the evidence for ketamine in leukemia", "evidence-level"),
        ("does ketamine work for leukemia", "does-it-work"),
    ],
)
def test_the_page_a_question_asks_about_comes_first(client, query, first):
    assert results(search(client, query))[:6] == pair_pages("ketamine", "leukemia", first)


def test_question_words_alone_find_nothing_and_say_so(client):
    page = search(client, "does it work")
    assert results(page) == []
    assert "Nothing matches “does it work”" in page.find(role="status").text


def test_a_word_that_matches_nothing_stops_the_match_and_the_page_says_so(client):
    page = search(client, "ketamine zebrafish")
    assert results(page) == []
    assert "Nothing matches “ketamine zebrafish”" in page.find(role="status").text


def test_a_compound_and_a_condition_without_a_review_are_said_to_have_none(client):
    page = search(client, "ketamine suicidal")
    reviews = page.find("h2", id="found-reviews").parent
    assert (
        "We have not published a review of Ketamine (IV / Esketamine) for Suicidal Ideation."
        in reviews.text
    )
    assert reviews.links() == [
        ("/compounds/ketamine/", "Ketamine (IV / Esketamine)"),
        ("/conditions/suicidal-ideation/", "Suicidal Ideation"),
    ]


def test_a_compound_named_lists_its_reviews(client):
    reviews = [href for href, _ in found(search(client, "spravato"), "reviews")]
    for condition in ("chronic-pain", "leukemia", "neuropathic-pain", "stage-iv-cancer"):
        assert f"/compounds/ketamine/{condition}/does-it-work/" in reviews


def test_a_compound_that_only_mentions_the_words_is_not_taken_for_the_pair(
    client, make_live_compound
):
    make_live_compound(
        "mentions",
        "Another compound",
        evidence_overview="Compared with ketamine in depression.",
        conditions=[("treatment-resistant-depression", "level_5", "insufficient", "direct")],
    )
    reviews = [href for href, _ in found(search(client, "ketamine depression"), "reviews")]
    assert reviews[:6] == KETAMINE_FOR_TRD
    assert "/compounds/mentions/treatment-resistant-depression/does-it-work/" not in reviews


def test_a_withdrawn_review_is_not_found(client, withdraw):
    from tests.conftest import summary

    withdraw(summary("ketamine", "treatment-resistant-depression"))
    page = search(client, "ketamine depression")
    assert KETAMINE_FOR_TRD[0] not in page.hrefs()


@pytest.fixture
def curcumin_for_knees(make_live_compound, publish):
    from compounds.models import Condition

    publish(
        Condition.objects.create(
            name="Knee Osteoarthritis",
            slug="knee-osteoarthritis",
            specialist="rheumatologist or orthopedic surgeon",
            standard_treatment="exercise, weight management and pain relief",
        )
    )
    make_live_compound(
        "curcumin",
        "Curcumin",
        aliases="turmeric extract",
        drug_class="Plant polyphenol",
        conditions=[("knee-osteoarthritis", "level_2", "promising", "direct")],
    )


@pytest.mark.parametrize(
    "query",
    ["curcumin knee", "knee curcumin", "turmeric for knee osteoarthritis"],
)
def test_a_new_pair_is_found_once_approved(client, curcumin_for_knees, query):
    assert results(search(client, query))[:6] == pair_pages("curcumin", "knee-osteoarthritis")


# Urgent help ------------------------------------------------------------------------------


def urgent_help(page):
    """The urgent-help notice, if the page shows one, and whether it comes before the
    search form and every result."""
    notice = page.main.find("div", class_="urgent-help")
    if notice is None:
        return None, False
    # By identity: elements equal in content may stand at several places.
    order = {id(element): n for n, element in enumerate(page.main.iter())}
    first = min(
        order[id(element)]
        for element in page.main.iter()
        if element.tag in ("form", "section")
        or (element.tag == "p" and element.parent is not notice)
    )
    return notice, order[id(notice)] < first


@pytest.mark.parametrize(
    "query",
    [
        "suicide",
        "Suicidal",
        "suicidal thoughts",
        "kill myself",
        "I want to kill myself",
        "want to die",
        "i want to die",
        "depressed",
        "end my life",
        "ketamine suicide",
    ],
)
def test_crisis_terms_show_the_urgent_help_notice_first(client, query):
    notice, first = urgent_help(search(client, query))
    assert notice is not None
    assert "988" in notice.text
    assert first


@pytest.mark.parametrize("query", ["suicide", "kill myself", "want to die"])
def test_crisis_terms_find_the_condition_with_the_crisis_line(client, query):
    link = ("/conditions/suicidal-ideation/", "Suicidal Ideation")
    assert link in found(search(client, query), "conditions")


@pytest.mark.parametrize("query", ["ketamine leukemia", "neuropathic pain", "zebrafish"])
def test_other_searches_show_no_urgent_help(client, query):
    assert urgent_help(search(client, query)) == (None, False)


def test_a_search_naming_a_condition_with_urgent_help_shows_it_first(client):
    notice, first = urgent_help(search(client, "ketamine depression"))
    assert "Depression can bring thoughts of suicide." in notice.text
    assert first


def test_conditions_sending_readers_to_the_same_help_lines_show_them_once(client):
    page = search(client, "depressed")
    assert len(page.main.find_all("div", class_="urgent-help")) == 1
    conditions = [href for href, _ in found(page, "conditions")]
    assert "/conditions/suicidal-ideation/" in conditions
    assert "/conditions/treatment-resistant-depression/" in conditions


def test_a_crisis_term_shows_the_notice_even_when_nothing_else_matches(client):
    page = search(client, "kill myself zebrafish")
    assert urgent_help(page)[0] is not None
    assert "Nothing matches" in page.find(role="status").text


# Compounds, conditions and research updates -------------------------------------------------


@pytest.mark.parametrize("query", ["esketamine", "Spravato", "spravato", "ketamine", "Ketam"])
def test_compounds_are_found_by_name_and_by_other_names(client, query):
    assert KETAMINE_LINK in found(search(client, query), "compounds")


@pytest.mark.parametrize(
    ("query", "link"),
    [
        ("Leukemia", ("/conditions/leukemia/", "Leukemia")),
        ("neuropathic pain", ("/conditions/neuropathic-pain/", "Neuropathic Pain")),
        (
            "treatment-resistant depression",
            (
                "/conditions/treatment-resistant-depression/",
                "Treatment-Resistant Depression",
            ),
        ),
    ],
)
def test_conditions_are_found_by_name(client, query, link):
    assert link in found(search(client, query), "conditions")


def test_research_updates_are_found_by_their_words(client):
    links = found(search(client, "Cleveland Clinic"), "updates")
    assert (
        "/research/low-dose-ketamine-infusions-for-chronic-pain/",
        "Chronic pain improved for some patients after ketamine infusions, "
        "in a study with no comparison group",
    ) in links


def test_a_query_that_matches_nothing_says_so_and_offers_the_a_to_z_lists(client):
    page = search(client, "zebrafish")
    status = page.find(role="status")
    assert "Nothing matches “zebrafish”" in status.text
    assert {"/compounds/", "/conditions/"} <= {href for href, _ in status.links()}


def test_an_empty_query_invites_the_reader_to_type_a_name(client):
    page = search(client, "")
    assert "Type the name of a compound" in page.main.text
    assert page.find("h2", id="found-compounds") is None


def test_the_search_page_without_a_query_string_answers(client):
    assert "Type the name of a compound" in get_page(client, "/search/").main.text


def test_a_very_long_query_is_cut_to_the_limit_with_a_notice(client):
    page = search(client, "ketamine " * 1200)
    assert "Searches are limited to 100 characters" in page.find(role="status").text
    assert len(page.find("input", id="search-q").attrs["value"]) <= 100


def test_a_very_long_query_searches_its_first_part_as_the_notice_says(client):
    assert KETAMINE_LINK in found(search(client, "ketamine " * 1200), "compounds")


NASTY_QUERIES = [
    '"ketamine"',
    "'",
    "' OR '1'='1",
    "ketamine'; DROP TABLE compounds_compound; --",
    "%",
    "%00",
    "_",
    "\\",
    "a:*",
    "!ketamine & | ( )",
    "<script>alert(1)</script>",
    "kétamine",
    "ケタミン",
    "🧪 ketamine",
    "\x00",
    "ket\x00amine",
    "\x1b[31m\x07",
    "\u202e\u200b",
    " ",
    "x" * 10_000,
    "ketamine_x",
    "__proto__",
]


@pytest.mark.parametrize("query", NASTY_QUERIES)
def test_any_query_answers_with_a_helpful_message(client, query):
    page = search(client, query)
    has_results = any(
        page.find("h2", id=f"found-{s}") for s in ("compounds", "conditions", "updates")
    )
    helpful = page.find(role="status") or "Type the name of a compound" in page.main.text
    assert has_results or helpful
    assert "<script>alert(1)</script>" not in page.html


def test_the_query_is_shown_back_escaped(client):
    page = search(client, '<b>"ketamine"</b>')
    assert '<b>"ketamine"</b>' not in page.html
    assert page.find("input", id="search-q").attrs["value"] == '<b>"ketamine"</b>'


def test_a_control_character_between_words_is_read_as_a_space(client):
    assert KETAMINE_LINK in found(search(client, "Spravato\x00"), "compounds")


def test_a_compound_that_was_never_approved_is_not_found(client):
    Compound.objects.create(
        name="Zorbanol",
        slug="zorbanol",
        aliases="Quixilan",
        drug_class="Unapproved class",
        regulatory_status="None.",
        evidence_overview="None.",
        safety_profile="None.",
    )
    for query in ("Zorbanol", "Quixilan", "Unapproved class"):
        page = search(client, query)
        assert "/compounds/zorbanol/" not in page.hrefs()
        assert found(page, "compounds") == []
        assert "Nothing matches" in page.find(role="status").text


def test_a_compound_in_review_is_not_found(client, editor):
    compound = Compound.objects.create(
        name="Zorbanol",
        slug="zorbanol",
        drug_class="Unapproved class",
        regulatory_status="None.",
        evidence_overview="None.",
        safety_profile="None.",
    )
    workflow.submit(compound, editor)
    assert "/compounds/zorbanol/" not in search(client, "Zorbanol").hrefs()


def test_an_unapproved_new_alias_does_not_find_the_compound(client, edit):
    edit(Compound.objects.get(slug="ketamine"), aliases="esketamine, Spravato, Ketalar")
    assert KETAMINE_LINK not in found(search(client, "Ketalar"), "compounds")
    assert KETAMINE_LINK in found(search(client, "Spravato"), "compounds")


def test_a_compound_is_found_by_the_drugs_it_interacts_with_once_approved(client, edit, publish):
    from compounds.models import Interaction

    ketamine = Compound.objects.get(slug="ketamine")
    Interaction.objects.create(
        compound=ketamine,
        drug="Qzinteractol",
        severity="major",
        effect="More sedation",
        management="Watch closely for sedation",
        source="A label",
    )
    edit(ketamine)
    assert KETAMINE_LINK not in found(search(client, "qzinteractol"), "compounds")
    publish(ketamine)
    assert KETAMINE_LINK in found(search(client, "qzinteractol"), "compounds")


def test_a_withdrawn_compound_is_not_found(client, withdraw):
    withdraw(Compound.objects.get(slug="ketamine"))
    assert KETAMINE_LINK not in found(search(client, "esketamine"), "compounds")


@pytest.fixture
def punctuated_names(make_live_compound, publish):
    """Names with accents and punctuation, as a real catalogue has them."""
    from compounds.models import Condition

    make_live_compound("buspirone", "Buspirone", drug_class="5-HT1A receptor agonist")
    make_live_compound("coenzyme-q10", "Coenzyme Q10", aliases="CoQ10, ubiquinone")
    make_live_compound("st-johns-wort", "St. John's wort", aliases="Hypericum perforatum")
    make_live_compound("b12-folate", "B12/folate combination")
    publish(
        Condition.objects.create(
            name="Ménière's disease",
            slug="menieres-disease",
            specialist="ENT specialist",
            standard_treatment="varies",
        )
    )


@pytest.mark.parametrize(
    ("query", "section", "href"),
    [
        ("meniere", "conditions", "/conditions/menieres-disease/"),
        ("Ménière's", "conditions", "/conditions/menieres-disease/"),
        ("menieres disease", "conditions", "/conditions/menieres-disease/"),
        ("5-HT1A", "compounds", "/compounds/buspirone/"),
        ("5HT1A", "compounds", "/compounds/buspirone/"),
        ("5 HT1A", "compounds", "/compounds/buspirone/"),
        ("ht1a", "compounds", "/compounds/buspirone/"),
        ("CoQ10", "compounds", "/compounds/coenzyme-q10/"),
        ("coq", "compounds", "/compounds/coenzyme-q10/"),
        ("St. John's wort", "compounds", "/compounds/st-johns-wort/"),
        ("st johns wort", "compounds", "/compounds/st-johns-wort/"),
        ("john", "compounds", "/compounds/st-johns-wort/"),
        ("B12/folate", "compounds", "/compounds/b12-folate/"),
        ("b12", "compounds", "/compounds/b12-folate/"),
        ("folate", "compounds", "/compounds/b12-folate/"),
        ("hypericum", "compounds", "/compounds/st-johns-wort/"),
    ],
)
def test_names_are_found_without_accents_and_with_or_without_their_punctuation(
    client, punctuated_names, query, section, href
):
    assert href in [link for link, _ in found(search(client, query), section)]


def test_every_word_of_a_query_must_match(client, punctuated_names):
    assert found(search(client, "coenzyme wort"), "compounds") == []


def test_the_name_ranks_above_a_mention_in_other_fields(client, make_live_compound):
    make_live_compound("mentions", "Another compound", evidence_overview="Compared with ketamine.")
    links = [href for href, _ in found(search(client, "ketamine"), "compounds")]
    assert links.index("/compounds/ketamine/") < links.index("/compounds/mentions/")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the search vector of PostgreSQL")
def test_each_searched_field_is_weighted_by_how_telling_it_is(make_live_compound):
    make_live_compound(
        "weighted", "Weightname", aliases="Aliasword", evidence_overview="Overviewword."
    )
    vector = PublishedCompound.objects.filter(slug="weighted").values_list(
        Cast("search_vector", TextField()), flat=True
    )
    # "'word':3C" is a word at position 3 of weight C; weight D is written with no letter.
    weights = dict(
        re.fullmatch(r"'(\w+)':\d+([ABC]?)", part).groups() for part in vector.get().split()
    )
    assert weights["weightname"] == "A"
    assert weights["aliasword"] == "B"
    assert weights["class"] == "C"
    assert weights["overviewword"] == ""
