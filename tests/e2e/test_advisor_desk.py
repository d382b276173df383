"""The advisor's desk in Chromium: from sign-in to an approval in three clicks, the
emails around it, and an earlier version compared and restored as a draft."""

import pytest
from django.core import mail

from compounds.models import Condition, EvidenceSummary
from tests.e2e.test_review_workflow import Browsing
from tests.factories import make_user

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PUBLIC_PAGE = "/compounds/ketamine/leukemia/does-it-work/"


def test_an_advisor_approves_a_one_word_change_in_three_clicks_and_versions_can_be_restored(
    site, browser
):
    summary = EvidenceSummary.objects.get(compound__slug="ketamine", condition__slug="leukemia")
    leukemia = Condition.objects.get(slug="leukemia")
    editor_user = make_user("eve", "Editor")
    editor_user.first_name, editor_user.last_name = "Eve", "Editor"
    editor_user.email = "eve@example.org"
    editor_user.save()
    advisor_user = make_user("amara", "Medical Advisor", byline=True)
    advisor_user.email = "amara@example.org"
    advisor_user.save()
    errors = []

    # The editor changes one word of the summary, and the condition's specialist.
    editor = Browsing(browser, site, errors, "eve")
    old = summary.human_evidence
    assert "no published study" in old
    editor.edit_and_submit(summary, old.replace("no published study", "no published trial"))
    editor.open(f"/admin/compounds/condition/{leukemia.pk}/change/")
    editor.page.fill("#id_specialist", "hematologist")
    editor.submit("input[name=_save_submit]")
    submitted = [m for m in mail.outbox if "Waiting for your review" in m.subject]
    assert submitted and all("amara@example.org" in m.to for m in submitted)
    assert all("eve@example.org" not in m.to for m in submitted)

    # Sign in: the home page lists the item with its submitter and age.
    advisor = Browsing(browser, site, errors, "amara")
    home = advisor.text()
    assert "Ketamine (IV / Esketamine) for Leukemia" in home
    assert "Eve Editor" in home and "minute" in home
    # Click 1: open it. The one changed word is marked.
    advisor.submit("a:text('Ketamine (IV / Esketamine) for Leukemia')")
    inserted = advisor.page.locator("table.review-diff ins").all_inner_texts()
    assert [text.replace("inserted:", "").strip() for text in inserted] == ["trial"]
    # ... and so is it in the sentence patients will read, beside the byline's new name.
    read = advisor.page.locator(".patient-text li.changed ins").all_inner_texts()
    assert "trial" in [text.replace("inserted:", "").strip() for text in read]
    # Click 2: approve, with a comment; the next item of the queue opens.
    advisor.page.fill("#approval-comment", "One word, checked.")
    advisor.submit("input[type=submit][value=Approve]")
    assert f"/admin/compounds/condition/{leukemia.pk}/review/" in advisor.page.url
    assert "is live: patients now read this version" in advisor.text()
    assert "no published trial" in Browsing(browser, site, errors).text(PUBLIC_PAGE)

    # The editor is told, with the advisor's comment.
    (approved,) = [m for m in mail.outbox if m.subject.startswith("[Insight Swarm] Approved")]
    assert approved.to == ["eve@example.org"] and "One word, checked." in approved.body

    # Version 1 compared with version 2, then restored as a draft; the public page stays.
    editor.open(f"/admin/compounds/evidencesummary/{summary.pk}/versions/")
    assert "One word, checked." in editor.text()
    editor.submit("button:text('Compare')")
    assert editor.page.locator(".review-diff ins").all_inner_texts()
    editor.open(f"/admin/compounds/evidencesummary/{summary.pk}/versions/1/restore/")
    editor.submit("input[type=submit]")
    assert "is now the working copy, as a draft" in editor.text()
    summary.refresh_from_db()
    assert summary.human_evidence == old and summary.review_state == "draft"
    assert "no published trial" in Browsing(browser, site, errors).text(PUBLIC_PAGE)

    assert errors == []
