"""What the two roles, Editor and Medical Advisor, may do: derived from the admin.

The workflow's content is what the admin registers with a ReviewAdmin; its parts are
the inlines of those registrations (a compound's mechanisms, safety rows and
interactions, a summary's references and safety findings, a research update's
sources). A kind of content or an inline added later is granted to both roles at the
next `migrate` (grant_after_migrate, connected in compounds/apps.py), without anyone
listing it here.

Editors view, add and change content and its parts, and may remove parts, which are
edits reviewed with their parent, but never delete a reviewed object. Medical advisors
may do everything editors may, and review (approve, request changes, withdraw) and
delete content that is not live. Both read the advisors' bylines, approved versions and
the audit trail; neither may reach accounts, groups, or change the audit trail. Records
both work through outside the workflow (readers' reports) are registered with an admin
that names what both roles may do there (`granted_to_roles`).
Migration 0002 made the groups with these rules; this keeps them whole.
"""

from django.apps import apps as django_apps
from django.contrib import admin
from django.contrib.auth import get_permission_codename
from django.contrib.auth.models import Group, Permission
from django.db import DEFAULT_DB_ALIAS

from compounds.models import MedicalAdvisor, ReviewEvent, Version
from compounds.review.admin import ReviewAdmin, ReviewEventInline

EDITOR = "Editor"
MEDICAL_ADVISOR = "Medical Advisor"

# Records both roles read while they work, and no one edits by hand.
READ_ONLY = [MedicalAdvisor, Version, ReviewEvent]


def content_admins(site=None):
    """The ModelAdmins of the workflow's content, in the order they were registered."""
    site = site or admin.site
    return [
        model_admin
        for model_admin in site._registry.values()
        if isinstance(model_admin, ReviewAdmin)
    ]


def worked_admins(site=None):
    """The ModelAdmins that name what both roles may do with their model."""
    site = site or admin.site
    return [
        model_admin
        for model_admin in site._registry.values()
        if getattr(model_admin, "granted_to_roles", None)
    ]


def parts(model_admin):
    """The models edited inline on model_admin's add and change forms.

    The review history is left out: it is read only, for everyone.
    """
    inlines = [
        *model_admin.inlines,
        *model_admin.get_inlines(None, None),
        # Some inlines show only on a change form, which has an object.
        *model_admin.get_inlines(None, model_admin.model()),
    ]
    models = []
    for inline in inlines:
        if not issubclass(inline, ReviewEventInline) and inline.model not in models:
            models.append(inline.model)
    return models


def _grants(models, actions):
    """Permissions as "app_label.codename": each action on each model."""
    return [
        f"{model._meta.app_label}.{get_permission_codename(action, model._meta)}"
        for model in models
        for action in actions
    ]


def required(site=None):
    """{role: [permission "app_label.codename", ...]} that each role needs."""
    admins = content_admins(site)
    content = [model_admin.model for model_admin in admins]
    children = []
    for model_admin in admins:
        children += [model for model in parts(model_admin) if model not in children + content]
    editor = (
        _grants(content, ["view", "add", "change"])
        + _grants(children, ["view", "add", "change", "delete"])
        + _grants(READ_ONLY, ["view"])
    )
    for model_admin in worked_admins(site):
        editor += _grants([model_admin.model], model_admin.granted_to_roles)
    # "review" is the permission compounds.review.workflow.may_review asks for.
    advisor = editor + _grants(content, ["review", "delete"])
    return {EDITOR: editor, MEDICAL_ADVISOR: advisor}


def _permissions(codes, using):
    wanted = {tuple(code.split(".", 1)) for code in codes}
    found = (
        Permission.objects.using(using)
        .filter(codename__in=[codename for _, codename in wanted])
        .select_related("content_type")
    )
    return [p for p in found if (p.content_type.app_label, p.codename) in wanted]


def grant(using=DEFAULT_DB_ALIAS, site=None):
    """Give each role what it needs and lacks; nothing is taken away.

    Returns {role: [needed permissions that do not exist in the database]}: a model
    whose migration has not run yet has none.
    """
    missing = {}
    for name, codes in required(site).items():
        group, _ = Group.objects.using(using).get_or_create(name=name)
        permissions = _permissions(codes, using)
        group.permissions.add(*permissions)
        have = {f"{p.content_type.app_label}.{p.codename}" for p in permissions}
        missing[name] = [code for code in codes if code not in have]
    return missing


def grant_after_migrate(sender, using=DEFAULT_DB_ALIAS, apps=None, **kwargs):
    """post_migrate: a new site, and a site after a migration that adds a model, get
    the grants. Django has made this app's permissions by then (its own receiver runs
    first). Skipped while the database is migrated back to before some model the admin
    shows, so that the grants do not outrun the tables."""
    if apps is not None:
        for model_admin in content_admins():
            for model in [model_admin.model, *parts(model_admin)]:
                try:
                    apps.get_model(model._meta.label)
                except LookupError:
                    return
    grant(using)


def describe(site=None):
    """The derived roles as text: one line per model, with the actions granted on it."""
    lines = []
    for name, codes in required(site).items():
        lines.append(f"{name}:")
        actions = {}
        for code in codes:
            label, codename = code.split(".", 1)
            action, model_name = codename.split("_", 1)
            actions.setdefault((label, model_name), []).append(action)
        for (label, model_name), granted in actions.items():
            verbose_name = django_apps.get_model(label, model_name)._meta.verbose_name
            lines.append(f"  {verbose_name} ({label}.{model_name}): {', '.join(granted)}")
    return "\n".join(lines)
