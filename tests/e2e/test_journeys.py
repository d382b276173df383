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

import pytest

from compounds.models import Compound, Condition, ResearchUpdate
from tests.e2e.journey import (
    Edit,
    Journey,
    Review,
    create_with_each_save_button,
    from_review_to_restore,
)

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
    journey.finish()


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
    journey.finish()


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
    journey.finish()
