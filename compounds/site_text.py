"""The small markup of the site's own pages (About, editorial policy...): what editors may
write, and its structure, which a template renders.

Editors write plain text, never HTML: whatever they type is shown as typed, escaped by
the templates. Four things have a meaning:

- an empty line starts a new paragraph;
- a line that starts with "## " is a heading;
- lines that start with "- " are the items of a list;
- [words](address) is a link: a page of this site ("/how-we-grade-evidence/"), another
  site over HTTPS ("https://www.nhs.uk/"), or an email address ("mailto:...").

`blocks` reads a text into headings, paragraphs and lists of parts (text, or a link);
`problems` says what in a text would not show as its editor meant, for the change form;
`plain` is the text as read aloud, for the content checks.
"""

import re
from dataclasses import dataclass, field

HEADING = "## "
ITEM = "- "
_LINK = re.compile(r"\[([^\[\]\n]+)\]\(([^()\s]*)\)")
# What an editor may have meant as a link, its address cut at the first ")".
_LINK_MEANT = re.compile(r"\[([^\[\]\n]+)\]\((\S*?)\)")
# An address a link may have: a path of this site, an HTTPS address, an email address.
_ADDRESS = re.compile(r"/(?!/)\S*|https://[^\s/]+\S*|mailto:[^\s@/]+@[^\s@/]+\.[^\s@/]+")
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")


@dataclass(frozen=True)
class Link:
    text: str
    address: str


@dataclass
class Block:
    kind: str  # "heading", "paragraph" or "list"
    parts: list = field(default_factory=list)  # a heading's or paragraph's: str or Link
    items: list = field(default_factory=list)  # a list's: each item's parts


def _parts(line):
    """A line's text and links, in order; a link to an address no link may have stays text."""
    parts, at = [], 0
    for match in _LINK.finditer(line):
        text, address = match.groups()
        if not _ADDRESS.fullmatch(address):
            continue
        if match.start() > at:
            parts.append(line[at : match.start()])
        parts.append(Link(text, address))
        at = match.end()
    if at < len(line):
        parts.append(line[at:])
    return parts


def blocks(text):
    """The text's headings, paragraphs and lists, in order."""
    found = []
    paragraph = []

    def end_paragraph():
        if paragraph:
            found.append(Block("paragraph", parts=_parts(" ".join(paragraph))))
            paragraph.clear()

    in_list = False
    for raw in (text or "").splitlines():
        line = " ".join(raw.split())
        if line.startswith(ITEM):
            end_paragraph()
            item = _parts(line.removeprefix(ITEM))
            if in_list:
                found[-1].items.append(item)
            else:
                found.append(Block("list", items=[item]))
            in_list = True
            continue
        in_list = False
        if not line:
            end_paragraph()
        elif line.startswith(HEADING):
            end_paragraph()
            found.append(Block("heading", parts=_parts(line.removeprefix(HEADING).strip())))
        else:
            paragraph.append(line)
    end_paragraph()
    return found


def problems(text):
    """What in the text would not show as its editor meant: HTML, shown as typed, and
    links to an address no link may have, shown as typed too."""
    found = []
    tag = _TAG.search(text or "")
    if tag:
        found.append(
            f"“{tag.group(0)}” is HTML, which pages show as typed: write plain text, with "
            "[words](address) for a link."
        )
    for match in _LINK_MEANT.finditer(text or ""):
        if not _ADDRESS.fullmatch(match.group(2)):
            found.append(
                f"The link “{match.group(0)}” goes nowhere a link may go: give a page of this "
                "site (“/how-we-grade-evidence/”), an address starting with https://, or "
                "mailto: and an email address."
            )
    return found


def _words(parts):
    return "".join(part.text if isinstance(part, Link) else part for part in parts)


def plain(text):
    """The text as a reader reads it, without its markup: a heading, an item or a
    paragraph a line."""
    lines = []
    for block in blocks(text):
        if block.kind == "list":
            lines += [_words(item) for item in block.items]
        else:
            lines.append(_words(block.parts))
    return "\n".join(lines)
