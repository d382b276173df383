"""Each role reaches its content: every admin registration and every inline, walked.

The workflow's content is what the admin registers with a ReviewAdmin; its parts are
the inlines of those registrations. An editor and a medical advisor must see and
change all of it from the pages, and must not reach accounts, groups, sign-in records
or the audit trail's rows. A model or inline added later is walked here without
anyone listing it.
"""

import datetime
import importlib
import io

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import RequestFactory
from django.urls import reverse

from compounds import roles
from compounds.models import (
    Condition,
    Interaction,
    ResearchReference,
    ResearchUpdate,
    SafetyFinding,
)
from compounds.review.admin import ReviewAdmin, ReviewEventInline
from tests.admin_forms import press
from tests.factories import (
    make_compound,
    make_condition,
    make_reference,
    make_site_page,
    make_summary,
)

pytestmark = pytest.mark.django_db

User = get_user_model()

GROUPS = {"editor": "Editor", "advisor": "Medical Advisor"}

# Every registration that is not the workflow's content, and what both roles may do
# there: "view" is to list and read it, never to add, change or delete; "answer" is to
# read it and change it (a reader's report, answered and closed), never to add or
# delete; "decide" is "view" for editors and "answer" for advisors (a notice on a cited
# study, an item of the evidence inbox, decided by an advisor); "keep" is to add, change
# and delete it without review (the search synonyms, promoted results and official
# labels); None is no entry. A registration missing here fails
# test_every_registration_is_decided.
OTHERS = {
    "compounds.SearchSynonym": "keep",
    "compounds.PromotedResult": "keep",
    "compounds.ReviewEvent": "view",
    "compounds.Feedback": "answer",
    "compounds.InboxItem": "decide",
    "compounds.NoticeReview": "decide",
    "compounds.OfficialLabel": "keep",
    "compounds.MedicalAdvisor": "view",
    "compounds.Reference": "view",
    "compounds.ImportBatch": "view",
    "auth.User": None,
    "auth.Group": None,
    "axes.AccessAttempt": None,
    "axes.AccessLog": None,
    "axes.AccessFailureLog": None,
}


def _research_update(**fields):
    values = {
        "title": "A trial reported",
        "slug": "a-trial-reported",
        "summary": "Forty adults were studied.",
        "study_design": "rct",
        "date": datetime.date(2026, 1, 5),
    }
    return ResearchUpdate.objects.create(**{**values, **fields})


# An object of each kind of content, for its change form.
BUILDERS = {
    "compounds.Compound": make_compound,
    "compounds.Condition": make_condition,
    "compounds.EvidenceSummary": make_summary,
    "compounds.ResearchUpdate": _research_update,
    "compounds.SitePage": make_site_page,
}


def _content():
    return {
        model._meta.label: model_admin
        for model, model_admin in admin.site._registry.items()
        if isinstance(model_admin, ReviewAdmin)
    }


def _user(role):
    user = User.objects.create_user(role, password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=GROUPS[role]))
    return user


def _as(client, role):
    user = _user(role)
    client.force_login(user)
    return user


def _expected_prefixes(model_admin, obj):
    """The prefix of each inline formset of the form, as a superuser's page has them."""
    root = User(username="root", is_superuser=True, is_staff=True)
    request = RequestFactory().get("/")
    request.user = root
    return {
        inline.get_formset(request, obj).get_default_prefix(): inline
        for inline in model_admin.get_inline_instances(request, obj)
        if not isinstance(inline, ReviewEventInline)
    }


def _check_inlines(response, model_admin, obj):
    page = response.content.decode()
    expected = _expected_prefixes(model_admin, obj)
    missing = [prefix for prefix in expected if f'name="{prefix}-TOTAL_FORMS"' not in page]
    assert not missing, f"{model_admin.model._meta.label}: no inline formset for {missing}"
    shown = {f.formset.prefix: f for f in response.context["inline_admin_formsets"]}
    for prefix in expected:
        formset = shown[prefix]
        rights = {
            "add": formset.has_add_permission,
            "change": formset.has_change_permission,
            "delete": formset.has_delete_permission,
        }
        refused = [right for right, granted in rights.items() if not granted]
        assert not refused, f"{prefix}: may not {refused}"


def test_every_registration_is_decided():
    registered = {model._meta.label for model in admin.site._registry}
    undecided = registered - set(_content()) - set(OTHERS)
    assert not undecided, f"Decide what each role may do with {sorted(undecided)} (OTHERS)"
    assert set(_content()) == set(BUILDERS), "Give each kind of content a builder (BUILDERS)"


@pytest.mark.parametrize("role", GROUPS)
@pytest.mark.parametrize("label", sorted(_content()))
def test_role_edits_content_and_every_part_of_it(client, role, label):
    model_admin = _content()[label]
    model = model_admin.model
    user = _as(client, role)
    info = model._meta.app_label, model._meta.model_name

    assert client.get(reverse("admin:{}_{}_changelist".format(*info))).status_code == 200

    response = client.get(reverse("admin:{}_{}_add".format(*info)))
    assert response.status_code == 200
    _check_inlines(response, model_admin, None)

    obj = BUILDERS[label]()
    response = client.get(reverse("admin:{}_{}_change".format(*info), args=[obj.pk]))
    assert response.status_code == 200
    _check_inlines(response, model_admin, obj)

    request = RequestFactory().get("/")
    request.user = user
    assert model_admin.has_change_permission(request, obj)
    # Editors never delete reviewed content; advisors delete what is not live.
    assert model_admin.has_delete_permission(request, obj) == (role == "advisor")
    assert model_admin.has_review_permission(request) == (role == "advisor")


@pytest.mark.parametrize("role", GROUPS)
@pytest.mark.parametrize("label", sorted(OTHERS))
def test_role_reaches_only_what_was_decided(client, role, label):
    model = next(m for m in admin.site._registry if m._meta.label == label)
    model_admin = admin.site._registry[model]
    user = _as(client, role)
    info = model._meta.app_label, model._meta.model_name
    response = client.get(reverse("admin:{}_{}_changelist".format(*info)))
    request = RequestFactory().get("/")
    request.user = user
    if OTHERS[label] is None:
        assert response.status_code == 403
        assert client.get(reverse("admin:{}_{}_add".format(*info))).status_code == 403
        assert not model_admin.has_module_permission(request)
    elif OTHERS[label] == "keep":
        assert response.status_code == 200
        assert client.get(reverse("admin:{}_{}_add".format(*info))).status_code == 200
        assert model_admin.has_change_permission(request)
        assert model_admin.has_delete_permission(request)
    else:
        decided = OTHERS[label]
        if decided == "decide":
            decided = "answer" if role == "advisor" else "view"
        assert response.status_code == 200
        assert not model_admin.has_add_permission(request)
        assert model_admin.has_change_permission(request) == (decided == "answer")
        assert not model_admin.has_delete_permission(request)


@pytest.mark.parametrize("role", GROUPS)
def test_groups_hold_no_right_over_accounts_or_the_audit_trail(role):
    codenames = set(
        Group.objects.get(name=GROUPS[role]).permissions.values_list(
            "content_type__app_label", "codename"
        )
    )
    assert not {code for code in codenames if code[0] != "compounds"}
    forbidden = {("compounds", f"{a}_reviewevent") for a in ("add", "change", "delete")}
    assert not codenames & forbidden


@pytest.mark.parametrize("role", GROUPS)
def test_role_changes_a_drug_interaction_on_the_compound_page(client, role):
    _as(client, role)
    compound = make_compound()
    Interaction.objects.create(
        compound=compound,
        drug="Test drug class",
        severity="moderate",
        effect="Test effect",
        management="Test advice",
        source="Test source",
    )
    url = reverse("admin:compounds_compound_change", args=[compound.pk])
    response = press(
        client, url, "Save and continue editing", **{"interactions-0-effect": "Edited effect"}
    )
    assert response.status_code == 302
    assert compound.interactions.get().effect == "Edited effect"


@pytest.mark.parametrize("role", GROUPS)
def test_role_changes_a_safety_finding_on_the_summary_page(client, role):
    _as(client, role)
    summary = make_summary()
    SafetyFinding.objects.create(
        summary=summary, kind="finding", description="Test finding", source="Test source"
    )
    url = reverse("admin:compounds_evidencesummary_change", args=[summary.pk])
    response = press(
        client,
        url,
        "Save and continue editing",
        **{"safety_findings-0-description": "Edited finding"},
    )
    assert response.status_code == 302
    assert summary.safety_findings.get().description == "Edited finding"


@pytest.mark.parametrize("role", GROUPS)
def test_role_changes_a_research_updates_source(client, role):
    _as(client, role)
    update = _research_update()
    source = make_reference().__dict__
    fields = {k: source[k] for k in ("pmid", "title", "journal", "year", "study_design")}
    ResearchReference.objects.create(update=update, **fields)
    url = reverse("admin:compounds_researchupdate_change", args=[update.pk])
    response = press(
        client, url, "Save and continue editing", **{"references-0-title": "Edited title"}
    )
    assert response.status_code == 302
    assert update.references.get().title == "Edited title"


# The grants, as a site had them before this module ------------------------------------------

ROLES_0002 = importlib.import_module("compounds.migrations.0002_roles").ROLES
MIGRATION_0010 = "0010_roles_reach_safety_and_sources"


def _held(name):
    return {
        f"{app_label}.{codename}"
        for app_label, codename in Group.objects.get(name=name).permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


def _old_grants():
    """Set both groups back to what migration 0002 gave them."""
    for name, codenames in ROLES_0002.items():
        Group.objects.get(name=name).permissions.set(
            Permission.objects.filter(content_type__app_label="compounds", codename__in=codenames)
        )


def _compound_page_shows_interactions(client):
    compound = make_compound()
    page = client.get(reverse("admin:compounds_compound_change", args=[compound.pk]))
    return 'name="interactions-TOTAL_FORMS"' in page.content.decode()


def _state_apps(migration):
    return MigrationExecutor(connection).loader.project_state(("compounds", migration)).apps


class _SchemaEditor:
    connection = connection


def test_derived_roles_keep_every_grant_of_0002():
    derived = roles.required()
    for name, codenames in ROLES_0002.items():
        lost = {f"compounds.{codename}" for codename in codenames} - set(derived[name])
        assert not lost, f"{name} would lose {sorted(lost)}"


def test_migration_0010_gives_old_sites_the_safety_rows_and_sources(client):
    _as(client, "editor")
    _old_grants()
    assert not _compound_page_shows_interactions(client)

    migration = importlib.import_module(f"compounds.migrations.{MIGRATION_0010}")
    migration.grant(_state_apps(MIGRATION_0010), _SchemaEditor())

    assert _compound_page_shows_interactions(client)
    for name in ROLES_0002:
        assert {f"compounds.{codename}" for codename in migration.CODENAMES} <= _held(name)


def test_migrate_grants_whatever_the_admin_shows(client):
    _as(client, "editor")
    _old_grants()
    for _ in range(2):  # and again, changing nothing
        emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
        for name, codes in roles.required().items():
            assert set(codes) <= _held(name)
    assert _compound_page_shows_interactions(client)
    assert roles.grant() == {roles.EDITOR: [], roles.MEDICAL_ADVISOR: []}


def test_migrating_back_grants_nothing_ahead_of_the_tables():
    _old_grants()
    roles.grant_after_migrate(
        sender=None, using="default", apps=_state_apps("0006_condition_urgent_help")
    )
    assert "compounds.view_interaction" not in _held(roles.EDITOR)


def test_a_part_added_later_is_granted_without_being_listed():
    class NewPartInline(admin.TabularInline):
        model = Interaction

    class NewContentAdmin(ReviewAdmin):
        inlines = [NewPartInline]

    site = admin.AdminSite(name="later")
    site.register(Condition, NewContentAdmin)
    derived = roles.required(site)
    assert {f"compounds.{a}_interaction" for a in ("view", "add", "change", "delete")} <= set(
        derived[roles.EDITOR]
    )
    assert "compounds.delete_condition" not in derived[roles.EDITOR]
    assert {"compounds.review_condition", "compounds.delete_condition"} <= set(
        derived[roles.MEDICAL_ADVISOR]
    )


def test_the_roles_command_lists_the_derived_grants():
    out = io.StringIO()
    call_command("roles", stdout=out)
    listed = out.getvalue()
    assert listed == roles.describe() + "\n"
    assert "interaction (compounds.interaction): view, add, change, delete" in listed
    assert "compound (compounds.compound): view, add, change, review, delete" in listed
    assert "reader's report (compounds.feedback): view, change" in listed
