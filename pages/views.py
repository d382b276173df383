"""Public pages: each view picks published content through pages/live.py and hands it to a
template. Every list is paginated, so no page grows with the catalogue."""

import string
from html import escape as html_escape
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import InvalidPage, Page, Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import truncatewords
from django.urls import reverse
from django.utils.html import escape
from django.utils.http import http_date
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.views.decorators.http import require_safe

from compounds.evidence import EvidenceBasis, EvidenceLevel, StudyDesign, Verdict

from . import addresses, claims, live, search, seo
from .registry import get_page_type, page_types
from .templating import phrase, static_url

UPDATES_PER_PAGE = 10
# The most links a list page carries, so that no page grows with the catalogue.
LINKS_PER_PAGE = 200
# Names on a page of the A-Z lists: fewer than the bound, since each row reads more
# than its link (class, other names), and a long page costs a phone reader too.
A_TO_Z_PER_PAGE = 100
RELATED_UPDATES = 10
RECENTLY_REVIEWED = 12


def _page_number(request):
    """The page number a list's address asks for; a 404 for anything but digits."""
    raw = request.GET.get("page", "1")
    if not raw.isascii() or not raw.isdigit() or len(raw) > 6:
        raise Http404
    return int(raw)


def _with_addresses(request, page, params):
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


def _paginate(request, rows, per_page, **params):
    """The requested page of rows, with the addresses of it and its neighbours.

    An unknown page number is a 404, not a quiet fallback to another page: each
    address is one page, and search engines must not index copies. params are
    the other query parameters that make part of the address (a letter).
    """
    paginator = Paginator(rows, per_page)
    try:
        page = paginator.page(_page_number(request))
    except InvalidPage as error:
        raise Http404 from error
    return _with_addresses(request, page, params)


def _counted_page(request, fetch, per_page, **params):
    """The requested page as _paginate gives it, of rows read with their count in one
    query: fetch(offset, limit) returns the page's rows and how many there are in all
    (None when the page is empty, which only a first page may be)."""
    number = _page_number(request)
    if number < 1:
        raise Http404
    rows, count = fetch((number - 1) * per_page, per_page)
    if count is None:
        if number > 1:
            raise Http404
        count = 0
    paginator = Paginator([], per_page)
    paginator.count = count
    return _with_addresses(request, Page(rows, number, paginator), params)


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
    structured=None,
    more_json_ld=(),
    last_modified=None,
    **context,
):
    """Render a public page with what every page's head and frame needs.

    Its structured data is a schema.org page of type `schema`, named `named` (the
    title by default), with the `structured` properties of its type, or `about` when a
    review page describes itself fully; then its breadcrumbs, then `more_json_ld`.
    last_modified is given only where it is exact: when the latest approval of
    everything the page shows happened.
    """
    # The canonical address is the page's public one, also when staff preview it; a
    # paginated list's is that of the page shown.
    listing = context.get("page")
    url = breadcrumbs[-1][1] if breadcrumbs else request.path
    if listing is not None and not context.get("preview"):
        url = listing.url
    version = context.get("version")
    page_data = about or seo.web_page(
        named or title,
        description,
        url,
        schema,
        version,
        context.get("cites"),
        reviewer_url=reviewer_page(request, version),
        **(structured or {}),
    )
    json_ld = [page_data, seo.breadcrumb_list(breadcrumbs)] if breadcrumbs else [page_data]
    context.update(
        title=title,
        description=description,
        canonical=seo.absolute(url),
        rel_prev=listing.previous_url if listing is not None else None,
        rel_next=listing.next_url if listing is not None else None,
        breadcrumbs=breadcrumbs,
        json_ld=[*json_ld, *more_json_ld],
        page_types=page_types(),
    )
    response = render(request, template, context)
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified.timestamp())
    return response


# The columns of a hub's pair table after the other side's name: heads on a wide screen,
# each cell's own label on a phone, where the table stacks (data-label, static/css/site.css).
PAIR_COLUMNS = ("Our advisors' verdict", "Evidence grade", "Basis", "Pages")

# For the other modules of views (pages/trust.py).
render_page = _page


def reviewer_page(request, version):
    """The address of the page of the advisor who approved `version` (a published row, or
    the version a preview makes), if it is live; None for a page without one."""
    if version is None:
        return None
    return live.site_links(request).advisor_url(getattr(version, "reviewer_id", None))


# One row of a hub's pair table (pages/jinja2/pages/includes/pair_table.html): written
# here rather than in a template loop, which cost a compound page most of its time.
_PAIR_ROW = (
    "\n    <tr>\n"
    '      <th scope="row"><a href="{other_url}">{other_name}</a></th>\n'
    '      <td data-label="{heads[0]}">{verdict}</td>\n'
    '      <td data-label="{heads[1]}">{level}</td>\n'
    '      <td data-label="{heads[2]}">{basis}</td>\n'
    '      <td data-label="{heads[3]}"><ul class="inline">{links}</ul></td>\n'
    "    </tr>\n  "
)
_PAIR_LINK = '<li><a href="{url}">{name}<span class="visually-hidden"> ({pair})</span></a></li>'
# The verdict and level marks of the review pages, small, drawn from the symbols the
# table defines once (pages/jinja2/pages/includes/marks.html); the words beside them
# carry the values, so the marks are hidden from screen readers.
_MARK = '<svg class="mark" aria-hidden="true"><use href="#{}"/></svg>'
_STEPS = {verdict.value: verdict.step for verdict in Verdict}
_STRENGTHS = {level.value: level.strength for level in EvidenceLevel}
_VERDICTS = {
    value: _MARK.format(f"verdict-mark-{_STEPS[value]}") + escape(label)
    for value, label in Verdict.choices
}
# A grade no cited study stands behind is the advisors', as its pages say.
_NOT_CITED = (
    '<span class="note">Our advisors\' grade; the studies behind it are not cited yet.</span>'
)
_LEVELS = {
    (value, cited): _MARK.format(f"level-mark-{_STRENGTHS[value]}{'' if cited else '-uncited'}")
    + escape(label)
    + ("" if cited else _NOT_CITED)
    for value, label in EvidenceLevel.choices
    for cited in (True, False)
}


def _literal(text):
    """text as it reads in a str.format template."""
    return text.replace("{", "{{").replace("}", "}}")


def _reslot(pattern, *slots):
    """An address pattern (pages/addresses.py) with its {0}, {1}... renamed to slots."""
    parts = []
    for literal, field, _, _ in string.Formatter().parse(pattern):
        parts.append(_literal(literal))
        if field is not None:
            parts.append(f"{{{slots[int(field)]}}}")
    return "".join(parts)


def _pair_row_template(other_side):
    """The markup of a pair table's row, with the row's values still to fill in: {0}
    the compound's slug, {1} the condition's, {2} the pair's name, {3} the other side's
    name, {4} the verdict, {5} the evidence level and {6} the basis. The addresses, the
    page types' names and the cells' labels, the same in every row, are written in once."""
    links = "".join(
        _PAIR_LINK.format(
            url=_reslot(
                addresses.pattern("pages:review", ["compound", "condition"], page_type=kind.slug),
                0,
                1,
            ),
            name=_literal(escape(kind.name)),
            pair="{2}",
        )
        for kind in page_types()
    )
    other_slug = 1 if other_side == "condition" else 0
    return _PAIR_ROW.format(
        other_url=_reslot(addresses.pattern(f"pages:{other_side}", ["slug"]), other_slug),
        other_name="{3}",
        verdict="{4}",
        level="{5}",
        basis="{6}",
        links=links,
        heads=[_literal(escape(head)) for head in PAIR_COLUMNS],
    )


def _pair_table(rows, other_side):
    """What the pair table (pages/jinja2/pages/includes/pair_table.html) shows of published
    summary rows (live.pair_page): its rows as safe HTML (the other side's name and page,
    the grades with their marks, and a link to each page type, each built from one
    address pattern per page, pages/addresses.py), its column heads, and the marks the
    rows use, whose symbols the table defines: only those, not every one there is."""
    row = _pair_row_template(other_side)
    html = []
    verdict_marks, level_marks = set(), set()
    for _, compound_name, condition_name, level, verdict, basis, cited, compound, condition in rows:
        # html.escape is what django.utils.html.escape applies, without its lazy wrapper.
        compound_name, condition_name = html_escape(compound_name), html_escape(condition_name)
        html.append(
            row.format(
                compound,
                condition,
                f"{compound_name} for {condition_name}",
                condition_name if other_side == "condition" else compound_name,
                _VERDICTS.get(verdict) or html_escape(verdict),
                _LEVELS.get((level, cited)) or html_escape(level),
                "Direct" if basis == EvidenceBasis.DIRECT else "Extrapolated",
            )
        )
        verdict_marks.add(_STEPS.get(verdict))
        level_marks.add((_STRENGTHS.get(level), cited))
    return {
        # Every value is escaped above; slugs need no escaping.
        "pairs": mark_safe("".join(html)),  # noqa: S308
        "pair_columns": PAIR_COLUMNS,
        "verdict_marks": sorted(step for step in verdict_marks if step is not None),
        "level_marks": sorted(mark for mark in level_marks if mark[0] is not None),
    }


def _path(view_name, **slugs):
    """The address of a public page, from a pattern reversed once (pages/addresses.py)."""
    return addresses.pattern(view_name, list(slugs)).format(*slugs.values())


def _home_crumb():
    return ("Home", _path("pages:home"))


def _update_items(rows, heading_level=3):
    """The items of a list of research updates (pages/jinja2/pages/includes/update_list.html),
    as safe HTML, from published rows (live.UPDATE_ROW)."""
    page = addresses.pattern("pages:research", ["slug"])
    items = []
    for title, slug, date, data in rows:
        # Read as the rebuilt object would read them (compounds/review/snapshots.py): a field
        # the snapshot leaves out has its default.
        details = escape(_DESIGNS.get(data.get("study_design", ""), data.get("study_design", "")))
        if data.get("participants"):
            details += f" · {escape(data['participants'])} participants"
        if data.get("source"):
            details += f" · {escape(data['source'])}"
        items.append(
            mark_safe(  # noqa: S308 - every value is escaped; slugs need no escaping
                _UPDATE_ITEM.format(
                    h=heading_level,
                    url=page.format(slug),
                    title=escape(title),
                    iso=escape(date_filter(date, "Y-m-d")),
                    date=escape(date_filter(date, "j F Y")),
                    details=details,
                    summary=escape(truncatewords(data.get("summary", ""), 40)),
                )
            )
        )
    return items


_UPDATE_ITEM = (
    "\n  <li>\n"
    '    <h{h}><a href="{url}">{title}</a></h{h}>\n'
    '    <p class="muted"><time datetime="{iso}">{date}</time> · {details}</p>\n'
    "    <p>{summary}</p>\n"
    "  </li>\n  "
)
_DESIGNS = dict(StudyDesign.choices)


def _recent_rows(kind):
    page = addresses.pattern(f"pages:{kind}", ["slug"])
    rows = []
    for name, slug, *more in live.recently_reviewed(kind, RECENTLY_REVIEWED):
        row = {"name": name, "url": page.format(slug)}
        if more:
            row["drug_class"] = more[0]
        rows.append(row)
    return rows


@require_safe
def home(request):
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
        compounds=_recent_rows("compound"),
        conditions=_recent_rows("condition"),
        compound_letters=_letter_links("compound"),
        condition_letters=_letter_links("condition"),
        updates=_update_items(live.latest_updates(3)),
        levels=list(EvidenceLevel),
        more_json_ld=[
            seo.organization(live.site_links(request), seo.absolute(static_url("favicon.svg")))
        ],
    )


def _letter(request):
    """The letter a list page is limited to ("A", "#"), or None; a 404 for anything else."""
    raw = request.GET.get("letter")
    if raw is None:
        return None
    letter = addresses.letter_of_param(raw)
    if letter is None:
        raise Http404
    return letter


def _letter_links(kind, current=None):
    """The items of the A-Z index (pages/jinja2/pages/includes/letters.html), as safe
    HTML: a link to every letter that has entries, the current one marked."""
    list_url = addresses.pattern(f"pages:{kind}_list", [])
    items = []
    for letter in live.letters(kind):
        shown = "Other" if letter == "#" else escape(letter)
        marked = ' aria-current="page"' if letter == current else ""
        param = addresses.letter_param(letter)
        items.append(f'<li><a href="{list_url}?letter={param}"{marked}>{shown}</a></li>')
    return mark_safe("".join(items))  # noqa: S308 - letters are escaped, params are a-z


def _a_to_z_rows(kind, rows):
    """The items of an A-Z list, as safe HTML: each name linked to its page; a
    compound's with its class and other names (rows of live.a_to_z)."""
    page = addresses.pattern(f"pages:{kind}", ["slug"])
    items = []
    for name, slug, *more in rows:
        item = f'<li><a href="{page.format(slug)}">{html_escape(name)}</a>'
        if kind == "compound":
            drug_class, aliases = more
            also = [html_escape(alias.strip()) for alias in aliases.split(",") if alias.strip()]
            also = f"; also called {', '.join(also)}" if also else ""
            item += f' <span class="muted">{html_escape(drug_class)}{also}</span>'
        items.append(item + "</li>")
    return mark_safe("".join(items))  # noqa: S308 - every value is escaped


def _a_to_z(request, kind, *, plural, description, template):
    letter = _letter(request)
    page = _counted_page(
        request,
        lambda offset, limit: live.a_to_z(kind, letter, offset, limit),
        A_TO_Z_PER_PAGE,
        letter=addresses.letter_param(letter) if letter else None,
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
    pairs = _counted_page(
        request,
        lambda offset, limit: live.pair_page("compound", compound, offset, limit),
        _pairs_per_page(),
    )
    crumbs = [
        _home_crumb(),
        ("Compounds", _path("pages:compound_list")),
        (compound.name, url),
    ]
    description = f"{compound.name} ({phrase(compound.drug_class)}): {compound.evidence_overview}"
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
        **_pair_table(pairs.object_list, "condition"),
        updates=_update_items(live.latest_updates(RELATED_UPDATES, compound=compound)),
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
    pairs = _counted_page(
        request,
        lambda offset, limit: live.pair_page("condition", condition, offset, limit),
        _pairs_per_page(),
    )
    crumbs = [
        _home_crumb(),
        ("Conditions", _path("pages:condition_list")),
        (condition.name, url),
    ]
    description = (
        f"What we found on each compound for {condition.name}, and how strong the evidence is."
    )
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
        **_pair_table(pairs.object_list, "compound"),
        updates=_update_items(live.latest_updates(RELATED_UPDATES, condition=condition)),
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


def _call_to_action(pair):
    """The link at the foot of a review page: the configured one, labelled for what it is,
    or else the site's report of this pair to take to the doctor."""
    if settings.CTA_URL and settings.CTA_TEXT:
        return {"url": settings.CTA_URL, "text": settings.CTA_TEXT, "label": settings.CTA_LABEL}
    chosen = urlencode({"compound": pair.compound.slug, "condition": pair.condition.slug})
    return {
        "url": f"{_path('pages:doctor_report')}?{chosen}",
        "text": "Make a report of this review to take to your doctor",
        "label": "",
    }


def render_review(request, pair, kind, preview=False):
    """A review page of the pair; the staff preview renders the same with a working copy."""
    url = pair.url(kind)
    if preview:
        pair_pages = [(each, f"?page={each.slug}") for each in page_types()]
    else:
        pair_pages = [(each, pair.url(each)) for each in page_types()]
    other_pages = [(other, address) for other, address in pair_pages if other is not kind]
    crumbs = kind.breadcrumbs(pair)
    return _page(
        request,
        kind.template,
        title=kind.title(pair),
        heading=kind.heading(pair),
        description=kind.meta_description(pair),
        breadcrumbs=crumbs,
        about=seo.medical_web_page(
            pair, kind, url, reviewer_url=reviewer_page(request, pair.summary.version)
        ),
        last_modified=None if preview else pair.last_reviewed,
        pair=pair,
        page_type=kind,
        summary=pair.summary,
        compound=pair.compound,
        condition=pair.condition,
        faq=kind.faq(pair),
        claims=claims.of(pair),
        pair_pages=pair_pages,
        other_pages=other_pages,
        compound_url=_path("pages:compound", slug=pair.compound.slug),
        condition_url=_path("pages:condition", slug=pair.condition.slug),
        levels=list(EvidenceLevel),
        cta=_call_to_action(pair),
        preview=preview,
    )


@require_safe
def research_list(request):
    page = _paginate(request, live.update_rows(live.research_updates()), UPDATES_PER_PAGE)
    updates = _update_items(page.object_list, heading_level=2)
    crumbs = [_home_crumb(), ("Research updates", _path("pages:research_list"))]
    title = "Research updates" + (f", page {page.number}" if page.number > 1 else "")
    description = "Short, plain summaries of new studies, newest first."
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
        "Disallow: /report-a-problem/",
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
