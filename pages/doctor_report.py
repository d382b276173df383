"""A report to take to the doctor: the reader picks compounds and conditions, and gets a
printable page (and a PDF of it) made only of approved content.

For each chosen compound and condition with a published review: the advisors' verdict
and evidence grade (said as the pages say them: an uncited grade is the advisors'
grade with its studies not cited yet), the key takeaways, the questions to ask, the
references, and who reviewed it when. For each compound: its monitoring and its
interactions, those naming another chosen compound first.

Nothing is stored about the reader: the choice lives in the address, the page is not
cached (it is one reader's), and it tells search engines not to index it.
"""

import re

from django.contrib.staticfiles import finders
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from compounds.models import PublishedCompound, PublishedCondition

from . import claims, live, seo
from .addresses import pattern
from .registry import get_page_type

# A report long enough for one appointment: 5 x 5 pairs at most.
MOST_OF_EACH = 5
_ROBOTS = "noindex, nofollow"
PDF_STYLESHEET = "css/report.css"


def _named(model, kind, text):
    """The slug of the published compound or condition named `text` (its name, slug or,
    for a compound, one of its aliases), or None."""
    text = " ".join(text.split())[:200]
    if not text:
        return None
    found = model.objects.filter(Q(name__iexact=text) | Q(slug=slugify(text)))
    slug = found.values_list("slug", flat=True).first()
    if slug is None and kind == "compound":
        # Aliases are one comma-separated text: a whole alias, not a part of one.
        alias = re.compile(rf"(^|,)\s*{re.escape(text)}\s*(,|$)", re.IGNORECASE)
        for candidate, aliases in model.objects.filter(aliases__icontains=text).values_list(
            "slug", "aliases"
        )[:50]:
            if alias.search(aliases):
                return candidate
    return slug


def _chosen(request, kind, model):
    """The slugs chosen (the address's `kind` values that are published, in order, at most
    MOST_OF_EACH), and what the reader asked to add that is not reviewed here."""
    slugs, missing = [], []
    # PostgreSQL refuses a NUL character in a query: no slug or name holds one.
    for slug in request.GET.getlist(kind):
        if "\x00" in slug or len(slug) > 200:
            continue
        if slug not in slugs and model.objects.filter(slug=slug).exists():
            slugs.append(slug)
    added = request.GET.get(f"add_{kind}", "").replace("\x00", "")
    if added.strip():
        slug = _named(model, kind, added)
        if slug is None:
            missing.append(added.strip()[:200])
        elif slug not in slugs:
            slugs.append(slug)
    return slugs[:MOST_OF_EACH], missing


def _names(compound):
    """The words a compound is known by, to find it in another's interaction rows."""
    names = [compound.name, *compound.aliases.split(",")]
    # "Ketamine (IV / Esketamine)" is also "Ketamine" and "Esketamine".
    names += re.findall(r"[A-Za-z][A-Za-z-]{3,}", compound.name)
    return {name.strip().lower() for name in names if len(name.strip()) > 3}


def _interactions(compound, others):
    """compound's interaction rows, those naming another chosen compound first."""
    rows = list(compound.interactions.all())
    known = set().union(*(_names(other) for other in others)) if others else set()

    def names_another(row):
        text = row.drug.lower()
        return any(re.search(rf"\b{re.escape(name)}\b", text) for name in known)

    flagged = [row for row in rows if names_another(row)]
    return flagged, [row for row in rows if row not in flagged]


def _pair_entry(pair):
    shown = claims.of(pair)
    return {
        "pair": pair,
        "summary": pair.summary,
        "claims": shown,
        "url": seo.absolute(pair.url(get_page_type("does-it-work"))),
    }


def _report(request):
    compound_slugs, missing_compounds = _chosen(request, "compound", PublishedCompound)
    condition_slugs, missing_conditions = _chosen(request, "condition", PublishedCondition)
    compounds = [live.find("compound", slug) for slug in compound_slugs]
    conditions = [live.find("condition", slug) for slug in condition_slugs]
    pairs, not_reviewed = [], []
    for compound in compounds:
        for condition in conditions:
            pair = live.find_pair(compound.slug, condition.slug)
            if pair is None:
                not_reviewed.append((compound, condition))
            else:
                pairs.append(_pair_entry(pair))
    medicines = []
    for compound in compounds:
        others = [other for other in compounds if other is not compound]
        among, rest = _interactions(compound, others)
        medicines.append(
            {
                "compound": compound,
                "url": seo.absolute(pattern("pages:compound", ["slug"]).format(compound.slug)),
                "interactions_among": among,
                "interactions": rest,
                "monitoring": list(compound.monitoring.all()),
            }
        )
    return {
        "compounds": compounds,
        "conditions": conditions,
        "pairs": pairs,
        "not_reviewed": not_reviewed,
        "medicines": medicines,
        "missing": [("compound", text) for text in missing_compounds]
        + [("condition", text) for text in missing_conditions],
        "made_on": timezone.localdate(),
        "most": MOST_OF_EACH,
        "choice": [("compound", c.slug) for c in compounds]
        + [("condition", d.slug) for d in conditions],
    }


@require_safe
@never_cache
def doctor_report(request):
    report = _report(request)
    if request.GET.get("format") == "pdf" and report["medicines"]:
        # Imported here: WeasyPrint loads its fonts and libraries, which only a PDF needs.
        import weasyprint

        html = render(request, "pages/doctor_report_pdf.html", report).content.decode()
        # Its one stylesheet is read here; the document may fetch nothing else, from the
        # network or the disk (a link in approved content is printed, never followed).
        nothing = weasyprint.urls.URLFetcher(allowed_protocols=())
        pdf = weasyprint.HTML(string=html, url_fetcher=nothing).write_pdf(
            stylesheets=[weasyprint.CSS(filename=finders.find(PDF_STYLESHEET))]
        )
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = 'inline; filename="report-for-your-doctor.pdf"'
    else:
        response = render(
            request,
            "pages/doctor_report.html",
            {
                **report,
                "title": "A report to take to your doctor",
                "description": "Advisor-approved evidence reviews you choose, on one page to "
                "print or save, for your next appointment.",
                "canonical": seo.absolute(request.path),
                "robots": _ROBOTS,
            },
        )
    response["X-Robots-Tag"] = _ROBOTS
    return response
