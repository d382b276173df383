"""Search finds live compounds by name and other names, conditions and research updates."""

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
    """The links of one section of results: compounds, conditions or updates."""
    heading = page.find("h2", id=f"found-{section}")
    return heading.parent.links() if heading else []


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
