"""“Report a problem with this page”: the form on every public page, posted as a browser
posts it, from pages rendered afresh and from pages served out of the page cache.

A report lands in the readers' reports queue tied to what its page is about; a reader who
left an address is acknowledged; and the form, which carries no per-reader token, is
guarded by the origin of the post, a field bots fill, size limits and a limit per
client address.
"""

from urllib.parse import urlencode

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from compounds.feedback import acknowledgement
from compounds.models import (
    Compound,
    Condition,
    EvidenceSummary,
    Feedback,
    PublishedSummary,
    ResearchUpdate,
)
from pages import cache as page_cache
from pages import feedback
from tests import site_wsgi as site
from tests.admin_forms import form_data

pytestmark = pytest.mark.usefixtures("live_seed")

LEUKEMIA = "/compounds/ketamine/leukemia/does-it-work/"
RESEARCH = "/research/low-dose-ketamine-infusions-for-chronic-pain/"
SEND = "Send report"
# What chromium sends with a form posted from a page of the site (tests/e2e walks it).
SAME_ORIGIN = {"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"}


@pytest.fixture(autouse=True)
def fresh_limits():
    """The limits count in the cache: each test starts with none counted."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 3600
    page_cache._cache_down_until = 0.0
    page_cache._refreshed_at = float("-inf")


def _encoded(data):
    return urlencode(data, doseq=True)


def post(client, data, headers=SAME_ORIGIN, **extra):
    """Post the form as a browser encodes it, to where the form says."""
    return client.post(
        data.action,
        _encoded(data),
        content_type="application/x-www-form-urlencoded",
        headers=headers,
        **extra,
    )


def report_from(client, url, **typed):
    page = client.get(url)
    assert page.status_code in (200, 404)
    return post(client, form_data(page, SEND, **typed))


def test_every_kind_of_public_page_carries_the_form(client):
    for url in [
        "/",
        "/compounds/",
        "/compounds/ketamine/",
        "/conditions/leukemia/",
        LEUKEMIA,
        RESEARCH,
        "/how-we-grade-evidence/",
        "/search/?q=ketamine",
        "/no-such-page/",
    ]:
        data = form_data(client.get(url), SEND)
        assert data.action == reverse("pages:report_problem"), url
        assert sorted(data) == ["email", "page", "website", "what"], url
        assert data["page"] == [url]


def test_the_form_is_small_labelled_and_limited(client):
    html = client.get(LEUKEMIA).content.decode()
    start = html.index('<aside class="report-problem')
    form = html[start : html.index("</aside>", start)]
    assert "<details>" in form and "<summary>Report a problem with this page</summary>" in form
    assert '<label for="problem-what">' in form and '<label for="problem-email">' in form
    assert 'maxlength="2000" required' in form
    assert 'type="email" name="email" maxlength="254"' in form
    assert "<script" not in form


def test_a_cached_page_carries_no_token_of_its_reader(cache_on):
    first = site.get(LEUKEMIA)
    again = site.get(LEUKEMIA, headers={"Cookie": "theme=dark"})
    assert (first["X-Page-Cache"], again["X-Page-Cache"]) == ("miss", "hit")
    assert first.content == again.content
    assert "set-cookie" not in again.headers
    data = form_data(again.content.decode(), SEND)
    assert sorted(data) == ["email", "page", "website", "what"]
    assert b"csrfmiddlewaretoken" not in again.content


def test_a_report_from_a_cached_pair_page_lands_tied_to_its_summary(cache_on):
    site.get(LEUKEMIA)
    page = site.get(LEUKEMIA)
    assert page["X-Page-Cache"] == "hit"
    data = form_data(page.content.decode(), SEND, what="The dose in the second study is wrong.")

    answer = site.post(data.action, data, headers=SAME_ORIGIN)

    assert answer.status_code == 303
    summary = EvidenceSummary.objects.get(compound__slug="ketamine", condition__slug="leukemia")
    report = Feedback.objects.get()
    assert (report.page, report.about, report.message) == (
        LEUKEMIA,
        summary,
        "The dose in the second study is wrong.",
    )
    published = PublishedSummary.objects.get(pk=summary.pk)
    assert report.about_name == f"{published.compound_name} for {published.condition_name}"
    assert (report.email, report.status) == ("", Feedback.Status.OPEN)
    thanks = site.get(answer["Location"])
    assert thanks.status_code == 200
    assert b"We got your report" in thanks.content
    assert f'<a href="{LEUKEMIA}">Back to the page</a>'.encode() in thanks.content


def test_the_thank_you_page_is_neither_cached_nor_indexed(client, cache_on):
    url = reverse("pages:report_sent") + f"?page={LEUKEMIA}"
    answers = [site.get(url), site.get(url)]
    assert [answer.get("X-Page-Cache") for answer in answers] == [None, None]
    assert "no-store" in answers[0]["Cache-Control"]
    assert answers[0]["X-Accel-Expires"] == "0"
    assert answers[0]["X-Robots-Tag"] == "noindex, nofollow"
    assert b'<meta name="robots" content="noindex, nofollow">' in answers[0].content
    assert "Disallow: /report-a-problem/" in client.get("/robots.txt").content.decode()


@pytest.mark.parametrize(
    "url, model, slug",
    [
        ("/compounds/ketamine/", Compound, "ketamine"),
        ("/conditions/leukemia/", Condition, "leukemia"),
        (RESEARCH, ResearchUpdate, "low-dose-ketamine-infusions-for-chronic-pain"),
        ("/compounds/ketamine/leukemia/safety/", EvidenceSummary, None),
    ],
)
def test_a_report_is_tied_to_what_its_page_is_about(client, url, model, slug):
    response = report_from(client, url, what="A sentence here reads wrong.")
    assert response.status_code == 303
    report = Feedback.objects.get()
    expected = (
        model.objects.get(slug=slug)
        if slug
        else model.objects.get(compound__slug="ketamine", condition__slug="leukemia")
    )
    assert report.about == expected
    assert report.about_name == str(expected)


@pytest.mark.parametrize("url", ["/", "/compounds/?letter=k", "/search/?q=ketamine", "/no-page/"])
def test_a_report_from_a_page_about_no_one_object_keeps_its_address(client, url):
    assert report_from(client, url, what="Something is off here.").status_code == 303
    report = Feedback.objects.get()
    assert (report.page, report.content_type, report.object_id, report.about_name) == (
        url,
        None,
        None,
        "",
    )


def test_the_address_kept_drops_what_is_not_part_of_a_page(client):
    data = form_data(client.get("/search/?q=ketamine&utm_source=mail"), SEND, what="Odd.")
    assert post(client, data).status_code == 303
    assert Feedback.objects.get().page == "/search/?q=ketamine"


def test_a_report_from_the_doctors_report_keeps_no_choice_of_its_reader(client):
    # What a reader picked for their doctor says what they live with: never kept.
    chosen = "/report-for-your-doctor/?compound=ketamine&condition=suicidal-ideation"
    data = form_data(client.get(chosen), SEND, what="A date is missing.")
    assert post(client, data).status_code == 303
    assert Feedback.objects.get().page == "/report-for-your-doctor/"


def test_a_reader_who_leaves_an_address_is_told_the_report_came_in(
    client, django_capture_on_commit_callbacks
):
    text = "The trial size in the table is 48, the paper says 84."
    with django_capture_on_commit_callbacks(execute=True):
        report_from(client, LEUKEMIA, what=text, email="reader@example.org")
    (sent,) = mail.outbox
    report = Feedback.objects.get()
    assert sent.to == ["reader@example.org"]
    assert sent.subject == acknowledgement.SUBJECT
    assert sent.extra_headers["Auto-Submitted"] == "auto-replied"
    assert f"our page about {report.about_name}" in sent.body
    assert "90 days" in sent.body
    # Nothing of what the reader wrote goes out to the address typed.
    assert "48" not in sent.body and "trial" not in sent.body
    assert report.email == "reader@example.org"


def test_no_email_goes_out_without_an_address(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report_from(client, LEUKEMIA, what="A typo in the second paragraph.")
    assert mail.outbox == []


def test_an_address_is_acknowledged_once_a_day_however_many_reports_name_it(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for url in (LEUKEMIA, "/compounds/ketamine/"):
            report_from(client, url, what="Wrong date.", email="Someone@Example.org")
        report_from(client, "/", what="Wrong date.", email="someone@example.org")
    assert Feedback.objects.count() == 3
    assert len(mail.outbox) == 1


def test_a_post_that_fills_the_field_bots_fill_is_thanked_and_dropped(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = report_from(
            client,
            LEUKEMIA,
            what="Great site, visit mine",
            email="bot@example.org",
            website="http://spam.example",
        )
    assert response.status_code == 303
    assert response["Location"].startswith(reverse("pages:report_sent"))
    assert Feedback.objects.count() == 0
    assert mail.outbox == []


def test_reports_past_the_limit_of_an_address_are_refused_with_what_was_typed(client, settings):
    settings.FEEDBACK_RATE_LIMIT = 2
    page = client.get(LEUKEMIA)
    data = form_data(page, SEND, what="The second study is missing.")
    answers = [post(client, data) for _ in range(3)]
    assert [answer.status_code for answer in answers] == [303, 303, 429]
    assert answers[2]["Retry-After"] == "3600"
    assert "several reports in a short time" in answers[2].content.decode()
    assert "The second study is missing." in answers[2].content.decode()
    assert Feedback.objects.count() == 2
    # Another reader, at another address, is not held back.
    assert post(client, data, REMOTE_ADDR="192.0.2.7").status_code == 303


def test_behind_the_trusted_proxy_the_limit_counts_each_client(client, settings):
    settings.FEEDBACK_RATE_LIMIT = 1
    settings.TRUSTED_PROXY_COUNT = 1
    data = form_data(client.get(LEUKEMIA), SEND, what="Wrong.")
    for reader in ("198.51.100.1", "198.51.100.2"):
        headers = {**SAME_ORIGIN, "X-Forwarded-For": reader}
        assert post(client, data, headers=headers).status_code == 303
    headers = {**SAME_ORIGIN, "X-Forwarded-For": "203.0.113.9, 198.51.100.1"}
    assert post(client, data, headers=headers).status_code == 429


def test_a_report_longer_than_the_form_takes_is_refused_with_the_text_kept(client):
    text = "x" * 2001
    response = report_from(client, LEUKEMIA, what=text)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Your report was not sent yet." in page
    assert "Please keep it to 2000 characters (it has 2001)." in page
    assert 'aria-invalid="true"' in page
    assert f">{text}</textarea>" in page
    assert Feedback.objects.count() == 0
    # The form on that page posts again, as it stands, about the same page.
    again = form_data(response, SEND, what="x" * 2000)
    assert again["page"] == [LEUKEMIA]
    assert post(client, again).status_code == 303


def test_an_empty_report_and_an_unfinished_address_are_refused(client):
    response = report_from(client, LEUKEMIA, what="  ", email="reader@")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Please say what is wrong on the page." in page
    assert "This email address is not complete" in page
    assert Feedback.objects.count() == 0


def test_what_a_reader_typed_comes_back_as_text_never_as_markup(client):
    typed = "</textarea><script>alert(1)</script>"
    response = report_from(client, LEUKEMIA, what=typed, email="reader@")
    assert response.status_code == 400
    page = response.content.decode()
    assert "<script>alert(1)" not in page
    assert "&lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;</textarea>" in page


def test_a_body_larger_than_any_report_is_refused_unread(client):
    data = form_data(client.get(LEUKEMIA), SEND, what="x" * 40_000)
    response = post(client, data)
    assert response.status_code == 413
    assert Feedback.objects.count() == 0


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://elsewhere.example", "Sec-Fetch-Site": "cross-site"},
        {"Origin": "https://elsewhere.example"},
        {"Origin": "http://testserver", "Sec-Fetch-Site": "same-site"},
        {"Origin": "null", "Referer": "https://elsewhere.example/page"},
        {},
    ],
    ids=["cross-site", "other-origin", "sibling-site", "null-origin", "no-origin"],
)
def test_a_report_posted_from_another_site_is_refused(client, headers):
    data = form_data(client.get(LEUKEMIA), SEND, what="Posted by another site's page.")
    response = post(client, data, headers=headers)
    assert response.status_code == 403
    assert "did not come from a page of this site" in response.content.decode()
    assert Feedback.objects.count() == 0


def test_a_browser_that_sends_only_the_referer_is_believed(client):
    data = form_data(client.get(LEUKEMIA), SEND, what="From an older browser.")
    response = post(client, data, headers={"Referer": f"http://testserver{LEUKEMIA}"})
    assert response.status_code == 303


def test_the_report_address_takes_only_posts(client):
    assert client.get(reverse("pages:report_problem")).status_code == 405


NASTY = ["\x00", "a\x00b", "\ud7ff", "<script>alert(1)</script>", "//evil.example/", "x" * 600]


@pytest.mark.parametrize("field", ["page", "what", "email", "website"])
@pytest.mark.parametrize("value", NASTY)
def test_crafted_values_answer_below_500_and_save_only_a_report(client, field, value):
    data = form_data(client.get(LEUKEMIA), SEND, what="Fine text.")
    data[field] = [value]
    response = post(client, data)
    assert response.status_code < 500
    saved = response.status_code == 303 and field != "website"
    assert Feedback.objects.count() == (1 if saved else 0)


@pytest.mark.parametrize("value", NASTY)
def test_the_thank_you_page_answers_crafted_addresses_below_500(client, value):
    response = client.get(reverse("pages:report_sent"), {"page": value})
    assert response.status_code == 200
    assert "Back to the page" not in response.content.decode()


def test_the_staff_preview_carries_no_form(admin_client):
    summary = EvidenceSummary.objects.get(compound__slug="ketamine", condition__slug="leukemia")
    url = reverse("admin:compounds_evidencesummary_preview", args=[summary.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    assert "report-problem" not in page.content.decode()


def test_the_form_page_resolves_addresses_as_the_site_does():
    assert feedback.page_address("https://elsewhere.example/x") is None
    assert feedback.page_address("//elsewhere.example/x") is None
    assert feedback.page_address("relative/path") is None
    assert feedback.page_address("/compounds/?letter=k&page=2&x=1") == "/compounds/?letter=k&page=2"
    assert feedback.about("/compounds/no-such-compound/") is None
    assert feedback.about("/admin/") is None
