"""The client address that sign-in limits count, behind the proxies the site trusts."""

from django.conf import settings
from django.shortcuts import render


def client_address(request):
    """The address the outermost trusted proxy saw, or the peer's with no proxy.

    Each trusted proxy appends the address it was called from to X-Forwarded-For, so
    with N of them the Nth entry from the right is the client's; entries further left
    were written by the client and are not believed.
    """
    count = settings.TRUSTED_PROXY_COUNT
    if count:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR")


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
