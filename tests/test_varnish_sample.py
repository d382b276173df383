"""The sample Varnish in front (deploy/varnish.vcl) keeps public pages until a decision
changes them: a real varnishd runs the sample in front of the live app, the app purges
it after each decision (pages/edge.py), and decisions are taken in the admin as a
browser posts them.

varnishd and varnish-modules are Debian's: where they are missing the test is skipped
with the reason, unless REQUIRE_E2E is set (.ci/run installs them).
"""

import http.client
import os
import time
from urllib.parse import urlsplit

import pytest
from django.http import HttpResponse
from django.urls import include, path, reverse

from compounds.models import EvidenceSummary, PublicationChange
from compounds.review import workflow
from pages.cache import cached_page
from tests import served
from tests.admin_forms import form_data, submit
from tests.factories import (
    approve_as,
    confirming,
    make_reference,
    make_summary,
    make_user,
    save_edit,
)

# Serialized rollback: each test starts from the database as migrate left it (the roles'
# groups and their permissions), as the other transactional tests do.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

FRESH_WITHIN = 1.0
OLD_TEXT = "Two randomized trials found a small benefit."
NEW_TEXT = "A third randomized trial found no benefit."


def _sets_a_cookie(request):
    response = HttpResponse("A page for one visitor.")
    response.set_cookie("visitor", "1")
    return response


# The site, and a cacheable page that sets a cookie (none of the site's does).
urlpatterns = [
    path("with-cookie/", cached_page(_sets_a_cookie, tags=lambda *args: ["test"])),
    path("", include("insightswarm.urls")),
]


@pytest.fixture
def varnish(live_server, settings, tmp_path):
    """The sample Varnish in front of the live app, which purges it."""
    settings.ROOT_URLCONF = __name__
    port = served.free_port()
    command = served.varnish_command(tmp_path, port, urlsplit(live_server.url).port)
    settings.EDGE_CACHE = "varnish"
    settings.EDGE_PURGE_URLS = [f"http://127.0.0.1:{port}/"]
    # Each change purged once: no timer left running after the test.
    settings.EDGE_SETTLE_SECONDS = 0
    with served.running(command, dict(os.environ), port, tmp_path / "varnish.log"):
        yield port


def fetch(port, target, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", target, headers={"Host": "127.0.0.1", **(headers or {})})
        answer = connection.getresponse()
        return answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read()
    finally:
        connection.close()


def from_cache(headers):
    # X-Varnish names this request and, for a hit, the one that stored the page.
    return headers.get("x-cache") == "HIT" and len(headers["x-varnish"].split()) == 2


def _review(summary):
    return f"/compounds/{summary.compound.slug}/{summary.condition.slug}/does-it-work/"


def _live_pair(editor, advisor, text):
    summary = make_summary(human_evidence=text)
    make_reference(summary)
    approve_as(summary, editor, advisor)
    return EvidenceSummary.objects.get(pk=summary.pk)


def _seconds_until(port, page, fresh):
    """How long after now the page served is `fresh(status, body)`; fails past the bound."""
    start = time.monotonic()
    while True:
        status, headers, body = fetch(port, page)
        elapsed = time.monotonic() - start
        if fresh(status, body):
            return elapsed
        assert elapsed < FRESH_WITHIN, (status, headers)
        time.sleep(0.02)


def test_a_page_is_kept_until_an_approval_or_a_withdrawal_changes_it(varnish, client):
    editor = make_user("erin", "Editor")
    advisor = make_user("ada", "Medical Advisor", byline=True, first_name="Ada", last_name="Byrne")
    changed = _live_pair(editor, advisor, OLD_TEXT)
    untouched = _live_pair(editor, advisor, OLD_TEXT)
    page, other = _review(changed), _review(untouched)
    for address in (page, other):
        status, headers, body = fetch(varnish, address)
        assert (status, headers["x-cache"]) == (200, "MISS")
        assert OLD_TEXT in body.decode()
        # The tags are the cache's own business.
        assert "xkey" not in headers
        status, headers, _ = fetch(varnish, address)
        assert status == 200 and from_cache(headers), headers

    # The advisor approves an edit in the admin.
    workflow.submit(save_edit(changed, editor, human_evidence=NEW_TEXT), editor)
    client.force_login(advisor)
    review = client.get(reverse("admin:compounds_evidencesummary_review", args=[changed.pk]))
    comment = confirming(changed)
    submit(client, review, "Approve", **({"comment": comment} if comment else {}))
    assert EvidenceSummary.objects.get(pk=changed.pk).review_state == "approved"
    approved = _seconds_until(varnish, page, lambda s, body: NEW_TEXT in body.decode())
    print(f"fresh at the edge {approved * 1000:.0f} ms after the approval")
    # The approved page is kept in turn; the other pair's never left.
    assert from_cache(fetch(varnish, page)[1])
    status, headers, body = fetch(varnish, other)
    assert status == 200 and from_cache(headers)
    assert OLD_TEXT in body.decode()

    # ... and withdraws the pair.
    change = reverse("admin:compounds_evidencesummary_change", args=[changed.pk])
    page_of_change = client.get(change)
    ask = client.post(
        change, form_data(page_of_change, "Run", **{"CHANGE_FORM-action": "withdraw"})
    )
    confirm = client.get(ask["Location"]) if ask.status_code == 302 else ask
    data = form_data(confirm, "Withdraw from the public site", comment="Under re-review.")
    client.post(data.action or confirm.wsgi_request.path, data)
    assert EvidenceSummary.objects.get(pk=changed.pk).review_state == "withdrawn"
    withdrawn = _seconds_until(varnish, page, lambda s, body: s == 404)
    print(f"gone from the edge {withdrawn * 1000:.0f} ms after the withdrawal")
    assert from_cache(fetch(varnish, other)[1])


def test_the_admin_a_cookie_and_a_page_that_sets_one_are_never_kept(varnish):
    for _ in range(2):
        status, headers, _ = fetch(varnish, "/admin/login/")
        assert status == 200 and not from_cache(headers), headers
        assert headers["x-cache"] == "MISS"
    # A page that sets a cookie is not kept, though the app gave it tags.
    for _ in range(2):
        status, headers, _ = fetch(varnish, "/with-cookie/")
        assert status == 200 and "visitor=1" in headers["set-cookie"]
        assert headers["x-cache"] == "MISS"
    # A request with a cookie (someone signed in) gets the app's page, not the kept one.
    fetch(varnish, "/how-we-grade-evidence/")
    assert from_cache(fetch(varnish, "/how-we-grade-evidence/")[1])
    status, headers, _ = fetch(varnish, "/how-we-grade-evidence/", {"Cookie": "sessionid=x"})
    assert status == 200 and not from_cache(headers)


def test_a_purge_from_outside_the_acl_or_without_tags_is_refused(varnish):
    connection = http.client.HTTPConnection("127.0.0.1", varnish, timeout=30)
    connection.request("PURGE", "/", headers={"Host": "127.0.0.1"})
    assert connection.getresponse().status == 400
    connection.close()
    acl = served.ROOT / "deploy" / "varnish.vcl"
    assert 'acl purgers {\n    "127.0.0.1";\n    "::1";\n}' in acl.read_text()


def test_the_deciding_process_purges_each_change_again_once_it_has_settled(varnish, settings):
    """A page rendered from the content before a decision may reach Varnish after the
    purge: the process that took the decision purges again EDGE_SETTLE_SECONDS later."""
    settings.EDGE_SETTLE_SECONDS = 1.5
    editor = make_user("erin", "Editor")
    advisor = make_user("ada", "Medical Advisor", byline=True)
    page = _review(_live_pair(editor, advisor, OLD_TEXT))
    change = PublicationChange.objects.latest("id")
    assert change.edge_pending
    fetch(varnish, page)
    assert from_cache(fetch(varnish, page)[1])
    deadline = time.monotonic() + 10
    while PublicationChange.objects.filter(pk=change.pk, edge_pending=True).exists():
        assert time.monotonic() < deadline, "the change was not purged again"
        time.sleep(0.1)
    # The copy kept after the first purge went with the second.
    assert fetch(varnish, page)[1]["x-cache"] == "MISS"


def test_a_kept_page_is_served_while_the_app_fails_and_nothing_else_is(tmp_path):
    """Grace: once a page's lifetime has passed, Varnish serves its copy while the app
    cannot answer. The sample's lifetime of a day is made a second here; the app is a
    server that answers as the site does, stopped halfway."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from threading import Thread

    class Page(BaseHTTPRequestHandler):
        def do_GET(self):
            body = b"A kept page."
            self.send_response(200 if self.path == "/kept/" else 404)
            if self.path == "/kept/":
                self.send_header("xkey", "test site")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    app = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    Thread(target=app.serve_forever, daemon=True).start()
    port = served.free_port()
    command = served.varnish_command(
        tmp_path, port, app.server_address[1], {"set beresp.ttl = 1d;": "set beresp.ttl = 1s;"}
    )
    with served.running(command, dict(os.environ), port, tmp_path / "varnish.log"):
        assert fetch(port, "/kept/")[0] == 200
        assert fetch(port, "/missing/")[0] == 404
        app.shutdown()
        app.server_close()
        time.sleep(1.5)
        for _ in range(3):
            status, headers, body = fetch(port, "/kept/")
            assert (status, body) == (200, b"A kept page."), headers
        assert fetch(port, "/missing/")[0] == 503
