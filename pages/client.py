"""The address a request came from, behind the proxies the site trusts: what sign-in
failures (django-axes) and readers' reports (pages/feedback.py) are counted by."""

from django.conf import settings


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
