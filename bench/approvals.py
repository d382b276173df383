"""How long approving takes at the catalogue's scale: each kind, in-process.

Each object is edited by the bench's editor, submitted, and approved by an advisor
through workflow.approve(), as the review screen approves it: bound to the revision
seen, committed, and with what follows the commit (the page cache told, the emails
sent). The time and the queries are of the approval alone. A compound's or condition's
edit renames it, which every published pair of it follows; a withdrawn compound or
condition re-approved publishes again every summary that waited for it (bench/catalogue.py
gives each compound a pair with every condition).

Run last: the approvals change the catalogue the pages were measured on.
"""

import time

from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from compounds.models import (
    Compound,
    Condition,
    EvidenceSummary,
    MedicalAdvisor,
    PublishedSummary,
)
from compounds.review import workflow

# Said in each approval's history: the content checks may flag the bench's text.
COMMENT = "Approved by the benchmark."


def _edited(obj, editor, **fields):
    """obj with an edit saved as the admin saves one, and submitted for review."""
    for name, value in fields.items():
        setattr(obj, name, value)
    workflow.record_edit(obj, editor)
    obj.save()
    workflow.submit(obj, editor)
    return type(obj).objects.get(pk=obj.pk)


def _approve(obj, advisor):
    """(milliseconds, queries) of approving obj."""
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        workflow.approve(obj, advisor, comment=COMMENT, seen_revision=obj.revision)
        elapsed = time.perf_counter() - start
    return elapsed * 1000, len(queries)


def _pairs(side, pk):
    return PublishedSummary.objects.filter(**{f"{side}_id": pk}).count()


def measure():
    """{label: {"ms", "queries", "summaries"}} of approving each kind."""
    editor = get_user_model().objects.get(username="bench-editor")
    advisors = MedicalAdvisor.objects.filter(user__isnull=False).select_related("user")
    advisor = advisors.order_by("pk").first().user
    compound = Compound.objects.order_by("pk").first()
    condition = Condition.objects.order_by("pk").first()
    summary = EvidenceSummary.objects.order_by("-pk").first()
    results = {}

    def record(label, obj, side=None):
        ms, queries = _approve(obj, advisor)
        summaries = _pairs(side, obj.pk) if side else 1
        results[label] = {"ms": ms, "queries": queries, "summaries": summaries}
        print(f"  {label}: {ms:.0f} ms, {queries} queries, {summaries} published summaries")

    record(
        "approve compound rename",
        _edited(compound, editor, name=f"{compound.name} (renamed)"),
        "compound",
    )
    record(
        "approve condition rename",
        _edited(condition, editor, name=f"{condition.name} (renamed)"),
        "condition",
    )
    record(
        "approve summary",
        _edited(summary, editor, human_evidence=f"{summary.human_evidence} Checked again."),
    )
    for side, obj in (("compound", compound), ("condition", condition)):
        obj = type(obj).objects.get(pk=obj.pk)
        workflow.withdraw(obj, advisor, comment=COMMENT, seen_revision=obj.revision)
        edited = _edited(type(obj).objects.get(pk=obj.pk), editor)
        record(f"re-approve withdrawn {side}", edited, side)
    return results
