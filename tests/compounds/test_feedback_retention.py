"""Readers' personal data is kept only as long as the settings say: `manage.py
clear_old_feedback` clears every address past FEEDBACK_EMAIL_RETENTION_DAYS and the text
of every closed report past FEEDBACK_TEXT_RETENTION_DAYS, and keeps the rest."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from compounds.feedback import service
from compounds.models import Feedback
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _report(days_ago, email="reader@example.org", closed_days_ago=None):
    report = service.receive(page="/", message=f"Sent {days_ago} days ago.", email=email)
    now = timezone.now()
    Feedback.objects.filter(pk=report.pk).update(
        received_at=now - datetime.timedelta(days=days_ago)
    )
    if closed_days_ago is not None:
        service.close(report, make_user(f"closer{report.pk}", "Editor"), "Answered.")
        Feedback.objects.filter(pk=report.pk).update(
            closed_at=now - datetime.timedelta(days=closed_days_ago)
        )
    return report


def _cleared():
    out = io.StringIO()
    call_command("clear_old_feedback", stdout=out)
    return out.getvalue()


def _row(report):
    report.refresh_from_db()
    return report.email, report.message


def test_addresses_past_the_setting_are_cleared_and_newer_ones_kept(settings):
    settings.FEEDBACK_EMAIL_RETENTION_DAYS = 30
    old, recent = _report(31), _report(29)
    told = _cleared()
    assert _row(old) == ("", "Sent 31 days ago.")
    assert _row(recent) == ("reader@example.org", "Sent 29 days ago.")
    assert told.startswith("Cleared 1 email address kept over 30 days")


def test_the_text_of_a_report_closed_past_the_setting_is_cleared(settings):
    settings.FEEDBACK_TEXT_RETENTION_DAYS = 100
    settings.FEEDBACK_EMAIL_RETENTION_DAYS = 1000
    long_closed = _report(400, closed_days_ago=101)
    lately_closed = _report(400, closed_days_ago=99)
    still_open = _report(400)
    told = _cleared()
    assert _row(long_closed) == ("reader@example.org", "")
    assert _row(lately_closed)[1] == "Sent 400 days ago."
    # An open report keeps what is wrong until someone deals with it.
    assert _row(still_open)[1] == "Sent 400 days ago."
    assert "1 closed report text kept over 100 days" in told
    long_closed.refresh_from_db()
    assert (long_closed.note, long_closed.page) == ("Answered.", "/")


def test_the_defaults_keep_addresses_90_days():
    old, recent = _report(91), _report(89)
    _cleared()
    assert _row(old)[0] == ""
    assert _row(recent)[0] == "reader@example.org"


def test_running_it_again_clears_nothing_more(settings):
    _report(200)
    _cleared()
    assert _cleared().startswith("Cleared 0 email addresses")
