"""The staff preview: an object's public page built from its working copy, exactly as
it would look once approved, with everything around it as it is live now, but for a
pair's compound and condition, which show what of theirs is in review too.

The admin site serves it beside the object's review screen, at
admin/<app>/<model>/<id>/preview/ (insightswarm/admin.py), and links to it by the URL
name admin:<app>_<model>_preview: the admin never imports the public pages.
"""

import functools

from django.contrib.admin.views.decorators import staff_member_required
from django.utils import timezone

from compounds.models import (
    Compound,
    Condition,
    EvidenceSummary,
    MedicalAdvisor,
    PublishedSummary,
    ResearchUpdate,
    ReviewState,
    SitePage,
    Version,
)
from compounds.models.notices import published_notices
from compounds.review import change_log, publishing, snapshots, workflow

from . import live, trust, views
from .registry import Pair, get_page_type, page_types


def as_if_approved(obj, model, request):
    """The working copy, rebuilt as approval would store it, by the previewing advisor."""
    data = snapshots.take(obj)
    working = snapshots.restore(model, obj.pk, data)
    if model is ResearchUpdate:
        live.attach_links([working])
    advisor = MedicalAdvisor.objects.filter(user=request.user).first()
    now = timezone.now()
    working.version = Version(
        reviewer_name=advisor.display_name if advisor else "The approving medical advisor",
        reviewer_credentials=advisor.credentials if advisor else "credentials",
        reviewer=advisor,
        approved_at=now,
        next_review_due=workflow.review_due_after(timezone.localdate(now)),
    )
    if model is SitePage:
        # What its published row would hold: its address and heading (an advisor's byline).
        for name, value in publishing.site_page_columns(data).items():
            setattr(working.version, name, value)
    if model.keeps_change_log:
        _log_as_if_approved(working, data, obj)
    if model is EvidenceSummary:
        _notices_as_if_approved(working, obj.pk, data)
    return working


def _notices_as_if_approved(working, pk, data):
    """The notices on the studies the working copy cites, as approval leaves them on the
    published row: beside each study still cited, none still being checked, since
    approving a new version decides them (workflow.approve)."""
    version = working.version
    version.study_notices = [
        {**notice, "checking": False} for notice in published_notices({pk: data}).get(pk, [])
    ]
    version.notices_of = functools.partial(PublishedSummary.notices_of, version)


def _log_as_if_approved(working, data, obj):
    """The change log with this approval's entry on top. Its reason is not known before
    the advisor approves, and the approval is bound to this text: where one is asked,
    the entry says where it will go (change_log.REASON_TO_COME)."""
    version = working.version
    previous = workflow.last_approved(obj)
    version.number = previous.number + 1 if previous else 1
    version.change_log = change_log.log_after(
        previous,
        data,
        day=timezone.localdate(version.approved_at),
        approved_by=change_log.byline(version.reviewer_name, version.reviewer_credentials),
        reason_to_come=change_log.needs_reason(previous.data if previous else None, data),
    )


def _as_reviewed(model, pk, request):
    """A pair's compound or condition as the pair pages will show it once what is in
    review is approved: its working copy while that is in review or was never approved
    (an edit of an interaction shows on the pair's interactions page), else the live
    version; a draft nobody has submitted stays out."""
    working = model.objects.get(pk=pk)
    found = live.PUBLISHED[model._meta.model_name].objects.filter(pk=pk).first()
    if found is not None and working.review_state != ReviewState.IN_REVIEW:
        return snapshots.approved(found)
    return as_if_approved(working, model, request)


def pair_as_reviewed(summary, request, working=None):
    """The pair of a summary's working copy, as its pages will show it once approved."""
    return Pair(
        working or as_if_approved(summary, EvidenceSummary, request),
        _as_reviewed(Compound, summary.compound_id, request),
        _as_reviewed(Condition, summary.condition_id, request),
    )


def preview(request, obj):
    model = type(obj)
    working = as_if_approved(obj, model, request)
    if model is EvidenceSummary:
        pair = pair_as_reviewed(obj, request, working)
        kind = get_page_type(request.GET.get("page", "")) or page_types()[0]
        return views.render_review(request, pair, kind, preview=True)
    if model is Compound:
        return views.render_compound(request, working, preview=True)
    if model is Condition:
        return views.render_condition(request, working, preview=True)
    if model is ResearchUpdate:
        return views.render_research_update(request, working, preview=True)
    if model is SitePage:
        return trust.render_site_page(request, working, preview=True)
    raise TypeError(f"No public page shows a {model._meta.verbose_name}.")


@staff_member_required
def preview_page(request, object_id, model_admin):
    """The preview of the object object_id of model_admin's model, with the banner that
    leads back to its review. model_admin answers 403 to who may not see such objects
    and 404 for an object that does not exist, as its review screen does."""
    obj = model_admin.object_or_deny(request, object_id)
    # Read by the banner (pages/jinja2/pages/includes/preview_review.html).
    request.preview_review = model_admin.preview_banner(request, obj)
    response = preview(request, obj)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
