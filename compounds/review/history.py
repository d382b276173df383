"""An object's approved versions: the list, a comparison of any two, and restoring one.

Each approval stored a version (the snapshot patients were shown, its approver
and date); the approval's comment is in the review history. Any two versions,
or a version and the working copy, compare with the review screen's diff.
Restoring a version (workflow.restore) copies its content, inline rows and links
into the working copy as a new draft: nothing reaches the public site until that
draft is reviewed and approved like any edit.
"""

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from compounds import posted
from compounds.models import ReviewAction, ReviewEvent, Version
from compounds.review import snapshots, workflow

WORKING_COPY = "working"


def versions_of(obj):
    """Every approved version of obj, newest first, each with its approval's comment."""
    versions = list(Version.objects.of(obj).select_related("approved_by").order_by("-number"))
    comments = dict(
        ReviewEvent.objects.of(obj)
        .filter(action=ReviewAction.APPROVE, version__in=versions)
        .values_list("version_id", "comment")
    )
    for version in versions:
        version.comment = comments.get(version.pk, "")
    return versions


class HistoryViews:
    """The versions, compare and restore pages of a ReviewAdmin: mixed into it."""

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/versions/",
                view(self.versions_view),
                name="{}_{}_versions".format(*info),
            ),
            path(
                "<path:object_id>/versions/compare/",
                view(self.compare_view),
                name="{}_{}_compare".format(*info),
            ),
            path(
                "<path:object_id>/versions/<str:number>/restore/",
                view(self.restore_view),
                name="{}_{}_restore".format(*info),
            ),
            *super().get_urls(),
        ]

    def _version(self, obj, number):
        # A version number written one way only, as an object's id (posted.is_canonical_id).
        if not posted.is_canonical_id(number):
            raise Http404("No such version.")
        try:
            return Version.objects.of(obj).get(number=int(number))
        except (OverflowError, Version.DoesNotExist):
            raise Http404("No such version.") from None

    def versions_view(self, request, object_id):
        obj = self.object_or_deny(request, object_id)
        return TemplateResponse(
            request,
            "admin/compounds/versions.html",
            {
                **self._history_context(request, obj, "Versions"),
                "versions": versions_of(obj),
            },
        )

    def compare_view(self, request, object_id):
        obj = self.object_or_deny(request, object_id)
        a, b = request.GET.get("a", ""), request.GET.get("b", WORKING_COPY)
        older = self._version(obj, a)
        if b == WORKING_COPY:
            newer, newer_data = None, snapshots.take(obj)
        else:
            newer = self._version(obj, b)
            newer_data = newer.data
        return TemplateResponse(
            request,
            "admin/compounds/compare.html",
            {
                **self._history_context(request, obj, "Compare versions"),
                "older": older,
                "newer": newer,
                "older_label": f"Version {older.number}",
                "newer_label": f"Version {newer.number}" if newer else "Working copy",
                "diff": snapshots.compare(self.model, older.data, newer_data),
                "versions": versions_of(obj),
            },
        )

    def restore_view(self, request, object_id, number):
        obj = self.object_or_deny(request, object_id)
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        version = self._version(obj, number)
        versions_url = self._admin_url("versions", obj)
        if request.method == "POST":
            # Bound to the working copy the page showed, as every decision is: a post that
            # does not say which could not tell that it changed since, and would undo that.
            seen = posted.posted_revision(request.POST.get("revision"))
            if seen is None:
                messages.error(
                    request,
                    "Nothing was restored: this page did not say which revision of the "
                    "working copy it showed. Look at the changes below again, then restore.",
                )
                return HttpResponseRedirect(request.path)
            try:
                workflow.restore(obj, request.user, version=version, seen_revision=seen)
            except workflow.StaleDecision as error:
                messages.error(request, str(error))
                return HttpResponseRedirect(request.path)
            except (ValidationError, IntegrityError) as error:
                messages.error(
                    request, f"Version {version.number} cannot be restored: {_said(error)}"
                )
                return HttpResponseRedirect(versions_url)
            messages.success(
                request,
                f"Version {version.number} is now the working copy, as a draft: submit it for "
                "review to publish it.",
            )
            return HttpResponseRedirect(self._admin_url("change", obj))
        return TemplateResponse(
            request,
            "admin/compounds/restore.html",
            {
                **self._history_context(request, obj, f"Restore version {version.number}"),
                "version": version,
                # What restoring would undo: from the working copy back to the version.
                "diff": snapshots.compare(self.model, snapshots.take(obj), version.data),
            },
        )

    def _admin_url(self, view, obj, *args):
        opts = self.opts
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=[obj.pk, *args])

    def _history_context(self, request, obj, title):
        return {
            **self.admin_site.each_context(request),
            "title": f"{title}: {obj}",
            "opts": self.opts,
            "original": obj,
            "content_type": ContentType.objects.get_for_model(self.model),
            "can_restore": self.has_change_permission(request, obj),
            "change_url": self._admin_url("change", obj),
            "versions_url": self._admin_url("versions", obj),
            "compare_url": self._admin_url("compare", obj),
        }


def _said(error):
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return "it conflicts with content saved since; edit the working copy instead."
