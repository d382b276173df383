"""Sign-in: failures limited per account and per address, logged, and telling nothing
of which accounts exist; a locked-out user is told how to get back in."""

import io
import logging
import re
import time
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.urls import reverse, reverse_lazy
from django.utils import timezone

from insightswarm.middleware import RENEWED
from tests.admin_forms import address as shown_at
from tests.admin_forms import form_data, press, submit

PASSWORD = "a-long-sign-in-password-7Q"
ADDRESS = "203.0.113.7"
LOCKED_OUT = "Sign-in paused"

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor():
    return get_user_model().objects.create_user(
        "editor-jo", password=PASSWORD, is_staff=True, email="jo@example.org"
    )


def sign_in(client, username, password, address=ADDRESS, **extra):
    """From one address: open the sign-in page the admin sends a visitor to, type the
    name and password, press "Log in"."""
    login = f"{reverse('admin:login')}?next={reverse('admin:index')}"
    page = client.get(login, REMOTE_ADDR=address, **extra)
    assert page.status_code == 200, page.status_code
    data = form_data(page, "Log in", username=username, password=password)
    return client.post(data.action or shown_at(page), data, REMOTE_ADDR=address, **extra)


def signed_in(response):
    return response.status_code == 302 and response.url == reverse("admin:index")


def fail_until_the_limit(client, username, address=ADDRESS):
    """Fail as often as the limit allows: the form again each time, the lockout at the last."""
    for n in range(1, settings.AXES_FAILURE_LIMIT + 1):
        response = sign_in(client, username, "wrong password", address)
        assert response.status_code == (429 if n == settings.AXES_FAILURE_LIMIT else 200)


def test_after_the_failure_limit_the_right_password_is_refused_with_a_clear_message(client, editor):
    fail_until_the_limit(client, "editor-jo")
    response = sign_in(client, "editor-jo", PASSWORD)
    assert response.status_code == 429
    text = response.content.decode()
    assert LOCKED_OUT in text
    assert f"Try again in {settings.AXES_COOLOFF_TIME.seconds // 60} minutes" in text
    assert "administrator" in text
    assert "_auth_user_id" not in client.session


def test_an_account_is_locked_out_whatever_the_address(client, editor):
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "editor-jo", "wrong password", address=f"198.51.100.{n + 1}")
    assert sign_in(client, "editor-jo", PASSWORD, address="192.0.2.44").status_code == 429


def test_an_address_is_locked_out_whatever_the_account(client, editor):
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, f"guess-{n}", "wrong password")
    assert sign_in(client, "editor-jo", PASSWORD).status_code == 429
    # The same account from another address is not held up by that address.
    assert signed_in(sign_in(client, "editor-jo", PASSWORD, address="192.0.2.44"))


def test_failures_are_logged_with_the_address_and_not_the_name_typed(client, editor, caplog):
    with caplog.at_level(logging.WARNING, logger="axes"):
        sign_in(client, "editor-jo", "wrong password")
    failures = [r.getMessage() for r in caplog.records if "login failure" in r.getMessage()]
    assert failures
    assert all(ADDRESS in message for message in failures)
    assert not any("editor-jo" in message for message in failures)


def _without_tokens(response):
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", response.content)


def test_an_unknown_account_gets_the_same_answers_as_a_known_one(client, editor):
    known = sign_in(client, "editor-jo", "wrong password", address="192.0.2.1")
    unknown = sign_in(client, "nobody-here", "wrong password", address="192.0.2.2")
    assert known.status_code == unknown.status_code == 200
    assert _without_tokens(known).replace(b"editor-jo", b"NAME") == _without_tokens(
        unknown
    ).replace(b"nobody-here", b"NAME")

    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "editor-jo", "wrong password", address="192.0.2.1")
        sign_in(client, "nobody-here", "wrong password", address="192.0.2.2")
    known = sign_in(client, "editor-jo", PASSWORD, address="192.0.2.1")
    unknown = sign_in(client, "nobody-here", PASSWORD, address="192.0.2.2")
    assert known.status_code == unknown.status_code == 429
    assert known.content == unknown.content


def test_after_the_cooloff_sign_in_works_again(client, editor):
    fail_until_the_limit(client, "editor-jo")
    assert sign_in(client, "editor-jo", PASSWORD).status_code == 429
    # Time passes: the failures are now older than the cool-off.
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.first().attempt_time
        - settings.AXES_COOLOFF_TIME
        - timedelta(seconds=1)
    )
    assert signed_in(sign_in(client, "editor-jo", PASSWORD))


def test_an_administrator_unlocks_an_account_in_the_admin(client, editor):
    fail_until_the_limit(client, "editor-jo")
    assert sign_in(client, "editor-jo", PASSWORD).status_code == 429

    admin = get_user_model().objects.create_superuser("admin-sam", "sam@example.org", PASSWORD)
    client.force_login(admin)
    changelist = reverse("admin:axes_accessattempt_changelist")
    attempts = list(AccessAttempt.objects.values_list("pk", flat=True))
    confirmation = press(
        client, changelist, "Run", action="delete_selected", _selected_action=attempts
    )
    assert confirmation.status_code == 200
    response = submit(client, confirmation, "Yes, I’m sure")
    assert response.status_code == 302
    client.logout()

    assert signed_in(sign_in(client, "editor-jo", PASSWORD))


def test_an_administrator_unlocks_an_account_from_the_command_line(client, editor):
    fail_until_the_limit(client, "editor-jo")
    call_command("axes_reset_username", "editor-jo", stdout=io.StringIO())
    call_command("axes_reset_ip", ADDRESS, stdout=io.StringIO())
    assert signed_in(sign_in(client, "editor-jo", PASSWORD))


def test_behind_trusted_proxies_the_clients_own_address_counts(client, editor, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The left entry is whatever the client wrote; the proxy appended the real one.
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(
            client,
            "guess",
            "wrong password",
            address="127.0.0.1",
            HTTP_X_FORWARDED_FOR="192.0.2.99, 198.51.100.20",
        )
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.20"}
    # Another client behind the same proxy signs in.
    assert signed_in(
        sign_in(
            client,
            "editor-jo",
            PASSWORD,
            address="127.0.0.1",
            HTTP_X_FORWARDED_FOR="198.51.100.21",
        )
    )


def test_an_idle_session_ends_after_a_working_day(client, editor):
    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    response = sign_in(client, "editor-jo", PASSWORD)
    assert response.cookies["sessionid"]["max-age"] == 8 * 3600
    session = Session.objects.get()
    # Nobody uses it for a working day: the next request finds no session.
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and reverse("admin:login") in response.url
    assert not Session.objects.filter(pk=session.pk, expire_date__gt=timezone.now()).exists()


def test_a_session_in_use_has_its_expiry_moved_on_without_a_write_per_request(client, editor):
    sign_in(client, "editor-jo", PASSWORD)
    expiry = Session.objects.get().expire_date
    # Just signed in: requests within the renewal interval do not write the session.
    response = client.get(reverse("admin:index"))
    assert "sessionid" not in response.cookies
    assert Session.objects.get().expire_date == expiry
    # Later, in use again: its expiry moves to a full working day from now.
    session = client.session
    session[RENEWED] = int(time.time()) - settings.SESSION_RENEW_SECONDS
    session.save()
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert response.cookies["sessionid"]["max-age"] == 8 * 3600
    assert Session.objects.get().expire_date > expiry


def test_password_validators_stay_on():
    names = {v["NAME"].rsplit(".", 1)[1] for v in settings.AUTH_PASSWORD_VALIDATORS}
    assert {
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    } <= names


# `next` as a crafted link may hold it: other sites, scheme-relative, an address the site
# does not have, a non-admin page, the sign-out (POST only), an encoded NUL.
FOREIGN_NEXTS = [
    "https://evil.example/",
    "//evil.example",
    "/\\evil.example",
    "javascript:alert(1)",
    "/nonexistent/",
    "/admin/nonexistent/",
    "/compounds/no-such-compound/",
    reverse_lazy("admin:logout"),
    "/admin/%00",
    "",
]


def _landing(client, response):
    """Follow redirects as a browser does: the status and address of the page it shows."""
    while response.status_code in (301, 302, 303):
        location = response["Location"]
        assert location.startswith("/"), f"sent off the site: {location}"
        response = client.get(location)
    return response.status_code, response.request["PATH_INFO"]


@pytest.mark.parametrize("next_url", FOREIGN_NEXTS)
def test_signing_in_with_any_next_lands_on_a_page_of_the_admin(client, editor, next_url):
    page = client.get(reverse("admin:login"), {"next": str(next_url)})
    assert page.status_code == 200
    response = submit(client, page, "Log in", username="editor-jo", password=PASSWORD)
    assert "_auth_user_id" in client.session
    status, landing = _landing(client, response)
    assert status == 200, landing
    assert landing.startswith("/admin/"), landing


@pytest.mark.parametrize("next_url", FOREIGN_NEXTS)
def test_a_sign_in_posted_with_any_next_lands_on_a_page_of_the_admin(client, editor, next_url):
    """A crafted form posting its own `next`."""
    response = client.post(
        reverse("admin:login") + "?" + urlencode({"next": str(next_url)}),
        {"username": "editor-jo", "password": PASSWORD, "next": str(next_url)},
        REMOTE_ADDR=ADDRESS,
    )
    status, landing = _landing(client, response)
    assert status == 200, landing
    assert landing.startswith("/admin/"), landing


@pytest.mark.parametrize("next_url", FOREIGN_NEXTS)
def test_signing_out_with_any_next_lands_on_the_sign_in_page(client, editor, next_url):
    client.force_login(editor)
    page = client.get(reverse("admin:index"))
    data = form_data(page, "Log out")
    # The admin's sign-out form, sent to an address with a `next` a link supplied.
    response = client.post(f"{data.action}?{urlencode({'next': str(next_url)})}", data)
    assert "_auth_user_id" not in client.session
    assert _landing(client, response) == (200, reverse("admin:login"))


def test_a_sign_in_goes_on_to_the_admin_page_that_asked_for_it(client, editor):
    wanted = reverse("admin:auth_user_changelist")
    page = client.get(wanted, follow=True)
    response = submit(client, page, "Log in", username="editor-jo", password=PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == wanted
