"""The catalogue file format: what is imported and exported, kind by kind.

One definition serves the JSON file, the CSV files, the import and the export
(docs/catalogue-format.md describes it for people, docs/catalogue.schema.json
for programs). Objects are keyed by slug, summaries by their compound's and
condition's slugs; an object's inline children travel with it (in JSON nested
in it, in CSV in a file of their own keyed by the parent's slug or slugs);
a research update names its compounds and conditions by slug.

The fields of each kind are the content fields of compounds/review/snapshots.py, what
an advisor approves; workflow bookkeeping stays out, except `revision`, which
tells the import whether the object changed since the file was exported.
"""

from dataclasses import dataclass, field

from django.db import models

from compounds.models import (
    Caution,
    Compound,
    Condition,
    EvidenceSummary,
    Interaction,
    Mechanism,
    Monitoring,
    Reference,
    ResearchReference,
    ResearchUpdate,
    SafetyFinding,
    SafetyNote,
)
from compounds.review import snapshots

FORMAT_NAME = "insightswarm-catalogue"
FORMAT_VERSION = 1
REVISION = "revision"
# Objects the import looks up or writes a query at a time.
CHUNK = 500


@dataclass(frozen=True, eq=False)
class ChildKind:
    """Rows edited inline with their parent: a compound's mechanisms, a summary's references."""

    key: str  # the JSON key, and the parent's related name
    csv_file: str
    model: type[models.Model]
    parent_field: str  # the foreign key to the parent
    # Fields a file may leave out (a JSON key, a CSV column), with the value each then
    # takes: fields added to the format after files were written without them.
    optional: dict = field(default_factory=dict)

    @property
    def fields(self):
        return [
            f.name
            for f in self.model._meta.concrete_fields
            if f.name not in ("id", self.parent_field)
        ]

    def identities(self, child):
        """What tells a parent's rows apart, as (field, value) pairs: each identifier a
        reference gives (two references may not share any), or the row's natural field."""
        if issubclass(self.model, (Reference, ResearchReference)):
            return [
                (name, getattr(child, name))
                for name in self.model.IDENTIFIERS
                if getattr(child, name)
            ]
        natural = getattr(self.model, "natural_field", "description")
        return [(natural, getattr(child, natural))]

    def duplicate_message(self, identity):
        if issubclass(self.model, (Reference, ResearchReference)):
            return identity[0], self.model.IDENTIFIERS[identity[0]]
        for constraint in self.model._meta.constraints:
            if isinstance(constraint, models.UniqueConstraint) and identity[0] in constraint.fields:
                return identity[0], constraint.violation_error_message
        return identity[0], "This row is given twice."


@dataclass(frozen=True, eq=False)
class Kind:
    """One kind of publishable object, in the order a file lists them."""

    key: str  # the JSON key of the list
    csv_file: str
    model: type[models.Model]
    # The fields that find the object: its slug, or its compound's and condition's slugs.
    key_fields: tuple[str, ...]
    children: tuple[ChildKind, ...] = ()
    # Many-to-many links, by the linked objects' slugs: field name -> linked kind's key.
    links: dict[str, str] = field(default_factory=dict)

    @property
    def fields(self):
        """The object's own fields, keys first; foreign keys are given by slug."""
        names = [f.name for f in snapshots.content_fields(self.model)]
        return [*self.key_fields, *(n for n in names if n not in self.key_fields)]

    @property
    def csv_columns(self):
        return [*self.fields, *self.links, REVISION]

    @property
    def verbose_name(self):
        return self.model._meta.verbose_name

    def key_of(self, values):
        return tuple(values.get(name) for name in self.key_fields)

    def label(self, key):
        return " for ".join(str(part) for part in key)


def _compound_child(key, model):
    return ChildKind(key, f"{key}.csv", model, "compound")


COMPOUNDS = Kind(
    "compounds",
    "compounds.csv",
    Compound,
    ("slug",),
    children=tuple(
        _compound_child(key, model)
        for key, model in [
            ("mechanisms", Mechanism),
            ("safety_notes", SafetyNote),
            ("monitoring", Monitoring),
            ("cautions", Caution),
            ("interactions", Interaction),
        ]
    ),
)
CONDITIONS = Kind("conditions", "conditions.csv", Condition, ("slug",))
SUMMARIES = Kind(
    "evidence_summaries",
    "evidence_summaries.csv",
    EvidenceSummary,
    ("compound", "condition"),
    children=(
        # A file that does not say a study was of the pair's condition makes no claim
        # that it was: no sentence about people with the condition rests on it.
        ChildKind(
            "references",
            "summary_references.csv",
            Reference,
            "summary",
            optional={"studied_condition": False},
        ),
        ChildKind("safety_findings", "safety_findings.csv", SafetyFinding, "summary"),
    ),
)
UPDATES = Kind(
    "research_updates",
    "research_updates.csv",
    ResearchUpdate,
    ("slug",),
    children=(ChildKind("references", "research_references.csv", ResearchReference, "update"),),
    links={"compounds": "compounds", "conditions": "conditions"},
)

# In the order an import writes them: a summary needs its compound and condition.
KINDS = (COMPOUNDS, CONDITIONS, SUMMARIES, UPDATES)
KIND_BY_KEY = {kind.key: kind for kind in KINDS}

# CSV child files name their parent by these columns, before the row's own fields.
PARENT_COLUMNS = {
    COMPOUNDS: ["compound"],
    SUMMARIES: ["compound", "condition"],
    UPDATES: ["research_update"],
}


def csv_files():
    """Every CSV file of the format: name -> (kind, child kind or None, columns)."""
    files = {}
    for kind in KINDS:
        files[kind.csv_file] = (kind, None, kind.csv_columns)
        for child in kind.children:
            files[child.csv_file] = (kind, child, [*PARENT_COLUMNS[kind], *child.fields])
    return files


# A spreadsheet runs a cell that begins with one of these (OWASP, "CSV injection"): an
# export puts a single quote before such a text, which makes it text in Excel, LibreOffice
# and Google Sheets. So that the import can take that quote off again, and only that, a
# text that begins with a quote followed by one of these or by another quote gets one
# more quote too. Numbers are not text: a negative number is written as it is.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_ESCAPED_AFTER_QUOTE = (*FORMULA_START, "'")


def csv_escape(text):
    """A text as a CSV cell: safe to open in a spreadsheet, read back by csv_unescape."""
    if text.startswith(FORMULA_START) or (
        text.startswith("'") and text[1:2] and text[1:2] in _ESCAPED_AFTER_QUOTE
    ):
        return "'" + text
    return text


def csv_unescape(cell):
    """The text of a CSV cell: one leading quote taken off where csv_escape adds one."""
    if cell.startswith("'") and cell[1:2] and cell[1:2] in _ESCAPED_AFTER_QUOTE:
        return cell[1:]
    return cell
