"""The migration that gave versions and published rows their advisor: the versions
approved before it get their approver's byline, and the published rows their version's."""

import importlib

import pytest
from django.apps import apps

from compounds.models import PublishedSummary, Version
from tests.factories import approve_as, make_summary, make_user

pytestmark = pytest.mark.django_db

MIGRATION = importlib.import_module("compounds.migrations.0018_site_pages")


def test_versions_and_published_rows_get_the_byline_of_whoever_approved_them():
    editor = make_user("erin", "Editor")
    advisor = make_user("ada", "Medical Advisor", byline=True)
    summary = approve_as(make_summary(), editor, advisor)
    Version.objects.update(reviewer=None)
    PublishedSummary.objects.update(reviewer_id=None)

    MIGRATION.fill_in_reviewers(apps, None)

    byline = advisor.medical_advisor.pk
    assert set(Version.objects.values_list("reviewer_id", flat=True)) == {byline}
    assert PublishedSummary.objects.get(pk=summary.pk).reviewer_id == byline


def test_a_version_whose_approver_has_no_byline_keeps_none():
    editor = make_user("erin", "Editor")
    advisor = make_user("ada", "Medical Advisor", byline=True)
    approve_as(make_summary(), editor, advisor)
    Version.objects.update(reviewer=None)
    advisor.medical_advisor.delete()
    MIGRATION.fill_in_reviewers(apps, None)
    assert set(Version.objects.values_list("reviewer_id", flat=True)) == {None}
