"""Public pages: each view picks published content through pages/live.py and hands it to a
template. Every list is paginated, so no page grows with the catalogue."""

from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import InvalidPage, Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.http import http_date
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.views.decorators.http import require_safe

from compounds.evidence import EvidenceBasis, EvidenceLevel, Verdict

from . import addresses, claims, live, search, seo
from .registry import get_page_type, page_types

UPDATES_PER_PAGE = 10
# The most links a list page carries, so that no page grows with the catalogue.
LINKS_PER_PAGE = 200
# Names on a page of the A-Z lists: fewer than the bound, since each row reads more
# than its link (class, other names), and a long page costs a phone reader too.
A_TO_Z_PER_PAGE = 100
RELATED_UPDATES = 10
RECENTLY_REVIEWED = 12


def _paginate(request, rows, per_page, **params):
    """The requested page of rows, with the addresses of it and its neighbours.

    An unknown page number is a 404, not a quiet fallback to another page: each
    address is one page, and search engines must not index copies. params are
    the other query parameters that make part of the address (a letter).
    """
    paginator = Paginator(rows, per_page)
    raw = request.GET.get("page", "1")
    if not raw.isascii() or not raw.isdigit() or len(raw) > 6:
        raise Http404
    try:
        page = paginator.page(int(raw))
    except InvalidPage as error:
        raise Http404 from error

    def address(number):
        query = {
            **{k: v for k, v in params.items() if v},
            **({"page": number} if number > 1 else {}),
        }
        return request.path + (f"?{urlencode(query)}" if query else "")

    page.url = address(page.number)
    page.previous_url = address(page.number - 1) if page.has_previous() else None
    page.next_url = address(page.number + 1) if page.has_next() else None
    return page


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
    last_modified=None,
    **context,
):
    """Render a public page with what every page's head and frame needs.

    Its structured data is a schema.org page of type `schema`, named `named` (the
    title by default), or `about` when a review page describes itself fully; then
    its breadcrumbs. last_modified is given only where it is exact: when the latest
    approval of everything the page shows happened.
    """
    # The canonical address is the page's public one, also when staff preview it; a
    # paginated list's is that of the page shown.
    listing = context.get("page")
    url = breadcrumbs[-1][1] if breadcrumbs else request.path
    if listing is not None and not context.get("preview"):
        url = listing.url
    page_data = about or seo.web_page(
        named or title, description, url, schema, context.get("version"), context.get("cites")
    )
    context.update(
        title=title,
        description=description,
        canonical=seo.absolute(url),
        rel_prev=listing.previous_url if listing is not None else None,
        rel_next=listing.next_url if listing is not None else None,
        breadcrumbs=breadcrumbs,
        json_ld=[page_data, seo.breadcrumb_list(breadcrumbs)] if breadcrumbs else [page_data],
        page_types=page_types(),
    )
    response = render(request, template, context)
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified.timestamp())
    return response


def _with_url(rows, view_name):
    """Published rows with their page's address, from one pattern for the whole list."""
    page = addresses.pattern(view_name, ["slug"])
    rows = list(rows)
    for row in rows:
        row.url = page.format(row.slug)
    return rows


# One row of a hub's pair table (templates/pages/includes/pair_table.html): written
# here rather than in a template loop, which cost a compound page most of its time.
_PAIR_ROW = (
    "\n    <tr>\n"
    '      <th scope="row"><a href="{other_url}">{other_name}</a></th>\n'
    "      <td>{verdict}</td>\n"
    "      <td>{level}</td>\n"
    "      <td>{basis}</td>\n"
    '      <td><ul class="inline">{links}</ul></td>\n'
    "    </tr>\n  "
)
_PAIR_LINK = '<li><a href="{url}">{name}<span class="visually-hidden"> ({pair})</span></a></li>'
_VERDICTS = {value: escape(label) for value, label in Verdict.choices}
_LEVELS = {value: escape(label) for value, label in EvidenceLevel.choices}


def _pair_rows(rows, other_side):
    """The pair table's rows of published summary rows (live.summaries), as safe HTML:
    the other side's name and page, the grades, and a link to each page type, each
    built from one address pattern per page (pages/addresses.py)."""
    compound_page = addresses.pattern("pages:compound", ["slug"])
    condition_page = addresses.pattern("pages:condition", ["slug"])
    review_pages = [
        (
            escape(kind.name),
            addresses.pattern("pages:review", ["compound", "condition"], page_type=kind.slug),
        )
        for kind in page_types()
    ]
    html = []
    for _, compound_name, condition_name, level, verdict, basis, compound, condition in rows:
        compound_name, condition_name = escape(compound_name), escape(condition_name)
        pair = f"{compound_name} for {condition_name}"
        links = "".join(
            _PAIR_LINK.format(url=url.format(compound, condition), name=name, pair=pair)
            for name, url in review_pages
        )
        if other_side == "condition":
            other_url, other_name = condition_page.format(condition), condition_name
        else:
            other_url, other_name = compound_page.format(compound), compound_name
        html.append(
            mark_safe(  # noqa: S308 - every value is escaped above; slugs need no escaping
                _PAIR_ROW.format(
                    other_url=other_url,
                    other_name=other_name,
                    verdict=_VERDICTS.get(verdict, escape(verdict)),
                    level=_LEVELS.get(level, escape(level)),
                    basis="Direct" if basis == EvidenceBasis.DIRECT else "Extrapolated",
                    links=links,
                )
            )
        )
    return html


def _path(view_name, **slugs):
    """The address of a public page, from a pattern reversed once (pages/addresses.py)."""
    return addresses.pattern(view_name, list(slugs)).format(*slugs.values())


def _home_crumb():
    return ("Home", _path("pages:home"))


@require_safe
def home(request):
    updates = _with_url(live.contents(live.research_updates()[:3]), "pages:research")
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
        compounds=_with_url(
            live.recently_reviewed("compound", RECENTLY_REVIEWED), "pages:compound"
        ),
        conditions=_with_url(
            live.recently_reviewed("condition", RECENTLY_REVIEWED), "pages:condition"
        ),
        compound_letters=_letter_links("compound"),
        condition_letters=_letter_links("condition"),
        updates=updates,
        levels=list(EvidenceLevel),
    )


# The A-Z letter of a list page, in its address: a to z, or "other" for the rest.
OTHER_LETTER = "other"


def _letter(request):
    """The letter a list page is limited to ("A", "#"), or None; a 404 for anything else."""
    raw = request.GET.get("letter")
    if raw is None:
        return None
    if raw == OTHER_LETTER:
        return "#"
    if len(raw) == 1 and "a" <= raw <= "z":
        return raw.upper()
    raise Http404


def _letter_param(letter):
    return OTHER_LETTER if letter == "#" else letter.lower()


def _letter_links(kind, current=None):
    """The items of the A-Z index (templates/pages/includes/letters.html), as safe
    HTML: a link to every letter that has entries, the current one marked."""
    list_url = addresses.pattern(f"pages:{kind}_list", [])
    items = []
    for letter in live.letters(kind):
        shown = "Other" if letter == "#" else escape(letter)
        marked = ' aria-current="page"' if letter == current else ""
        items.append(
            f'<li><a href="{list_url}?letter={_letter_param(letter)}"{marked}>{shown}</a></li>'
        )
    return mark_safe("".join(items))  # noqa: S308 - letters are escaped, params are a-z


def _a_to_z_rows(kind, rows):
    """The items of an A-Z list, as safe HTML: each name linked to its page; a
    compound's with its class and other names."""
    page = addresses.pattern(f"pages:{kind}", ["slug"])
    items = []
    for row in rows:
        item = f'<li><a href="{page.format(row.slug)}">{escape(row.name)}</a>'
        if kind == "compound":
            also = row.alias_list
            also = f"; also called {', '.join(escape(alias) for alias in also)}" if also else ""
            item += f' <span class="muted">{escape(row.drug_class)}{also}</span>'
        items.append(mark_safe(item + "</li>"))  # noqa: S308 - every value is escaped
    return items


def _a_to_z(request, kind, *, plural, description, template):
    letter = _letter(request)
    page = _paginate(
        request,
        live.a_to_z(kind, letter),
        A_TO_Z_PER_PAGE,
        letter=_letter_param(letter) if letter else None,
    )
    if letter is not None and not page.object_list:
        raise Http404
    title = f"{plural} A-Z"
    if letter:
        title += f": {'other' if letter == '#' else letter}"
    if page.number > 1:
        title += f", page {page.number}"
    crumbs = [_home_crumb(), (plural, _path(f"pages:{kind}_list"))]
    return _page(
        request,
        template,
        title=title,
        description=description,
        breadcrumbs=crumbs,
        schema="CollectionPage",
        page=page,
        rows=_a_to_z_rows(kind, page.object_list),
        letter=letter,
        letters=_letter_links(kind, letter),
    )


@require_safe
def compound_list(request):
    return _a_to_z(
        request,
        "compound",
        plural="Compounds",
        description="Every compound we review, from A to Z, with its class and other names.",
        template="pages/compound_list.html",
    )


def _moved(kind, slug, view_name):
    """A 301 to where content published under a former slug lives now, or a 404."""
    new_slug = live.current_slug(kind, slug)
    if new_slug is None:
        raise Http404
    return redirect(view_name, permanent=True, slug=new_slug)


@require_safe
def compound_detail(request, slug):
    compound = live.find("compound", slug)
    if compound is None:
        return _moved("compound", slug, "pages:compound")
    return render_compound(request, compound)


def _pairs_per_page():
    """Pair rows a page holds: each links its other side and every page type."""
    return LINKS_PER_PAGE // (len(page_types()) + 1)


def render_compound(request, compound, preview=False):
    url = _path("pages:compound", slug=compound.slug)
    pairs = _paginate(request, live.summary_ids_for(compound=compound), _pairs_per_page())
    crumbs = [
        _home_crumb(),
        ("Compounds", _path("pages:compound_list")),
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
        version=compound.version,
        compound=compound,
        page=pairs,
        pairs=_pair_rows(live.summaries(pairs.object_list), "condition"),
        updates=_with_url(
            live.contents(live.research_updates(compound=compound)[:RELATED_UPDATES]),
            "pages:research",
        ),
        preview=preview,
    )


@require_safe
def condition_list(request):
    return _a_to_z(
        request,
        "condition",
        plural="Conditions",
        description="Every condition we cover, from A to Z, with the compounds reviewed for it.",
        template="pages/condition_list.html",
    )


@require_safe
def condition_detail(request, slug):
    condition = live.find("condition", slug)
    if condition is None:
        return _moved("condition", slug, "pages:condition")
    return render_condition(request, condition)


def render_condition(request, condition, preview=False):
    url = _path("pages:condition", slug=condition.slug)
    pairs = _paginate(request, live.summary_ids_for(condition=condition), _pairs_per_page())
    crumbs = [
        _home_crumb(),
        ("Conditions", _path("pages:condition_list")),
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
        version=condition.version,
        condition=condition,
        page=pairs,
        pairs=_pair_rows(live.summaries(pairs.object_list), "compound"),
        updates=_with_url(
            live.contents(live.research_updates(condition=condition)[:RELATED_UPDATES]),
            "pages:research",
        ),
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
            live.current_slug("compound", compound) or compound,
            live.current_slug("condition", condition) or condition,
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
        last_modified=None if preview else pair.last_reviewed,
        pair=pair,
        page_type=kind,
        summary=pair.summary,
        compound=pair.compound,
        condition=pair.condition,
        faq=kind.faq(pair),
        claims=claims.of(pair),
        other_pages=other_pages,
        compound_url=_path("pages:compound", slug=pair.compound.slug),
        condition_url=_path("pages:condition", slug=pair.condition.slug),
        levels=list(EvidenceLevel),
        cta_url=settings.CTA_URL,
        cta_text=settings.CTA_TEXT,
        preview=preview,
    )


@require_safe
def research_list(request):
    page = _paginate(request, live.research_updates(), UPDATES_PER_PAGE)
    updates = _with_url(live.contents(page.object_list), "pages:research")
    crumbs = [_home_crumb(), ("Research updates", _path("pages:research_list"))]
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
    update = live.find("researchupdate", slug)
    if update is None:
        return _moved("researchupdate", slug, "pages:research")
    return render_research_update(request, update)


def render_research_update(request, update, preview=False):
    url = _path("pages:research", slug=update.slug)
    crumbs = [
        _home_crumb(),
        ("Research updates", _path("pages:research_list")),
        (update.title, url),
    ]
    return _page(
        request,
        "pages/research_detail.html",
        title=update.title,
        description=Truncator(update.summary).words(25, truncate="…"),
        breadcrumbs=crumbs,
        schema="MedicalWebPage",
        version=update.version,
        cites=update.references.all(),
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
    results = search.run(query) if search.has_words(query) else None
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
