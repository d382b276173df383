"""Public pages: each view picks live content through pages/live.py and hands it to a template."""

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import Truncator
from django.views.decorators.http import require_safe

from compounds.evidence import EvidenceLevel
from compounds.models import Compound, Condition, ResearchUpdate

from . import live, search, seo
from .registry import get_page_type, page_types

UPDATES_PER_PAGE = 10


def _page(
    request,
    template,
    *,
    title,
    description,
    breadcrumbs,
    schema="WebPage",
    named=None,
    about=None,
    **context,
):
    """Render a public page with what every page's head and frame needs.

    Its structured data is a schema.org page of type `schema`, named `named` (the
    title by default), or `about` when a review page describes itself fully; then
    its breadcrumbs.
    """
    # The canonical address is the page's public one, also when staff preview it.
    url = breadcrumbs[-1][1] if breadcrumbs else request.path
    page_data = about or seo.web_page(named or title, description, url, schema)
    context.update(
        title=title,
        description=description,
        canonical=seo.absolute(url),
        breadcrumbs=breadcrumbs,
        json_ld=[page_data, seo.breadcrumb_list(breadcrumbs)] if breadcrumbs else [page_data],
        page_types=page_types(),
    )
    return render(request, template, context)


def _home_crumb():
    return ("Home", reverse("pages:home"))


@require_safe
def home(request):
    updates = live.research_updates()[:3]
    title = "Insight Swarm: honest, advisor-approved evidence reviews"
    description = (
        "Does a compound work for a condition, how strong is the evidence, is it safe, "
        "and can it be combined with treatment? Reviews approved by medical advisors."
    )
    return _page(
        request,
        "pages/home.html",
        title=title,
        description=description,
        breadcrumbs=[],
        compounds=live.compounds_a_to_z(),
        conditions=live.conditions_a_to_z(),
        updates=updates,
        levels=list(EvidenceLevel),
    )


@require_safe
def compound_list(request):
    crumbs = [_home_crumb(), ("Compounds", request.path)]
    title = "Compounds A-Z"
    description = "Every compound we review, from A to Z, with its class and other names."
    return _page(
        request,
        "pages/compound_list.html",
        title=title,
        description=description,
        breadcrumbs=crumbs,
        schema="CollectionPage",
        compounds=live.compounds_a_to_z(),
    )


def _moved(model, slug, view_name):
    """A 301 to where content published under a former slug lives now, or a 404."""
    new_slug = live.current_slug(model, slug)
    if new_slug is None:
        raise Http404
    return redirect(view_name, permanent=True, slug=new_slug)


@require_safe
def compound_detail(request, slug):
    compound = live.find(Compound, slug)
    if compound is None:
        return _moved(Compound, slug, "pages:compound")
    return render_compound(request, compound)


def render_compound(request, compound, preview=False):
    url = reverse("pages:compound", args=[compound.slug])
    crumbs = [
        _home_crumb(),
        ("Compounds", reverse("pages:compound_list")),
        (compound.name, url),
    ]
    description = f"{compound.name} ({compound.drug_class}): {compound.evidence_overview}"
    return _page(
        request,
        "pages/compound_detail.html",
        title=f"{compound.name}: evidence by condition",
        description=description,
        breadcrumbs=crumbs,
        schema="MedicalWebPage",
        named=compound.name,
        compound=compound,
        pairs=live.summaries_for(compound=compound),
        updates=live.research_updates(compound=compound),
        preview=preview,
    )


@require_safe
def condition_list(request):
    crumbs = [_home_crumb(), ("Conditions", request.path)]
    title = "Conditions A-Z"
    description = "Every condition we cover, from A to Z, with the compounds reviewed for it."
    return _page(
        request,
        "pages/condition_list.html",
        title=title,
        description=description,
        breadcrumbs=crumbs,
        schema="CollectionPage",
        conditions=live.conditions_a_to_z(),
    )


@require_safe
def condition_detail(request, slug):
    condition = live.find(Condition, slug)
    if condition is None:
        return _moved(Condition, slug, "pages:condition")
    return render_condition(request, condition)


def render_condition(request, condition, preview=False):
    url = reverse("pages:condition", args=[condition.slug])
    crumbs = [
        _home_crumb(),
        ("Conditions", reverse("pages:condition_list")),
        (condition.name, url),
    ]
    description = f"Compounds reviewed for {condition.name}, with the grade of their evidence."
    return _page(
        request,
        "pages/condition_detail.html",
        title=f"{condition.name}: compounds reviewed",
        description=description,
        breadcrumbs=crumbs,
        schema="MedicalWebPage",
        named=condition.name,
        condition=condition,
        pairs=live.summaries_for(condition=condition),
        updates=live.research_updates(condition=condition),
        preview=preview,
    )


@require_safe
def review(request, compound, condition, page_type):
    kind = get_page_type(page_type)
    if kind is None:
        raise Http404
    pair = live.find_pair(compound, condition)
    if pair is None:
        moved = (
            live.current_slug(Compound, compound) or compound,
            live.current_slug(Condition, condition) or condition,
        )
        if moved == (compound, condition):
            raise Http404
        return redirect(
            "pages:review",
            permanent=True,
            compound=moved[0],
            condition=moved[1],
            page_type=page_type,
        )
    return render_review(request, pair, kind)


def render_review(request, pair, kind, preview=False):
    """A review page of the pair; the staff preview renders the same with a working copy."""
    url = pair.url(kind)
    if preview:
        other_pages = [
            (other, f"?page={other.slug}") for other in page_types() if other is not kind
        ]
    else:
        other_pages = [(other, pair.url(other)) for other in page_types() if other is not kind]
    crumbs = kind.breadcrumbs(pair)
    return _page(
        request,
        kind.template,
        title=kind.title(pair),
        heading=kind.heading(pair),
        description=kind.meta_description(pair),
        breadcrumbs=crumbs,
        about=seo.medical_web_page(pair, kind, url),
        pair=pair,
        page_type=kind,
        summary=pair.summary,
        compound=pair.compound,
        condition=pair.condition,
        faq=kind.faq(pair),
        other_pages=other_pages,
        levels=list(EvidenceLevel),
        cta_url=settings.CTA_URL,
        cta_text=settings.CTA_TEXT,
        preview=preview,
    )


@require_safe
def research_list(request):
    paginator = Paginator(live.research_updates(), UPDATES_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    updates = page.object_list
    url = reverse("pages:research_list")
    if page.number > 1:
        url += f"?page={page.number}"
    crumbs = [_home_crumb(), ("Research updates", url)]
    title = "Research updates" + (f", page {page.number}" if page.number > 1 else "")
    description = "Plain-language summaries of new studies, newest first."
    return _page(
        request,
        "pages/research_list.html",
        title=title,
        description=description,
        breadcrumbs=crumbs,
        schema="CollectionPage",
        page=page,
        updates=updates,
    )


@require_safe
def research_detail(request, slug):
    update = live.find(ResearchUpdate, slug)
    if update is None:
        return _moved(ResearchUpdate, slug, "pages:research")
    return render_research_update(request, update)


def render_research_update(request, update, preview=False):
    url = reverse("pages:research", args=[update.slug])
    crumbs = [
        _home_crumb(),
        ("Research updates", reverse("pages:research_list")),
        (update.title, url),
    ]
    return _page(
        request,
        "pages/research_detail.html",
        title=update.title,
        description=Truncator(update.summary).words(25, truncate="…"),
        breadcrumbs=crumbs,
        schema="MedicalWebPage",
        update=update,
        preview=preview,
    )


@require_safe
def grading(request):
    crumbs = [_home_crumb(), ("How we grade evidence", request.path)]
    title = "How we grade evidence"
    description = (
        "The hierarchy of evidence our reviews use, from systematic reviews of randomized "
        "trials to no published evidence, and how verdicts differ from levels."
    )
    return _page(
        request,
        "pages/grading.html",
        title=title,
        description=description,
        breadcrumbs=crumbs,
        levels=list(EvidenceLevel),
    )


@require_safe
def search_view(request):
    query, problem = search.clean_query(request.GET.get("q", ""))
    results = search.run(query) if search.searchable(query) else None
    crumbs = [_home_crumb(), ("Search", request.path)]
    return _page(
        request,
        "pages/search.html",
        title=f"Search: {query}" if query else "Search",
        description="Search compounds, conditions and research updates.",
        breadcrumbs=crumbs,
        query=query,
        problem=problem,
        results=results,
    )


@require_safe
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /search/",
        f"Sitemap: {seo.absolute(reverse('pages:sitemap_index'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def not_found(request, exception=None):
    return render(
        request,
        "404.html",
        {"title": "Page not found", "description": "", "breadcrumbs": [], "json_ld": []},
        status=404,
    )
