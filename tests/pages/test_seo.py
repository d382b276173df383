"""What search engines read: titles, descriptions, canonical URLs, Open Graph, JSON-LD,
robots.txt and a sitemap of exactly the live pages."""

import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

import pages.sitemaps
from compounds.models import (
    Compound,
    Condition,
    EvidenceSummary,
    PublishedSummary,
    ResearchUpdate,
)
from compounds.review import workflow
from pages.registry import page_types
from tests.pages.markup import (
    SITEMAP_NS,
    get_page,
    site_path,
    sitemap_entries,
    sitemap_paths,
    sitemap_section_urls,
    xml,
)

pytestmark = pytest.mark.usefixtures("live_seed")

SITE = "https://www.example.org"
PAGE_TYPES = ["does-it-work", "evidence-level", "interactions", "safety"]
PAIRS = [
    "chronic-pain",
    "leukemia",
    "neuropathic-pain",
    "stage-iv-cancer",
    "treatment-resistant-depression",
]
CONDITIONS = [*PAIRS, "suicidal-ideation"]
UPDATES = [
    "ketamine-cognition-and-neuroplasticity",
    "iv-ketamine-versus-intranasal-esketamine-for-treatment-resistant-depression",
    "low-dose-ketamine-infusions-for-chronic-pain",
    "ketamine-for-suicidal-ideation-in-major-depression",
]
LIVE_PAGES = {
    "/",
    "/compounds/",
    "/conditions/",
    "/research/",
    "/how-we-grade-evidence/",
    "/compounds/ketamine/",
    *(f"/conditions/{slug}/" for slug in CONDITIONS),
    *(f"/research/{slug}/" for slug in UPDATES),
    *(f"/compounds/ketamine/{c}/{kind}/" for c in PAIRS for kind in PAGE_TYPES),
}


@pytest.fixture
def site_url(settings):
    settings.SITE_URL = SITE
    return SITE


@pytest.fixture
def every_page(client, site_url):
    """Every page the sitemap lists, parsed."""
    return {path: get_page(client, path) for path in sitemap_paths(client)}


def review_page(client, condition, kind="does-it-work"):
    return get_page(client, f"/compounds/ketamine/{condition}/{kind}/")


# Head of every page -------------------------------------------------------------------------


def test_every_page_has_its_own_title(every_page):
    titles = [page.title for page in every_page.values()]
    assert len(set(titles)) == len(titles) == len(LIVE_PAGES)
    assert all(title.endswith(" | Insight Swarm") for title in titles)


def test_every_page_has_its_own_meta_description(every_page):
    descriptions = [page.meta(name="description") for page in every_page.values()]
    assert all(descriptions)
    assert len(set(descriptions)) == len(descriptions)


def test_every_canonical_url_is_the_site_url_and_the_path(every_page, site_url):
    for path, page in every_page.items():
        assert page.canonical == site_url + path


def test_the_canonical_url_leaves_tracking_query_strings_out(client, site_url):
    page = get_page(client, "/compounds/ketamine/?utm_source=newsletter")
    assert page.canonical == f"{site_url}/compounds/ketamine/"


def test_every_page_has_open_graph_tags_matching_its_head(every_page):
    for page in every_page.values():
        assert page.meta(property="og:site_name") == "Insight Swarm"
        assert page.meta(property="og:title") == page.title.removesuffix(" | Insight Swarm")
        assert page.meta(property="og:description") == page.meta(name="description")
        assert page.meta(property="og:url") == page.canonical
        assert page.meta(property="og:type") in {"website", "article"}


def test_every_page_shares_with_the_site_image_and_a_large_card(every_page, client, site_url):
    for page in every_page.values():
        image = page.meta(property="og:image")
        assert image.startswith(f"{site_url}/static/") and image.endswith(".png")
        assert page.meta(property="og:image:width") == "1200"
        assert page.meta(property="og:image:height") == "630"
        assert page.meta(property="og:image:alt")
        assert page.meta(name="twitter:card") == "summary_large_image"
        assert page.meta(name="twitter:title") == page.meta(property="og:title")
    png = Path(_static_file(site_path(image))).read_bytes()
    assert png.startswith(b"\x89PNG")
    assert png[16:24] == (1200).to_bytes(4) + (630).to_bytes(4)


def test_every_page_links_a_favicon_that_is_served(every_page, client):
    for page in every_page.values():
        icons = [e.attrs["href"] for e in page.find_all("link") if e.attrs.get("rel") == "icon"]
        assert "/favicon.ico" in icons
        assert any(href.endswith(".svg") for href in icons)
    # Browsers ask for /favicon.ico whatever the page says: it is there, not a 404.
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] in {"image/x-icon", "image/vnd.microsoft.icon"}
    assert _static_file(next(href for href in icons if href.endswith(".svg")))


def _static_file(path):
    """The source file of a static address (collected files are not there in tests)."""
    static_url = "/" + settings.STATIC_URL.lstrip("/")
    assert path.startswith(static_url), path
    return finders.find(path.removeprefix(static_url))


def test_review_pages_are_open_graph_articles(client):
    for kind in PAGE_TYPES:
        assert review_page(client, "leukemia", kind).meta(property="og:type") == "article"


def test_every_json_ld_block_parses_as_schema_org_data(every_page):
    for path, page in every_page.items():
        blocks = page.json_ld
        assert blocks, path
        assert all(block["@context"] == "https://schema.org" for block in blocks)


def test_json_ld_is_a_data_block_not_a_script(every_page):
    for page in every_page.values():
        for script in page.find_all("script"):
            assert script.attrs.get("type") == "application/ld+json"


# Review pages' structured data --------------------------------------------------------------


@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_review_pages_are_medical_web_pages_about_the_compound_and_condition(client, kind):
    [data] = review_page(client, "neuropathic-pain", kind).json_ld_of_type("MedicalWebPage")
    about = {item["@type"]: item for item in data["about"]}
    assert about["Drug"]["name"] == "Ketamine (IV / Esketamine)"
    assert about["Drug"]["alternateName"] == ["esketamine", "Spravato"]
    assert about["MedicalCondition"]["name"] == "Neuropathic Pain"


@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_review_pages_name_their_reviewer_and_review_date(client, kind):
    [data] = review_page(client, "neuropathic-pain", kind).json_ld_of_type("MedicalWebPage")
    summary = EvidenceSummary.objects.get(
        compound__slug="ketamine", condition__slug="neuropathic-pain"
    )
    assert data["reviewedBy"] == {
        "@type": "Person",
        "name": "Nikhil Joshi",
        "honorificSuffix": "MD, FRCPC",
    }
    assert data["lastReviewed"] == summary.live_version.approved_at.date().isoformat()


@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_review_pages_cite_their_references(client, kind):
    [data] = review_page(client, "neuropathic-pain", kind).json_ld_of_type("MedicalWebPage")
    [citation] = data["citation"]
    assert (
        citation["name"] == "Ketamine infusions for refractory neuropathic pain: a randomized trial"
    )
    assert citation["url"] == "https://pubmed.ncbi.nlm.nih.gov/31578302/"
    assert {(i["propertyID"], i["value"]) for i in citation["identifier"]} == {
        ("PMID", "31578302"),
        ("DOI", "10.1016/j.pain.2019.01.001"),
        ("NCT", "NCT01234567"),
    }


def test_a_review_without_references_cites_nothing(client):
    [data] = review_page(client, "leukemia").json_ld_of_type("MedicalWebPage")
    assert data["citation"] == []


def test_review_pages_have_a_breadcrumb_list_ending_at_the_page(client, site_url):
    page = review_page(client, "leukemia", "safety")
    [crumbs] = page.json_ld_of_type("BreadcrumbList")
    items = crumbs["itemListElement"]
    assert [item["position"] for item in items] == [1, 2, 3, 4]
    assert [item["item"] for item in items] == [
        f"{site_url}/",
        f"{site_url}/compounds/",
        f"{site_url}/compounds/ketamine/",
        f"{site_url}/compounds/ketamine/leukemia/safety/",
    ]
    assert items[-1]["item"] == page.canonical


def test_structured_data_cannot_close_its_own_element(client, make_live_compound):
    make_live_compound("tricky", "Tricky </script><script>alert(1)</script>")
    page = get_page(client, "/compounds/tricky/")
    assert "<script>alert(1)</script>" not in page.html
    [data] = page.json_ld_of_type("MedicalWebPage")
    assert data["name"] == "Tricky </script><script>alert(1)</script>"


# robots.txt ---------------------------------------------------------------------------------


def test_robots_txt_names_the_sitemap_index_on_the_site_url(client, site_url):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    assert f"Sitemap: {site_url}/sitemap.xml" in response.content.decode().splitlines()


def test_robots_txt_keeps_crawlers_out_of_the_admin(client):
    assert "Disallow: /admin/" in client.get("/robots.txt").content.decode().splitlines()


# Sitemap ------------------------------------------------------------------------------------


def test_the_sitemap_index_has_a_section_per_page_type_and_per_kind_of_hub(client, site_url):
    sections = sitemap_section_urls(client)
    # The seed's ids are small: every section fits its first file, number 0.
    assert sorted(sections) == sorted(
        [
            "/sitemap-pages.xml",
            "/sitemap-compounds-0.xml",
            "/sitemap-conditions-0.xml",
            "/sitemap-research-0.xml",
            *(f"/sitemap-{kind.slug}-0.xml" for kind in page_types()),
        ]
    )
    assert len(page_types()) == 4


def test_the_sitemap_is_xml(client):
    assert client.get("/sitemap.xml")["Content-Type"].startswith("application/xml")
    assert client.get("/sitemap-pages.xml")["Content-Type"].startswith("application/xml")
    assert client.get("/sitemap-safety-0.xml")["Content-Type"].startswith("application/xml")


def test_every_sitemap_address_is_on_the_site_url(client, site_url):
    index = xml(client.get("/sitemap.xml"))
    for loc in index.findall("sm:sitemap/sm:loc", SITEMAP_NS):
        assert loc.text.startswith(f"{site_url}/")
        for url in xml(client.get(site_path(loc.text))).findall("sm:url/sm:loc", SITEMAP_NS):
            assert url.text.startswith(f"{site_url}/")


def test_every_page_in_the_sitemap_answers(client, site_url):
    for path in sitemap_paths(client):
        assert client.get(path).status_code == 200, path


def test_the_sitemap_lists_exactly_the_live_pages(client):
    paths = sitemap_paths(client)
    assert len(paths) == len(set(paths))
    assert set(paths) == LIVE_PAGES


def test_a_page_type_section_lists_that_page_of_every_live_pair(client):
    urls = xml(client.get("/sitemap-safety-0.xml")).findall("sm:url/sm:loc", SITEMAP_NS)
    assert sorted(site_path(url.text) for url in urls) == [
        f"/compounds/ketamine/{c}/safety/" for c in PAIRS
    ]


def test_withdrawing_a_summary_takes_its_four_pages_out_of_the_sitemap(client, withdraw):
    withdraw(EvidenceSummary.objects.get(compound__slug="ketamine", condition__slug="leukemia"))
    gone = {f"/compounds/ketamine/leukemia/{kind}/" for kind in PAGE_TYPES}
    assert set(sitemap_paths(client)) == LIVE_PAGES - gone


def test_withdrawing_a_compound_takes_its_page_and_its_pairs_out_of_the_sitemap(client, withdraw):
    withdraw(Compound.objects.get(slug="ketamine"))
    assert set(sitemap_paths(client)) == {
        path for path in LIVE_PAGES if not path.startswith("/compounds/ketamine/")
    }


def test_a_pair_in_review_is_not_in_the_sitemap(client, editor):
    summary = EvidenceSummary.objects.create(
        compound=Compound.objects.get(slug="ketamine"),
        condition=Condition.objects.get(slug="suicidal-ideation"),
        evidence_level="level_2",
        verdict="promising",
        evidence_basis="direct",
        human_evidence="Trials.",
        regulatory_status="Not approved.",
    )
    workflow.submit(summary, editor)
    assert set(sitemap_paths(client)) == LIVE_PAGES


def test_a_newly_approved_pair_enters_the_sitemap(client, publish):
    publish(
        EvidenceSummary.objects.create(
            compound=Compound.objects.get(slug="ketamine"),
            condition=Condition.objects.get(slug="suicidal-ideation"),
            evidence_level="level_2",
            verdict="promising",
            evidence_basis="direct",
            human_evidence="Trials.",
            regulatory_status="Not approved.",
        )
    )
    new = {f"/compounds/ketamine/suicidal-ideation/{kind}/" for kind in PAGE_TYPES}
    assert set(sitemap_paths(client)) == LIVE_PAGES | new


def lastmods(client):
    return dict(sitemap_entries(client))


def test_every_lastmod_carries_a_time_zone(client):
    for path, lastmod in sitemap_entries(client):
        if lastmod is not None:
            assert datetime.datetime.fromisoformat(lastmod).tzinfo is not None, path


def test_a_review_pages_lastmod_is_the_latest_approval_of_what_it_shows(client):
    summary = EvidenceSummary.objects.get(compound__slug="ketamine", condition__slug="leukemia")
    approvals = [
        summary.live_version.approved_at,
        Compound.objects.get(slug="ketamine").live_version.approved_at,
        Condition.objects.get(slug="leukemia").live_version.approved_at,
    ]
    found = lastmods(client)
    for kind in PAGE_TYPES:
        lastmod = datetime.datetime.fromisoformat(found[f"/compounds/ketamine/leukemia/{kind}/"])
        assert lastmod == max(approvals)


def test_hub_lastmods_are_their_contents_approval_times(client):
    found = lastmods(client)
    compound = Compound.objects.get(slug="ketamine").live_version.approved_at
    update = ResearchUpdate.objects.get(slug=UPDATES[0]).live_version.approved_at
    assert datetime.datetime.fromisoformat(found["/compounds/ketamine/"]) == compound
    assert datetime.datetime.fromisoformat(found[f"/research/{UPDATES[0]}/"]) == update


def test_approving_an_edit_moves_the_lastmod_to_the_new_approval(client, edit, publish):
    summary = EvidenceSummary.objects.get(compound__slug="ketamine", condition__slug="leukemia")
    before = lastmods(client)["/compounds/ketamine/leukemia/safety/"]
    summary = publish(edit(summary, human_evidence="Still no study in leukemia."))
    after = lastmods(client)["/compounds/ketamine/leukemia/safety/"]
    assert after != before
    assert datetime.datetime.fromisoformat(after) == summary.live_version.approved_at


def test_an_unapproved_edit_leaves_the_lastmod_alone(client, edit):
    before = lastmods(client)
    edit(
        EvidenceSummary.objects.get(compound__slug="ketamine", condition__slug="leukemia"),
        human_evidence="An edit in progress.",
    )
    assert lastmods(client) == before


def test_a_big_section_is_split_into_files_of_id_ranges_the_index_links(client, monkeypatch):
    monkeypatch.setattr(pages.sitemaps, "FILE_SIZE", 2)
    pair_ids = sorted(EvidenceSummary.objects.values_list("pk", flat=True))
    files = sorted({pk // 2 for pk in pair_ids})
    sections = sitemap_section_urls(client)
    assert [url for url in sections if url.startswith("/sitemap-safety-")] == [
        f"/sitemap-safety-{n}.xml" for n in files
    ]
    for section in sections:
        response = client.get(section)
        assert response.status_code == 200, section
        assert 1 <= len(xml(response).findall("sm:url", SITEMAP_NS)) <= max(2, 5)
    assert set(sitemap_paths(client)) == LIVE_PAGES


@pytest.mark.parametrize(
    "url", ["/sitemap-safety-99.xml", "/sitemap-nothing-0.xml", "/sitemap-hubs.xml"]
)
def test_a_sitemap_file_that_holds_nothing_is_not_found(client, url):
    assert client.get(url).status_code == 404


def test_the_structured_review_date_matches_the_date_readers_see(client, edit, publish):
    summary = EvidenceSummary.objects.get(compound__slug="ketamine", condition__slug="leukemia")
    reviewed = summary.live_version.approved_at - datetime.timedelta(days=40)
    type(summary.live_version).objects.filter(pk=summary.live_version_id).update(
        approved_at=reviewed
    )
    PublishedSummary.objects.filter(pk=summary.pk).update(approved_at=reviewed)
    publish(edit(Compound.objects.get(slug="ketamine"), safety_profile="Updated later."))
    page = review_page(client, "leukemia", "safety")
    [data] = page.json_ld_of_type("MedicalWebPage")
    visible = page.find("p", class_="byline").find("time").attrs["datetime"]
    assert visible == reviewed.date().isoformat()
    assert data["lastReviewed"] == visible
