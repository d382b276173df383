"""The reference lookup in the admin: who may use it, what it answers, and the button's
wiring on the reference forms. Sources answer from recordings (tests/sources.py)."""

from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from compounds.references import admin as lookup_admin
from tests.factories import make_reference, make_summary, make_user

pytestmark = pytest.mark.django_db

LOOKUP = reverse("admin:reference_lookup", args=["compounds", "reference"])


@pytest.fixture
def editor(client):
    user = make_user("erin", "Editor")
    client.force_login(user)
    return user


def test_anonymous_visitor_is_sent_to_login(client, sources):
    response = client.get(LOOKUP, {"pmid": "999999901"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert sources.requests == []


def test_staff_without_permission_to_change_references_is_refused(client, sources):
    client.force_login(get_user_model().objects.create_user("intern", is_staff=True))

    assert client.get(LOOKUP, {"pmid": "999999901"}).status_code == 403
    assert sources.requests == []


def test_editor_gets_the_details_as_json(client, editor, sources):
    sources.answer("pubmed_esummary.json")

    response = client.get(LOOKUP, {"pmid": "999999901"})

    assert response.status_code == 200
    assert response.json() == {
        "source": "PubMed",
        "identifier": "PMID 999999901",
        "found": {
            "authors": "Example A, Sample B",
            "title": "Recorded test record: a randomized trial of a test compound",
            "journal": "Rec Test J",
            "year": 2019,
            "study_design": "rct",
        },
        "notes": [],
    }
    assert "no-cache" in response["Cache-Control"]


def test_identifier_is_taken_in_any_form_the_field_accepts(client, editor, sources):
    sources.answer("pubmed_esummary.json")

    response = client.get(LOOKUP, {"pmid": "https://pubmed.ncbi.nlm.nih.gov/999999901/"})

    assert response.status_code == 200
    assert "id=999999901" in sources.last_request.full_url


def test_pmid_is_looked_up_first_when_a_form_has_several_identifiers(client, editor, sources):
    sources.answer("pubmed_esummary.json")

    response = client.get(
        LOOKUP, {"pmid": "999999901", "doi": "10.5555/recorded-test-record", "nct_id": ""}
    )

    assert response.json()["source"] == "PubMed"
    assert len(sources.requests) == 1


def test_bad_identifier_is_refused_with_the_fields_message(client, editor, sources):
    response = client.get(LOOKUP, {"nct_id": "NCT123"})

    assert response.status_code == 400
    assert response.json() == {
        "error": 'A ClinicalTrials.gov id is "NCT" followed by eight digits, such as NCT01234567.'
    }
    assert sources.requests == []


def test_lookup_without_an_identifier_asks_for_one(client, editor, sources):
    response = client.get(LOOKUP, {"pmid": "  ", "doi": ""})

    assert response.status_code == 400
    assert response.json() == {"error": "Enter a PMID, DOI or NCT id first."}


@pytest.mark.parametrize(
    ("answer", "status", "message"),
    [
        (("pubmed_esummary_missing.json",), 404, "No PubMed record for PMID 999999902."),
        (
            (b"<html>Bad Gateway</html>", 502, "text/html"),
            502,
            "PubMed answered with an error (HTTP 502); try again later, or type the details "
            "yourself.",
        ),
    ],
)
def test_failed_lookup_answers_the_message_for_the_editor(
    client, editor, sources, answer, status, message
):
    sources.answer(*answer)

    response = client.get(LOOKUP, {"pmid": "999999902"})

    assert response.status_code == status
    assert response.json() == {"error": message}


def test_timeout_answers_gateway_timeout(client, editor, sources):
    sources.fail(TimeoutError("timed out"))

    response = client.get(LOOKUP, {"doi": "10.5555/recorded-test-record"})

    assert response.status_code == 504
    assert response.json()["error"].startswith("Crossref did not answer within 5 seconds")


def test_lookup_is_read_only(client, editor, sources):
    # Crafted input: the reference form's script only reads the lookup; no page posts to it.
    assert client.post(LOOKUP, {"pmid": "999999901"}).status_code == 405


@pytest.mark.parametrize(
    "model", [("compounds", "compound"), ("compounds", "nosuchmodel"), ("nosuchapp", "reference")]
)
def test_lookup_is_only_for_models_with_reference_identifiers(client, editor, sources, model):
    url = reverse("admin:reference_lookup", args=model)

    assert client.get(url, {"pmid": "999999901"}).status_code == 404


def test_an_editor_looking_up_too_fast_is_asked_to_wait(client, editor, sources):
    sources.answer("pubmed_esummary_missing.json")  # then kept in the cache
    for _ in range(lookup_admin.LOOKUPS_PER_MINUTE):
        assert client.get(LOOKUP, {"pmid": "999999902"}).status_code == 404

    response = client.get(LOOKUP, {"pmid": "999999902"})

    assert response.status_code == 429
    assert response.json()["error"].startswith("Too many lookups in the last minute")


# The button's wiring on the evidence summary form -------------------------------------------


class _Page(HTMLParser):
    """The identifier inputs and the scripts and style sheets of an admin page."""

    def __init__(self, html):
        super().__init__()
        self.lookups, self.scripts, self.styles = {}, [], []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "data-reference-lookup" in attrs:
            self.lookups[attrs["name"]] = attrs["data-reference-lookup"]
        if tag == "script":
            self.scripts.append(attrs)
        if tag == "link" and attrs.get("rel") == "stylesheet":
            self.styles.append(attrs["href"])


def test_every_reference_form_marks_its_identifiers_for_the_lookup(client, editor):
    summary = make_summary()
    make_reference(summary)

    response = client.get(reverse("admin:compounds_evidencesummary_change", args=[summary.pk]))

    page = _Page(response.content.decode())
    # The saved reference, and the template "Add another" copies.
    assert page.lookups == {
        f"references-{form}-{field}": LOOKUP
        for form in ["0", "__prefix__"]
        for field in ["pmid", "doi", "nct_id"]
    }
    assert "/static/js/reference-lookup.js" in [script.get("src") for script in page.scripts]
    assert "/static/css/reference-lookup.css" in page.styles


def test_the_reference_form_runs_no_inline_script(client, editor):
    """The site's Content-Security-Policy allows scripts from files only."""
    response = client.get(reverse("admin:compounds_evidencesummary_add"))

    assert "script-src" not in response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    for script in _Page(response.content.decode()).scripts:
        assert script.get("src") or script.get("type") == "application/json", script
