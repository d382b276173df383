"""The readers' reports queue: on the admin home page, answered and closed with a note on
each report's page, by editors and medical advisors alike; a closed report is a record."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from compounds.feedback import service
from compounds.feedback.admin import reports_about_url
from compounds.models import Compound, EvidenceSummary, Feedback
from tests.admin_forms import form_data, press, submit
from tests.factories import make_summary, make_user

pytestmark = pytest.mark.django_db

ROLES = {"editor": "Editor", "advisor": "Medical Advisor"}
CLOSE = "Close with this note"


def _report(message, days_ago=0, about=None, **fields):
    report = service.receive(page=fields.pop("page", "/"), message=message, about=about, **fields)
    Feedback.objects.filter(pk=report.pk).update(
        received_at=timezone.now() - datetime.timedelta(days=days_ago)
    )
    report.refresh_from_db()
    return report


def _about(summary):
    return service.About(EvidenceSummary, summary.pk, str(summary))


def _change_url(report):
    return reverse("admin:compounds_feedback_change", args=[report.pk])


QUEUE = "/admin/compounds/feedback/"


@pytest.fixture
def signed_in(client):
    def sign_in(role="advisor"):
        user = make_user(role, ROLES[role])
        client.force_login(user)
        return user

    return sign_in


def test_the_admin_home_lists_the_open_reports_the_longest_waiting_first(client, signed_in):
    signed_in()
    summary = make_summary()
    newer = _report("A typo in the takeaways.", days_ago=1, about=_about(summary))
    older = _report("The list has a dead link.", days_ago=5, page="/compounds/")
    closed = _report("Already dealt with.", days_ago=9)
    service.close(closed, get_user_model().objects.get(), "Fixed.")

    home = client.get(reverse("admin:index"))

    reports = home.context["readers_reports"]
    assert reports["count"] == 2
    assert [item.url for item in reports["items"]] == [_change_url(older), _change_url(newer)]
    assert [item.about for item in reports["items"]] == ["/compounds/", str(summary)]
    page = home.content.decode()
    assert "Reports from readers" in page and "2 open, the longest waiting first." in page
    assert f'<a href="{_change_url(newer)}">{summary}</a>' in page
    assert "Already dealt with." not in page


def test_staff_without_the_grant_see_no_reports(client):
    user = get_user_model().objects.create_user("clerk", password="x", is_staff=True)
    client.force_login(user)
    _report("Hidden from the clerk.")
    home = client.get(reverse("admin:index"))
    assert home.context["readers_reports"] is None
    assert "Reports from readers" not in home.content.decode()
    assert client.get(QUEUE).status_code == 403


def test_the_queue_lists_open_reports_unless_asked_for_others(client, signed_in):
    user = signed_in()
    waiting = _report("Waiting.", days_ago=2)
    done = _report("Done.", days_ago=3)
    service.close(done, user, "Corrected.")

    def listed(query=""):
        return [row.pk for row in client.get(QUEUE + query).context["cl"].result_list]

    assert listed() == [waiting.pk]
    assert listed("?status=closed") == [done.pk]
    assert listed("?status=all") == [done.pk, waiting.pk]


@pytest.mark.parametrize("role", ROLES)
def test_a_report_is_answered_and_closed_with_a_note(client, signed_in, role):
    user = signed_in(role)
    report = _report("The dose in the second study is wrong.", about=_about(make_summary()))
    note = "Checked against the paper: the dose was wrong, corrected in the draft."

    response = press(client, _change_url(report), CLOSE, note=note)

    assert response.status_code == 302
    assert response["Location"] == QUEUE
    report.refresh_from_db()
    assert (report.status, report.note, report.closed_by) == (Feedback.Status.CLOSED, note, user)
    assert report.closed_at is not None
    assert "Closed: " in client.get(response["Location"]).content.decode()


def test_a_closed_report_is_a_record_nobody_changes(client, signed_in):
    user = signed_in()
    report = _report("A wrong date.")
    service.close(report, user, "Fixed the date.")
    page = client.get(_change_url(report))
    assert page.status_code == 200
    html = page.content.decode()
    assert CLOSE not in html and 'name="_save"' not in html
    assert "Back to the reports" in html and "Fixed the date." in html
    crafted = client.post(_change_url(report), {"note": "Rewritten", "_close": "1"})
    assert crafted.status_code == 403
    report.refresh_from_db()
    assert report.note == "Fixed the date."


def test_closing_without_a_note_is_refused(client, signed_in):
    signed_in()
    report = _report("Something reads oddly.")
    response = press(client, _change_url(report), CLOSE, note="  ")
    assert response.status_code == 200
    assert service.NOTE_NEEDED in response.content.decode()
    report.refresh_from_db()
    assert report.is_open


def test_save_keeps_the_report_open_with_its_note(client, signed_in):
    signed_in()
    report = _report("A missing reference.")
    response = press(client, _change_url(report), "Save", note="Asked the editor to look.")
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.is_open, report.note) == (True, "Asked the editor to look.")


def test_a_report_closed_meanwhile_keeps_the_first_note(client, signed_in):
    signed_in()
    report = _report("A broken link.")
    page = client.get(_change_url(report))
    other = make_user("advisor2", "Medical Advisor")
    service.close(report, other, "Fixed by the other advisor.")

    response = submit(client, page, CLOSE, note="Fixed it myself.")

    assert response.status_code == 403
    report.refresh_from_db()
    assert (report.note, report.closed_by) == ("Fixed by the other advisor.", other)


def test_two_closings_at_once_keep_the_first():
    first, second = make_user("one", "Medical Advisor"), make_user("two", "Editor")
    report = _report("Typo.")
    stale = Feedback.objects.get(pk=report.pk)
    service.close(report, first, "First.")
    with pytest.raises(service.AlreadyClosed):
        service.close(stale, second, "Second.")
    assert Feedback.objects.get(pk=report.pk).note == "First."


def test_the_reports_about_one_object_are_listed_together(client, signed_in):
    signed_in()
    summary, other = make_summary(), make_summary()
    mine = [_report(f"About it {n}.", about=_about(summary), days_ago=n) for n in (1, 2)]
    _report("About another.", about=_about(other))
    _report("About no object.")

    page = client.get(_change_url(mine[0]))
    html = page.content.decode()
    summary_page = reverse("admin:compounds_evidencesummary_change", args=[summary.pk])
    assert f'<a href="{summary_page}">{summary}</a>' in html
    every = html.split("every report about it")[0].rsplit('href="', 1)[1].split('"')[0]
    listed = client.get(every.replace("&amp;", "&")).context["cl"].result_list
    assert sorted(row.pk for row in listed) == sorted(report.pk for report in mine)


def test_the_queue_filters_by_the_kind_of_page(client, signed_in):
    signed_in()
    summary = make_summary()
    on_pair = _report("On a pair page.", about=_about(summary))
    on_compound = _report(
        "On a compound page.",
        about=service.About(Compound, summary.compound.pk, str(summary.compound)),
    )
    elsewhere = _report("On the home page.")

    def listed(kind):
        rows = client.get(QUEUE, {"about": kind}).context["cl"].result_list
        return [row.pk for row in rows]

    assert listed("evidencesummary") == [on_pair.pk]
    assert listed("compound") == [on_compound.pk]
    assert listed("nothing") == [elsewhere.pk]


def test_nobody_adds_a_report_in_the_admin(admin_client, client, signed_in):
    assert admin_client.get("/admin/compounds/feedback/add/").status_code == 403
    signed_in()
    assert client.get("/admin/compounds/feedback/add/").status_code == 403


def test_a_cleared_text_reads_as_cleared(client, signed_in):
    user = signed_in()
    report = _report("Personal details here.")
    service.close(report, user, "Answered.")
    Feedback.objects.filter(pk=report.pk).update(message="")
    assert "(cleared" in client.get(_change_url(report)).content.decode()
    assert "(cleared)" in client.get(QUEUE + "?status=closed").content.decode()


def test_the_form_posts_only_the_note(client, signed_in):
    signed_in()
    report = _report("Text.", email="reader@example.org")
    data = form_data(client.get(_change_url(report)), CLOSE, note="Done.")
    assert set(data) == {"csrfmiddlewaretoken", "note", "_close"}


def test_an_objects_review_screen_and_change_form_show_its_open_reports(client, signed_in):
    user = signed_in()
    summary = make_summary()
    _report("One.", about=_about(summary))
    _report("Two.", about=_about(summary))
    service.close(_report("Done.", about=_about(summary)), user, "Fixed.")
    _report("About another.", about=_about(make_summary()))

    for view in ("review", "change"):
        url = reverse(f"admin:compounds_evidencesummary_{view}", args=[summary.pk])
        html = client.get(url).content.decode()
        assert "2 open reports from readers</a> about this." in html, view
    every = reports_about_url(ContentType.objects.get_for_model(summary).pk, summary.pk)
    assert every in html.replace("&amp;", "&")


def test_an_object_without_open_reports_says_nothing_of_them(client, signed_in):
    signed_in()
    summary = make_summary()
    url = reverse("admin:compounds_evidencesummary_change", args=[summary.pk])
    assert "from readers" not in client.get(url).content.decode()


@pytest.mark.parametrize("query", ["object=abc", "object=1.99999999999999999999999", "object_id=9"])
def test_a_crafted_object_filter_answers_below_500(client, signed_in, query):
    signed_in()
    _report("One.")
    assert client.get(f"{QUEUE}?{query}").status_code in (200, 400)
