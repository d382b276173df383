"""Checks that the loaded catalogue is what the workflow would have produced, before
anything is measured on it.

- snapshots.take() of sampled working rows equals their live Version's data;
- publishing.publish() of sampled objects, run again inside a transaction that
  is rolled back, leaves their published rows (search vectors included)
  exactly as loaded;
- pages of every kind render with status 200 and show the names they should.
"""

import html
import random

from django.db import connection, transaction
from django.test import Client

from compounds.models import (
    Compound,
    Condition,
    EvidenceSummary,
    FormerSlug,
    PublishedCompound,
    PublishedSummary,
    ResearchUpdate,
    ResearchUpdateLink,
    Version,
)
from compounds.review import publishing, snapshots


class CatalogueError(AssertionError):
    pass


def check(condition, message):
    if not condition:
        raise CatalogueError(message)


def sample_pks(model, count, rng):
    top = model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    return sorted({1, top, *(rng.randrange(1, top + 1) for _ in range(count))})


def check_snapshots(rng):
    checked = 0
    for model, count in (
        (Compound, 20),
        (Condition, 20),
        (EvidenceSummary, 60),
        (ResearchUpdate, 10),
    ):
        for pk in sample_pks(model, count, rng):
            obj = model.objects.select_related("live_version").get(pk=pk)
            check(obj.live_version is not None, f"{model.__name__} {pk} has no live version")
            check(
                snapshots.take(obj) == obj.live_version.data,
                f"{model.__name__} {pk}: the stored snapshot differs from snapshots.take()",
            )
            checked += 1
    return checked


def _published_state(model, pk):
    published = publishing.PUBLISHED_MODEL[model]
    state = published.objects.filter(pk=pk).values().get()
    if model is ResearchUpdate:
        state["links"] = sorted(
            ResearchUpdateLink.objects.filter(update_id=pk).values_list(
                "compound_id", "condition_id"
            ),
            key=str,
        )
    return state


def check_publishing(rng):
    """Publishing a sampled object again changes nothing: it was loaded as approval writes it."""
    checked = 0
    for model, count in ((Compound, 5), (Condition, 5), (EvidenceSummary, 10), (ResearchUpdate, 3)):
        for pk in sample_pks(model, count, rng):
            obj = model.objects.select_related("live_version").get(pk=pk)
            loaded = _published_state(model, pk)
            with transaction.atomic():
                publishing.publish(obj, obj.live_version)
                again = _published_state(model, pk)
                transaction.set_rollback(True)
            check(
                loaded == again,
                f"{model.__name__} {pk}: loaded published row differs from what publish() "
                f"writes: {_difference(loaded, again)}",
            )
            checked += 1
    return checked


def _difference(a, b):
    return {key: (a.get(key), b.get(key)) for key in set(a) | set(b) if a.get(key) != b.get(key)}


def check_counts(compounds, conditions):
    pairs = compounds * conditions
    check(PublishedSummary.objects.count() == pairs, "not every pair is published")
    check(EvidenceSummary.objects.filter(live_version__isnull=True).count() == 0, "unapproved pair")
    check(Version.objects.count() >= pairs + compounds + conditions, "versions are missing")
    check(FormerSlug.objects.exists(), "no former slug to measure the redirect path with")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM compounds_publishedcompound WHERE search_vector IS NULL"
        )
        check(cursor.fetchone()[0] == 0, "compounds without a search vector")


def _get(client, path, status=200):
    response = client.get(path)
    check(response.status_code == status, f"{path} answered {response.status_code}, not {status}")
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def _shows(content, path, *names):
    # Read as text: templates and the views' own markup escape an apostrophe differently.
    text = html.unescape(content)
    for name in names:
        check(name in text, f"{path} does not show {name!r}")


def check_pages(rng, page_types):
    """Every kind of public page renders from the loaded rows and names what it shows."""
    client = Client(HTTP_HOST="127.0.0.1")
    rendered = 0
    for pk in sample_pks(PublishedSummary, 3, rng):
        row = PublishedSummary.objects.select_related("compound", "condition").get(pk=pk)
        for page_type in page_types:
            path = f"/compounds/{row.compound.slug}/{row.condition.slug}/{page_type}/"
            _shows(_get(client, path), path, row.compound.name, row.condition.name)
            rendered += 1
        for path, name in (
            (f"/compounds/{row.compound.slug}/", row.compound.name),
            (f"/conditions/{row.condition.slug}/", row.condition.name),
            (f"/compounds/?letter={row.compound.letter.lower()}", None),
            (f"/conditions/?letter={row.condition.letter.lower()}", None),
        ):
            if "letter=#" in path:
                path = path.replace("#", "other")
            content = _get(client, path)
            if name:
                _shows(content, path, name)
            rendered += 1
    compound = PublishedCompound.objects.order_by("name").first()
    _shows(_get(client, "/compounds/"), "/compounds/", compound.name)
    for path in ("/", "/conditions/", "/research/", "/how-we-grade-evidence/", "/robots.txt"):
        _get(client, path)
        rendered += 1
    update = ResearchUpdate.objects.order_by("pk").first()
    _shows(_get(client, f"/research/{update.slug}/"), "research update", update.title)
    for query, name in (
        ("meniere", "Ménière's disease"),
        ("5-HT1A", "Buspirone (5-HT1A agonist)"),
        ("coq10", "CoQ10 (Ubiquinone)"),
        ("st john", "St. John's wort"),
    ):
        _shows(_get(client, f"/search/?q={query}"), f"search {query!r}", name)
        rendered += 1
    # A pair by its compound's brand name and its condition, in a question.
    _shows(
        _get(client, "/search/?q=does+spravato+help+crohn%27s+disease"),
        "search for a pair",
        "Does Ketamine (IV / Esketamine) work for Crohn's disease?",
    )
    rendered += 1
    index = _get(client, "/sitemap.xml")
    check("sitemap-does-it-work-0.xml" in index, "the sitemap index lists no review file")
    first = PublishedSummary.objects.select_related("compound", "condition").order_by("pk").first()
    sitemap = _get(client, "/sitemap-does-it-work-0.xml")
    check(
        f"/compounds/{first.compound.slug}/{first.condition.slug}/does-it-work/" in sitemap,
        "the first review sitemap file misses the first pair",
    )
    former = FormerSlug.objects.filter(kind="compound").first()
    moved = client.get(f"/compounds/{former.slug}/")
    current = PublishedCompound.objects.get(pk=former.object_id).slug
    check(
        moved.status_code == 301 and moved["Location"].endswith(f"/compounds/{current}/"),
        "a former compound slug does not answer 301 to the current one",
    )
    _get(client, "/compounds/no-such-compound-anywhere/", status=404)
    return rendered + 3


def verify(compounds, conditions, page_types, seed=5):
    rng = random.Random(seed)
    check_counts(compounds, conditions)
    return {
        "snapshots compared": check_snapshots(rng),
        "objects published again": check_publishing(rng),
        "pages rendered": check_pages(rng, page_types),
    }
