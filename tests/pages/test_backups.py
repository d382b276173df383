"""A backup restored into an empty database serves every public page byte for byte,
with the versions and the review history of everything in it."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from compounds.models import ReviewEvent, Version
from tests.pages.markup import sitemap_paths, sitemap_section_urls

# Transactional: a restore replaces the database under any open transaction. The groups
# the migrations create come back after each test (serialized_rollback).
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

FIXED_ADDRESSES = ["/robots.txt", "/sitemap.xml", "/how-we-grade-evidence/", "/search/?q=ketamine"]


def every_public_page(client):
    """Body of every address the sitemap lists (hubs included), and the sitemap's own files."""
    paths = [*FIXED_ADDRESSES, *sitemap_section_urls(client), *sitemap_paths(client)]
    pages = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        body = b"".join(response.streaming_content) if response.streaming else response.content
        pages[path] = body
    return pages


def history():
    return (
        list(Version.objects.order_by("pk").values()),
        list(ReviewEvent.objects.order_by("pk").values()),
    )


def drop_every_table():
    """Leave the database as a new one is: no table at all."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        else:
            cursor.execute("PRAGMA foreign_keys = OFF")
            for table in connection.introspection.table_names(cursor):
                cursor.execute(f'DROP TABLE "{table}"')
            cursor.execute("PRAGMA foreign_keys = ON")


def test_a_backup_restored_into_an_empty_database_serves_the_same_site(client, live_seed, tmp_path):
    pages = every_public_page(client)
    assert len(pages) > 40
    versions, events = history()
    assert versions and events

    out = io.StringIO()
    call_command("backup", "--dir", str(tmp_path), stdout=out)
    backup = tmp_path / out.getvalue().strip().rsplit("/", 1)[1]
    assert backup.is_file() and backup.name.startswith("insightswarm-20")

    drop_every_table()
    call_command("restore", str(backup), stdout=io.StringIO())

    assert history() == (versions, events)
    restored = every_public_page(client)
    assert restored.keys() == pages.keys()
    for path, body in pages.items():
        assert restored[path] == body, path


def test_restore_refuses_a_database_that_is_not_empty(live_seed, tmp_path):
    out = io.StringIO()
    call_command("backup", "--dir", str(tmp_path), stdout=out)
    backup = out.getvalue().strip()
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", backup, stdout=io.StringIO())
    # Told to, it replaces what is there with what the backup holds.
    get_user_model().objects.create_user("after-the-backup")
    call_command("restore", backup, "--overwrite", stdout=io.StringIO())
    assert not get_user_model().objects.filter(username="after-the-backup").exists()
    assert Version.objects.exists()


def test_a_restore_leaves_the_cache_alone_and_the_site_refreshes_its_own_pages(
    live_seed, tmp_path, settings, advisor
):
    from django.core.cache import cache

    from compounds.models import ResearchUpdate
    from compounds.review import workflow
    from pages import cache as page_cache
    from tests import site_wsgi as site

    settings.PAGE_CACHE_SECONDS = 3600
    cache.clear()
    page_cache._cache_down_until, page_cache._refreshed_at = 0.0, float("-inf")
    out = io.StringIO()
    call_command("backup", "--dir", str(tmp_path), stdout=out)

    update = ResearchUpdate.objects.get(slug="ketamine-cognition-and-neuroplasticity")
    workflow.withdraw(update, advisor, comment="Withdrawn after the backup.")
    assert update.title.encode() not in site.get("/research/").content
    assert site.get("/research/")["X-Page-Cache"] == "hit"
    cache.set("another-site:page", "kept")

    call_command("restore", out.getvalue().strip(), "--overwrite", stdout=io.StringIO())

    # Another site's entries are untouched; this site reads its pages afresh.
    assert cache.get("another-site:page") == "kept"
    page_cache._refreshed_at = float("-inf")  # the next request of any app process
    listing = site.get("/research/")
    assert listing["X-Page-Cache"] == "miss"
    assert update.title.encode() in listing.content
    cache.clear()
