"""The reference lookup in the admin: a button on each reference form, and its JSON view.

Any model admin or inline whose model has a reference's fields (pmid, doi, nct_id,
title, journal, year, study_design, participants) takes `ReferenceLookupMixin`.
Its identifier inputs then carry the address of the lookup, and
static/js/reference-lookup.js adds the "Fill in" button to each form that has
them, including forms added with "Add another".
"""

import time

from django import forms
from django.apps import apps
from django.contrib.auth import get_permission_codename
from django.core.cache import cache
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from compounds.references import lookup

# In the order they are looked up when a form has more than one: PubMed's record
# says most (it names the publication types), a trial registration the least.
IDENTIFIER_FIELDS = ["pmid", "doi", "nct_id"]

# Enough for an editor working through a reading list; a runaway script stops here.
LOOKUPS_PER_MINUTE = 30

FAILURE_STATUS = {
    lookup.NOT_FOUND: 404,
    lookup.TIMEOUT: 504,
    lookup.UNAVAILABLE: 502,
    lookup.UNREADABLE: 502,
}


class ReferenceLookupMixin:
    """Offers to fill in a reference's details from its PMID, DOI or NCT id."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None and db_field.name in IDENTIFIER_FIELDS:
            formfield.widget.attrs["data-reference-lookup"] = reverse(
                f"{self.admin_site.name}:reference_lookup",
                args=[self.opts.app_label, self.opts.model_name],
            )
        return formfield

    @property
    def media(self):
        return super().media + forms.Media(
            js=["js/reference-lookup.js"], css={"all": ["css/reference-lookup.css"]}
        )


def _too_many_lookups(user):
    key = f"reference-lookup:rate:{user.pk}:{int(time.time() // 60)}"
    try:
        cache.add(key, 0, 60)
        return cache.incr(key) > LOOKUPS_PER_MINUTE
    except Exception:  # noqa: BLE001 - a failing cache must not stop the editor
        return False


def _error(message, status):
    return JsonResponse({"error": message}, status=status)


@require_GET
def reference_lookup(request, app_label, model_name):
    """The details of the reference whose identifier is in the query (?pmid=, ?doi= or
    ?nct_id=, as the editor typed it), as JSON, for someone who may change `model`."""
    try:
        model = apps.get_model(app_label, model_name)
    except LookupError:
        raise Http404 from None
    fields = {}
    for name in IDENTIFIER_FIELDS:
        try:
            fields[name] = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
    if not fields:
        raise Http404
    codename = get_permission_codename("change", model._meta)
    if not request.user.has_perm(f"{model._meta.app_label}.{codename}"):
        raise PermissionDenied

    typed = [(name, request.GET.get(name, "").strip()) for name in fields]
    typed = [(name, value) for name, value in typed if value]
    if not typed:
        return _error("Enter a PMID, DOI or NCT id first.", 400)
    kind, value = typed[0]
    try:
        # The model field's own cleaning: a pasted address works as it does on save.
        identifier = fields[kind].clean(value, None)
    except ValidationError as error:
        return _error(" ".join(error.messages), 400)

    if _too_many_lookups(request.user):
        return _error(
            "Too many lookups in the last minute; wait a moment, or type the details yourself.",
            429,
        )
    result = lookup.look_up(kind, identifier)
    if isinstance(result, lookup.Failure):
        return _error(result.message, FAILURE_STATUS[result.reason])
    return JsonResponse(
        {
            "source": result.source,
            "identifier": result.identifier,
            "found": result.found(),
            "notes": list(result.notes),
        }
    )
