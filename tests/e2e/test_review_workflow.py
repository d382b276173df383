"""An edit's way from the admin to the public page, in Chromium, as editors and advisors
click through it: review, the diff, the four-eyes rule and a stale review screen."""

import pytest

from compounds.models import EvidenceSummary, MedicalAdvisor
from tests.factories import CHECKS_NOTED, make_user

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PUBLIC_PAGE = "/compounds/ketamine/leukemia/does-it-work/"
FIRST_EDIT = "A first rewrite of the human evidence, submitted for review."
SECOND_EDIT = "A second rewrite, made while an advisor had the first one open."
OWN_EDIT = "An edit by the approving advisor, which another advisor must approve."


class Browsing:
    """One person's browser session; every page it opens must log no error."""

    def __init__(self, browser, site, errors, username=None):
        self.site = site
        self.page = browser.new_context().new_page()
        self.page.on("console", lambda message: self._console(message, errors))
        self.page.on("pageerror", lambda error: errors.append(str(error)))
        if username:
            self.open("/admin/login/")
            self.page.fill("#id_username", username)
            self.page.fill("#id_password", "pw")
            self.submit("input[type=submit]")

    @staticmethod
    def _console(message, errors):
        # The browser asks every site for /favicon.ico by itself; the admin names none.
        if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
            errors.append(message.text)

    def open(self, path):
        response = self.page.goto(self.site + path)
        assert response.status < 400, path
        return self.page

    def text(self, path=None):
        if path:
            self.open(path)
        return self.page.inner_text("#content, main, body")

    def read(self, path=None):
        """The page's text as it reads, without the labels that tell screen readers
        which words of a diff were inserted or deleted."""
        text = self.text(path).replace("inserted:", "").replace("deleted:", "")
        return " ".join(text.split())

    def edit_and_submit(self, summary, human_evidence):
        self.open(f"/admin/compounds/evidencesummary/{summary.pk}/change/")
        self.page.fill("#id_human_evidence", human_evidence)
        self.submit("input[name=_save_submit]")
        assert "was saved and submitted for review" in self.text()

    def approve_on_review_screen(self, comment=""):
        """Approve, with a comment typed in the approval's box if given (the content
        checks of the seed text ask for one)."""
        if comment:
            self.page.fill("form:has(input[value=Approve]) textarea[name=comment]", comment)
        self.submit("input[type=submit][value=Approve]")
        return self.text()

    def submit(self, button):
        """Press a form's button and wait for the page the post leads to."""
        with self.page.expect_navigation(wait_until="load"):
            self.page.click(button)


def test_an_edit_reaches_the_public_page_only_once_another_advisor_approves_what_they_saw(
    site, browser
):
    summary = EvidenceSummary.objects.get(compound__slug="ketamine", condition__slug="leukemia")
    review_screen = f"/admin/compounds/evidencesummary/{summary.pk}/review/"
    make_user("eve", "Editor")
    approver = make_user("amara", "Medical Advisor")
    MedicalAdvisor.objects.create(
        user=approver, display_name="Amara Okafor", slug="amara-okafor", credentials="MD, PhD"
    )
    errors = []
    reader = Browsing(browser, site, errors)
    old_text = summary.human_evidence[:60]
    assert old_text in reader.text(PUBLIC_PAGE)

    # The editor edits the approved summary; patients still read the approved text.
    editor = Browsing(browser, site, errors, "eve")
    editor.edit_and_submit(summary, FIRST_EDIT)
    public = reader.text(PUBLIC_PAGE)
    assert old_text in public and FIRST_EDIT not in public

    # An advisor opens the review screen; the editor changes the text again meanwhile.
    stale = Browsing(browser, site, errors, "seed-advisor")
    assert FIRST_EDIT in stale.read(review_screen)
    editor.edit_and_submit(summary, SECOND_EDIT)

    # Approving from the screen opened before that edit is refused, showing the new diff
    # (the seed's open content checks make the comment box required: the browser asks).
    stale.approve_on_review_screen(comment=CHECKS_NOTED)
    refused = stale.read()
    assert "eve changed" in refused.lower()
    assert "after you opened revision" in refused
    assert SECOND_EDIT in refused
    assert SECOND_EDIT not in reader.text(PUBLIC_PAGE)

    # Another advisor reviews the diff as it is, and approves it.
    advisor = Browsing(browser, site, errors, "amara")
    advisor.open(review_screen)
    approved_side, working_side = advisor.page.locator(".review-diff tbody td").all()[:2]
    assert old_text[:30] in approved_side.inner_text()
    assert SECOND_EDIT.split()[1] in working_side.locator("ins").first.inner_text()
    approved = advisor.approve_on_review_screen(comment=CHECKS_NOTED)
    assert "is live: patients now read this version" in approved
    public = reader.text(PUBLIC_PAGE)
    assert SECOND_EDIT in public
    assert "Medically reviewed by Amara Okafor, MD, PhD" in public

    # The same advisor edits it, and may not approve their own edit.
    advisor.edit_and_submit(summary, OWN_EDIT)
    screen = advisor.text(review_screen)
    # Approval of one's own edit is not offered: the screen says why instead.
    assert "four-eyes rule" in screen
    assert advisor.page.locator("input[type=submit][value=Approve]").count() == 0
    public = reader.text(PUBLIC_PAGE)
    assert SECOND_EDIT in public and OWN_EDIT not in public

    # No page visited, public or admin, logged an error or a refused load (CSP).
    assert errors == []
