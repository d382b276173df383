"""What public code gets from the published read model: approved versions, and nothing that
reaches a working copy."""

import pytest

from compounds.models import Compound, Mechanism
from compounds.review import workflow
from tests.factories import confirming, live_object, make_summary, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def live_pair():
    editor = make_user("erin", "Editor")
    advisor = make_user("adam", "Medical Advisor", byline=True)
    summary = make_summary()
    Mechanism.objects.create(compound=summary.compound, description="Approved mechanism")
    for obj in (summary.compound, summary.condition, summary):
        workflow.submit(obj, editor)
        workflow.approve(obj, advisor, comment=confirming(obj))
    return summary


def test_a_live_compound_lists_its_approved_mechanisms_without_a_query(
    live_pair, django_assert_num_queries
):
    compound = live_object(Compound, live_pair.compound_id)
    Mechanism.objects.create(compound=live_pair.compound, description="Unapproved mechanism")
    with django_assert_num_queries(0):
        assert [m.description for m in compound.mechanisms.all()] == ["Approved mechanism"]


def test_a_further_query_on_live_children_finds_nothing_rather_than_the_working_copy(live_pair):
    compound = live_object(Compound, live_pair.compound_id)
    assert list(compound.mechanisms.filter(description__startswith="Approved")) == []


def test_relations_outside_the_snapshot_read_as_empty_on_a_live_object(live_pair):
    compound = live_object(Compound, live_pair.compound_id)
    assert list(compound.evidence_summaries.all()) == []
    assert list(compound.research_updates.all()) == []
