"""Live content for the public page tests: the seed pages approved, and builders around them.

Public pages read approved versions only, so these fixtures take content
through the review workflow as an editor and a medical advisor would.
"""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from compounds.evidence import StudyDesign
from compounds.management.commands.seed_demo import approve_everything
from compounds.models import (
    Compound,
    Condition,
    EvidenceSummary,
    MedicalAdvisor,
    Reference,
    ResearchUpdate,
)
from compounds.review import workflow
from tests.factories import approve_as, save_edit

User = get_user_model()

# The reference added to ketamine for neuropathic pain: one of each identifier.
NEUROPATHIC_REFERENCE = {
    "pmid": "31578302",
    "doi": "10.1016/j.pain.2019.01.001",
    "nct_id": "NCT01234567",
    "title": "Ketamine infusions for refractory neuropathic pain: a randomized trial",
    "journal": "Pain",
    "year": 2019,
    "study_design": StudyDesign.RCT,
    "participants": 48,
}


@pytest.fixture
def editor(db):
    user = User.objects.create_user("erin", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name="Editor"))
    return user


@pytest.fixture
def advisor(seed_content):
    """Nikhil Joshi, the seed's medical advisor, with a sign-in account linked to the byline."""
    user = User.objects.create_user(
        "nikhil", password="x", is_staff=True, first_name="Nikhil", last_name="Joshi"
    )
    user.groups.add(Group.objects.get(name="Medical Advisor"))
    MedicalAdvisor.objects.filter(slug="nikhil-joshi").update(user=user)
    return user


@pytest.fixture
def publish(editor, advisor):
    """Take an object through review: submitted by the editor, approved by the advisor."""

    return lambda obj: approve_as(obj, editor, advisor)


@pytest.fixture
def edit(editor):
    """Save an edit of the working copy, booked as the admin books it; nothing is approved."""

    return lambda obj, **fields: save_edit(obj, editor, **fields)


@pytest.fixture
def withdraw(advisor):
    def withdraw(obj):
        return workflow.withdraw(obj, advisor, comment="Withdrawn for re-review.")

    return withdraw


@pytest.fixture
def publish_all(editor, advisor):
    """Approve every object that is not live yet, as seed_demo does."""
    return lambda: approve_everything(editor, advisor)


@pytest.fixture
def live_seed(seed_content, publish_all):
    """The seed content, with a reference for ketamine in neuropathic pain, all approved."""
    Reference.objects.create(
        summary=summary("ketamine", "neuropathic-pain"), **NEUROPATHIC_REFERENCE
    )
    publish_all()


@pytest.fixture
def make_live_compound(publish):
    """A new compound, approved, with a summary for each given condition slug, approved."""

    def make(slug, name, conditions=(), **fields):
        values = {
            "drug_class": "Test class",
            "regulatory_status": "Not approved anywhere.",
            "evidence_overview": "Studied in a few small trials.",
            "safety_profile": "Generally tolerated.",
        }
        values.update(fields)
        compound = publish(Compound.objects.create(slug=slug, name=name, **values))
        for condition_slug, level, verdict, basis in conditions:
            publish(
                EvidenceSummary.objects.create(
                    compound=compound,
                    condition=Condition.objects.get(slug=condition_slug),
                    evidence_level=level,
                    verdict=verdict,
                    evidence_basis=basis,
                    human_evidence="Some trials in people.",
                    regulatory_status="Not approved for this condition.",
                )
            )
        return compound

    return make


@pytest.fixture
def make_live_updates(publish):
    """n research updates, approved, dated one day apart, linked to the given compound."""

    def make(n, compound=None, prefix="Update"):
        updates = []
        for i in range(n):
            update = ResearchUpdate.objects.create(
                title=f"{prefix} number {i + 1}",
                slug=f"{prefix.lower()}-number-{i + 1}",
                summary=f"What study {i + 1} of the {prefix.lower()} series found.",
                study_design=StudyDesign.RCT,
                participants=10 + i,
                date=datetime.date(2025, 1, 1) + datetime.timedelta(days=i),
            )
            if compound is not None:
                update.compounds.add(compound)
            updates.append(publish(update))
        return updates

    return make


def summary(compound_slug, condition_slug):
    return EvidenceSummary.objects.get(compound__slug=compound_slug, condition__slug=condition_slug)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a workflow step and what its commit triggers, as production does."""

    def committed(step, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return step(*args, **kwargs)

    return committed
