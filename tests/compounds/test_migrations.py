"""A database with approved content from before the published read model keeps its pages."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("compounds", "0002_roles")]
AFTER = [("compounds", "0003_published_read_model")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_migrating_publishes_what_was_live_and_nothing_else():
    apps = migrate(BEFORE)
    try:
        user = apps.get_model("auth", "User").objects.create(username="advisor")
        content_type = apps.get_model("contenttypes", "ContentType").objects.get(
            app_label="compounds", model="compound"
        )
        Compound = apps.get_model("compounds", "Compound")
        Version = apps.get_model("compounds", "Version")
        approved = {
            "name": "Approved name",
            "slug": "approved",
            "aliases": "",
            "drug_class": "Class",
            "regulatory_status": "Status",
            "evidence_overview": "Overview",
            "safety_profile": "Profile",
        }
        live = Compound.objects.create(**{**approved, "name": "Edited name"})
        version = Version.objects.create(
            content_type=content_type,
            object_id=live.pk,
            number=1,
            data={**approved, "mechanisms": [], "safety_notes": []},
            approved_by=user,
            reviewer_name="Ada",
            reviewer_credentials="MD",
            approved_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
            next_review_due=datetime.date(2027, 1, 1),
        )
        Compound.objects.filter(pk=live.pk).update(live_version=version)
        Compound.objects.create(**{**approved, "name": "Draft", "slug": "draft"})

        apps = migrate(AFTER)
        Published = apps.get_model("compounds", "PublishedCompound")
        rows = list(Published.objects.values_list("id", "name", "slug", "reviewer_name"))
        assert rows == [(live.pk, "Approved name", "approved", "Ada")]
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
