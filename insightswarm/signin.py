"""Sign-in: the client address that its limits count (pages/client.py); the answer while
locked out; and where signing in and out go next."""

from functools import wraps
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils.http import url_has_allowed_host_and_scheme

# The address sign-in failures are counted by (AXES_CLIENT_IP_CALLABLE), shared with the
# limit on readers' reports.
from pages.client import client_address  # noqa: F401


def locked_out(request, original_response=None, credentials=None):
    """The answer to a sign-in while its account or address is locked out.

    The same for every account name, known or not, so it tells nothing of which exist.
    """
    cooloff = settings.AXES_COOLOFF_TIME
    return render(
        request,
        "registration/locked_out.html",
        {"cooloff_minutes": int(cooloff.total_seconds() // 60) if cooloff else None},
        status=429,
    )


# Where signing in and signing out go next: the page of the admin that `next` names,
# else the admin home after signing in and the sign-in page after signing out
# (LOGIN_REDIRECT_URL, LOGOUT_REDIRECT_URL). Django's own check keeps `next` on the
# site; this one also drops a `next` that would end on an error page: an address the
# site does not have (404), a public page, which needs no sign-in, or the sign-out,
# which answers POST only (405).


def _admin_page(url, request):
    if not url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return False
    try:
        match = resolve(unquote(urlsplit(url).path))
    except Resolver404:
        return False
    # The admin answers any other address under /admin/ with a view of no name (a 404).
    return match.namespace == admin.site.name and match.url_name not in (None, "logout")


def next_an_admin_page(view):
    """`view`, given `next` only where it names a page of the admin."""

    @wraps(view)
    def with_next_an_admin_page(request, *args, **kwargs):
        if not _admin_page(request.GET.get(REDIRECT_FIELD_NAME, ""), request):
            request.GET = request.GET.copy()
            request.GET.pop(REDIRECT_FIELD_NAME, None)
        if request.method == "POST" and not _admin_page(
            request.POST.get(REDIRECT_FIELD_NAME, ""), request
        ):
            request.POST = request.POST.copy()
            request.POST.pop(REDIRECT_FIELD_NAME, None)
        return view(request, *args, **kwargs)

    return with_next_an_admin_page


# As the admin's URLs have them: its sign-out through admin_view (CSRF checked, and a
# signed-out visitor sent to the sign-in page).
sign_in = next_an_admin_page(admin.site.login)
sign_out = next_an_admin_page(admin.site.admin_view(admin.site.logout, cacheable=True))
