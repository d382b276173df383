"""Every response carries the headers of a site graded A+ by the Mozilla HTTP
Observatory: public pages, admin pages, errors and files alike, with the settings
production computes from the variables the README documents."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from tests.admin_forms import form_data
from tests.test_settings import CLEAN_ENV

pytestmark = pytest.mark.django_db

# What README's "Production" section exports, with example values.
PRODUCTION_ENV = {
    "DEBUG": "off",
    "SECRET_KEY": "a-long-random-production-key-" + "q7Zx" * 10,
    "ALLOWED_HOSTS": "example.org",
    "SITE_URL": "https://example.org",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/insightswarm",
    "CACHE_URL": "redis://127.0.0.1:6379/1",
    "TRUSTED_PROXY_COUNT": "1",
}

SECURITY_SETTINGS = [
    "DEBUG",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "CSRF_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SAMESITE",
]

PASSWORD = "a-long-sign-in-password-7Q"


@pytest.fixture(scope="module")
def production_settings():
    """The security settings as production computes them, in a fresh process."""
    code = (
        "import django, json; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {SECURITY_SETTINGS!r}}}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**CLEAN_ENV, **PRODUCTION_ENV},
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture
def production(settings, production_settings, live_seed):
    for name, value in production_settings.items():
        if name != "DEBUG":
            setattr(settings, name, tuple(value) if isinstance(value, list) else value)
    settings.ROOT_URLCONF = "tests.error_urls"
    return production_settings


def test_production_keeps_browsers_on_https_for_a_year_with_subdomains(production):
    assert production["DEBUG"] is False
    assert production["SECURE_HSTS_SECONDS"] == 365 * 24 * 3600
    assert production["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert production["SECURE_HSTS_PRELOAD"] is True
    assert production["SECURE_SSL_REDIRECT"] is True


def test_hsts_preload_is_the_domain_owners_choice():
    code = "import django; django.setup(); from django.conf import settings; "
    code += "print(settings.SECURE_HSTS_PRELOAD)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**CLEAN_ENV, **PRODUCTION_ENV, "SECURE_HSTS_PRELOAD": "off"},
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == "False", result.stderr


def _responses(client):
    """One response of each kind the site gives, over HTTPS as behind the proxy."""
    https = {"secure": True}
    get_user_model().objects.create_superuser("sec-admin", "a@example.org", PASSWORD)
    answers = {
        "home": client.get("/", **https),
        "review page": client.get(
            "/compounds/ketamine/treatment-resistant-depression/does-it-work/", **https
        ),
        "search": client.get("/search/?q=ketamine", **https),
        "robots.txt": client.get("/robots.txt", **https),
        "sitemap": client.get("/sitemap.xml", **https),
        "favicon": client.get("/favicon.ico", **https),
        "not found": client.get("/no-such-page/", **https),
        "server error": client.get("/fails/", **https),
        "admin sign-in": client.get(reverse("admin:login"), **https),
    }

    def log_in(username, password):
        # As a person does: the sign-in page opened, the name and password typed in it.
        page = client.get(reverse("admin:login"), **https)
        data = form_data(page, "Log in", username=username, password=password)
        return client.post(data.action, data, **https)

    signed_in = log_in("sec-admin", PASSWORD)
    assert signed_in.status_code == 302
    answers["admin signed in"] = signed_in
    answers["admin home"] = client.get(reverse("admin:index"), **https)
    client.logout()
    for _ in range(django_settings.AXES_FAILURE_LIMIT):
        locked = log_in("x", "wrong")
    answers["sign-in locked out"] = locked
    return answers


def test_every_kind_of_response_carries_the_security_headers(production):
    client = Client(raise_request_exception=False)
    answers = _responses(client)
    assert answers["home"].status_code == 200
    assert answers["review page"].status_code == 200
    assert answers["not found"].status_code == 404
    assert answers["server error"].status_code == 500
    assert answers["sign-in locked out"].status_code == 429
    for kind, response in answers.items():
        headers = response.headers
        assert headers["Strict-Transport-Security"] == (
            "max-age=31536000; includeSubDomains; preload"
        ), kind
        assert headers["X-Content-Type-Options"] == "nosniff", kind
        assert headers["Referrer-Policy"] == "same-origin", kind
        assert headers["Cross-Origin-Opener-Policy"] == "same-origin", kind
        assert headers["Cross-Origin-Resource-Policy"] == "same-origin", kind
        assert headers["X-Frame-Options"] == "DENY", kind
        policy = headers["Permissions-Policy"]
        assert {"camera=()", "microphone=()", "geolocation=()"} <= set(policy.split(", ")), kind
        csp = headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp, kind
        assert "object-src 'none'" in csp, kind
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, kind
        assert headers.get("Access-Control-Allow-Origin") != "*", kind


def test_every_cookie_is_secure_http_only_and_same_site(production):
    client = Client(raise_request_exception=False)
    answers = _responses(client)
    cookies = [
        (kind, morsel)
        for kind, response in answers.items()
        for morsel in response.cookies.values()
        if morsel.value  # a deleted cookie is sent empty and expired
    ]
    assert {morsel.key for _, morsel in cookies} >= {"csrftoken", "sessionid"}
    for kind, morsel in cookies:
        assert morsel["secure"], (kind, morsel.key)
        assert morsel["httponly"], (kind, morsel.key)
        assert morsel["samesite"] == "Lax", (kind, morsel.key)


def test_plain_http_is_sent_to_https(production):
    response = Client().get("/", secure=False)
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


def _nginx_blocks(text):
    """deploy/nginx.conf's blocks by their opening line ("server", "location /static/"),
    each with its own directives (those of nested blocks left out)."""
    blocks, stack = {}, []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line.endswith("{"):
            stack.append(line[:-1].strip())
            blocks.setdefault(stack[-1], [])
        elif line == "}":
            stack.pop()
        elif line and stack:
            blocks[stack[-1]].append(line)
    return blocks


def test_the_nginx_sample_gives_what_the_app_does_not_answer_the_apps_security_headers(
    production,
):
    """nginx's own error pages, gunicorn's (it cannot add headers to them) and the static
    files nginx serves carry the headers the app sends, with the app's values, and only
    where the app's response lacks them. tests/pages/test_hostile_addresses.py runs the
    sample in front of gunicorn."""
    app = Client(raise_request_exception=False).get("/no-such-page/", secure=True).headers
    names = [
        "Strict-Transport-Security",
        "Content-Security-Policy",
        "X-Frame-Options",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "Cross-Origin-Opener-Policy",
        "Cross-Origin-Resource-Policy",
        "Permissions-Policy",
    ]
    sample = (Path(django_settings.BASE_DIR) / "deploy" / "nginx.conf").read_text()
    blocks = _nginx_blocks(sample)
    added = {}
    for name in names:
        upstream = "$upstream_http_" + name.lower().replace("-", "_")
        (variable,) = [b.split()[2] for b in blocks if b.startswith(f"map {upstream} ")]
        assert blocks[f"map {upstream} {variable}"] == [f'"" "{app[name]}";', 'default "";']
        added[name] = f"add_header {name} {variable} always;"
    # A block with an add_header of its own inherits none of the server's.
    for block, directives in blocks.items():
        if block == "server" or any(d.startswith("add_header ") for d in directives):
            assert set(added.values()) <= set(directives), block
