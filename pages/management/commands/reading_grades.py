"""Print the reading grade of what patients read: each patient-facing text field, each
public review page and research update, and the content checks' findings, measured as
the review screen measures them (compounds/review/content_checks.py reading_grade over
pages/reading.py text_of), so a figure here is the figure an advisor is shown."""

import statistics

from django.conf import settings
from django.core.management.base import BaseCommand
from django.test import Client
from django.urls import reverse

from compounds.models import (
    PUBLISHABLE_MODELS,
    PublishedCompound,
    PublishedCondition,
    PublishedResearchUpdate,
    PublishedSummary,
)
from compounds.review import content_checks
from pages.reading import text_of
from pages.registry import page_types


def _grade(passages):
    return content_checks.page_grade(passages)


def _summary(label, grades):
    values = [value for value in grades.values() if value is not None]
    if values:
        return (
            f"{label}: median {statistics.median(values):.1f}, range {min(values):.1f} to "
            f"{max(values):.1f}, {len(values)} pages"
        )
    return f"{label}: none published"


class Command(BaseCommand):
    help = (
        "Print the Flesch-Kincaid reading grade of every patient-facing text field, of "
        "every published review page and research update, and the content checks' "
        "findings on every object, to compare with the grade 6 to 8 patient information "
        "aims at. Reads the database; changes nothing."
    )

    def handle(self, *args, **options):
        out = self.stdout.write
        out("Fields")
        found = []
        for model in PUBLISHABLE_MODELS:
            for obj in model.objects.order_by("pk"):
                for text in content_checks.texts(obj):
                    grade = content_checks.reading_grade(text.value)
                    shown = f"{grade:5.1f}" if grade is not None else "    -"
                    out(f"  {shown}  {obj} · {text.label}")
                found += content_checks.findings(obj)
        # Asked as the site is: under the first host it answers to.
        host = next((h.lstrip(".") for h in settings.ALLOWED_HOSTS if h != "*"), "localhost")
        client = Client(HTTP_HOST=host)
        reviews = {}
        pairs = PublishedSummary.objects.values_list("compound__slug", "condition__slug")
        for compound, condition in sorted(pairs):
            for kind in page_types():
                url = f"/compounds/{compound}/{condition}/{kind.slug}/"
                reviews[url] = _grade(text_of(client.get(url).content.decode()))
        updates = {}
        for slug in PublishedResearchUpdate.objects.order_by("slug").values_list("slug", flat=True):
            url = f"/research/{slug}/"
            updates[url] = _grade(text_of(client.get(url).content.decode()))
        others = {}
        for name in ("home", "compound_list", "condition_list", "research_list", "grading"):
            url = reverse(f"pages:{name}")
            others[url] = _grade(text_of(client.get(url).content.decode()))
        for kind, model in (("compound", PublishedCompound), ("condition", PublishedCondition)):
            for slug in model.objects.order_by("slug").values_list("slug", flat=True)[:20]:
                url = reverse(f"pages:{kind}", args=[slug])
                others[url] = _grade(text_of(client.get(url).content.decode()))
        pages = (("Review pages", reviews), ("Research updates", updates), ("Other pages", others))
        for label, grades in pages:
            out(label)
            for url, grade in grades.items():
                out(f"  {grade:5.1f}  {url}" if grade is not None else f"      -  {url}")
            out("  " + _summary(label, grades))
        out(f"Content checks: {content_checks.describe(found) or 'none open'}")
