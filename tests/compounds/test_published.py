"""The published read model: what approval writes for the public site, and that no way
of querying it reaches a working copy."""

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Count, Max, Min

from compounds.models import (
    Compound,
    FormerSlug,
    Mechanism,
    PublishedCompound,
    PublishedCondition,
    PublishedResearchUpdate,
    PublishedSummary,
    ResearchUpdate,
    ResearchUpdateLink,
)
from compounds.review import publishing, snapshots, workflow
from compounds.review.workflow import ReviewError
from tests.factories import (
    approve_as,
    make_compound,
    make_condition,
    make_summary,
    make_user,
    save_edit,
)

pytestmark = pytest.mark.django_db

UNAPPROVED = "Qzunapproved"


@pytest.fixture
def people():
    return make_user("erin", "Editor"), make_user("adam", "Medical Advisor", byline=True)


@pytest.fixture
def publish(people):
    return lambda obj: approve_as(obj, *people)


@pytest.fixture
def edit(people):
    return lambda obj, **fields: save_edit(obj, people[0], **fields)


@pytest.fixture
def pending(publish, edit):
    """A live pair whose compound, condition and summary all have unapproved edits."""
    summary = make_summary()
    Mechanism.objects.create(compound=summary.compound, description="Approved mechanism")
    for obj in (summary.compound, summary.condition, summary):
        publish(obj)
    edit(summary.compound, name=f"{UNAPPROVED} name", drug_class=f"{UNAPPROVED} class")
    Mechanism.objects.create(compound=summary.compound, description=f"{UNAPPROVED} mechanism")
    edit(summary.condition, name=f"{UNAPPROVED} condition")
    edit(summary, human_evidence=f"{UNAPPROVED} evidence", verdict="effective")
    return summary


def nowhere(values):
    assert UNAPPROVED not in repr(list(values))


def test_instances_of_published_rows_hold_approved_content_only(pending):
    nowhere(PublishedCompound.objects.all())
    nowhere(row.data for row in PublishedCompound.objects.all())
    nowhere(snapshots.approved(row).mechanisms.all() for row in PublishedCompound.objects.all())
    nowhere(PublishedSummary.objects.select_related("compound", "condition"))


def test_values_and_values_list_of_published_rows_hold_approved_content_only(pending):
    nowhere(PublishedCompound.objects.values())
    nowhere(PublishedCompound.objects.values_list("name", "drug_class", "data"))
    nowhere(PublishedSummary.objects.values())
    nowhere(PublishedCondition.objects.values_list("name", flat=True))


def test_related_lookups_from_published_rows_stay_in_the_published_tables(pending):
    nowhere(PublishedSummary.objects.values("compound__name", "condition__name", "compound__data"))
    nowhere(PublishedCompound.objects.values_list("summaries__data", "summaries__condition__name"))
    assert PublishedSummary.objects.filter(compound__name__startswith=UNAPPROVED).count() == 0


def test_aggregates_over_published_rows_see_approved_content_only(pending):
    found = PublishedCompound.objects.aggregate(Max("name"), Min("drug_class"), Count("pk"))
    nowhere(found.values())
    assert PublishedSummary.objects.filter(verdict="effective").count() == 0


def test_a_rebuilt_approved_object_never_reads_its_working_row(pending, django_assert_num_queries):
    row = PublishedSummary.objects.select_related("compound", "condition").get()
    with django_assert_num_queries(0):
        summary = snapshots.approved(row)
        nowhere([summary.human_evidence, summary.compound.name, summary.condition.name])
        nowhere(m.description for m in summary.compound.mechanisms.all())


def test_approval_writes_the_published_row_and_withdrawal_deletes_it(publish, people):
    _, advisor = people
    compound = publish(make_compound(name="Lidocaine", aliases="Xylocaine"))
    row = PublishedCompound.objects.get(pk=compound.pk)
    assert (row.name, row.slug, row.letter, row.aliases) == (
        "Lidocaine",
        compound.slug,
        "L",
        "Xylocaine",
    )
    assert row.version_number == 1 and row.reviewer_byline == "Adam, MD"
    workflow.withdraw(compound, advisor, comment="Outdated.")
    assert not PublishedCompound.objects.filter(pk=compound.pk).exists()


def test_a_summary_is_published_only_once_its_compound_and_condition_are(publish, people):
    _, advisor = people
    summary = make_summary()
    # Once approved, then withdrawn: no longer published with the summary as a new pair.
    for part in (summary.compound, summary.condition):
        publish(part)
        workflow.withdraw(part, advisor, comment="Being checked.")
    publish(summary)
    publish(summary.condition)
    assert not PublishedSummary.objects.exists()
    publish(summary.compound)
    assert PublishedSummary.objects.get().pk == summary.pk
    workflow.withdraw(summary.condition, advisor, comment="Under review.")
    assert not PublishedSummary.objects.exists()
    publish(summary.condition)
    assert PublishedSummary.objects.get().pk == summary.pk


def test_renaming_a_compound_renames_it_in_its_pairs_tables(publish, edit):
    summary = make_summary()
    for obj in (summary.compound, summary.condition, summary):
        publish(obj)
    publish(edit(summary.compound, name="Renamed compound"))
    assert PublishedSummary.objects.get().compound_name == "Renamed compound"


def test_a_research_update_keeps_links_to_compounds_that_are_not_live_yet(publish):
    compound = make_compound()
    update = ResearchUpdate.objects.create(
        title="A study",
        slug="a-study",
        summary="Found something.",
        study_design="rct",
        date="2026-01-01",
    )
    update.compounds.add(compound)
    publish(update)
    assert ResearchUpdateLink.objects.get().compound_id == compound.pk
    assert not PublishedResearchUpdate.objects.filter(
        links__compound_id__in=PublishedCompound.objects.values("pk")
    ).exists()
    publish(compound)
    assert PublishedResearchUpdate.objects.filter(links__compound_id=compound.pk).exists()


def test_a_new_object_may_not_take_the_address_of_a_live_one_at_save(publish, edit):
    live = publish(make_compound(slug="ketamine"))
    edit(live, slug="ketamine-renamed")
    newcomer = Compound(
        name="Another",
        slug="ketamine",
        drug_class="x",
        regulatory_status="x",
        evidence_overview="x",
        safety_profile="x",
    )
    with pytest.raises(ValidationError, match="is live on the public site"):
        newcomer.full_clean()


def test_a_new_object_may_not_take_the_address_of_a_live_one_at_approval(publish, edit):
    live = publish(make_compound(slug="ketamine"))
    edit(live, slug="ketamine-renamed")
    # Saved without the form's checks, as a bulk load might.
    newcomer = make_compound(slug="ketamine")
    with pytest.raises(ReviewError, match="is live on the public site"):
        publish(newcomer)
    assert list(PublishedCompound.objects.values_list("slug", flat=True)) == ["ketamine"]


def test_a_renamed_address_is_remembered_for_a_redirect(publish, edit):
    compound = publish(make_compound(slug="old-name"))
    publish(edit(compound, slug="new-name"))
    assert FormerSlug.objects.get(slug="old-name").object_id == compound.pk


def test_rebuilding_the_read_model_writes_what_approvals_wrote(publish, edit):
    summary = make_summary()
    for obj in (summary.compound, summary.condition, summary):
        publish(obj)
    publish(edit(summary.compound, slug="renamed"))
    other = make_summary(condition=make_condition())
    publish(other.condition)
    publish(other)  # waits for its compound, which is never approved

    def state():
        return [
            sorted(model.objects.values_list("pk", "data", "approved_at"))
            for model in (PublishedCompound, PublishedCondition, PublishedSummary)
        ] + [sorted(FormerSlug.objects.values_list("kind", "slug", "object_id"))]

    before = state()
    publishing.rebuild()
    assert state() == before
