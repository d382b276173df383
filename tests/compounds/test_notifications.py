"""Review emails: who is told of a submission, a change request, an approval and a
withdrawal, what each email says, and the weekly due-for-review digest."""

import datetime
import io

import pytest
from django.core.management import call_command

from compounds.models import Version
from compounds.review import workflow
from tests.factories import make_compound, make_user, save_edit

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    def person(username, role, byline=False):
        user = make_user(username, role, byline)
        user.email = f"{username}@example.org"
        user.first_name, user.last_name = username.title(), "Tester"
        user.save()
        return user

    return {
        "editor": person("editor", "Editor"),
        "advisor": person("advisor", "Medical Advisor", byline=True),
        "advisor2": person("advisor2", "Medical Advisor", byline=True),
        "nomail": make_user("nomail", "Medical Advisor"),
    }


def run(capture, step):
    with capture(execute=True):
        return step()


def test_a_submission_is_mailed_to_the_advisors_who_may_review_it_not_its_author(
    team, mailoutbox, django_capture_on_commit_callbacks
):
    compound = save_edit(make_compound(name="Ketamine", slug="ketamine"), team["editor"])
    run(django_capture_on_commit_callbacks, lambda: workflow.submit(compound, team["editor"]))

    (mail,) = mailoutbox
    assert sorted(mail.to) == ["advisor2@example.org", "advisor@example.org"]
    assert mail.subject == "[Insight Swarm] Waiting for your review: Ketamine"
    assert "Editor Tester submitted the compound “Ketamine” for review." in mail.body
    assert f"/admin/compounds/compound/{compound.pk}/review/" in mail.body


def test_an_advisor_who_edited_the_object_is_not_asked_to_review_it(
    team, mailoutbox, django_capture_on_commit_callbacks
):
    compound = save_edit(make_compound(name="Ketamine", slug="ketamine"), team["advisor"])
    run(django_capture_on_commit_callbacks, lambda: workflow.submit(compound, team["editor"]))

    (mail,) = mailoutbox
    assert mail.to == ["advisor2@example.org"]


def test_a_change_request_is_mailed_to_the_editor_with_the_comment(
    team, mailoutbox, django_capture_on_commit_callbacks
):
    compound = save_edit(make_compound(name="Ketamine", slug="ketamine"), team["editor"])
    workflow.submit(compound, team["editor"])
    run(
        django_capture_on_commit_callbacks,
        lambda: workflow.request_changes(compound, team["advisor"], comment="Cite the label."),
    )

    (mail,) = mailoutbox
    assert mail.to == ["editor@example.org"]
    assert mail.subject == "[Insight Swarm] Changes requested: Ketamine"
    assert "Advisor Tester asked for changes" in mail.body
    assert "Comment:\nCite the label." in mail.body
    assert f"/admin/compounds/compound/{compound.pk}/change/" in mail.body


def test_an_approval_is_mailed_to_whoever_worked_on_it_since_the_last_approval(
    team, mailoutbox, django_capture_on_commit_callbacks
):
    compound = save_edit(make_compound(name="Ketamine", slug="ketamine"), team["editor"])
    workflow.submit(compound, team["editor"])
    run(
        django_capture_on_commit_callbacks,
        lambda: workflow.approve(compound, team["advisor"], comment="Clear and sourced."),
    )

    (mail,) = mailoutbox
    assert mail.to == ["editor@example.org"]
    assert mail.subject == "[Insight Swarm] Approved and published: Ketamine"
    assert "Clear and sourced." in mail.body


def test_a_review_step_that_rolls_back_tells_nobody(team, mailoutbox):
    compound = save_edit(make_compound(name="Ketamine", slug="ketamine"), team["editor"])
    workflow.submit(compound, team["editor"])
    # No commit: the callbacks queued by the step are discarded with its transaction.
    assert mailoutbox == []


def test_a_mail_server_that_is_down_does_not_undo_the_review_step(
    team, mailoutbox, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr("compounds.review.notifications.send_mail", refuse)
    compound = save_edit(make_compound(name="Ketamine", slug="ketamine"), team["editor"])
    run(django_capture_on_commit_callbacks, lambda: workflow.submit(compound, team["editor"]))

    compound.refresh_from_db()
    assert compound.review_state == "in_review"
    assert "Could not send the review email" in caplog.text


def test_a_name_saved_with_a_line_break_still_makes_a_one_line_subject(
    team, mailoutbox, django_capture_on_commit_callbacks
):
    # Older data, saved before names were held to one line.
    compound = save_edit(make_compound(name="Keta\r\nmine  hydrochloride"), team["editor"])
    run(django_capture_on_commit_callbacks, lambda: workflow.submit(compound, team["editor"]))

    (mail,) = mailoutbox
    assert mail.subject == "[Insight Swarm] Waiting for your review: Keta mine hydrochloride"
    assert "“Keta\r\nmine  hydrochloride”" in mail.body


def test_any_failure_to_send_is_logged_with_the_object_and_the_recipients(
    team, mailoutbox, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    def refuse(*args, **kwargs):
        raise ValueError("Header values can't contain newlines")

    monkeypatch.setattr("compounds.review.notifications.send_mail", refuse)
    compound = save_edit(make_compound(name="Ketamine", slug="ketamine"), team["editor"])
    run(django_capture_on_commit_callbacks, lambda: workflow.submit(compound, team["editor"]))

    (record,) = caplog.records
    assert record.exc_info[0] is ValueError
    said = record.getMessage()
    assert "compound “Ketamine”" in said
    assert "advisor@example.org" in said and "advisor2@example.org" in said
    assert mailoutbox == []


def test_the_weekly_digest_lists_what_is_due_to_every_advisor(team, mailoutbox):
    compound = save_edit(make_compound(name="Ketamine", slug="ketamine"), team["editor"])
    workflow.submit(compound, team["editor"])
    workflow.approve(compound, team["advisor"])
    compound.refresh_from_db()
    Version.objects.filter(pk=compound.live_version_id).update(
        next_review_due=datetime.date(2020, 1, 31)
    )

    call_command("review_reminders", stdout=io.StringIO())

    assert sorted(mail.to[0] for mail in mailoutbox) == [
        "advisor2@example.org",
        "advisor@example.org",
    ]
    body = mailoutbox[0].body
    assert "Ketamine (overdue since 31 Jan 2020)" in body
    assert f"/admin/compounds/compound/{compound.pk}/change/" in body


def test_the_weekly_digest_mails_nobody_when_nothing_is_due(team, mailoutbox):
    call_command("review_reminders", stdout=io.StringIO())
    assert mailoutbox == []
