"""Requests through the site's WSGI application, page cache in front of Django included.

Django's test client calls Django's handler directly, so it never meets
pages.cache.CachedPages; these helpers call insightswarm.wsgi.application as a
WSGI server does.
"""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import RequestFactory


@dataclass
class Answer:
    status_code: int
    headers: dict = field(default_factory=dict)
    content: bytes = b""

    def get(self, name, default=None):
        return self.headers.get(name.lower(), default)

    def __getitem__(self, name):
        return self.headers[name.lower()]


def get(path, headers=None, method="GET", secure=False, environ=None):
    """GET (or HEAD) `path`; `environ` overrides WSGI variables as a particular server sets
    them (PATH_INFO, QUERY_STRING)."""
    factory = RequestFactory()
    send = factory.head if method == "HEAD" else factory.get
    request = send(path, headers=headers, secure=secure)
    request.environ.update(environ or {})
    return _answer(request)


def post(path, data, headers=None, environ=None):
    """POST the form `data` ({name: [value, ...]}) to `path`, encoded as a browser
    encodes a form without an enctype."""
    body = urlencode(data, doseq=True)
    request = RequestFactory().post(
        path, body, content_type="application/x-www-form-urlencoded", headers=headers
    )
    request.environ.update(environ or {})
    return _answer(request)


def _answer(request):
    from insightswarm.wsgi import application

    sent = {}

    def start_response(status, response_headers, exc_info=None):
        sent.update(status=status, headers=response_headers)

    # As Django's test client does: the test's database connection must outlive the request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        result = application(request.environ, start_response)
        try:
            content = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    headers = {name.lower(): value for name, value in sent["headers"]}
    return Answer(int(sent["status"][:3]), headers, content)
