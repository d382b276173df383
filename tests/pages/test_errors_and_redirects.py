"""Addresses that show nothing live answer 404 with the site's own page; moved content
answers 301 to where it lives now; no address or query string makes the site fail."""

import pytest

from compounds.models import Compound, Condition, EvidenceSummary, ResearchUpdate
from compounds.review import workflow
from tests.pages.markup import Page, body

pytestmark = pytest.mark.usefixtures("live_seed")

PAGE_TYPES = ["does-it-work", "evidence-level", "interactions", "safety"]
UPDATE = "low-dose-ketamine-infusions-for-chronic-pain"


def not_found(client, url):
    response = client.get(url)
    assert response.status_code == 404, url
    return Page(response)


def assert_site_404(client, url):
    page = not_found(client, url)
    assert page.find("header", class_="site-header") is not None
    assert page.find("nav", aria_label="Main") is not None
    assert [h.text for h in page.find_all("h1")] == ["Page not found"]
    assert {"/compounds/", "/conditions/", "/research/"} <= page.hrefs()


def summary(condition="leukemia"):
    return EvidenceSummary.objects.get(compound__slug="ketamine", condition__slug=condition)


# Unknown addresses --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/compounds/no-such-compound/",
        "/conditions/no-such-condition/",
        "/compounds/ketamine/no-such-condition/safety/",
        "/compounds/no-such-compound/leukemia/safety/",
        "/compounds/ketamine/suicidal-ideation/safety/",
        "/compounds/ketamine/leukemia/no-such-page/",
        "/research/no-such-update/",
        "/no-such-page/",
        "/compounds/ketamine/leukemia/",
        "/sitemap-no-such-section.xml",
    ],
)
def test_an_unknown_address_answers_404_with_the_sites_page(client, url):
    assert_site_404(client, url)


def test_the_404_page_is_not_indexed_as_a_page_of_content(client):
    page = not_found(client, "/compounds/no-such-compound/")
    assert page.canonical is None
    assert page.json_ld == []


# Content that is not live -------------------------------------------------------------------


@pytest.fixture
def pair_in_review(editor):
    draft = EvidenceSummary.objects.create(
        compound=Compound.objects.get(slug="ketamine"),
        condition=Condition.objects.get(slug="suicidal-ideation"),
        evidence_level="level_2",
        verdict="promising",
        evidence_basis="direct",
        human_evidence="Trials.",
        regulatory_status="Not approved.",
    )
    return workflow.submit(draft, editor)


@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_the_pages_of_a_pair_never_approved_are_not_found(client, pair_in_review, kind):
    assert_site_404(client, f"/compounds/ketamine/suicidal-ideation/{kind}/")


@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_the_pages_of_a_withdrawn_summary_are_not_found(client, withdraw, kind):
    withdraw(summary())
    assert_site_404(client, f"/compounds/ketamine/leukemia/{kind}/")


def test_a_withdrawn_compound_takes_its_page_and_pairs_off_the_site(client, withdraw):
    withdraw(Compound.objects.get(slug="ketamine"))
    assert_site_404(client, "/compounds/ketamine/")
    for kind in PAGE_TYPES:
        assert_site_404(client, f"/compounds/ketamine/neuropathic-pain/{kind}/")


def test_a_withdrawn_condition_takes_its_page_and_pairs_off_the_site(client, withdraw):
    withdraw(Condition.objects.get(slug="leukemia"))
    assert_site_404(client, "/conditions/leukemia/")
    for kind in PAGE_TYPES:
        assert_site_404(client, f"/compounds/ketamine/leukemia/{kind}/")
    assert client.get("/compounds/ketamine/neuropathic-pain/safety/").status_code == 200


def test_a_withdrawn_research_update_is_not_found(client, withdraw):
    withdraw(ResearchUpdate.objects.get(slug=UPDATE))
    assert_site_404(client, f"/research/{UPDATE}/")


def test_a_never_approved_compound_is_not_found(client):
    Compound.objects.create(
        name="Zorbanol",
        slug="zorbanol",
        drug_class="Class",
        regulatory_status="None.",
        evidence_overview="None.",
        safety_profile="None.",
    )
    assert_site_404(client, "/compounds/zorbanol/")


# Moved content ------------------------------------------------------------------------------


def moved(client, old, new):
    response = client.get(old)
    assert response.status_code == 301, old
    assert response["Location"] == new
    assert client.get(new).status_code == 200, new


def test_a_compound_renamed_and_approved_redirects_from_its_old_address(client, edit, publish):
    publish(edit(Compound.objects.get(slug="ketamine"), slug="ketamine-iv"))
    moved(client, "/compounds/ketamine/", "/compounds/ketamine-iv/")


def test_a_condition_renamed_and_approved_redirects_from_its_old_address(client, edit, publish):
    publish(edit(Condition.objects.get(slug="leukemia"), slug="leukaemia"))
    moved(client, "/conditions/leukemia/", "/conditions/leukaemia/")


def test_a_research_update_renamed_and_approved_redirects(client, edit, publish):
    publish(edit(ResearchUpdate.objects.get(slug=UPDATE), slug="ketamine-for-chronic-pain"))
    moved(client, f"/research/{UPDATE}/", "/research/ketamine-for-chronic-pain/")


@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_a_review_page_follows_its_compounds_new_address(client, edit, publish, kind):
    publish(edit(Compound.objects.get(slug="ketamine"), slug="ketamine-iv"))
    moved(
        client,
        f"/compounds/ketamine/leukemia/{kind}/",
        f"/compounds/ketamine-iv/leukemia/{kind}/",
    )


def test_a_review_page_follows_its_conditions_new_address(client, edit, publish):
    publish(edit(Condition.objects.get(slug="leukemia"), slug="leukaemia"))
    moved(
        client,
        "/compounds/ketamine/leukemia/safety/",
        "/compounds/ketamine/leukaemia/safety/",
    )


def test_a_review_page_follows_both_new_addresses_in_one_redirect(client, edit, publish):
    publish(edit(Compound.objects.get(slug="ketamine"), slug="ketamine-iv"))
    publish(edit(Condition.objects.get(slug="leukemia"), slug="leukaemia"))
    moved(
        client,
        "/compounds/ketamine/leukemia/safety/",
        "/compounds/ketamine-iv/leukaemia/safety/",
    )


def test_a_slug_renamed_twice_redirects_from_both_old_addresses(client, edit, publish):
    publish(edit(Compound.objects.get(slug="ketamine"), slug="ketamine-iv"))
    publish(edit(Compound.objects.get(slug="ketamine-iv"), slug="ketamine-infusion"))
    moved(client, "/compounds/ketamine/", "/compounds/ketamine-infusion/")
    moved(client, "/compounds/ketamine-iv/", "/compounds/ketamine-infusion/")


def test_an_unapproved_new_slug_changes_no_address(client, edit):
    edit(Compound.objects.get(slug="ketamine"), slug="ketamine-iv")
    assert client.get("/compounds/ketamine/").status_code == 200
    assert client.get("/compounds/ketamine/leukemia/safety/").status_code == 200
    assert_site_404(client, "/compounds/ketamine-iv/")


def test_a_renamed_then_withdrawn_compound_is_not_found_at_its_old_address(
    client, edit, publish, withdraw
):
    compound = publish(edit(Compound.objects.get(slug="ketamine"), slug="ketamine-iv"))
    withdraw(compound)
    assert_site_404(client, "/compounds/ketamine/")
    assert_site_404(client, "/compounds/ketamine/leukemia/safety/")


# Nothing makes the site fail ----------------------------------------------------------------


ODD_URLS = [
    "/compounds/%00/",
    "/compounds/ketamine%00/",
    "/compounds/ketamine/leukemia/safety%00/",
    "/compounds/%E2%80%AE/",
    "/compounds/k%C3%A9tamine/",
    "/compounds/%ff%fe/",
    "/compounds/" + "a" * 5000 + "/",
    "/compounds/ketamine/" + "b" * 5000 + "/safety/",
    "/compounds/../admin/",
    "/compounds/ketamine/leukemia/safety/extra/",
    "/compounds/KETAMINE/",
    "/compounds/ketamine//leukemia/safety/",
    "//compounds//",
    "/compounds/ketamine/leukemia/safety",
    "/research/%3Cscript%3E/",
    "/research/?page=%00",
    "/research/?page=1e9",
    "/research/?page=99999999999999999999999999",
    "/research/?page=-1",
    "/research/?page=1&page=abc",
    "/research/?page[]=1",
    "/search/?q=%00",
    "/search/?q=%ff",
    "/search/?q=%25%00%27%22%3C",
    "/search/?q=a&q=b",
    "/search/?q[]=ketamine",
    "/search/?q=" + "%F0%9F%A7%AA" * 500,
    "/compounds/ketamine/?%00=%00",
    "/compounds/ketamine/leukemia/safety/?page=%ff&q=%00",
    "/sitemap.xml?p=%00",
    "/sitemap-hubs.xml?p=abc",
    "/sitemap-hubs.xml?p=0",
    "/sitemap-hubs.xml?p=-1",
    "/sitemap-hubs.xml?p=99999999999999999999",
    "/sitemap-.xml",
    "/robots.txt?x=%00",
    "/how-we-grade-evidence/?%ff",
]


@pytest.mark.parametrize("url", ODD_URLS)
def test_odd_addresses_and_query_strings_never_make_the_site_fail(client, url):
    client.raise_request_exception = False
    response = client.get(url)
    assert response.status_code in {200, 301, 302, 404}, (url, response.status_code)


@pytest.mark.parametrize(
    "url", ["/", "/compounds/ketamine/", "/compounds/ketamine/leukemia/safety/", "/search/"]
)
def test_public_pages_refuse_writes_without_failing(client, url):
    client.raise_request_exception = False
    assert client.post(url, {"q": "x"}).status_code == 405


@pytest.mark.parametrize("url", ["/", "/compounds/ketamine/leukemia/safety/", "/sitemap.xml"])
def test_public_pages_answer_head_requests(client, url):
    response = client.head(url)
    assert response.status_code == 200
    assert body(response) == b""
