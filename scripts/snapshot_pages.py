"""Save what the public pages answer, to compare before and after a change byte for byte.

    .venv/bin/python scripts/snapshot_pages.py OUT_DIR
    diff -r BEFORE_DIR AFTER_DIR

Runs in-process with Django's test client against the database the settings
name (DATABASE_URL): the seeded demo database or the bench catalogue. For a
broad, stable set of public addresses (the home page, the A-Z lists with their
letters and later pages, compound and condition pages and their later pages,
every review page type of many pairs, research updates, search, unknown and
moved addresses, the sitemap, conditional requests) it writes each body to a
file of its own and the status and headers of every answer to index.txt. Each
cacheable address is asked twice, so both a page-cache miss and a hit are kept.
"""

import hashlib
import os
import random
import sys
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "insightswarm.settings")


def addresses():
    from compounds.models import (
        FormerSlug,
        PublishedCompound,
        PublishedCondition,
        PublishedResearchUpdate,
        PublishedSummary,
    )
    from pages.registry import page_types
    from pages.views import A_TO_Z_PER_PAGE, LINKS_PER_PAGE

    rng = random.Random(7)
    kinds = [kind.slug for kind in page_types()]
    urls = ["/", "/how-we-grade-evidence/", "/robots.txt", "/sitemap.xml"]
    for kind, model, per_side in (
        ("compounds", PublishedCompound, PublishedCondition),
        ("conditions", PublishedCondition, PublishedCompound),
    ):
        count = model.objects.count()
        pages = max(1, -(-count // A_TO_Z_PER_PAGE))
        urls += [f"/{kind}/", f"/{kind}/?page=2", f"/{kind}/?page={pages}"]
        urls += [f"/{kind}/?page={pages + 1}", f"/{kind}/?page=x", f"/{kind}/?letter=%C3%A9"]
        letters = sorted(set(model.objects.values_list("letter", flat=True)))
        for letter in letters:
            param = "other" if letter == "#" else letter.lower()
            urls += [f"/{kind}/?letter={param}", f"/{kind}/?letter={param}&page=2"]
        urls.append(f"/{kind}/?letter=q" if "Q" not in letters else f"/{kind}/?letter=other")
        slugs = sorted(model.objects.values_list("slug", flat=True))
        chosen = slugs[:4] + rng.sample(slugs, min(8, len(slugs))) + slugs[-2:]
        pairs_per_page = LINKS_PER_PAGE // (len(kinds) + 1)
        last = max(1, -(-per_side.objects.count() // pairs_per_page))
        for slug in dict.fromkeys(chosen):
            urls += [f"/{kind}/{slug}/", f"/{kind}/{slug}/?page=2", f"/{kind}/{slug}/?page={last}"]
        urls += [f"/{kind}/no-such-{kind}/", f"/{kind}/{slugs[0]}/?page=999"]
        urls += [f"/{kind}/{slugs[0]}/?utm=x"]
    pair_rows = PublishedSummary.objects.order_by("pk").values_list(
        "compound__slug", "condition__slug"
    )
    every = list(pair_rows)
    chosen = every[:12] + rng.sample(every, min(40, len(every))) + every[-4:]
    for compound, condition in dict.fromkeys(chosen):
        urls += [f"/compounds/{compound}/{condition}/{kind}/" for kind in kinds]
    compound, condition = every[0]
    urls += [
        f"/compounds/{compound}/{condition}/no-such-page/",
        f"/compounds/{compound}/no-such-condition/{kinds[0]}/",
        f"/compounds/no-such-compound/{condition}/{kinds[0]}/",
    ]
    for former in FormerSlug.objects.order_by("kind", "slug"):
        prefix = {"compound": "compounds", "condition": "conditions", "researchupdate": "research"}
        urls.append(f"/{prefix[former.kind]}/{former.slug}/")
        if former.kind == "compound":
            urls.append(f"/compounds/{former.slug}/{condition}/{kinds[0]}/")
        if former.kind == "condition":
            urls.append(f"/compounds/{compound}/{former.slug}/{kinds[-1]}/")
    urls += ["/research/", "/research/?page=2", "/research/?page=99", "/research/no-such-update/"]
    urls += [
        f"/research/{slug}/"
        for slug in PublishedResearchUpdate.objects.order_by("-date", "id").values_list(
            "slug", flat=True
        )[:25]
    ]
    names = list(PublishedCompound.objects.order_by("pk").values_list("name", flat=True)[:3])
    names += list(PublishedCondition.objects.order_by("pk").values_list("name", flat=True)[:3])
    for query in ["", "ketamine", "pain", "5-HT1A", "st john", "zzzz", "a", *names]:
        urls.append(f"/search/?q={quote(query)}")
    urls += [f"/sitemap-{kind}.xml" for kind in ("pages",)]
    urls += [f"/sitemap-{kind}-0.xml" for kind in [*kinds, "compounds", "conditions", "research"]]
    urls += [f"/sitemap-{kinds[0]}-99.xml", "/no-such-page/", "/compounds"]
    return list(dict.fromkeys(urls))


def body_of(response):
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def main(out):
    import django

    django.setup()
    from django.test import Client

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    client = Client()
    index = []
    etag_probe = None
    for url in addresses():
        for attempt in ("first", "again"):
            response = client.get(url)
            body = body_of(response)
            name = hashlib.sha256(url.encode()).hexdigest()[:16]
            if attempt == "first":
                (out / f"{name}.body").write_bytes(body)
            elif body != (out / f"{name}.body").read_bytes():
                index.append(f"!! {url} answered another body the second time")
            headers = sorted(f"{k}: {v}" for k, v in response.headers.items())
            index.append(f"{url} [{attempt}] {response.status_code} {name} {len(body)}")
            index += [f"    {header}" for header in headers]
            if etag_probe is None and response.status_code == 200 and "/compounds/" in url:
                etag_probe = (url, response.headers.get("ETag"))
    if etag_probe:
        url, etag = etag_probe
        response = client.get(url, headers={"If-None-Match": etag})
        index.append(f"{url} [If-None-Match] {response.status_code} {len(body_of(response))}")
        index += [f"    {k}: {v}" for k, v in sorted(response.headers.items())]
    response = client.head("/")
    index.append(f"HEAD / {response.status_code} {len(body_of(response))}")
    index += [f"    {k}: {v}" for k, v in sorted(response.headers.items())]
    response = client.post("/")
    index.append(f"POST / {response.status_code}")
    (out / "index.txt").write_text("\n".join(index) + "\n")
    print(f"{len(index)} lines, {len(list(out.glob('*.body')))} bodies in {out}")


if __name__ == "__main__":
    main(sys.argv[1])
