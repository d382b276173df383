"""One evidence summary per compound and condition, graded on two separate axes."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from compounds.evidence import EvidenceBasis, EvidenceLevel, Verdict
from compounds.models import EvidenceSummary
from tests.factories import make_compound, make_summary, summary_values

pytestmark = pytest.mark.django_db


def _validation_messages(summary):
    with pytest.raises(ValidationError) as caught:
        summary.full_clean()
    return " ".join(caught.value.messages)


def test_a_second_summary_for_the_same_pair_is_refused_by_validation():
    first = make_summary()
    duplicate = EvidenceSummary(
        **summary_values(compound=first.compound, condition=first.condition)
    )
    assert "already has an evidence summary for this condition" in _validation_messages(duplicate)


def test_a_second_summary_for_the_same_pair_is_refused_by_the_database():
    first = make_summary()
    with pytest.raises(IntegrityError), transaction.atomic():
        make_summary(compound=first.compound, condition=first.condition)


def test_one_compound_may_have_summaries_for_several_conditions():
    compound = make_compound()
    make_summary(compound=compound)
    make_summary(compound=compound)
    assert compound.evidence_summaries.count() == 2


def test_no_published_evidence_cannot_be_called_direct():
    summary = EvidenceSummary(
        **summary_values(
            evidence_level=EvidenceLevel.NONE,
            evidence_basis=EvidenceBasis.DIRECT,
            verdict=Verdict.INSUFFICIENT,
        )
    )
    assert '"No published evidence" cannot be direct evidence' in _validation_messages(summary)


def test_no_published_evidence_extrapolated_from_other_uses_is_valid():
    EvidenceSummary(
        **summary_values(
            evidence_level=EvidenceLevel.NONE,
            evidence_basis=EvidenceBasis.EXTRAPOLATED,
            verdict=Verdict.INSUFFICIENT,
        )
    ).full_clean()


@pytest.mark.parametrize("verdict", [Verdict.EFFECTIVE, Verdict.LIKELY_EFFECTIVE])
@pytest.mark.parametrize("level", [EvidenceLevel.PRECLINICAL, EvidenceLevel.NONE])
def test_a_positive_verdict_without_human_evidence_is_refused(verdict, level):
    summary = EvidenceSummary(
        **summary_values(
            verdict=verdict, evidence_level=level, evidence_basis=EvidenceBasis.EXTRAPOLATED
        )
    )
    assert "needs evidence from studies in people" in _validation_messages(summary)


def test_a_positive_verdict_without_human_evidence_is_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_summary(verdict=Verdict.EFFECTIVE, evidence_level=EvidenceLevel.PRECLINICAL)


@pytest.mark.parametrize(
    "verdict", [Verdict.INSUFFICIENT, Verdict.NO_BENEFIT, Verdict.HARM, Verdict.PROMISING]
)
def test_verdicts_that_claim_no_benefit_are_allowed_on_preclinical_evidence(verdict):
    EvidenceSummary(
        **summary_values(verdict=verdict, evidence_level=EvidenceLevel.PRECLINICAL)
    ).full_clean()


def test_insufficient_evidence_no_benefit_and_harm_are_distinct_verdicts():
    negatives = {Verdict.INSUFFICIENT, Verdict.NO_BENEFIT, Verdict.HARM}
    assert len({verdict.label for verdict in negatives}) == 3
    assert not any(verdict.is_positive for verdict in negatives)


def test_evidence_levels_rank_from_systematic_reviews_to_no_evidence():
    ranked = sorted(EvidenceLevel, key=lambda level: level.rank)
    assert ranked[0] == EvidenceLevel.LEVEL_1
    assert ranked[-2:] == [EvidenceLevel.PRECLINICAL, EvidenceLevel.NONE]
    assert [level.is_human for level in ranked] == [True] * 5 + [False] * 2


def test_deleting_a_compound_with_summaries_is_refused():
    from django.db.models import ProtectedError

    summary = make_summary()
    with pytest.raises(ProtectedError):
        summary.compound.delete()
