"""The catalogue in the admin: import a file (checked first, then imported), export a
download, and review an import batch object by object.

The batch page's decisions are the workflow's own functions (compounds/review/workflow.py),
so four-eyes and the other rules hold; on top of them the importer of a batch may
not approve or return it from the batch page.
"""

import logging

from django import forms
from django.contrib import admin, messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from compounds import posted
from compounds.admin_plumbing import ReadOnlyAdmin
from compounds.catalogue import archives, export
from compounds.catalogue.apply import apply
from compounds.catalogue.check import check
from compounds.catalogue.file_format import KINDS
from compounds.catalogue.issues import Failed, Issue, Refused
from compounds.catalogue.read import read
from compounds.models import ImportBatch, ReviewState
from compounds.review import workflow

logger = logging.getLogger(__name__)

MB = archives.MB
# An upload is checked and imported within one request: at most this much, about
# 5,000 pairs. Larger files go through `manage.py import_catalogue`.
ADMIN_MAX_BYTES = 10 * MB
# And at most this many objects and rows (compounds/catalogue/read.py, MAX_ROWS; 5,000 pairs with
# two references and a finding each are about 20,000): what bounds the memory and the
# time of the check, which 10 MB of the shortest rows would multiply by eight.
ADMIN_MAX_ROWS = 50_000
# How many changes and issues a result page lists; the rest are counted.
LISTED = 200
BATCH_PAGE = 200


def may_import(user):
    return all(
        workflow.may_edit(user, kind.model)
        and user.has_perm(f"{kind.model._meta.app_label}.add_{kind.model._meta.model_name}")
        for kind in KINDS
    )


def may_see_catalogue(user):
    return all(
        user.has_perm(f"{kind.model._meta.app_label}.view_{kind.model._meta.model_name}")
        for kind in KINDS
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        help_text="A catalogue .json file, a .zip of its CSV files, or one CSV file "
        f"(docs/catalogue-format.md); at most {ADMIN_MAX_BYTES // MB} MB here."
    )
    submit = forms.BooleanField(required=False, label="Submit every imported change for review")


class ExportForm(forms.Form):
    source = forms.ChoiceField(
        choices=[
            (export.WORKING, "Working copies, drafts included"),
            (export.LIVE, "Live content, as the public site shows it"),
        ],
        widget=forms.RadioSelect,
        initial=export.WORKING,
    )
    format = forms.ChoiceField(
        choices=[("json", "One JSON file"), ("csv", "CSV files, in a .zip")],
        widget=forms.RadioSelect,
        initial="json",
    )


def _batch_pk(batch_id):
    """The batch id of an address, written as the admin writes ids, else not found."""
    if not posted.is_canonical_id(batch_id):
        raise Http404("No import batch has this id.")
    return int(batch_id)


def _check_upload(name, data):
    """(plan, issues): what importing the file would do, or why it cannot."""
    try:
        files = archives.unpack(name, data, limit=ADMIN_MAX_BYTES)
        parsed = read(files, max_rows=ADMIN_MAX_ROWS)
    except Refused as refused:
        return None, refused.issues
    plan = check(parsed)
    return plan, plan.issues


class ImportedRevisions:
    """The revision each object of a batch was imported at, by workflow.revision_key,
    looked up only for the objects a decision asks about."""

    def __init__(self, items):
        self.items = items

    def get(self, key):
        model_name, pk = key
        item = self.items.filter(
            content_type__app_label="compounds", content_type__model=model_name, object_id=pk
        ).first()
        return item.revision if item is not None else None


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "file_name",
        "imported_by",
        "status",
        "created_count",
        "updated_count",
        "unchanged_count",
        "submitted",
    ]
    list_filter = ["status", "submitted"]
    list_select_related = ["imported_by"]
    change_list_template = "admin/compounds/importbatch/change_list.html"

    # Who sees what ----------------------------------------------------------------------

    def has_module_permission(self, request):
        return may_see_catalogue(request.user)

    def has_view_permission(self, request, obj=None):
        return may_see_catalogue(request.user)

    def get_queryset(self, request):
        return super().get_queryset(request).defer("payload")

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "may_import": may_import(request.user)}
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("import/", view(self.import_view), name="compounds_importbatch_import"),
            path(
                "<str:batch_id>/import/",
                view(self.confirm_view),
                name="compounds_importbatch_confirm",
            ),
            path("export/", view(self.export_view), name="compounds_importbatch_export"),
            path("<str:batch_id>/", view(self.batch_view), name="compounds_importbatch_batch"),
            path(
                "<str:batch_id>/change/", view(self.batch_view), name="compounds_importbatch_change"
            ),
            *super().get_urls(),
        ]

    def _context(self, request, title, **context):
        return {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.opts,
            **context,
        }

    # Import -----------------------------------------------------------------------------

    def import_view(self, request):
        if not may_import(request.user):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > ADMIN_MAX_BYTES:
                form.add_error(
                    "file",
                    f"The file is {upload.size / MB:,.1f} MB; this page takes at most "
                    f"{ADMIN_MAX_BYTES // MB} MB. Import larger files with `manage.py "
                    "import_catalogue`, or split the catalogue into several files.",
                )
            else:
                return self._checked(request, upload.name, upload.read(), form)
        return TemplateResponse(
            request,
            "admin/compounds/importbatch/import.html",
            self._context(request, "Import a catalogue file", form=form),
        )

    def _checked(self, request, name, data, form):
        try:
            plan, issues = _check_upload(name, data)
        except Exception:  # noqa: BLE001 - whatever the file holds, the editor gets an answer
            logger.exception("Checking catalogue file %s failed", name)
            plan, issues = None, [self._unexpected(name)]
        batch = None
        if not issues:
            batch = ImportBatch.objects.create(
                file_name=name[:300], imported_by=request.user, payload=data
            )
        return self._result(request, name, plan, issues, batch, form.cleaned_data["submit"])

    @staticmethod
    def _unexpected(name):
        return Issue(
            name,
            "",
            "",
            "The file could not be checked; nothing was changed. Check it against "
            "docs/catalogue-format.md, or try `manage.py import_catalogue --dry-run`.",
        )

    def _result(self, request, name, plan, issues, batch, submit):
        changes = [c for c in plan.changes if c.action != "unchanged"] if plan else []
        response = TemplateResponse(
            request,
            "admin/compounds/importbatch/result.html",
            self._context(
                request,
                f"Import of {name}: {'errors' if issues else 'what would change'}",
                file_name=name,
                counts=plan.counts if plan else None,
                changes=changes[:LISTED],
                more_changes=max(0, len(changes) - LISTED),
                issues=issues[:LISTED],
                more_issues=max(0, len(issues) - LISTED),
                batch=batch,
                submit=submit,
            ),
        )
        return response

    def confirm_view(self, request, batch_id):
        if not may_import(request.user) or request.method != "POST":
            raise PermissionDenied
        batch = get_object_or_404(
            ImportBatch,
            pk=_batch_pk(batch_id),
            imported_by=request.user,
            status=ImportBatch.Status.CHECKED,
        )
        submit = bool(request.POST.get("submit"))
        data = bytes(batch.payload or b"")
        try:
            plan, issues = _check_upload(batch.file_name, data)
            if not issues:
                apply(plan, request.user, batch.file_name, submit, batch=batch)
        except Failed as failed:
            plan, issues = None, failed.issues
        except Exception:  # noqa: BLE001
            logger.exception("Importing catalogue file %s failed", batch.file_name)
            plan, issues = None, [self._unexpected(batch.file_name)]
        if issues:
            return self._result(request, batch.file_name, plan, issues, None, submit)
        state = "submitted for review" if submit else "saved as drafts"
        self.message_user(
            request,
            f"Imported {batch.file_name}: {batch.created_count} created, "
            f"{batch.updated_count} updated, {state}. Nothing is live until a medical "
            "advisor approves it.",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:compounds_importbatch_batch", args=[batch.pk]))

    # Export -----------------------------------------------------------------------------

    def export_view(self, request):
        if not may_see_catalogue(request.user):
            raise PermissionDenied
        form = ExportForm(request.GET if "format" in request.GET else None)
        if form.is_valid():
            source, fmt = form.cleaned_data["source"], form.cleaned_data["format"]
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
            if fmt == "json":
                chunks = (c.encode() for c in export.json_chunks(source))
                response = StreamingHttpResponse(chunks, content_type="application/json")
                name = f"catalogue-{source}-{stamp}.json"
            else:
                response = StreamingHttpResponse(
                    export.csv_zip_chunks(source), content_type="application/zip"
                )
                name = f"catalogue-{source}-{stamp}.zip"
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
        return TemplateResponse(
            request,
            "admin/compounds/importbatch/export.html",
            self._context(request, "Export the catalogue", form=form),
        )

    # The batch page ---------------------------------------------------------------------

    def batch_view(self, request, batch_id):
        if not may_see_catalogue(request.user):
            raise PermissionDenied
        batch = get_object_or_404(ImportBatch.objects.defer("payload"), pk=_batch_pk(batch_id))
        items = batch.items.select_related("content_type")
        if request.method == "POST":
            self._decide(request, batch, items)
            return HttpResponseRedirect(request.get_full_path())
        page = Paginator(items, BATCH_PAGE).get_page(request.GET.get("page"))
        rows = self._rows(page.object_list)
        importer = request.user.pk == batch.imported_by_id
        return TemplateResponse(
            request,
            "admin/compounds/importbatch/batch.html",
            self._context(
                request,
                f"Import batch: {batch.file_name}",
                batch=batch,
                page=page,
                rows=rows,
                importer=importer,
                can_review=any(workflow.may_review(request.user, k.model) for k in KINDS)
                and not importer,
                can_submit=may_import(request.user),
            ),
        )

    def _rows(self, items):
        """Each item with its object as it is now, and where to review it."""
        items = list(items)
        objects = {}
        by_type = {}
        for item in items:
            by_type.setdefault(item.content_type_id, []).append(item.object_id)
        for type_id, ids in by_type.items():
            model = ContentType.objects.get_for_id(type_id).model_class()
            for obj in model._default_manager.filter(pk__in=ids).for_decision():
                objects[(type_id, obj.pk)] = obj
        rows = []
        for item in items:
            obj = objects.get((item.content_type_id, item.object_id))
            opts = item.content_type.model_class()._meta
            rows.append(
                {
                    "item": item,
                    "obj": obj,
                    "kind": opts.verbose_name,
                    "changed_since": obj is not None and obj.revision != item.revision,
                    # An approval of it needs the comment confirming its grade.
                    "grade_to_confirm": obj is not None and workflow.grade_to_confirm(obj),
                    "review_url": reverse(
                        f"admin:{opts.app_label}_{opts.model_name}_review", args=[item.object_id]
                    )
                    if obj is not None
                    else None,
                }
            )
        return rows

    def _decide(self, request, batch, items):
        step_name = request.POST.get("step")
        comment = request.POST.get("comment", "")
        steps = {
            "submit": (workflow.submit_many, "submitted for review"),
            "approve": (workflow.approve_many, "approved and live"),
            "request_changes": (workflow.request_changes_many, "returned to the author"),
        }
        if step_name not in steps:
            self.message_user(request, "Choose what to do.", messages.ERROR)
            return
        if step_name != "submit" and request.user.pk == batch.imported_by_id:
            self.message_user(
                request,
                "You imported this batch: another medical advisor must approve it or ask for "
                "changes.",
                messages.ERROR,
            )
            return
        selected = request.POST.getlist("item")
        if request.POST.get("scope") == "page":
            chosen = Paginator(items, BATCH_PAGE).get_page(request.GET.get("page")).object_list
        else:
            chosen = items.filter(pk__in=[pk for pk in selected if posted.is_id(pk)])
        step, done = steps[step_name]
        objects, imported = [], {}
        for row in self._rows(chosen):
            obj, item = row["obj"], row["item"]
            if obj is None:
                self.message_user(
                    request, f"“{item.object_repr}” no longer exists.", messages.ERROR
                )
            elif row["changed_since"]:
                self.message_user(
                    request,
                    f"“{obj}” was edited after the import: review it on its own screen.",
                    messages.ERROR,
                )
            elif not (step_name == "submit" and obj.review_state == ReviewState.IN_REVIEW):
                objects.append(obj)
                imported[workflow.revision_key(obj)] = item.revision
        if step_name == "submit":
            outcomes = step(objects, request.user, comment=comment)
        else:
            # Decided on what was imported: refused, under each object's lock, if anyone
            # has edited it since (workflow.StaleDecision). A new pair's compound and
            # condition, decided with its summary, are bound to the revisions they were
            # imported at too.
            outcomes = step(
                objects,
                request.user,
                comment=comment,
                seen=imported,
                companions_seen=ImportedRevisions(items),
            )
        # One rule refuses many objects alike (a change request without its comment): said once.
        for message in dict.fromkeys(str(error) for _, error in outcomes.refused):
            self.message_user(request, message, messages.ERROR)
        succeeded = len(outcomes.done)
        if succeeded:
            self.message_user(request, f"{succeeded} object(s) {done}.", messages.SUCCESS)
