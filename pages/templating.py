"""The Jinja2 environment of the public pages (pages/jinja2/): their filters and functions.

Public pages are rendered with Jinja2 rather than Django's template language: the
profile of a review page at catalogue scale showed half of its time in Django's
template engine (about 1.9 of 3.9 ms), which compiles a page to Python once
instead. The admin keeps Django's templates (templates/).

Jinja2 calls nothing by itself: a method is written with its parentheses
(`summary.get_verdict_display()`, `compound.mechanisms.all()`), and a missing
variable renders as nothing, as in Django's templates.
"""

import functools
import itertools
import json
import re
from datetime import date as date_type
from datetime import datetime

from django.templatetags.static import static
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.dates import MONTHS
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from jinja2 import ChainableUndefined, Environment

from compounds import site_text
from compounds.evidence import Severity
from compounds.models.feedback import MESSAGE_LENGTH


def ld_json(data):
    """A JSON-LD data block: not a script the browser runs, so no CSP nonce is needed."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    # As django.utils.html.json_script escapes: nothing in the data can close the element.
    text = text.replace("<", "\\u003C").replace(">", "\\u003E").replace("&", "\\u0026")
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))


# The formats the pages use, written directly: Django's date formatting took a tenth
# of a review page's rendering.
_DATE_FORMATS = {
    "Y-m-d": lambda value: f"{value.year:04d}-{value.month:02d}-{value.day:02d}",
    "j F Y": lambda value: f"{value.day} {MONTHS[value.month]} {value.year}",
}


def date(value, format):
    """Django's date filter as a template applies it: a moment in the site's time zone."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        # A day kept in JSON (a change log's entries) is an ISO date.
        value = date_type.fromisoformat(value)
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    fast = _DATE_FORMATS.get(format)
    return fast(value) if fast else dateformat.format(value, format)


def source_link(row):
    """Where a row's statement comes from: its source, linked when it is online."""
    if row.source_url:
        return format_html('<a href="{}" rel="external">{}</a>', row.source_url, row.source)
    return row.source


def by_category(notes):
    """A compound's safety notes grouped under their category's label, in the
    categories' order: [(label, [note, ...]), ...]."""
    ordered = sorted(notes, key=lambda note: note.category)
    return [
        (label, list(group))
        for label, group in itertools.groupby(ordered, key=lambda note: note.get_category_display())
    ]


def phrase(text):
    """An editor's phrase as a sentence of the page goes on: without a final full stop,
    which the sentence adds ("Standard treatment for Migraine: {{ text|phrase }}.")."""
    return str(text).strip().rstrip(".").rstrip()


_ENDED = re.compile(r"[.!?…][\"”’)\]]*$")


def sentence(text):
    """An editor's sentences as they end a paragraph: with their final full stop, added
    if they were typed without one."""
    text = str(text).strip()
    return text if not text or _ENDED.search(text) else f"{text}."


def url(name, *args):
    return reverse(name, args=args)


# A static file's address does not change while the process runs (the manifest is
# read once): looked up once per file, not on every page.
static_url = functools.cache(static)


def environment(**options):
    # Missing variables render as nothing and chain (a missing `review.object`), as
    # Django's templates do: optional parts of a page (a preview, a query) may be absent.
    options["undefined"] = ChainableUndefined
    # Each included part ends its line, as in the files.
    options["keep_trailing_newline"] = True
    env = Environment(**options)
    # The interaction grades with their meanings, for the scale the interactions page states.
    env.globals.update(
        static=static_url,
        url=url,
        interaction_severities=list(Severity),
        # A site page's body as headings, paragraphs and lists (pages/includes/site_text.html).
        site_text_blocks=site_text.blocks,
    )
    # The longest report the form on every page takes (pages/feedback.py).
    env.globals.update(report_message_length=MESSAGE_LENGTH)
    env.filters.update(
        ld_json=ld_json,
        source_link=source_link,
        by_category=by_category,
        date=date,
        phrase=phrase,
        sentence=sentence,
    )
    return env
