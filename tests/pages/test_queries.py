"""Every public page costs a fixed number of SQL queries, whatever the amount of content.

Each bound is the count measured on the seed content; the same bound must hold
once there are many more mechanisms, safety notes, references, conditions,
pairs and research updates.
"""

import datetime
import re

import pytest

from compounds.evidence import EvidenceBasis, EvidenceLevel, SafetyCategory, StudyDesign, Verdict
from compounds.models import (
    Compound,
    Condition,
    EvidenceSummary,
    Mechanism,
    Reference,
    ResearchUpdate,
    SafetyNote,
)

pytestmark = pytest.mark.usefixtures("live_seed")

# URL: the most queries it may take. Measured on the seed content. Each HTML page reads
# the live site pages once, which its footer (and byline) link (pages/live.py site_links).
BOUNDS = {
    "/compounds/ketamine/leukemia/does-it-work/": 2,
    "/compounds/ketamine/leukemia/evidence-level/": 2,
    "/compounds/ketamine/leukemia/interactions/": 2,
    "/compounds/ketamine/leukemia/safety/": 2,
    "/": 6,
    "/compounds/": 3,
    "/compounds/?letter=k": 3,
    "/compounds/ketamine/": 4,
    "/conditions/": 3,
    "/conditions/leukemia/": 4,
    "/research/": 3,
    "/research/low-dose-ketamine-infusions-for-chronic-pain/": 4,
    "/how-we-grade-evidence/": 1,
    # The synonyms and promoted results of its words, the compounds and the conditions
    # named, the pairs among them, then compounds, conditions and updates holding them all
    # (and one for each promoted page shown, at most 3).
    "/search/?q=ketamine": 8,
    "/search/?q=does+spravato+help+leukaemia": 8,
    "/robots.txt": 0,
    "/sitemap.xml": 4,
    "/sitemap-pages.xml": 1,
    "/sitemap-compounds-0.xml": 2,
    "/sitemap-does-it-work-0.xml": 2,
    "/sitemap-safety-0.xml": 2,
}


@pytest.fixture
def much_more_content(publish, edit):
    """Ten times the content around ketamine and leukemia, all approved."""
    ketamine = Compound.objects.get(slug="ketamine")
    leukemia = Condition.objects.get(slug="leukemia")
    for n in range(12):
        Mechanism.objects.create(compound=ketamine, position=10 + n, description=f"Mechanism {n}")
        SafetyNote.objects.create(
            compound=ketamine,
            position=10 + n,
            category=list(SafetyCategory)[n % len(SafetyCategory)],
            description=f"Safety note {n}",
        )
    publish(edit(ketamine, evidence_overview="Much more is known now."))

    summary = EvidenceSummary.objects.get(compound=ketamine, condition=leukemia)
    for n in range(12):
        Reference.objects.create(
            summary=summary,
            pmid=str(20000000 + n),
            doi=f"10.1000/study.{n}",
            title=f"Study {n}",
            journal="A journal",
            year=2010 + n,
            study_design=StudyDesign.COHORT,
            participants=100 + n,
        )
    publish(edit(summary, human_evidence="Twelve cohort studies."))

    other = publish(
        Compound.objects.create(
            name="Lidocaine",
            slug="lidocaine",
            drug_class="Sodium channel blocker",
            regulatory_status="Approved as a local anesthetic.",
            evidence_overview="Studied for neuropathic pain.",
            safety_profile="Cardiac effects at high doses.",
        )
    )
    conditions = [leukemia]
    for n in range(12):
        condition = publish(
            Condition.objects.create(
                name=f"Condition {n:02}",
                slug=f"condition-{n:02}",
                specialist="neurologist",
                standard_treatment="varies",
            )
        )
        conditions.append(condition)
        for compound in (ketamine, other):
            pair = EvidenceSummary.objects.create(
                compound=compound,
                condition=condition,
                evidence_level=EvidenceLevel.LEVEL_3,
                verdict=Verdict.PROMISING,
                evidence_basis=EvidenceBasis.DIRECT,
                human_evidence="A trial.",
                regulatory_status="Not approved.",
            )
            Reference.objects.create(
                summary=pair,
                pmid=str(30000000 + n),
                title=f"Trial {n}",
                year=2020,
                study_design=StudyDesign.RCT,
            )
            publish(pair)
    publish(
        EvidenceSummary.objects.create(
            compound=other,
            condition=leukemia,
            evidence_level=EvidenceLevel.PRECLINICAL,
            verdict=Verdict.INSUFFICIENT,
            evidence_basis=EvidenceBasis.EXTRAPOLATED,
            human_evidence="None.",
            regulatory_status="Not approved.",
        )
    )
    for n in range(15):
        update = ResearchUpdate.objects.create(
            title=f"Ketamine study {n}",
            slug=f"ketamine-study-{n}",
            summary=f"What ketamine study {n} found.",
            study_design=StudyDesign.RCT,
            participants=50,
            date=datetime.date(2026, 1, 1) + datetime.timedelta(days=n),
        )
        update.compounds.set([ketamine, other])
        update.conditions.set(conditions[: n + 1])
        publish(update)


@pytest.mark.parametrize(("url", "bound"), BOUNDS.items())
def test_a_page_on_the_seed_content_takes_its_pinned_number_of_queries(
    client, django_assert_max_num_queries, url, bound
):
    with django_assert_max_num_queries(bound):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize(("url", "bound"), BOUNDS.items())
def test_a_page_takes_no_more_queries_with_ten_times_the_content(
    client, django_assert_max_num_queries, much_more_content, url, bound
):
    with django_assert_max_num_queries(bound):
        assert client.get(url).status_code == 200


def test_the_larger_content_really_is_larger(client, much_more_content):
    body = client.get("/compounds/ketamine/leukemia/does-it-work/").content.decode()
    assert body.count("<cite>") == 12
    assert "Mechanism 11" in body
    assert "Safety note 11" in client.get("/compounds/ketamine/leukemia/safety/").content.decode()
    ketamine = client.get("/compounds/ketamine/").content.decode()
    assert ketamine.count("/safety/") >= 17
    # Nineteen updates name ketamine; its page lists the ten newest.
    assert len(set(re.findall(r'href="/research/[\w-]+/"', ketamine))) == 10
