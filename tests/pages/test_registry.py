"""Adding a fifth page type is one class and one template: URLs, sitemap and hubs find it."""

import pytest

from pages import registry
from tests.pages.markup import get_page, sitemap_paths, sitemap_section_urls

pytestmark = pytest.mark.usefixtures("live_seed")

TEMPLATE = """{% extends "pages/review_page.html" %}
{% block sections %}
<section aria-labelledby="dosing"><h2 id="dosing">Dosing of {{ compound.name }}</h2>
<p>Doses studied in {{ condition.name }}: see the references.</p></section>
{% endblock %}
"""


class Dosing(registry.PageType):
    slug = "dosing"
    name = "Dosing"
    template = "pages/dosing_test.html"

    def heading(self, pair):
        return f"How is {pair.compound.name} dosed for {pair.condition.name}?"

    def meta_description(self, pair):
        return f"Doses of {pair.compound.name} studied in {pair.condition.name}."

    def faq(self, pair):
        return [(f"What dose of {pair.compound.name} was studied?", "See the references.")]


@pytest.fixture
def dosing_page_type(tmp_path, settings):
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "dosing_test.html").write_text(TEMPLATE)
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]},
        *settings.TEMPLATES[1:],
    ]
    registry.register(Dosing)
    try:
        yield registry.get_page_type("dosing")
    finally:
        registry.unregister("dosing")


URL = "/compounds/ketamine/leukemia/dosing/"


def test_a_registered_page_type_answers_at_its_url_with_its_heading(client, dosing_page_type):
    page = get_page(client, URL)
    assert [h.text for h in page.find_all("h1")] == [
        "How is Ketamine (IV / Esketamine) dosed for Leukemia?"
    ]
    assert "Doses studied in Leukemia: see the references." in page.main.text


def test_a_registered_page_type_gets_the_review_frame(client, dosing_page_type):
    page = get_page(client, URL)
    assert "Medically reviewed by Nikhil Joshi, MD, FRCPC" in page.main.text
    assert "What dose of Ketamine (IV / Esketamine) was studied?" in page.main.text
    assert page.find("aside", aria_label="Medical disclaimer") is not None
    assert page.meta(name="description") == (
        "Doses of Ketamine (IV / Esketamine) studied in Leukemia."
    )


def test_a_registered_page_type_has_its_own_sitemap_section(client, dosing_page_type):
    assert [url for url in sitemap_section_urls(client) if url.startswith("/sitemap-dosing-")]
    assert URL in sitemap_paths(client)


def test_the_compound_page_links_every_pair_to_a_registered_page_type(client, dosing_page_type):
    hrefs = get_page(client, "/compounds/ketamine/").hrefs()
    assert URL in hrefs
    assert "/compounds/ketamine/neuropathic-pain/dosing/" in hrefs


def test_the_condition_page_links_to_a_registered_page_type(client, dosing_page_type):
    assert URL in get_page(client, "/conditions/leukemia/").hrefs()


@pytest.mark.parametrize("kind", ["does-it-work", "evidence-level", "interactions", "safety"])
def test_the_other_review_pages_link_to_a_registered_page_type(client, dosing_page_type, kind):
    other = get_page(client, f"/compounds/ketamine/leukemia/{kind}/").find(
        "nav", class_="other-pages"
    )
    assert (URL, "Dosing") in other.links()


def test_a_registered_page_type_links_to_the_four_others(client, dosing_page_type):
    other = get_page(client, URL).find("nav", class_="other-pages")
    hrefs = {href for href, _ in other.links()}
    for kind in ["does-it-work", "evidence-level", "interactions", "safety"]:
        assert f"/compounds/ketamine/leukemia/{kind}/" in hrefs


def test_two_page_types_may_not_share_a_slug(dosing_page_type):
    with pytest.raises(ValueError, match="dosing"):
        registry.register(Dosing)


def test_an_unregistered_page_type_is_gone_everywhere(client, dosing_page_type):
    registry.unregister("dosing")
    assert client.get(URL).status_code == 404
    assert not [url for url in sitemap_section_urls(client) if "dosing" in url]
    assert URL not in get_page(client, "/compounds/ketamine/").hrefs()


def test_without_the_extra_type_there_are_the_four_of_the_design(client):
    assert [kind.slug for kind in registry.page_types()] == [
        "does-it-work",
        "evidence-level",
        "interactions",
        "safety",
    ]
    assert client.get(URL).status_code == 404
