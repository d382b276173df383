"""A pair's change log, "What changed" on its four pages: each approval of its evidence
summary with its day, what it changed in plain words, the reason the advisor gave
patients and the advisor's byline, newest first. NCI's PDQ summaries keep the same
record ("Changes to this summary"): a reader sees when, why and by whom a verdict moved.

What changed is worked out from the approved snapshots (the version before and the one
approved), never typed: "Verdict changed from “Promising but not proven” to
“Insufficient evidence”.", "References added: 2.", "Text revised: human evidence.".
A change of verdict or evidence level is what a patient decides on, so approving one
needs a one-line reason patients read (`needs_reason`; compounds/review/workflow.py asks).

Each approval stores the log as it leaves it on its Version, the latest LIMIT entries;
publishing copies it into the pair's published row, which the pages read in their one
query. A withdrawal deletes that row, and the next approval takes the log up from the
last version, so no entry is lost. Entries are plain JSON (words and an ISO day) worked
out from snapshots alone, so the data migration that wrote the logs of versions
approved before there was one uses the same code (`backfill_all`).
"""

from itertools import groupby

from django.utils import timezone

from compounds.evidence import EvidenceBasis, EvidenceLevel, Verdict

# Entries a log keeps (and a page lists); the page says how many approvals there were.
LIMIT = 10
# The public reason is one line of the page: as long as Version.public_reason holds.
REASON_LENGTH = 200
# The fields whose change needs a reason patients read.
NEEDS_REASON = ("verdict", "evidence_level")
# What the preview shows where the reason will go, before the advisor has given it: the
# text the approval is bound to must not depend on what is being typed.
REASON_TO_COME = "(the reason you give when approving)"

# Parts of a summary whose text changed, named as the pages name them.
_TEXT_PARTS = {
    "key_takeaways": "key takeaways",
    "preclinical_evidence": "preclinical evidence",
    "human_evidence": "human evidence",
    "regulatory_status": "regulatory status",
    "has_condition_safety_data": "safety data for this condition",
    "mechanism_relevance_documented": "how the mechanism relates to this condition",
}
# Child rows, counted as added, removed or updated.
_CHILDREN = {"references": "References", "safety_findings": "Safety findings"}
# Said in words of their own, or fixed once the summary exists (the pair itself).
_NOT_TEXT = {"verdict", "evidence_level", "evidence_basis", "compound_id", "condition_id"}


def _label(choices, value):
    return str(dict(choices).get(value, value or "none"))


def _level(value):
    """A level as the hierarchy names it first: "Level 4", "Preclinical"."""
    return _label(EvidenceLevel.choices, value).split(":")[0]


def _as_read(value):
    """A value as a page shows it: text by its lines, each with its spaces collapsed. A
    form posts a text area's line breaks as CR LF, and a save that changed no word must
    not read as "Text revised". An empty value (None, "", False) is no value."""
    if isinstance(value, str):
        return "\n".join(" ".join(line.split()) for line in value.splitlines() if line.strip())
    return value or ""


def _same(before, after):
    return _as_read(before) == _as_read(after)


def _row_as_read(row):
    return {name: _as_read(value) for name, value in row.items()}


def _children_changed(label, before, after):
    old = {row.get("id"): _row_as_read(row) for row in before or []}
    new = {row.get("id"): _row_as_read(row) for row in after or []}
    counts = (
        ("added", sum(1 for pk in new if pk not in old)),
        ("removed", sum(1 for pk in old if pk not in new)),
        ("updated", sum(1 for pk in new if pk in old and new[pk] != old[pk])),
    )
    return [f"{label} {how}: {n}." for how, n in counts if n]


def what_changed(before, after):
    """What approving snapshot `after` changed from `before` (None: the first approval),
    as sentences patients read."""
    if before is None:
        return ["First published."]
    said = []
    if before.get("verdict") != after.get("verdict"):
        old, new = (_label(Verdict.choices, s.get("verdict")) for s in (before, after))
        said.append(f"Verdict changed from “{old}” to “{new}”.")
    if before.get("evidence_level") != after.get("evidence_level"):
        old, new = (_level(s.get("evidence_level")) for s in (before, after))
        said.append(f"Evidence level changed from {old} to {new}.")
    if before.get("evidence_basis") != after.get("evidence_basis"):
        old, new = (_label(EvidenceBasis.choices, s.get("evidence_basis")) for s in (before, after))
        said.append(f"Basis of the evidence changed from “{old}” to “{new}”.")
    names = [*after, *(name for name in before if name not in after)]
    revised = [
        _TEXT_PARTS.get(name, name.replace("_", " "))
        for name in names
        if name not in _NOT_TEXT
        and name not in _CHILDREN
        and not _same(before.get(name), after.get(name))
    ]
    if revised:
        said.append(f"Text revised: {', '.join(revised)}.")
    for name, label in _CHILDREN.items():
        said += _children_changed(label, before.get(name), after.get(name))
    return said or ["Reviewed again; the content did not change."]


def needs_reason(before, after):
    """Whether approving snapshot `after` over `before` (None: never approved) changes
    the verdict or the evidence level, and so needs a reason patients read."""
    return before is not None and any(before.get(f) != after.get(f) for f in NEEDS_REASON)


def byline(name, credentials):
    return f"{name}, {credentials}" if credentials else name


def log_after(previous, after, *, day, approved_by, reason="", reason_to_come=False):
    """The log once snapshot `after` is approved on `day` by `approved_by` (a byline):
    its entry, then those of `previous`, the last approved version (None: there is
    none). `reason_to_come`: the preview's entry, whose reason is not given yet."""
    entry = {
        "date": day.isoformat(),
        "changes": what_changed(previous.data if previous else None, after),
        "reason": reason,
        "approved_by": approved_by,
    }
    if reason_to_come and not reason:
        entry["reason_to_come"] = REASON_TO_COME
    return [entry, *(previous.change_log if previous else [])][:LIMIT]


def backfill(versions):
    """Write the log of each of one summary's versions, given oldest first, as their
    approvals would have: for versions approved before there was a change log."""
    previous = None
    for version in versions:
        version.change_log = log_after(
            previous,
            version.data,
            day=timezone.localdate(version.approved_at),
            approved_by=byline(version.reviewer_name, version.reviewer_credentials),
            reason=version.public_reason,
        )
        previous = version
    return versions


def backfill_all(version_model, published_model, content_type_id, batch=2000):
    """Backfill the logs of every version of the summaries (content_type_id) and copy
    each live one into its published row. The models are passed in, so that a data
    migration runs it with the models of its time; `batch` summaries at a time, each
    read whole before anything is written (SQLite reads no table safely while it is
    written)."""
    versions = version_model.objects.filter(content_type_id=content_type_id)
    ids = list(versions.order_by("object_id").values_list("object_id", flat=True).distinct())
    for start in range(0, len(ids), batch):
        some = versions.filter(object_id__in=ids[start : start + batch])
        written, logs = [], {}
        for object_id, theirs in groupby(
            some.order_by("object_id", "number"), lambda v: v.object_id
        ):
            for version in backfill(list(theirs)):
                written.append(version)
                logs[object_id, version.number] = version.change_log
        version_model.objects.bulk_update(written, ["change_log"])
        rows = list(
            published_model.objects.filter(pk__in=[pk for pk, _ in logs]).only(
                "id", "version_number"
            )
        )
        for row in rows:
            row.change_log = logs.get((row.pk, row.version_number), [])
        published_model.objects.bulk_update(rows, ["change_log"])
