"""The sitemap: an index, and files of at most 50,000 addresses, for 4,000,000 pages.

Each kind of page is a section: one per review page type (a page per published
pair), compounds, conditions, research updates, and the site's own pages (home,
lists, grading, and the About, policy, contact and advisors' pages that are live). A
section's files are ranges of published ids, 50,000 ids a file:
`/sitemap-safety-3.xml` lists the safety pages of the pairs whose ids run from 150,000
to 199,999. A file is read by an index range scan and streamed as it
is read, so the last file costs what the first does and memory stays flat,
whatever the size of the catalogue. Ids freed by withdrawals leave a file with
fewer addresses; empty ranges get no file.

Django's sitemaps framework counts and slices its items (OFFSET) and builds a
page in memory, which is what made a file cost the whole catalogue; the
protocol is simple enough to write here. Every lastmod is when the content its
page shows was last approved, and addresses are built on SITE_URL, the site's
public address, whatever host the crawler asked.
"""

import datetime
from xml.sax.saxutils import escape

from django.db import connection, connections
from django.db.models import CharField, F, Func, Value
from django.db.models.functions import Greatest
from django.http import Http404, StreamingHttpResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from compounds.models import (
    PublishedCompound,
    PublishedCondition,
    PublishedResearchUpdate,
    PublishedSitePage,
    PublishedSummary,
    SitePage,
)

from . import addresses
from .registry import get_page_type, page_types
from .seo import absolute

FILE_SIZE = 50_000  # the most addresses the sitemap protocol allows in one file
CHUNK = 5_000  # rows read from the database at a time
SITE_PAGES = "pages"
ADVISOR = SitePage.Kind.ADVISOR.value

XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
URLSET_OPEN = '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'


def _url(location):
    return f"<url><loc>{escape(location)}</loc></url>\n"


def _address_pattern(view_name, slots, **fixed):
    return absolute(addresses.pattern(view_name, slots, **fixed))


def _as_lastmod(moment):
    """A moment as a sitemap lastmod. PostgreSQL writes the text itself, which saves
    a third of a file's time (its connections run in UTC); elsewhere Python does."""
    if connection.vendor != "postgresql":
        return moment
    return Func(
        moment,
        Value('YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'),
        function="to_char",
        output_field=CharField(),
    )


def _lastmod_text(value):
    """The lastmod text: as PostgreSQL wrote it, or from the moment elsewhere."""
    return value if isinstance(value, str) else value.astimezone(datetime.UTC).isoformat()


def _pair_rows(low, high):
    """Each pair's slugs and when what its pages show was last approved (the latest of
    the summary's, the compound's and the condition's approvals)."""
    shown = Greatest("approved_at", "compound__approved_at", "condition__approved_at")
    return (
        PublishedSummary.objects.filter(pk__gte=low, pk__lt=high)
        .order_by("pk")
        .annotate(shown=_as_lastmod(shown))
        .values_list("compound__slug", "condition__slug", "shown")
    )


def _review_pages(page_type, low, high):
    # The work per address is one str.format, 50,000 of them in a file: the pattern is
    # escaped once, and slugs and ISO dates need no escaping.
    pattern = _address_pattern("pages:review", ["compound", "condition"], page_type=page_type.slug)
    line = f"<url><loc>{escape(pattern)}</loc><lastmod>{{2}}</lastmod></url>\n"
    for compound, condition, shown in _pair_rows(low, high).iterator(chunk_size=CHUNK):
        yield line.format(compound, condition, _lastmod_text(shown))


def _object_pages(model, view_name):
    def pages(low, high):
        pattern = _address_pattern(view_name, ["slug"])
        rows = (
            model.objects.filter(pk__gte=low, pk__lt=high)
            .order_by("pk")
            .annotate(shown=_as_lastmod(F("approved_at")))
            .values_list("slug", "shown")
        )
        line = f"<url><loc>{escape(pattern)}</loc><lastmod>{{1}}</lastmod></url>\n"
        for slug, shown in rows.iterator(chunk_size=CHUNK):
            yield line.format(slug, _lastmod_text(shown))

    return pages


# Sections read by id range: name -> (the published table, what its rows' pages are).
OBJECT_SECTIONS = {
    "compounds": (PublishedCompound, _object_pages(PublishedCompound, "pages:compound")),
    "conditions": (PublishedCondition, _object_pages(PublishedCondition, "pages:condition")),
    "research": (PublishedResearchUpdate, _object_pages(PublishedResearchUpdate, "pages:research")),
}


def _section(name):
    """The table and the page writer of a bucketed section, or None."""
    if name in OBJECT_SECTIONS:
        return OBJECT_SECTIONS[name]
    page_type = get_page_type(name)
    if page_type is None:
        return None
    return PublishedSummary, lambda low, high: _review_pages(page_type, low, high)


def file_numbers(model):
    """The numbers of the id ranges of model's table that hold at least one row.

    One query whatever the size: from the lowest to the highest id, each range
    is asked whether it holds a row, which the primary key's index answers.
    """
    # The database that answers the model's reads: a replica, for a public request where
    # replicas are configured (insightswarm/replicas.py).
    database = connections[model.objects.db]
    table = database.ops.quote_name(model._meta.db_table)
    sql = f"""
        WITH RECURSIVE bounds(low, high) AS (
            SELECT MIN(id) / %(size)s, MAX(id) / %(size)s FROM {table}
        ), files(n) AS (
            SELECT low FROM bounds WHERE low IS NOT NULL
            UNION ALL
            SELECT n + 1 FROM files, bounds WHERE n < bounds.high
        )
        SELECT n FROM files
        WHERE EXISTS (
            SELECT 1 FROM {table} WHERE id >= n * %(size)s AND id < (n + 1) * %(size)s
        )
        ORDER BY n
    """  # noqa: S608 - the table name is the model's own
    with database.cursor() as cursor:
        cursor.execute(sql, {"size": FILE_SIZE})
        return [row[0] for row in cursor.fetchall()]


def _site_pages():
    pages = [
        reverse("pages:home"),
        reverse("pages:compound_list"),
        reverse("pages:condition_list"),
        reverse("pages:research_list"),
        reverse("pages:grading"),
    ]
    for url in pages:
        yield _url(absolute(url))
    # The site's own pages that are live, dated by their approval, and the advisors'
    # pages, whose lists of reviews change with any approval: undated.
    advisors = False
    for kind, slug, approved_at in PublishedSitePage.objects.order_by("kind", "slug").values_list(
        "kind", "slug", "approved_at"
    ):
        if kind == ADVISOR:
            advisors = True
            yield _url(absolute(reverse("pages:advisor", kwargs={"slug": slug})))
        else:
            location = escape(absolute(reverse(f"pages:{kind}")))
            lastmod = _lastmod_text(approved_at)
            yield f"<url><loc>{location}</loc><lastmod>{lastmod}</lastmod></url>\n"
    if advisors:
        yield _url(absolute(reverse("pages:advisor_list")))


def _stream(urls):
    yield XML_HEAD
    yield URLSET_OPEN
    buffer = []
    for url in urls:
        buffer.append(url)
        if len(buffer) >= 1000:
            yield "".join(buffer)
            buffer = []
    yield "".join(buffer)
    yield "</urlset>\n"


def _xml_response(chunks):
    return StreamingHttpResponse(chunks, content_type="application/xml; charset=utf-8")


@require_safe
def index(request):
    """The sitemap index: the site's own pages, then every non-empty file of each section."""
    files = [absolute(reverse("pages:sitemap_section", kwargs={"section": SITE_PAGES}))]
    for name, (model, _) in OBJECT_SECTIONS.items():
        files += [_file_url(name, n) for n in file_numbers(model)]
    pair_files = file_numbers(PublishedSummary)
    for page_type in page_types():
        files += [_file_url(page_type.slug, n) for n in pair_files]

    def chunks():
        yield XML_HEAD
        yield '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        for url in files:
            yield f"<sitemap><loc>{escape(url)}</loc></sitemap>\n"
        yield "</sitemapindex>\n"

    return _xml_response(chunks())


def _file_url(section, number):
    return absolute(reverse("pages:sitemap_file", kwargs={"section": section, "number": number}))


@require_safe
def site_pages(request, section):
    if section != SITE_PAGES:
        raise Http404
    return _xml_response(_stream(_site_pages()))


@require_safe
def section_file(request, section, number):
    """One file of a section: the pages of the published ids in its range, by id."""
    found = _section(section)
    if found is None or number > 10**12:
        raise Http404
    model, pages = found
    low, high = number * FILE_SIZE, (number + 1) * FILE_SIZE
    if not model.objects.filter(pk__gte=low, pk__lt=high).exists():
        raise Http404
    return _xml_response(_stream(pages(low, high)))
