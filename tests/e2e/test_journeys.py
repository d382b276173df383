"""Each kind of content from the editor's first keystroke to the public site and back, in
Chromium, as editors and medical advisors click through it (the people and the shared
steps are in tests/e2e/journey.py).

One journey a kind: the editor creates it with every inline kind it has and presses each
save button; an advisor asks for changes, pointing at one part; the editor fixes it;
another advisor approves it from the review screen; the public pages and the sitemap
show it; an edit of the live object, saved, leaves the public page as it was; it is
withdrawn, and restored from its versions. After each step the test reads the database
and the public pages, and no page may have logged an error or a Content Security Policy
violation. The review screen and the change form must fit a 390 px phone.
"""

import json
import re

import pytest

from compounds.models import (
    Compound,
    Condition,
    EvidenceSummary,
    ImportBatch,
    ResearchUpdate,
    ReviewEvent,
    ReviewState,
)
from tests.e2e.journey import (
    Edit,
    Journey,
    Review,
    add_url,
    admin_url,
    create_with_each_save_button,
    from_review_to_restore,
)
from tests.factories import GRADE_CONFIRMED

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def journey(site, browser):
    return Journey(browser, site)


# Compound -------------------------------------------------------------------------------


def fill_compound(editor, name="Journey Compound"):
    """A compound's own fields, and a row of each of its inlines."""
    editor.fill("Name:", name)
    editor.fill("Aliases:", "journeymycin")
    editor.fill("Drug class:", "Test class")
    editor.fill("Regulatory status:", "Not approved anywhere.")
    editor.fill("Overall evidence summary:", "Studied in a few small trials.")
    editor.fill("Safety profile:", "Generally tolerated in those trials.")
    editor.add_row("mechanisms", description="A test mechanism of action")
    editor.add_row("safety_notes", category="side_effects", description="A test side effect")
    editor.add_row(
        "monitoring",
        what="A test measurement",
        when="After each dose",
        how_long="Two hours",
        source="A test label, section 5",
    )
    editor.add_row(
        "cautions",
        kind="contraindication",
        description="A test contraindication.",
        source="A test label, section 4",
    )
    editor.add_row(
        "interactions",
        drug="A test drug class",
        severity="moderate",
        effect="A test effect.",
        management="A test management.",
        source="A test label, section 7",
    )


def test_a_compound_from_its_first_draft_to_the_public_site_and_back(journey):
    compound = create_with_each_save_button(
        journey,
        Compound,
        fill_compound,
        {"slug": "journey-compound"},
        "/compounds/journey-compound/",
        [
            Edit("Aliases:", "aliases", "journeymycin, JC-1"),
            Edit("Drug class:", "drug_class", "Test class of drugs"),
        ],
    )
    counts = [getattr(compound, rows).count() for rows in Compound.snapshot_children]
    assert counts == [1, 1, 1, 1, 1]

    from_review_to_restore(
        journey,
        compound,
        Review(
            page="/compounds/journey-compound/",
            about="Safety profile",
            comment="Name the side effects the trials reported in the safety profile.",
            fix=Edit(
                "Safety profile:",
                "safety_profile",
                "Nausea and headache were reported in those trials.",
            ),
            shown=[
                "Journey Compound",
                "journeymycin, JC-1",
                "Test class of drugs",
                "A test mechanism of action",
                "A test side effect",
            ],
            live_edit=Edit(
                "Overall evidence summary:", "evidence_overview", "A rewrite not approved yet."
            ),
            approved_text="Studied in a few small trials.",
        ),
    )
    assert compound.live_version.data["monitoring"][0]["what"] == "A test measurement"


# Condition ------------------------------------------------------------------------------


def fill_condition(editor):
    """A condition's fields: it has no inlines."""
    editor.fill("Name:", "Journey Condition")
    editor.fill("Specialist:", "test specialist")
    editor.fill("Urgent-help notice:", "Call a test crisis line now.")
    editor.fill("Standard-treatment context:", "combines two test therapies")


def test_a_condition_from_its_first_draft_to_the_public_site_and_back(journey):
    condition = create_with_each_save_button(
        journey,
        Condition,
        fill_condition,
        {"slug": "journey-condition"},
        "/conditions/journey-condition/",
        [
            Edit("Specialist:", "specialist", "test specialist or neurologist"),
            Edit("Urgent-help notice:", "urgent_help", "Call the test crisis line now."),
        ],
    )

    from_review_to_restore(
        journey,
        condition,
        Review(
            page="/conditions/journey-condition/",
            about="Standard-treatment context",
            comment="Say what the standard treatment involves, not just how many therapies.",
            fix=Edit(
                "Standard-treatment context:",
                "standard_treatment",
                "combines a test medicine with a test talking therapy",
            ),
            shown=[
                "Journey Condition",
                "usually treated by your test specialist or neurologist",
                "Call the test crisis line now.",
            ],
            live_edit=Edit("Specialist:", "specialist", "a rewrite not approved yet"),
            approved_text="test specialist or neurologist",
        ),
    )


# Research update ------------------------------------------------------------------------


def fill_research_update(editor):
    """A research update's fields, the compound and condition it is about, and a source."""
    editor.fill("Title:", "A journey test update")
    editor.fill("Summary:", "A test summary of a study.")
    editor.choose("Study design:", "retrospective")
    editor.fill("Participants:", "153")
    editor.fill("Institution or source:", "A test institution")
    editor.fill("Date:", "2025-06-01")
    editor.pick("compounds", "Ketamine")
    editor.pick("conditions", "Leukemia")
    editor.add_row(
        "references",
        url="https://example.org/journey-test-source",
        title="A test source for the update",
        journal="A journal",
        year="2024",
        study_design="retrospective",
        participants="153",
    )


def test_a_research_update_from_its_first_draft_to_the_public_site_and_back(journey):
    update = create_with_each_save_button(
        journey,
        ResearchUpdate,
        fill_research_update,
        {"slug": "a-journey-test-update"},
        "/research/a-journey-test-update/",
        [
            Edit("Institution or source:", "source", "A test institution and clinic"),
            Edit("Summary:", "summary", "A test summary of a retrospective study."),
        ],
    )
    assert [c.slug for c in update.compounds.all()] == ["ketamine"]
    assert [c.slug for c in update.conditions.all()] == ["leukemia"]
    assert update.references.get().url == "https://example.org/journey-test-source"

    from_review_to_restore(
        journey,
        update,
        Review(
            page="/research/a-journey-test-update/",
            about="Summary",
            comment="Say in whom the study was done.",
            fix=Edit("Summary:", "summary", "A test summary of a study in 153 adults."),
            shown=[
                "A journey test update",
                "A test institution and clinic",
                "A test source for the update",
                "Ketamine (IV / Esketamine)",
            ],
            live_edit=Edit("Institution or source:", "source", "A rewrite not approved yet"),
            approved_text="A test institution and clinic",
        ),
    )
    assert "A journey test update" in journey.public("/research/")
    journey.watch.clean("the list of research updates")


# Evidence summary: a new pair -----------------------------------------------------------

PAIR = "/compounds/journey-compound/journey-condition/"
PAIR_PAGES = [f"{PAIR}{page}/" for page in ("does-it-work", "evidence-level", "interactions")]
PAIR_PAGES.append(f"{PAIR}safety/")


def fill_summary(editor):
    """A summary of the journey's compound for its condition, with a reference and a
    condition-specific safety finding."""
    editor.pick("compound", "Journey Compound")
    editor.pick("condition", "Journey Condition")
    editor.choose("Evidence level:", "level_2")
    editor.choose("Verdict:", "promising")
    editor.choose("Evidence basis:", "direct")
    editor.fill("Human evidence:", "One small randomized test trial.")
    editor.fill("Key takeaways:", "A first test takeaway.\nA second test takeaway.")
    editor.fill("Regulatory status for this condition:", "Not approved for this condition.")
    editor.tick("Condition-specific safety data exist")
    editor.add_row(
        "references",
        url="https://example.org/journey-test-trial",
        title="A test trial for the journey",
        journal="A journal",
        year="2020",
        study_design="rct",
        participants="120",
        studied_condition=True,
    )
    editor.add_row(
        "safety_findings",
        kind="finding",
        description="A test finding in people with the condition.",
        source="A test trial, 2020",
    )


def create_compound_and_condition(journey):
    """The editor saves a new compound and a new condition, neither submitted."""
    editor = journey.editor
    editor.open(add_url(Compound))
    fill_compound(editor)
    editor.press("Save and continue editing")
    editor.open(add_url(Condition))
    fill_condition(editor)
    editor.press("Save and add another")
    compound = Compound.objects.get(slug="journey-compound")
    condition = Condition.objects.get(slug="journey-condition")
    assert compound.review_state == condition.review_state == ReviewState.DRAFT
    return compound, condition


def test_a_new_pair_from_its_first_draft_to_the_public_site_and_back_in_one_review(journey):
    editor, watch = journey.editor, journey.watch
    compound, condition = create_compound_and_condition(journey)
    journey.gone("/compounds/journey-compound/")
    watch.clean("compound and condition saved")

    # One submission: the summary, and with it the compound and condition it needs.
    editor.open(add_url(EvidenceSummary))
    fill_summary(editor)
    editor.press("Save and submit for review")
    summary = EvidenceSummary.objects.get(compound=compound, condition=condition)
    assert summary.references.count() == summary.safety_findings.count() == 1
    assert summary.references.get().studied_condition
    assert summary.review_state == ReviewState.IN_REVIEW
    for obj in (compound, condition):
        obj.refresh_from_db()
        assert obj.review_state == ReviewState.IN_REVIEW, obj
    made = (journey.tally.clicks, journey.tally.fields)
    for page in ["/compounds/journey-compound/", "/conditions/journey-condition/", *PAIR_PAGES]:
        journey.gone(page)
    watch.clean("the new pair submitted at once")

    # The summary's review screen shows all three; an advisor asks for a change.
    journey.check_phone_width(journey.advisor, admin_url(summary, "review"), "review screen")
    screen = journey.advisor.text()
    for part in ("A test mechanism of action", "combines two test therapies", "120"):
        assert part in screen
    # One decision for the three.
    approve = journey.advisor.page.get_by_role("button", name=re.compile(r"^Approve"))
    assert approve.count() == 1
    comment = "Say how many people the trial enrolled."
    journey.request_changes(summary, "Human evidence", comment)
    for obj in (compound, condition):
        obj.refresh_from_db()
        assert obj.review_state == ReviewState.CHANGES_REQUESTED, obj
    journey.gone(PAIR_PAGES[0])
    watch.clean("changes requested of all three")

    journey.check_phone_width(editor, admin_url(summary, "change"), "change form")
    assert comment in editor.pointed_comment("human_evidence")
    editor.fill("Human evidence:", "One randomized test trial in 120 people.")
    editor.press("Save and submit for review")
    for obj in (summary, compound, condition):
        obj.refresh_from_db()
        assert obj.review_state == ReviewState.IN_REVIEW, obj
    watch.clean("fixed and submitted again, all three")

    # Another advisor approves the three with one click; the pair's pages are live.
    clicks = journey.tally.clicks
    journey.approve(summary, comment=None)
    print(
        f"A new pair in one review: {made[0]} clicks and {made[1]} typed or chosen fields "
        f"to create and submit it, {journey.tally.clicks - clicks} clicks to approve it."
    )
    for obj in (compound, condition):
        obj.refresh_from_db()
        assert obj.review_state == ReviewState.APPROVED
        assert obj.live_version.approved_by.username == "bruno"
    shown = {
        "does-it-work": ["A first test takeaway.", "A test trial for the journey", "120 people"],
        "evidence-level": ["Journey Compound", "A test mechanism of action"],
        "interactions": ["A test drug class", "combines two test therapies"],
        "safety": [
            "A test finding in people with the condition.",
            "A test measurement",
            "A test contraindication.",
        ],
    }
    for page, texts in zip(PAIR_PAGES, shown.values(), strict=True):
        text = journey.public(page)
        for part in texts:
            assert part in text, f"{page} does not show “{part}”"
    assert "Journey Condition" in journey.public("/compounds/journey-compound/")
    assert "Journey Compound" in journey.public("/conditions/journey-condition/")
    listed = journey.sitemap()
    for page in ["/compounds/journey-compound/", "/conditions/journey-condition/", *PAIR_PAGES]:
        assert page in listed, f"The sitemap does not list {page}"
    watch.clean("the pair approved in one review")

    # An edit of the live summary, saved: patients keep reading the approved text.
    editor.open(admin_url(summary, "change"))
    editor.fill("Human evidence:", "A rewrite not approved yet.")
    editor.press("Save")
    summary.refresh_from_db()
    assert summary.review_state == ReviewState.DRAFT and summary.live_version.number == 1
    text = journey.public(PAIR_PAGES[0])
    assert "120 people" in text and "A rewrite not approved yet." not in text
    watch.clean("live summary edited with Save")

    # Withdrawn: the pair's pages go, the compound and condition stay.
    journey.withdraw(summary, "Withdrawn while the trial is checked again.")
    listed = journey.sitemap()
    for page in PAIR_PAGES:
        journey.gone(page)
        assert page not in listed
    assert "Journey Condition" not in journey.public("/compounds/journey-compound/")
    watch.clean("summary withdrawn")

    journey.restore(summary, 1)
    assert summary.human_evidence == "One randomized test trial in 120 people."
    journey.approve(summary)
    text = journey.public(PAIR_PAGES[0])
    assert "120 people" in text and "A rewrite not approved yet." not in text
    listed = journey.sitemap()
    for page in PAIR_PAGES:
        journey.public(page)
        assert page in listed, f"The sitemap does not list {page}"
    watch.clean("summary restored and approved again")


def test_a_new_pair_reviewed_one_object_at_a_time(journey):
    """The same pair, each object submitted and approved on its own review screen."""
    editor = journey.editor
    for model, fill in ((Compound, fill_compound), (Condition, fill_condition)):
        editor.open(add_url(model))
        fill(editor)
        editor.press("Save and submit for review")
    compound = Compound.objects.get(slug="journey-compound")
    condition = Condition.objects.get(slug="journey-condition")
    for obj in (compound, condition):
        journey.approve(obj, comment=None)
    editor.open(add_url(EvidenceSummary))
    fill_summary(editor)
    editor.press("Save and submit for review")
    summary = EvidenceSummary.objects.get(compound=compound, condition=condition)
    journey.approve(summary, comment=None)
    print(f"A new pair reviewed one object at a time: {journey.tally}.")
    assert "A test trial for the journey" in journey.public(PAIR_PAGES[0])
    journey.watch.clean("the pair published")


# Import batch ---------------------------------------------------------------------------

IMPORTED_PAIR = "/compounds/imported-compound/imported-condition/"
SOURCE = {"source": "A test label", "source_url": ""}
CITED = {"pmid": "", "doi": "", "nct_id": "", "authors": "", "journal": "A journal"}


def catalogue_file():
    """A catalogue file (docs/catalogue-format.md) of a new pair and a research update,
    with every kind of child row."""
    return {
        "format": "insightswarm-catalogue",
        "version": 1,
        "compounds": [
            {
                "slug": "imported-compound",
                "name": "Imported Compound",
                "aliases": "",
                "drug_class": "Test class",
                "regulatory_status": "Not approved anywhere.",
                "evidence_overview": "Studied in one imported test trial.",
                "safety_profile": "Generally tolerated.",
                "revision": None,
                "mechanisms": [{"position": 1, "description": "An imported test mechanism"}],
                "safety_notes": [
                    {"position": 1, "category": "other", "description": "An imported test note"}
                ],
                "monitoring": [
                    {"position": 1, "what": "An imported measurement", "when": "Weekly"}
                    | {"how_long": "", **SOURCE}
                ],
                "cautions": [
                    {"position": 1, "kind": "caution", "description": "An imported caution."}
                    | SOURCE
                ],
                "interactions": [
                    {"position": 1, "drug": "An imported drug class", "severity": "minor"}
                    | {"effect": "Little effect.", "management": "Be aware.", **SOURCE}
                ],
            }
        ],
        "conditions": [
            {
                "slug": "imported-condition",
                "name": "Imported Condition",
                "specialist": "test specialist",
                "urgent_help": "",
                "standard_treatment": "combines two imported test therapies",
                "revision": None,
            }
        ],
        "evidence_summaries": [
            {
                "compound": "imported-compound",
                "condition": "imported-condition",
                "evidence_level": "level_3",
                "verdict": "promising",
                "evidence_basis": "direct",
                "preclinical_evidence": "",
                "human_evidence": "One imported test trial.",
                "regulatory_status": "Not approved for it.",
                "has_condition_safety_data": True,
                "key_takeaways": "An imported takeaway.\nAnother imported takeaway.",
                "mechanism_relevance_documented": False,
                "revision": None,
                "references": [
                    {"url": "https://example.org/imported-trial", "title": "An imported trial"}
                    | {"year": 2021, "study_design": "cohort", "participants": 80, **CITED}
                ],
                "safety_findings": [
                    {"position": 1, "kind": "finding", "description": "An imported finding."}
                    | SOURCE
                ],
            }
        ],
        "research_updates": [
            {
                "slug": "an-imported-update",
                "title": "An imported update",
                "summary": "An imported test summary.",
                "study_design": "cohort",
                "participants": 80,
                "source": "",
                "source_url": "",
                "date": "2025-06-01",
                "compounds": ["imported-compound"],
                "conditions": ["imported-condition"],
                "revision": None,
                "references": [
                    {"url": "https://example.org/imported-source", "title": "An imported source"}
                    | {"year": 2021, "study_design": "cohort", "participants": 80, **CITED}
                ],
            }
        ],
    }


def upload(editor, path, changes):
    """Upload a catalogue file, read on the check page what it would change (nothing
    yet), and import it, submitted for review."""
    editor.open("/admin/compounds/importbatch/")
    editor.follow("Import a catalogue file")
    editor.page.get_by_label("File:").set_input_files(path)
    editor.typed()
    editor.tick("Submit every imported change for review:")
    editor.press("Check the file")
    batch = ImportBatch.objects.filter(imported_by__username="eve").first()
    assert batch.status == ImportBatch.Status.CHECKED and batch.items.count() == 0
    listed = editor.page.locator("#content-main table tbody tr").all_inner_texts()
    assert len(listed) == changes
    editor.press("Import these changes")
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.IMPORTED and batch.items.count() == changes
    return batch


def test_an_import_batch_from_the_file_to_the_public_site_and_back(journey, tmp_path):
    editor, watch = journey.editor, journey.watch
    path = tmp_path / "new-pair.json"
    path.write_text(json.dumps(catalogue_file()))

    # The editor uploads the file, checks what it would do, and imports it, submitted.
    batch = upload(editor, path, 4)
    assert batch.created_count == 4
    compound = Compound.objects.get(slug="imported-compound")
    summary = EvidenceSummary.objects.get(compound=compound)
    update = ResearchUpdate.objects.get(slug="an-imported-update")
    condition = summary.condition
    imported = [compound, condition, summary, update]
    assert {obj.review_state for obj in imported} == {ReviewState.IN_REVIEW}
    counts = [getattr(compound, rows).count() for rows in Compound.snapshot_children]
    assert counts == [1, 1, 1, 1, 1]
    assert summary.references.count() == summary.safety_findings.count() == 1
    assert update.references.count() == 1 and update.compounds.get() == compound
    assert editor.page.url.endswith(f"/admin/compounds/importbatch/{batch.pk}/")
    for page in ("/compounds/imported-compound/", "/research/an-imported-update/"):
        journey.gone(page)
    watch.clean("imported and submitted")

    # An advisor returns the summary from the batch page, saying what to change: its
    # compound and condition, never approved, go back with it.
    advisor = journey.advisor
    journey.check_phone_width(advisor, f"/admin/compounds/importbatch/{batch.pk}/", "batch page")
    advisor.tick(f"Choose {summary}")
    comment = "Human evidence: say how many people the trial followed."
    advisor.fill("Comment (needed to request changes; the author sees it)", comment)
    advisor.press("Request changes")
    for obj in (summary, compound, condition):
        obj.refresh_from_db()
        assert obj.review_state == ReviewState.CHANGES_REQUESTED, obj
    assert ReviewEvent.objects.of(summary).first().comment == comment
    assert update.review_state == ReviewState.IN_REVIEW
    watch.clean("changes requested from the batch page")

    # The editor exports the catalogue, corrects the summary in the file, imports it again.
    editor.open("/admin/compounds/importbatch/export/")
    with editor.page.expect_download() as download:
        editor.page.get_by_role("button", name="Download").click()
    editor.clicked()
    exported = json.loads(download.value.path().read_text())
    (entry,) = [s for s in exported["evidence_summaries"] if s["compound"] == compound.slug]
    entry["human_evidence"] = "One imported test trial that followed 80 people."
    path = tmp_path / "corrected.json"
    path.write_text(json.dumps(exported))
    fixed = upload(editor, path, 1)
    summary.refresh_from_db()
    assert summary.review_state == ReviewState.IN_REVIEW
    assert [item.object_id for item in fixed.items.all()] == [summary.pk]
    # The import submits what it changed, not the compound and condition returned with
    # the summary: the editor submits them again from the first batch's page.
    editor.open(f"/admin/compounds/importbatch/{batch.pk}/")
    editor.tick("Every object on this page")
    editor.press("Submit for review")
    for obj in imported:
        obj.refresh_from_db()
        assert obj.review_state == ReviewState.IN_REVIEW, obj
    watch.clean("corrected, imported again and submitted")

    # Another advisor approves the first batch's objects, then the correction's.
    advisor2 = journey.advisor2
    advisor2.open(f"/admin/compounds/importbatch/{batch.pk}/")
    advisor2.tick("Every object on this page")
    # The imported summary's grade cites no study: the advisor confirms it in a comment.
    assert "approving it needs a comment confirming its grade" in advisor2.page.content()
    advisor2.fill("#id_comment", GRADE_CONFIRMED)
    advisor2.press("Approve")
    # The summary, edited after that import, is approved from the correction's batch.
    for obj in imported:
        obj.refresh_from_db()
    assert [obj.review_state for obj in imported] == [
        ReviewState.APPROVED,
        ReviewState.APPROVED,
        ReviewState.IN_REVIEW,
        ReviewState.APPROVED,
    ]
    advisor2.open(f"/admin/compounds/importbatch/{fixed.pk}/")
    advisor2.tick("Every object on this page")
    advisor2.fill("#id_comment", GRADE_CONFIRMED)
    advisor2.press("Approve")
    for obj in imported:
        obj.refresh_from_db()
        assert obj.review_state == ReviewState.APPROVED, obj
        assert obj.live_version.approved_by.username == "bruno"
    pages = [
        "/compounds/imported-compound/",
        "/conditions/imported-condition/",
        "/research/an-imported-update/",
        f"{IMPORTED_PAIR}does-it-work/",
        f"{IMPORTED_PAIR}safety/",
    ]
    shown = [
        "An imported test mechanism",
        "combines two imported test therapies",
        "An imported source",
        "followed 80 people",
        "An imported finding.",
    ]
    listed = journey.sitemap()
    for page, text in zip(pages, shown, strict=True):
        assert text in journey.public(page), f"{page} does not show “{text}”"
        assert page in listed, f"The sitemap does not list {page}"
    watch.clean("the batch approved")

    # An edit of the live update, saved: patients keep reading the approved text.
    editor.open(admin_url(update, "change"))
    editor.fill("Summary:", "A rewrite not approved yet.")
    editor.press("Save")
    text = journey.public("/research/an-imported-update/")
    assert "An imported test summary." in text and "A rewrite not approved yet." not in text
    watch.clean("live update edited with Save")

    # The update is withdrawn, then its version 1 restored and approved.
    journey.withdraw(update, "Withdrawn while the source is checked.")
    journey.gone("/research/an-imported-update/")
    assert "/research/an-imported-update/" not in journey.sitemap()
    watch.clean("update withdrawn")
    journey.restore(update, 1)
    journey.approve(update)
    text = journey.public("/research/an-imported-update/")
    assert "An imported test summary." in text and "A rewrite not approved yet." not in text
    assert "/research/an-imported-update/" in journey.sitemap()
    watch.clean("update restored and approved again")
