"""The anchor every page is measured against: the least a Django page can cost.

Three indexed queries (a pair, its compound, its condition) and a response the
size of a review page (BENCH_PAGE_BYTES, set by bench/run.py from the page it
measures), through the same middleware as the site. The cached variant is the
same view cached the way the site's pages are (bench/urls.py): by the page
cache in front of Django, under three tags as a review page is.
"""

import os

from django.http import Http404, HttpResponse
from django.utils.html import escape

from compounds.models import PublishedCompound, PublishedCondition, PublishedSummary

PAGE_BYTES = int(os.environ.get("BENCH_PAGE_BYTES", "12000"))
FILLER = "<p>" + "Evidence review text. " * (PAGE_BYTES // 22 + 1)
TAIL = "</p></main></body></html>\n"


def render(pk):
    summary = PublishedSummary.objects.filter(pk=pk).values(
        "compound_id", "condition_id", "verdict", "evidence_level"
    )
    summary = summary.first()
    if summary is None:
        raise Http404
    compound = PublishedCompound.objects.values_list("name", flat=True).get(
        pk=summary["compound_id"]
    )
    condition = PublishedCondition.objects.values_list("name", flat=True).get(
        pk=summary["condition_id"]
    )
    head = (
        f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{escape(compound)} "
        f"for {escape(condition)}</title></head><body><main><h1>{escape(compound)} for "
        f"{escape(condition)}</h1><p>{summary['verdict']}, {summary['evidence_level']}</p>"
    )
    filler = FILLER[: max(0, PAGE_BYTES - len(head.encode()) - len(TAIL))]
    return (head + filler + TAIL).encode()


def minimal(request, pk):
    return HttpResponse(render(pk))


def minimal_tags(url_name, kwargs, query):
    """Three tags, as many as a review page is filed under."""
    return [f"bench:{kwargs['pk']}:{n}" for n in range(3)]
