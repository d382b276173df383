"""Word-level marking of a changed text, for the review screen.

A one-word change in a paragraph is marked as that word, not as the whole
paragraph struck through and underlined. Each side is returned as HTML: the
approved text with the deleted words in <del>, the working copy with the
inserted words in <ins>, each with a visually hidden "deleted:"/"inserted:"
for screen readers, which announce neither element.

`passages` compares two pages' texts the same way, a passage at a time.
"""

import difflib
import re
from dataclasses import dataclass

from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

# Each word with the spaces after it (and any spaces the text starts with), so that
# joining the tokens gives the text back and a run of changed words is marked as one.
_TOKENS = re.compile(r"\S+\s*|\s+")


def _html(parts):
    return mark_safe("".join(parts).replace("\n", "<br>"))


def marked(before, after):
    """(before, after) as HTML with the words that differ marked."""
    old, new = _TOKENS.findall(before or ""), _TOKENS.findall(after or "")
    # Words are compared without their spaces: a word that moved to the end of a
    # line is the same word.
    matcher = difflib.SequenceMatcher(
        None, [t.strip() for t in old], [t.strip() for t in new], autojunk=False
    )
    left, right = [], []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        removed, added = "".join(old[i1:i2]), "".join(new[j1:j2])
        if op == "equal":
            left.append(escape(removed))
            right.append(escape(added))
            continue
        if removed:
            left.append(_mark("del", "deleted", removed))
        if added:
            right.append(_mark("ins", "inserted", added))
    return _html(left), _html(right)


def _mark(tag, said, text):
    """The words marked; the spaces after them left outside the mark."""
    words = text.rstrip()
    return format_html(
        '<{}><span class="visually-hidden">{}: </span>{}</{}>{}',
        tag,
        said,
        words,
        tag,
        text[len(words) :],
    )


@dataclass
class Passage:
    """One passage of a page's text, compared: "same", "changed", "added" or "removed"."""

    kind: str
    before: str  # HTML, marked
    after: str


def passages(before, after):
    """Two lists of passages (a page's text, in reading order) compared passage by
    passage, each changed pair marked word by word. A passage rewritten in place is
    one "changed" passage, not one removed and one added."""
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    compared = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            compared += [Passage("same", escape(text), escape(text)) for text in before[i1:i2]]
            continue
        old, new = before[i1:i2], after[j1:j2]
        for index in range(max(len(old), len(new))):
            if index < len(old) and index < len(new):
                compared.append(Passage("changed", *marked(old[index], new[index])))
            elif index < len(old):
                compared.append(Passage("removed", _mark("del", "deleted", old[index]), ""))
            else:
                compared.append(Passage("added", "", _mark("ins", "inserted", new[index])))
    return compared
