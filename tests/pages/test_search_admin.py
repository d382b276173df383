"""Editors keep the search synonyms and promoted results in the admin, and search follows at once.

Forms are posted as the browser posts them (tests/admin_forms.py), by an editor: both
roles keep these tables without review (compounds/roles.py).
"""

import pytest
from django.urls import reverse

from compounds.models import PromotedResult, SearchSynonym
from tests.admin_forms import press
from tests.conftest import summary
from tests.pages.markup import get_page

pytestmark = pytest.mark.usefixtures("live_seed")

SYNONYMS = reverse("admin:compounds_searchsynonym_changelist")
ADD_SYNONYM = reverse("admin:compounds_searchsynonym_add")
ADD_PROMOTED = reverse("admin:compounds_promotedresult_add")
CHRONIC_PAIN_PAGE = "/compounds/ketamine/chronic-pain/does-it-work/"


@pytest.fixture
def signed_in(client, editor):
    client.force_login(editor)
    return client


def search(client, query):
    return get_page(client, "/search/", data={"q": query})


def found(page, section):
    heading = page.find("h2", id=f"found-{section}")
    return heading.parent.links() if heading else []


def errors(response):
    """The messages of a form shown again with its errors."""
    form = response.context["adminform"].form
    return [message for messages in form.errors.values() for message in messages]


def change_url(obj):
    info = obj._meta.app_label, obj._meta.model_name
    return reverse("admin:{}_{}_change".format(*info), args=[obj.pk])


# Synonyms ------------------------------------------------------------------------------------


def test_a_synonym_added_in_the_admin_finds_what_it_means(signed_in, client):
    assert found(search(client, "ketamine nerve pain"), "reviews") == []
    response = press(signed_in, ADD_SYNONYM, "Save", term="Nerve pain", means="neuropathic pain")
    assert response.status_code == 302
    assert SearchSynonym.objects.get(key="nerve pain").means == "neuropathic pain"
    first = found(search(client, "ketamine nerve pain"), "reviews")[0]
    assert first[0] == "/compounds/ketamine/neuropathic-pain/does-it-work/"


def test_a_synonym_changed_in_the_admin_changes_what_search_finds(signed_in, client):
    synonym = SearchSynonym.objects.create(term="nerve pain", means="chronic pain")
    response = press(signed_in, change_url(synonym), "Save", means="neuropathic pain")
    assert response.status_code == 302
    first = found(search(client, "ketamine nerve pain"), "reviews")[0]
    assert first[0] == "/compounds/ketamine/neuropathic-pain/does-it-work/"


def test_a_synonym_with_several_meanings_finds_each(signed_in, client):
    press(signed_in, ADD_SYNONYM, "Save", term="body pain", means="chronic pain, neuropathic pain")
    reviews = [href for href, _ in found(search(client, "ketamine body pain"), "reviews")]
    assert "/compounds/ketamine/chronic-pain/does-it-work/" in reviews
    assert "/compounds/ketamine/neuropathic-pain/does-it-work/" in reviews


def test_a_term_that_has_a_synonym_is_refused_again_however_it_is_written(signed_in):
    # "leukaemia" is in the first list (migration 0019).
    response = press(signed_in, ADD_SYNONYM, "Save", term="LEUKAEMIA", means="lymphoma")
    assert response.status_code == 200
    assert "This term has a synonym already: change that one." in errors(response)
    assert SearchSynonym.objects.get(key="leukaemia").means == "leukemia"


@pytest.mark.parametrize(
    ("term", "means", "message"),
    [
        ("?!", "leukemia", "Type a word: letters or digits."),
        ("one two three four five six", "leukemia", "A term has at most 5 words."),
        ("blood disease", " , ;", "Type what the term means: a name or words."),
    ],
)
def test_a_synonym_search_could_not_read_is_refused(signed_in, term, means, message):
    response = press(signed_in, ADD_SYNONYM, "Save", term=term, means=means)
    assert response.status_code == 200
    assert message in errors(response)


def test_the_first_list_of_synonyms_is_in_the_admin(signed_in):
    page = get_page(signed_in, SYNONYMS, data={"q": "suicide"})
    assert "suicidal ideation" in page.text


# Promoted results ----------------------------------------------------------------------------


def test_a_page_promoted_in_the_admin_comes_first_with_its_own_title(signed_in, client):
    response = press(signed_in, ADD_PROMOTED, "Save", term="Spravato", page=CHRONIC_PAIN_PAGE)
    assert response.status_code == 302
    page = search(client, "spravato for depression")
    assert found(page, "promoted") == [
        (CHRONIC_PAIN_PAGE, "Does Ketamine (IV / Esketamine) work for Chronic Pain?")
    ]
    sections = [section.find("h2").attrs["id"] for section in page.main.find_all("section")]
    assert sections[:2] == ["found-promoted", "found-reviews"]


def test_a_page_is_promoted_by_its_whole_address_too(signed_in, settings):
    press(signed_in, ADD_PROMOTED, "Save", term="ketamine", page=settings.SITE_URL + "/compounds/")
    assert PromotedResult.objects.get(key="ketamine").page == "/compounds/"


@pytest.mark.parametrize(
    "address",
    [
        "https://elsewhere.example/compounds/ketamine/",
        "//elsewhere.example/compounds/ketamine/",
        "javascript:alert(1)",
        "compounds/ketamine/",
        "/compounds/ketamine/?page=2",
        "/compounds/ketamine/#references",
        "http://[::1/compounds/",
    ],
)
def test_an_address_off_the_site_is_refused(signed_in, address):
    response = press(signed_in, ADD_PROMOTED, "Save", term="ketamine", page=address)
    assert response.status_code == 200
    assert any(message.startswith("Give the address of a page") for message in errors(response))
    assert not PromotedResult.objects.exists()


@pytest.mark.parametrize(
    "address",
    [
        "/compounds/no-such-compound/",
        "/compounds/ketamine/suicidal-ideation/does-it-work/",
        "/compounds/ketamine/leukemia/no-such-question/",
        "/search/",
        "/sitemap.xml",
        "/admin/",
    ],
)
def test_an_address_with_no_published_page_is_refused(signed_in, address):
    response = press(signed_in, ADD_PROMOTED, "Save", term="ketamine", page=address)
    assert response.status_code == 200
    assert any(message.startswith("No published page") for message in errors(response))


def test_a_promoted_page_withdrawn_is_not_shown_and_the_admin_says_so(signed_in, client, withdraw):
    promoted = PromotedResult.objects.create(term="spravato", page=CHRONIC_PAIN_PAGE)
    withdraw(summary("ketamine", "chronic-pain"))
    assert found(search(client, "spravato"), "promoted") == []
    listing = get_page(signed_in, reverse("admin:compounds_promotedresult_changelist"))
    assert "Not shown: no published page at this address now" in listing.text
    assert promoted.page in listing.text
