"""What patients will read, as the review screen and the approval's confirmation show it,
and the fingerprints that bind an approval to that text.

The pages themselves are rendered by the public site (pages/reading.py), which the
admin site reaches for the review screens (insightswarm/admin.py,
`what_patients_read`); this module compares each page's passages before and after
(word_diff.passages), folds the runs of unchanged ones, and reads the fingerprints
an approval's form posts back.

An approval is taken on the text the advisor was shown: its form carries, for each
object, the fingerprint of the pages' text after approval (the confirmation page, through
the record its token names). When the text would be
different by the time the advisor presses Approve (an edit of the object, of its
compound or condition, a reference added), the approval of that object is refused
and it is shown again.
"""

import re
from dataclasses import dataclass

from django.utils.html import escape

from . import content_checks, word_diff

# The field the review screen posts: "pk:fingerprint" for each object, separated by
# spaces. A confirmation page of many objects posts none: what it showed is kept on the
# server (compounds/review/shown.py).
SEEN_READINGS = "seen_readings"
_SEEN = re.compile(r"([0-9]{1,18}):([0-9a-f]{32})")


@dataclass
class ShownPage:
    """A page as the review screen shows it."""

    name: str
    address: str
    status: str  # "new", "changed", "unchanged" or "removed"
    # ("same", [Passage, ...]) folded runs and ("change", Passage); a new page's text
    # is one ("new", [Passage, ...]).
    parts: list
    changes: int
    # Flesch-Kincaid grade of the text once approved (patient information aims at 6 to 8).
    grade: float | None = None


def _folded(passages):
    parts = []
    for passage in passages:
        if passage.kind == "same":
            if parts and parts[-1][0] == "same":
                parts[-1][1].append(passage)
            else:
                parts.append(("same", [passage]))
        else:
            parts.append(("change", passage))
    return parts


def shown(reading):
    """The pages of a reading (pages/reading.py, Reading) as the review screen shows
    them: each with its passages compared and the unchanged runs folded."""
    pages = []
    for page in reading.pages:
        passages = word_diff.passages(page.before, page.after)
        if not page.before:
            status = "new"
        elif not page.after:
            status = "removed"
        else:
            status = "changed" if page.changed else "unchanged"
        changes = sum(1 for passage in passages if passage.kind != "same")
        # A new page is all new: shown as text, not as every passage marked inserted.
        if status == "new":
            parts = [("new", [word_diff.Passage("same", "", escape(t)) for t in page.after])]
        else:
            parts = _folded(passages)
        grade = content_checks.page_grade(page.after)
        pages.append(ShownPage(page.name, page.address, status, parts, changes, grade))
    return pages


def seen_readings(post):
    """The fingerprint of the text each object's approval was shown with, by its id."""
    return {int(pk): fingerprint for pk, fingerprint in _SEEN.findall(post.get(SEEN_READINGS, ""))}


def seen_field_value(readings):
    """The value of SEEN_READINGS for {object id: Reading}."""
    return " ".join(f"{pk}:{reading.fingerprint}" for pk, reading in readings.items())
