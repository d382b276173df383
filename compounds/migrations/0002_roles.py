"""The two roles, as groups: Editor and Medical Advisor.

Editors add and change content and submit it for review; they may remove a
compound's mechanisms and safety notes or a summary's references, which are
edits reviewed with their parent, but never delete a reviewed object.
Medical advisors may do everything editors may, and approve, request changes,
withdraw, and delete content that is not live.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PUBLISHABLE = ["compound", "condition", "evidencesummary", "researchupdate"]
CHILDREN = ["mechanism", "safetynote", "reference"]

EDITOR = (
    [f"{action}_{model}" for model in PUBLISHABLE + CHILDREN for action in ("view", "add", "change")]
    + [f"delete_{model}" for model in CHILDREN]
    + ["view_medicaladvisor", "view_version", "view_reviewevent"]
)
MEDICAL_ADVISOR = (
    EDITOR
    + [f"review_{model}" for model in PUBLISHABLE]
    + [f"delete_{model}" for model in PUBLISHABLE]
)
ROLES = {"Editor": EDITOR, "Medical Advisor": MEDICAL_ADVISOR}


def create_roles(apps, schema_editor):
    # Permissions are normally made after all migrations; these groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = Permission.objects.filter(
            content_type__app_label="compounds", codename__in=codenames
        )
        missing = set(codenames) - set(permissions.values_list("codename", flat=True))
        if missing:
            raise RuntimeError(f"Permissions not found for {name}: {sorted(missing)}")
        group.permissions.set(permissions)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("compounds", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
