"""Migration 0015: a reference says whether it studied its pair's condition, and the
references cited before it keep what their pages said, from the evidence basis the
advisor approved."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from compounds.models import EvidenceSummary
from compounds.review import snapshots

BEFORE = [("compounds", "0014_change_log_backfill")]
AFTER = [("compounds", "0015_reference_studied_condition")]
APPROVED_AT = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _reference(title, design="rct"):
    return {
        "pmid": "",
        "doi": "",
        "nct_id": "",
        "url": f"https://example.org/{title}",
        "authors": "",
        "title": title,
        "journal": "",
        "year": 2020,
        "study_design": design,
        "participants": None,
    }


class Catalogue:
    """Approved summaries as a database held them before the field, with their versions
    and, for one, its published row."""

    def __init__(self, apps):
        self.apps = apps
        self.user = apps.get_model("auth", "User").objects.create(username="advisor")
        self.content_type = apps.get_model("contenttypes", "ContentType").objects.get(
            app_label="compounds", model="evidencesummary"
        )
        compound_values = {
            "name": "Compound",
            "slug": "compound",
            "aliases": "",
            "drug_class": "Class",
            "regulatory_status": "Status",
            "evidence_overview": "Overview",
            "safety_profile": "Profile",
        }
        self.compound = apps.get_model("compounds", "Compound").objects.create(**compound_values)
        self.published_compound = self._published(
            "PublishedCompound", self.compound, compound_values, name="Compound", slug="compound"
        )

    def _published(self, model, obj, data, **columns):
        return self.apps.get_model("compounds", model).objects.create(
            id=obj.pk,
            data=data,
            version_number=1,
            reviewer_name="Ada",
            reviewer_credentials="MD",
            approved_at=APPROVED_AT,
            next_review_due=datetime.date(2027, 1, 1),
            **columns,
        )

    def summary(self, slug, approved_basis, working_basis, references, publish=False):
        condition_values = {
            "name": slug.title(),
            "slug": slug,
            "specialist": "oncologist",
            "urgent_help": "",
            "standard_treatment": "Treatment",
        }
        condition = self.apps.get_model("compounds", "Condition").objects.create(**condition_values)
        values = {
            "evidence_level": "level_2",
            "verdict": "promising",
            "preclinical_evidence": "",
            "human_evidence": "Trials.",
            "regulatory_status": "Not approved.",
            "has_condition_safety_data": False,
            "key_takeaways": "",
            "mechanism_relevance_documented": False,
        }
        summary = self.apps.get_model("compounds", "EvidenceSummary").objects.create(
            compound=self.compound, condition=condition, evidence_basis=working_basis, **values
        )
        Reference = self.apps.get_model("compounds", "Reference")
        rows = [Reference.objects.create(summary=summary, **r) for r in references]
        data = {
            **values,
            "compound_id": self.compound.pk,
            "condition_id": condition.pk,
            "evidence_basis": approved_basis,
            "references": [{"id": row.pk, **r} for row, r in zip(rows, references, strict=True)],
            "safety_findings": [],
        }
        version = self.apps.get_model("compounds", "Version").objects.create(
            content_type=self.content_type,
            object_id=summary.pk,
            number=1,
            data=data,
            approved_by=self.user,
            reviewer_name="Ada",
            reviewer_credentials="MD",
            approved_at=APPROVED_AT,
            next_review_due=datetime.date(2027, 1, 1),
        )
        if publish:
            condition_row = self._published(
                "PublishedCondition", condition, condition_values, name=slug.title(), slug=slug
            )
            self._published(
                "PublishedSummary",
                summary,
                data,
                compound=self.published_compound,
                condition=condition_row,
                compound_name="Compound",
                condition_name=slug.title(),
                evidence_level="level_2",
                verdict="promising",
                evidence_basis=approved_basis,
            )
        return summary.pk, version.pk


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_references_cited_before_the_field_say_what_their_approved_evidence_basis_said():
    apps = migrate(BEFORE)
    try:
        catalogue = Catalogue(apps)
        direct, direct_version = catalogue.summary(
            "direct",
            "direct",
            "direct",
            [_reference("trial"), _reference("label", "official_document")],
            publish=True,
        )
        _, extrapolated_version = catalogue.summary(
            "extrapolated", "extrapolated", "extrapolated", [_reference("other-trial")]
        )
        # Approved as direct; the draft under review now says extrapolated.
        _, redrafted_version = catalogue.summary(
            "redrafted", "direct", "extrapolated", [_reference("redrafted-trial")]
        )

        apps = migrate(AFTER)
        Reference = apps.get_model("compounds", "Reference")
        marks = dict(Reference.objects.values_list("title", "studied_condition"))
        assert marks == {
            "trial": True,
            "label": True,
            "other-trial": False,
            "redrafted-trial": False,
        }

        Version = apps.get_model("compounds", "Version")

        def marked(version_pk):
            data = Version.objects.get(pk=version_pk).data
            return [r["studied_condition"] for r in data["references"]]

        assert marked(direct_version) == [True, True]
        assert marked(extrapolated_version) == [False]
        # Each snapshot by the basis it was approved with, not the working copy's.
        assert marked(redrafted_version) == [True]
        published = apps.get_model("compounds", "PublishedSummary").objects.get(pk=direct).data
        assert [r["studied_condition"] for r in published["references"]] == [True, True]

        # The page's rules read the published snapshot as before: a direct grade resting
        # on a cited trial of its condition.
        summary = snapshots.restore(EvidenceSummary, direct, published)
        assert summary.cites_controlled_trial_of_condition
        assert summary.grade_is_cited

        # Undone, the snapshots hold what they held before.
        apps = migrate(BEFORE)
        Version = apps.get_model("compounds", "Version")
        data = Version.objects.get(pk=direct_version).data
        assert all("studied_condition" not in r for r in data["references"])
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
