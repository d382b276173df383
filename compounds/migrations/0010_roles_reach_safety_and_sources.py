"""Editors and medical advisors reach the safety rows and research-update sources.

Migration 0007 added monitoring, contraindications and cautions, drug interactions,
condition-specific safety findings and research-update sources without granting them,
so only a superuser saw their inlines. Both roles edit and remove them, as they do a
compound's mechanisms or a summary's references.

Listed here because a migration cannot read the live admin; from now on
compounds/roles.py derives the grants from the admin after every migrate.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODELS = ["monitoring", "caution", "interaction", "safetyfinding", "researchreference"]
CODENAMES = [
    f"{action}_{model}" for model in MODELS for action in ("view", "add", "change", "delete")
]
ROLES = ["Editor", "Medical Advisor"]


def _roles_and_permissions(apps, schema_editor):
    db = schema_editor.connection.alias
    # On a new database permissions are made after all migrations; these are needed now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0, using=db)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.using(db).filter(
        content_type__app_label="compounds", codename__in=CODENAMES
    )
    missing = set(CODENAMES) - set(permissions.values_list("codename", flat=True))
    if missing:
        raise RuntimeError(f"Permissions not found: {sorted(missing)}")
    return Group.objects.using(db).filter(name__in=ROLES), permissions


def grant(apps, schema_editor):
    groups, permissions = _roles_and_permissions(apps, schema_editor)
    for group in groups:
        group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    groups, permissions = _roles_and_permissions(apps, schema_editor)
    for group in groups:
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [("compounds", "0009_change_requests_point")]

    operations = [migrations.RunPython(grant, revoke)]
