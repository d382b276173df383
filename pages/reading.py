"""What patients read: the text of each public page a change affects, before and after.

An advisor signs sentences, not fields. For an object under review this renders each
public page it changes twice, as patients read it now (the live page, if any) and as
they will read it once the working copy is approved (the staff preview's rendering),
and gives each page's text in reading order: its title and search description, then
every heading, paragraph, list item, table row and FAQ answer of its main content,
including the sentences built from structured fields. The review screen marks the
differences (compounds/review/admin.py asks the admin site, which asks this module,
insightswarm/admin.py) and the decision is bound to a fingerprint of the text shown.

A summary affects its four pages. A compound or condition affects its own page and
the pages of every pair it is in: those are counted, and a few are rendered as a
sample, which at catalogue scale stands for the rest (they are made from the same
templates and the same change).
"""

import hashlib
from dataclasses import dataclass, field
from html.parser import HTMLParser

from compounds.models import (
    Compound,
    Condition,
    EvidenceSummary,
    PublishedSitePage,
    PublishedSummary,
    ResearchUpdate,
    SitePage,
)
from compounds.review import content_checks

from . import live, preview, trust, views
from .addresses import pattern
from .registry import Pair, page_types

# Pair pages rendered for a change of a compound or condition: a sample of all.
PAIR_SAMPLE = 2

# Elements whose text is one passage of the page, read in document order.
_PASSAGES = {"h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "dt", "dd", "tr", "caption"}
_PASSAGES |= {"summary", "figcaption", "blockquote", "th", "td", "legend", "label"}
# Inside these, a cell or item is part of the enclosing passage (a table row).
_ROW_PARTS = {"th", "td"}
_UNREAD = {"script", "style", "template", "svg", "noscript"}
# Elements that have no end tag: they can hide nothing.
_VOID = {"br", "hr", "img", "input", "meta", "link", "source", "wbr", "area", "col"}


class _Text(HTMLParser):
    """The passages of a page's <main>, and its title and description from <head>."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.description = ""
        self.passages = []
        self._in_title = False
        self._in_main = 0
        self._hiding = []  # [tag, depth] of the element whose text is not read, if any
        self._open = []  # the passage elements open, innermost last, with their text

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self._hiding:
            if tag == self._hiding[0]:
                self._hiding[1] += 1
            return
        if tag == "title":
            self._in_title = True
        elif tag == "meta" and attrs.get("name") == "description":
            self.description = attrs.get("content") or ""
        elif tag == "main":
            self._in_main += 1
        elif tag in _UNREAD or ("hidden" in attrs and tag not in _VOID):
            self._hiding = [tag, 1]
        elif self._in_main and tag in _PASSAGES:
            if tag in _ROW_PARTS and any(t == "tr" for t, _ in self._open):
                return
            self._open.append((tag, []))
        elif self._in_main and tag == "br" and self._open:
            self._open[-1][1].append(" ")

    def handle_endtag(self, tag):
        if self._hiding:
            if tag == self._hiding[0]:
                self._hiding[1] -= 1
                if not self._hiding[1]:
                    self._hiding = []
            return
        if tag == "title":
            self._in_title = False
        elif tag == "main":
            self._in_main -= 1
        elif self._open and self._open[-1][0] == tag:
            _, words = self._open.pop()
            text = " ".join("".join(words).split())
            if text:
                self.passages.append(text)
        elif tag in _ROW_PARTS and self._open and self._open[-1][0] == "tr":
            # The cells of a row are one passage: "Verdict | Promising".
            self._open[-1][1].append(" | ")

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        elif self._in_main and not self._hiding and self._open:
            self._open[-1][1].append(data)


def text_of(html):
    """The page's text as patients read it: a list of passages, title first."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    passages = [" ".join(parser.title.split())] if parser.title.strip() else []
    if parser.description:
        passages.append(content_checks.DESCRIPTION_LABEL + " ".join(parser.description.split()))
    # A row's trailing separator is an artefact of the walk, not text.
    return passages + [" ".join(p.strip(" |").split()) for p in parser.passages]


@dataclass
class PageReading:
    """One public page: where it is, and its text now and once approved."""

    name: str
    address: str
    before: list = field(default_factory=list)  # [] when the page is not public yet
    after: list = field(default_factory=list)  # [] when approval takes it away

    @property
    def changed(self):
        return self.before != self.after


@dataclass
class Reading:
    """Every page a change affects: those rendered, and how many pair pages in all."""

    pages: list
    pair_pages: int = 0  # pair pages the change affects, rendered or not
    pairs_sampled: int = 0

    @property
    def fingerprint(self):
        """What the advisor was shown, in a few characters: a decision carries it."""
        digest = hashlib.sha256()
        for page in self.pages:
            for passage in (page.address, *page.after):
                digest.update(passage.encode())
                digest.update(b"\x00")
        return digest.hexdigest()[:32]


def _text(response):
    return text_of(response.content.decode(response.charset or "utf-8"))


def _pair_pages(request, live_pair, after_pair):
    readings = []
    for kind in page_types():
        pair = after_pair or live_pair
        readings.append(
            PageReading(
                name=kind.heading(pair),
                address=pair.url(kind),
                before=_text(views.render_review(request, live_pair, kind)) if live_pair else [],
                after=(
                    _text(views.render_review(request, after_pair, kind, preview=True))
                    if after_pair
                    else []
                ),
            )
        )
    return readings


def _live_pairs(side, pk, limit):
    """The live pairs of a compound or condition (side), `limit` of them, and how many."""
    rows = PublishedSummary.objects.filter(**{f"{side}_id": pk})
    sample = rows.select_related("compound", "condition").order_by("pk")[:limit]
    return [live.pair_of(row) for row in sample], rows.count()


def _live_summary_pair(pk):
    row = PublishedSummary.objects.select_related("compound", "condition").filter(pk=pk).first()
    return live.pair_of(row) if row else None


def _live_own(kind):
    """The live object of a kind with an address of its own, by its id, or None."""

    def live_object(pk):
        found = live.PUBLISHED[kind].objects.filter(pk=pk).first()
        return live.find(kind, found.slug) if found else None

    return live_object


def _live_site_page(pk):
    found = PublishedSitePage.objects.filter(pk=pk).first()
    return live.find_site_page(found.kind, found.slug) if found else None


def _slugged(view_name):
    return lambda working: pattern(view_name, ["slug"]).format(working.slug)


# The page of its own of each kind that has one: the live object by its id, the address
# of the page once approved, and what renders it.
_OWN_PAGE = {
    Compound: (_live_own("compound"), _slugged("pages:compound"), views.render_compound),
    Condition: (_live_own("condition"), _slugged("pages:condition"), views.render_condition),
    ResearchUpdate: (
        _live_own("researchupdate"),
        _slugged("pages:research"),
        views.render_research_update,
    ),
    SitePage: (
        _live_site_page,
        lambda working: trust.address(working.version.kind, working.version.slug),
        trust.render_site_page,
    ),
}


def _own_page(request, obj, working):
    live_object, address, render = _OWN_PAGE[type(obj)]
    before = live_object(obj.pk)
    return PageReading(
        # A site page rebuilt from its snapshot reads no advisor: its working row names it.
        name=str(obj if isinstance(obj, SitePage) else working),
        address=address(working),
        before=_text(render(request, before)) if before else [],
        after=_text(render(request, working, preview=True)),
    )


def reading(request, obj, *, pair_sample=PAIR_SAMPLE):
    """The pages a change of `obj` affects, before and after (see the module's doc)."""
    model = type(obj)
    if model is EvidenceSummary:
        after = preview.pair_as_reviewed(obj, request)
        return Reading(_pair_pages(request, _live_summary_pair(obj.pk), after))
    if model not in _OWN_PAGE:
        raise TypeError(f"No public page shows a {model._meta.verbose_name}.")
    working = preview.as_if_approved(obj, model, request)
    pages = [_own_page(request, obj, working)]
    if model in (ResearchUpdate, SitePage):
        return Reading(pages)
    side = "compound" if model is Compound else "condition"
    pairs, count = _live_pairs(side, obj.pk, pair_sample)
    for pair in pairs:
        changed = Pair(pair.summary, pair.compound, pair.condition)
        setattr(changed, side, working)
        pages += _pair_pages(request, pair, changed)
    return Reading(pages, pair_pages=count * len(page_types()), pairs_sampled=len(pairs))
