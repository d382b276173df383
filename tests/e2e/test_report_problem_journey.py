"""A reader reports a problem from a pair page served out of the page cache, and a medical
advisor answers and closes the report in the admin: in Chromium, as they would.

The live server answers through the page cache here (pages.cache.CachedPages, as
insightswarm.wsgi serves the site), so the form the reader posts is the one stored once
and served to everyone.
"""

import json
import subprocess
import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.core import mail
from django.core.cache import cache

from compounds.models import EvidenceSummary, Feedback
from insightswarm.wsgi import address_as_sent
from pages import cache as page_cache
from pages.cache import CachedPages
from tests.e2e.journey import DESKTOP, REPORT_VIOLATIONS, admin_url
from tests.e2e.judges import AXE, VNU_JAR, need
from tests.factories import make_user

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PAIR_PAGE = "/compounds/ketamine/leukemia/does-it-work/"
PROBLEM = "The second study enrolled 84 people, not 48."
NOTE = "Checked the paper: 84 is right. Corrected in the draft, sent for review."


@pytest.fixture
def cached_site(site, live_server, settings):
    """The site with its page cache in front, as production serves it."""
    settings.PAGE_CACHE_SECONDS = 3600
    cache.clear()
    page_cache._cache_down_until = 0.0
    page_cache._refreshed_at = float("-inf")
    server = live_server.thread.httpd
    django_app = server.get_app()
    server.set_app(address_as_sent(CachedPages(django_app)))
    yield site
    server.set_app(django_app)
    cache.clear()


def _window(browser, errors, bypass_csp=False):
    page = browser.new_context(viewport=DESKTOP, bypass_csp=bypass_csp).new_page()
    page.set_default_timeout(10_000)
    page.add_init_script(REPORT_VIOLATIONS)
    page.on("console", lambda m: m.type == "error" and errors.append(f"{page.url}: {m.text}"))
    return page


def _submit(page, button):
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name=button, exact=True).click()


def _axe(page):
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "() => axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21aa', 'best-practice']})"
    )
    return [f"{v['id']}: {v['nodes'][0]['html'][:80]}" for v in result["violations"]]


def test_a_reader_reports_a_problem_from_a_cached_page_and_an_advisor_closes_it(
    cached_site, browser
):
    summary = EvidenceSummary.objects.get(compound__slug="ketamine", condition__slug="leukemia")
    advisor_user = make_user("amara", "Medical Advisor", byline=True)
    errors = []

    # The reader opens the page: the second time it comes from the cache.
    reader = _window(browser, errors)
    assert reader.goto(cached_site + PAIR_PAGE).headers["x-page-cache"] == "miss"
    assert reader.goto(cached_site + PAIR_PAGE).headers["x-page-cache"] == "hit"

    # The form is folded away at the foot of the page until asked for.
    assert not reader.get_by_label("What is wrong on this page?").is_visible()
    reader.get_by_text("Report a problem with this page", exact=True).click()
    reader.get_by_label("What is wrong on this page?").fill(PROBLEM)
    reader.get_by_label("Your email (if you want to hear that we got it)").fill(
        "reader@example.org"
    )
    # The field for bots is nowhere a person, or a screen reader, meets it.
    assert not reader.locator("#problem-website").is_visible()
    _submit(reader, "Send report")

    assert reader.url.startswith(cached_site + "/report-a-problem/thank-you/")
    assert "We got your report" in reader.inner_text("main")
    report = Feedback.objects.get()
    assert (report.about, report.page, report.message) == (summary, PAIR_PAGE, PROBLEM)
    (acknowledged,) = mail.outbox
    assert acknowledged.to == ["reader@example.org"] and PROBLEM not in acknowledged.body
    reader.get_by_role("link", name="Back to the page").click()
    assert reader.url == cached_site + PAIR_PAGE

    # The advisor signs in: the report waits on the admin home, under its pair.
    advisor = _window(browser, errors)
    advisor.goto(cached_site + "/admin/login/")
    advisor.get_by_label("Username:").fill("amara")
    advisor.get_by_label("Password:").fill("pw")
    _submit(advisor, "Log in")
    reports = advisor.locator(".readers-reports")
    assert "1 open, the longest waiting first." in reports.inner_text()
    with advisor.expect_navigation(wait_until="load"):
        reports.get_by_role("link", name=str(summary)).click()
    assert PROBLEM in advisor.inner_text("#content")
    advisor.get_by_label("Note:").fill(NOTE)
    _submit(advisor, "Close with this note")

    assert "Closed: " in advisor.inner_text(".messagelist")
    report.refresh_from_db()
    assert (report.status, report.note, report.closed_by) == ("closed", NOTE, advisor_user)
    advisor.goto(cached_site + "/admin/")
    assert "No report from a reader is waiting." in advisor.inner_text(".readers-reports")
    # The report stays on the summary's record, closed.
    advisor.goto(cached_site + admin_url(report, "change"))
    assert NOTE in advisor.inner_text("#content")

    assert errors == []


def test_the_form_and_its_answers_pass_the_outside_judges(cached_site, browser, tmp_path):
    need(AXE.exists(), "axe-core (npm ci)")
    errors = []
    judge = _window(browser, errors, bypass_csp=True)
    violations = {}

    judge.goto(cached_site + PAIR_PAGE)
    judge.get_by_text("Report a problem with this page", exact=True).click()
    violations["the form, open"] = _axe(judge)

    # Spaces pass the browser's "required" and are refused by the site: the form comes
    # back, with the reason, on a page of its own.
    judge.get_by_label("What is wrong on this page?").fill("   ")
    _submit(judge, "Send report")
    assert "Please say what is wrong on the page." in judge.inner_text("main")
    violations["a refused report"] = _axe(judge)

    judge.get_by_label("What is wrong on this page?").fill(PROBLEM)
    _submit(judge, "Send report")
    violations["the thank-you page"] = _axe(judge)
    assert {name: found for name, found in violations.items() if found} == {}

    # The refused report's page, as sent, is valid HTML.
    need(VNU_JAR.exists(), "vnu-jar (npm ci)")
    need(subprocess.run(["java", "-version"], capture_output=True).returncode == 0, "Java")
    request = urllib.request.Request(
        cached_site + "/report-a-problem/",
        data=urllib.parse.urlencode({"page": PAIR_PAGE, "what": "", "email": "x@"}).encode(),
        headers={"Origin": cached_site},
    )
    try:
        urllib.request.urlopen(request, timeout=30)
    except urllib.error.HTTPError as refused:
        assert refused.code == 400
        (tmp_path / "refused.html").write_bytes(refused.read())
    result = subprocess.run(
        ["java", "-jar", str(VNU_JAR), "--format", "json", str(tmp_path / "refused.html")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    assert [m["message"] for m in messages if m["type"] == "error"] == []
    # The refused report's page logs its status (400); nothing else may be logged.
    assert [e for e in errors if "status of 400" not in e] == []
