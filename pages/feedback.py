"""“Report a problem with this page”: where the form on every public page posts.

Public pages are cached whole and served to everyone (pages/cache.py), so the form
(pages/jinja2/pages/includes/report_problem.html) carries no per-reader token: no CSRF
token, no time stamp. The view it posts to is exempt from Django's CSRF check, which
needs such a token, and guards itself instead:

- POST only, and from this site: the browser's Sec-Fetch-Site, when sent, says
  same-origin, and its Origin (without one, its Referer) is the site's. Another site's
  page cannot make a reader's browser send a report, so the limit per address below
  counts the people who send them.
- At most MAX_BODY bytes in all, MESSAGE_LENGTH characters of text and one address.
- A field bots fill and people never see (TRAP, hidden by the stylesheet): a post that
  fills it is thanked and dropped, so a bot learns nothing.
- FEEDBACK_RATE_LIMIT reports an hour per client address (compounds/feedback/limits.py),
  counted in the shared cache, the address itself never stored.

A report is saved with what its page is about (the published row of the page's pair,
compound, condition or research update, whose id is its working object's), then the
reader is sent (303) to a thank-you page. Every answer here is the reader's own: none
is cached or indexed. A refused report comes back on a page of its own, with what the
reader typed.
"""

import contextlib
import logging
from urllib.parse import unquote, urlsplit

from django import forms
from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import Resolver404, get_script_prefix, resolve, reverse
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from compounds.feedback import limits, service
from compounds.models import (
    Compound,
    Condition,
    EvidenceSummary,
    PublishedCompound,
    PublishedCondition,
    PublishedResearchUpdate,
    PublishedSitePage,
    PublishedSummary,
    ResearchUpdate,
    SitePage,
)
from compounds.models.feedback import MESSAGE_LENGTH, PAGE_LENGTH

from .client import client_address

log = logging.getLogger(__name__)

# What a report may weigh, encoded: MESSAGE_LENGTH characters of four UTF-8 bytes, each
# byte three characters once form-encoded, come to 24 KB; the rest is room for the
# other fields.
MAX_BODY = 32 * 1024
# The field bots fill: a name that invites it.
TRAP = "website"
HOUR = 3600
# A reader's answer is no page for search engines.
ROBOTS = "noindex, nofollow"
# The query parameters that are part of a page's address (pages/cache.py's, and a
# search); any other is dropped from the address a report keeps.
PAGE_PARAMETERS = ("letter", "page", "q")

REFUSED_ORIGIN = (
    "This report did not come from a page of this site, so it was not sent. Please use "
    "the form at the foot of the page you want to tell us about."
)
TOO_LARGE = f"This report is too long to send. Please keep it to {MESSAGE_LENGTH:,} characters."
TOO_MANY = (
    "You have sent several reports in a short time, so this one was not sent. "
    "Please try again in an hour. What you wrote is below, so you can copy it."
)
NO_PAGE = "This report did not say which page it is about. Please send it from the page."
NOT_SENT = "Your report was not sent yet. Please check the form below."


class ReportForm(forms.Form):
    page = forms.CharField(max_length=PAGE_LENGTH, error_messages={"required": NO_PAGE})
    what = forms.CharField(
        max_length=MESSAGE_LENGTH,
        error_messages={
            "required": "Please say what is wrong on the page.",
            "max_length": f"Please keep it to {MESSAGE_LENGTH} characters (it has %(show_value)d).",
        },
    )
    email = forms.EmailField(
        required=False,
        max_length=254,
        error_messages={"invalid": "This email address is not complete, or leave it empty."},
    )

    def clean_page(self):
        page = page_address(self.cleaned_data["page"])
        if page is None:
            raise forms.ValidationError(NO_PAGE)
        return page


def page_address(value):
    """The address of a page of this site as a report keeps it: its path and the
    parameters that are part of a page's address; None for anything else."""
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    path = parts.path
    if (
        parts.scheme
        or parts.netloc
        or not path.startswith("/")
        or path.startswith("//")
        or any(ord(c) < 32 or ord(c) == 127 for c in value)
    ):
        return None
    kept = [
        (name, item)
        for name, items in QueryDict(parts.query).lists()
        if name in PAGE_PARAMETERS
        for item in items
        if item
    ]
    address = path + (f"?{urlencode(kept)}" if kept else "")
    return address if len(address) <= PAGE_LENGTH else None


def about(page):
    """What the page at `page` is about (service.About), or None for a page about no one
    object (a list, the home page, search) or an address with no live page."""
    path = unquote(urlsplit(page).path)
    prefix = get_script_prefix()
    if prefix != "/" and path.startswith(prefix):
        path = "/" + path.removeprefix(prefix)
    try:
        match = resolve(path)
    except Resolver404:
        return None
    if match.namespace != "pages":
        return None
    kwargs = match.kwargs
    match match.url_name:
        case "review":
            row = (
                PublishedSummary.objects.filter(
                    compound__slug=kwargs["compound"], condition__slug=kwargs["condition"]
                )
                .values_list("id", "compound_name", "condition_name")
                .first()
            )
            return row and service.About(EvidenceSummary, row[0], f"{row[1]} for {row[2]}")
        case "compound" | "condition" | "research":
            published, model, name = {
                "compound": (PublishedCompound, Compound, "name"),
                "condition": (PublishedCondition, Condition, "name"),
                "research": (PublishedResearchUpdate, ResearchUpdate, "title"),
            }[match.url_name]
            row = published.objects.filter(slug=kwargs["slug"]).values_list("id", name).first()
            return row and service.About(model, *row)
        case "about" | "editorial_policy" | "funding" | "contact" | "advisor":
            # The site's own pages: at their kind's address, an advisor's at their slug.
            kind = kwargs.get("kind", match.url_name)
            row = (
                PublishedSitePage.objects.filter(kind=kind, slug=kwargs.get("slug", kind))
                .values_list("id", "name")
                .first()
            )
            return row and service.About(SitePage, *row)
    return None


def _origin(url):
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme and parts.netloc else None


def from_this_site(request):
    """Whether the browser says the form was posted from a page of this site."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None and fetch_site != "same-origin":
        return False
    sent = request.headers.get("Origin")
    if sent in (None, "null"):
        referer = request.headers.get("Referer")
        sent = referer and _origin(referer)
    if not sent:
        return False
    own = {_origin(settings.SITE_URL)}
    with contextlib.suppress(DisallowedHost):
        own.add(f"{request.scheme}://{request.get_host()}".lower())
    return sent.lower() in own


def _answer(request, status, *, problem=None, posted=None, errors=None, page=None, sent=False):
    """The page a report is answered with: thanked (sent), or refused with the reason,
    what the reader posted and the errors of its fields."""
    posted = posted if posted is not None else {}
    errors = errors or {}
    if "page" in errors:
        problem = problem or errors["page"][0]
    elif errors:
        problem = problem or NOT_SENT
    page = page or page_address(posted.get("page", ""))
    response = render(
        request,
        "pages/report_problem.html",
        {
            "title": "Thank you for your report" if sent else "Report a problem with a page",
            "description": "",
            "breadcrumbs": [],
            "json_ld": [],
            "robots": ROBOTS,
            # The form is this page: the one at its foot would repeat it.
            "no_report_form": True,
            "problem": problem,
            "sent": sent,
            # A report with no page of the site to be about cannot be sent again from here.
            "show_form": not sent and bool(posted) and page is not None,
            "report_page": page,
            "values": {"what": posted.get("what", ""), "email": posted.get("email", "")},
            "errors": {name: errors[name][0] for name in ("what", "email") if name in errors},
            "back": page,
            "email_days": settings.FEEDBACK_EMAIL_RETENTION_DAYS,
        },
        status=status,
    )
    response["X-Robots-Tag"] = ROBOTS
    # Nor kept by the nginx in front (deploy/nginx.conf), which reads only this header.
    response["X-Accel-Expires"] = "0"
    return response


@csrf_exempt
@never_cache
@require_POST
def report_problem(request):
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = MAX_BODY + 1
    if length > MAX_BODY:
        return _answer(request, 413, problem=TOO_LARGE)
    if not from_this_site(request):
        log.info("A report from another site was refused.")
        return _answer(request, 403, problem=REFUSED_ORIGIN)
    if not limits.allow("report", client_address(request), settings.FEEDBACK_RATE_LIMIT, HOUR):
        response = _answer(request, 429, problem=TOO_MANY, posted=request.POST)
        response["Retry-After"] = str(HOUR)
        return response
    if request.POST.get(TRAP):
        log.info("A report that filled the field people never see was dropped.")
        return _thanked(page_address(request.POST.get("page", "")))
    form = ReportForm(request.POST)
    if not form.is_valid():
        return _answer(request, 400, posted=request.POST, errors=form.errors)
    page = form.cleaned_data["page"]
    service.receive(
        page=page,
        message=form.cleaned_data["what"],
        email=form.cleaned_data["email"],
        about=about(page),
    )
    return _thanked(page)


def _thanked(page):
    url = reverse("pages:report_sent")
    return HttpResponseRedirect(url + (f"?{urlencode({'page': page})}" if page else ""), status=303)


@never_cache
@require_safe
def report_sent(request):
    return _answer(request, 200, page=page_address(request.GET.get("page", "")), sent=True)
