"""The queries behind the public pages: live content only, a fixed number of queries each.

Everything here reads through `.live()`, which yields objects rebuilt from
approved versions; a working copy never reaches a template.
"""

import datetime
from dataclasses import dataclass

from django.db import connection
from django.db.models.fields.json import KeyTextTransform
from django.urls import reverse

from compounds.models import Compound, Condition, EvidenceSummary, ResearchUpdate, Version

from .registry import Pair


def live_name(model_field="name"):
    """Order or filter live() rows by a field's approved value."""
    return KeyTextTransform(model_field, "live_version__data")


def find_pair(compound_slug, condition_slug):
    summary = (
        EvidenceSummary.objects.live()
        .filter(
            compound__live_version__data__slug=compound_slug,
            condition__live_version__data__slug=condition_slug,
        )
        .first()
    )
    return Pair.of(summary) if summary else None


def find(model, slug):
    return model.objects.live().filter(live_version__data__slug=slug).first()


def current_slug(model, former_slug):
    """The live slug of the object that was once published as former_slug, if any."""
    version = (
        Version.objects.of_model(model)
        .filter(data__slug=former_slug)
        .order_by("-approved_at")
        .first()
    )
    if version is None:
        return None
    obj = model.objects.live().filter(pk=version.object_id).first()
    return obj.slug if obj else None


def compounds_a_to_z():
    return list(Compound.objects.live().order_by(live_name()))


def conditions_a_to_z():
    return list(Condition.objects.live().order_by(live_name()))


def summaries_for(compound=None, condition=None):
    """The live pairs of one compound or one condition, named by the other side."""
    summaries = EvidenceSummary.objects.live()
    if compound is not None:
        summaries = summaries.filter(compound_id=compound.pk).order_by(
            KeyTextTransform("name", "condition__live_version__data")
        )
    if condition is not None:
        summaries = summaries.filter(condition_id=condition.pk).order_by(
            KeyTextTransform("name", "compound__live_version__data")
        )
    return [Pair.of(summary) for summary in summaries]


@dataclass(frozen=True)
class PairAddress:
    """Where a live pair's pages are and when their content was last approved: what
    the sitemap needs, read without rebuilding whole objects."""

    compound_slug: str
    condition_slug: str
    last_reviewed: datetime.datetime

    def url(self, page_type):
        return reverse(
            "pages:review",
            kwargs={
                "compound": self.compound_slug,
                "condition": self.condition_slug,
                "page_type": page_type.slug,
            },
        )


def pair_addresses():
    """Every live pair's address, in one query, ordered by compound and condition."""
    rows = (
        EvidenceSummary.objects.live()
        .annotate(
            compound_slug=KeyTextTransform("slug", "compound__live_version__data"),
            condition_slug=KeyTextTransform("slug", "condition__live_version__data"),
        )
        .order_by("compound_slug", "condition_slug")
        .values_list(
            "compound_slug",
            "condition_slug",
            "live_version__approved_at",
            "compound__live_version__approved_at",
            "condition__live_version__approved_at",
        )
    )
    return [PairAddress(compound, condition, max(dates)) for compound, condition, *dates in rows]


def research_updates(compound=None, condition=None):
    """Live research updates, newest first, optionally only those approved as linked to
    a compound or condition. A queryset when unfiltered, for pagination."""
    updates = ResearchUpdate.objects.live().order_by(
        KeyTextTransform("date", "live_version__data").desc(), "pk"
    )
    for key, obj in (("compounds", compound), ("conditions", condition)):
        if obj is None:
            continue
        # The approved links are in the version's JSON; the working copy's many-to-many
        # rows may hold links nobody has approved yet.
        if connection.features.supports_json_field_contains:
            updates = updates.filter(**{f"live_version__data__{key}__contains": [obj.pk]})
        else:
            updates = [u for u in updates if obj.pk in u.version.data.get(key, [])]
    return updates
