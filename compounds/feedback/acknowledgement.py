"""The one email a reader gets for a report: that it arrived.

It repeats nothing the reader wrote, names only what the page is about (a name the
site publishes), and invites no reply: whoever typed an address that is not theirs
into the form makes the site send its owner a short, harmless note, at most one a day
(ACKNOWLEDGEMENTS_A_DAY), never their text. Sent once the report is saved; a failure
is logged without the address, and the report stands.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMessage

from compounds.feedback import limits

log = logging.getLogger(__name__)

SUBJECT = "[Insight Swarm] We got your report"
# At most this many acknowledgements to one address a day, however many reports name it.
ACKNOWLEDGEMENTS_A_DAY = 1
DAY = 24 * 3600


def body(feedback):
    where = f"our page about {feedback.about_name}" if feedback.about_name else "a page of our site"
    days = settings.FEEDBACK_EMAIL_RETENTION_DAYS
    return (
        f"Thank you for telling us about a problem with {where}.\n"
        "\n"
        "An editor will read your report and check the page. We do not answer each "
        "report one by one, and you do not need to reply to this email.\n"
        "\n"
        f"We keep your email address for {days} days, then delete it. If you did not send "
        "a report, you can ignore this email.\n"
        "\n"
        "Insight Swarm\n"
        f"{settings.SITE_URL}/\n"
    )


def send(feedback):
    """Email the reader that their report arrived, if they gave an address."""
    if not feedback.email:
        return
    if not limits.allow("acknowledgement", feedback.email.lower(), ACKNOWLEDGEMENTS_A_DAY, DAY):
        log.info("Report %s not acknowledged: its address had one today.", feedback.pk)
        return
    try:
        EmailMessage(
            SUBJECT,
            body(feedback),
            settings.FEEDBACK_FROM_EMAIL,
            [feedback.email],
            # An automatic answer (RFC 3834): out-of-office replies are not sent back to it.
            headers={"Auto-Submitted": "auto-replied"},
        ).send()
    except Exception:  # noqa: BLE001 - the report is saved; only the note failed
        log.exception("Could not send the acknowledgement of report %s", feedback.pk)
