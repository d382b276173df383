"""Site-wide response rules that Django has no setting for."""

import time

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

# When a signed-in session last had its expiry moved on (seconds since the epoch).
RENEWED = "_renewed_at"


class SessionIdleExpiryMiddleware:
    """Ends a session after SESSION_COOKIE_AGE of inactivity, not of signed-in time.

    A session in use has its expiry moved on, but at most once every
    SESSION_RENEW_SECONDS: saving it on every request (SESSION_SAVE_EVERY_REQUEST)
    would cost a database write on each click in the admin, for an expiry that only
    needs to be right to within minutes of a working day.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # Only a request that brought a session cookie can have a session to renew;
        # looking at others would mark their responses as varying by cookie.
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            session = request.session
            if not session.is_empty():
                now = int(time.time())
                if now - session.get(RENEWED, 0) >= settings.SESSION_RENEW_SECONDS:
                    session[RENEWED] = now
        return response


@receiver(user_logged_in)
def _renewed_at_sign_in(sender, request, user, **kwargs):
    # A new session has its full age: no renewal needed on the next request.
    if request is not None and hasattr(request, "session"):
        request.session[RENEWED] = int(time.time())


class SecurityHeadersMiddleware:
    """Permissions-Policy and Cross-Origin-Resource-Policy on every response.

    Django's SecurityMiddleware sends the other security headers (HSTS,
    Cross-Origin-Opener-Policy, Referrer-Policy, X-Content-Type-Options); these two
    it has no setting for.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.headers = {
            "Permissions-Policy": settings.PERMISSIONS_POLICY,
            "Cross-Origin-Resource-Policy": settings.SECURE_CROSS_ORIGIN_RESOURCE_POLICY,
        }

    def __call__(self, request):
        response = self.get_response(request)
        for name, value in self.headers.items():
            if value:
                response.headers.setdefault(name, value)
        return response
