"""No input answers with a server error, and a refused input saves nothing.

Property-based: Hypothesis posts arbitrary text to every add and change form of the
admin (NUL and other control characters, invalid UTF-8, right-to-left and combining
characters, other scripts' digits, 100 KB strings, huge numbers), and puts it in the
query strings of every admin list and the autocomplete, and in the public addresses
and their parameters. Examples are few, so the suite stays fast on both databases;
Hypothesis's shrinking and its example database still pin a failure down.
"""

import datetime
from urllib.parse import quote, quote_from_bytes

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compounds.feedback import service as feedback
from compounds.models import (
    Compound,
    Condition,
    Feedback,
    MedicalAdvisor,
    Publishable,
    ResearchUpdate,
)
from compounds.review import workflow
from tests.admin_forms import form_data
from tests.factories import make_reference, make_summary

pytestmark = pytest.mark.django_db

FEW = settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

NASTY = [
    "\x00",
    "a\x00b",
    "\x01\x07\x1b\x7f\x85",
    "\u202eevil\u202c",
    "שלום עולם",
    "e\u0301\u0308\u0327",
    "١٢٣",
    "1٢٣",
    "NCT١٢٣٤٥٦٧٨",
    "٣",
    "x" * 100_000,
    "9" * 40,
    "-9223372036854775809",
    "18446744073709551616",
    "1e309",
    "NaN",
    "%00",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "\ud7ff\ue000\U0010ffff",
    " ",
    "",
]

texts = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=40),
    st.text(st.characters(codec="utf-8"), max_size=20),
    st.integers().map(str),
)
# Percent-encoded bytes that are not UTF-8, put in a body or a query string as they are.
raw_bytes = st.sampled_from([b"\xff", b"\xfe\xff", b"\xc3(", b"\xed\xa0\x80", b"\x80abc"])


def _row_counts():
    models = [*apps.get_app_config("compounds").get_models(), LogEntry]
    return {model._meta.label: model._default_manager.count() for model in models}


@pytest.fixture
def content(admin_user):
    """One object of each kind, live, so every change form and list has something."""
    MedicalAdvisor.objects.create(
        user=admin_user, display_name="Dr Root", slug="root", credentials="MD"
    )
    summary = make_summary()
    make_reference(summary)
    update = ResearchUpdate.objects.create(
        title="A trial", slug="a-trial", summary="Found.", date=datetime.date(2025, 1, 2)
    )
    update.compounds.add(summary.compound)
    return {
        # Another account than the signed-in admin's: an example that unticks "active"
        # or "staff status" on one's own account signs the next example out.
        get_user_model(): get_user_model().objects.create_user("someone-else", is_staff=True),
        Compound: summary.compound,
        Condition: summary.condition,
        type(summary): summary,
        ResearchUpdate: update,
        MedicalAdvisor: MedicalAdvisor.objects.get(user=admin_user),
        # An open report: its form takes a note.
        Feedback: feedback.receive(page="/", message="A sentence reads wrong."),
    }


def _instance(model, content):
    return content.get(model) or model._default_manager.order_by("pk").first()


FORM_PAGES = sorted(
    f"{model._meta.label} {view}" for model in admin.site._registry for view in ("add", "change")
)


def _address(page, content):
    label, view = page.rsplit(" ", 1)
    model = apps.get_model(label)
    name = f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}"
    if view == "add":
        return reverse(name)
    instance = _instance(model, content)
    return reverse(name, args=[instance.pk]) if instance else None


def _body(data):
    pairs = []
    for key, value in data.items():
        for item in value if isinstance(value, list) else [value]:
            raw = item if isinstance(item, bytes) else str(item).encode("utf-8", "surrogatepass")
            pairs.append(f"{quote(key)}={quote_from_bytes(raw)}")
    return "&".join(pairs)


@pytest.mark.parametrize("page", FORM_PAGES)
def test_every_admin_form_answers_arbitrary_input_below_500_and_never_half_saves(
    admin_client, content, page
):
    address = _address(page, content)
    if address is None:
        pytest.skip("no object to change")
    opened = admin_client.get(address)
    if opened.status_code != 200 or "adminform" not in (opened.context or {}):
        pytest.skip(f"{page} is not a form for this user ({opened.status_code})")
    if 'name="_save"' not in opened.content.decode():
        pytest.skip(f"{page} shows no Save button to this user")
    fields = sorted(form_data(opened, "Save"))

    @FEW
    @given(
        changes=st.dictionaries(
            st.sampled_from(fields) if fields else st.just("name"),
            st.one_of(texts, raw_bytes),
            min_size=1,
            max_size=4,
        )
    )
    def check(changes):
        data = form_data(admin_client.get(address), "Save")
        data.update(changes)
        before = _row_counts()
        response = admin_client.post(
            address, _body(data), content_type="application/x-www-form-urlencoded"
        )
        assert response.status_code < 500
        if response.status_code != 302:
            assert _row_counts() == before

    check()


def _changelists():
    for model in admin.site._registry:
        opts = model._meta
        yield reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")


PARAMETERS = [
    "q",
    "o",
    "p",
    "e",
    "all",
    "_facets",
    "review_state",
    "review_state__exact",
    "review_due",
    "drug_class",
    "drug_class__exact",
    "verdict__exact",
    "evidence_level__exact",
    "compound",
    "condition",
    "compounds",
    "conditions",
    "study_design__exact",
    "year",
    "year__exact",
    "date__year",
    "date__month",
    "date__day",
    "date__gte",
    "at__year",
    "at__month",
    "action__exact",
    "content_type__id__exact",
    "user__id__exact",
    "id__in",
    "pk",
    "name__startswith",
    "_changelist_filters",
    "status",
    "about",
    "object",
    "content_type",
    "object_id",
]


# Numbers past what a 64-bit integer column holds: SQLite could not bind them, and the
# list answered 500 (found by the test below).
TOO_LARGE = {
    "id__in": "9" * 40,
    "pk": "9" * 40,
    "id__gte": str(2**63),
    "user__id__exact": "-" + "9" * 30,
}


@pytest.mark.parametrize("address", sorted(_changelists()))
@pytest.mark.parametrize("parameter", TOO_LARGE)
def test_every_admin_list_answers_a_number_too_large_for_an_id_below_500(
    admin_client, address, parameter
):
    response = admin_client.get(address, {parameter: TOO_LARGE[parameter]})
    assert response.status_code < 500


@pytest.mark.parametrize("address", sorted(_changelists()))
def test_every_admin_list_answers_arbitrary_query_strings_below_500(admin_client, content, address):
    @FEW
    @given(
        query=st.dictionaries(
            st.one_of(st.sampled_from(PARAMETERS), st.text(min_size=1, max_size=10)),
            st.one_of(texts, raw_bytes),
            min_size=1,
            max_size=3,
        )
    )
    def check(query):
        before = _row_counts()
        response = admin_client.get(address + "?" + _body(query))
        assert response.status_code < 500
        assert _row_counts() == before

    check()


@FEW
@given(term=st.one_of(texts, raw_bytes), field=st.sampled_from(["compound", "condition", "x"]))
def test_autocomplete_answers_arbitrary_terms_below_500(admin_client, content, term, field):
    query = {
        "app_label": "compounds",
        "model_name": "evidencesummary",
        "field_name": field,
        "term": term,
    }
    assert admin_client.get(reverse("admin:autocomplete") + "?" + _body(query)).status_code < 500


@pytest.mark.parametrize("where", ["autocomplete", "list"])
def test_a_search_longer_than_anyone_types_is_refused_with_a_reason(admin_client, content, where):
    # SQLite refuses a LIKE pattern of over 50,000 bytes: it was a server error.
    term = "x" * 60_000
    if where == "autocomplete":
        query = {"app_label": "compounds", "model_name": "evidencesummary"}
        query.update(field_name="compound", term=term)
        response = admin_client.get(reverse("admin:autocomplete") + "?" + _body(query))
        assert response.status_code == 400
        assert "more than 1,000 characters" in response.json()["error"]
    else:
        response = admin_client.get(
            reverse("admin:compounds_compound_changelist"), {"q": term}, follow=True
        )
        assert response.status_code == 200
        assert "more than 1,000 characters" in response.content.decode()


@pytest.fixture
def live_content(content, admin_user):
    """The content published, so the public addresses have pages behind them."""
    author = type(admin_user).objects.create_user("author", is_staff=True)
    for obj in (content[Compound], content[Condition], *content.values()):
        if not isinstance(obj, Publishable) or obj.is_live:
            continue
        obj.editors_since_approval = [author.pk]
        obj.save()
        workflow.submit(obj, admin_user)
        workflow.approve(obj, admin_user)
    return content


PUBLIC_PATHS = [
    "/",
    "/compounds/",
    "/compounds/{compound}/",
    "/compounds/{compound}/{condition}/does-it-work/",
    "/compounds/{compound}/{condition}/safety/",
    "/compounds/{text}/",
    "/compounds/{compound}/{text}/interactions/",
    "/conditions/",
    "/conditions/{condition}/",
    "/conditions/{text}/",
    "/research/",
    "/research/{research}/",
    "/research/{text}/",
    "/how-we-grade-evidence/",
    "/search/",
    "/sitemap.xml",
    "/sitemap-{text}.xml",
    "/sitemap-safety-{text}.xml",
    "/robots.txt",
]


@FEW
@given(
    path=st.sampled_from(PUBLIC_PATHS),
    segment=st.one_of(texts, raw_bytes),
    query=st.dictionaries(
        st.one_of(st.sampled_from(["page", "letter", "q", "utm_source"]), st.text(max_size=5)),
        st.one_of(texts, raw_bytes),
        max_size=3,
    ),
)
def test_public_addresses_answer_arbitrary_segments_and_parameters_below_500(
    client, live_content, path, segment, query
):
    raw = segment if isinstance(segment, bytes) else segment.encode("utf-8", "surrogatepass")
    address = path.format(
        compound=live_content[Compound].slug,
        condition=live_content[Condition].slug,
        research=live_content[ResearchUpdate].slug,
        text=quote_from_bytes(raw[:300]),
    )
    response = client.get(address + ("?" + _body(query) if query else ""))
    assert response.status_code < 500


def test_a_number_too_large_for_an_id_is_refused_with_a_reason(admin_client):
    response = admin_client.get(
        reverse("admin:compounds_compound_changelist"), {"id__in": "9" * 40}, follow=True
    )
    assert "is a larger number than any id or count." in response.content.decode()
