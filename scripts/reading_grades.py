"""Print the Flesch-Kincaid grade of the seed's patient-facing text, field by field and
page by page, to check it against the grade 6-8 that patient information aims for.

    DATABASE_URL=sqlite:////tmp/seedcheck.db .venv/bin/python manage.py migrate
    DATABASE_URL=sqlite:////tmp/seedcheck.db .venv/bin/python manage.py seed_demo
    DATABASE_URL=sqlite:////tmp/seedcheck.db .venv/bin/python scripts/reading_grades.py

Runs in-process with Django's test client against the database DATABASE_URL names.
A page's grade is that of the text of its <main>: each heading, paragraph, list item
and definition counts as a sentence of its own, as a reader takes it. Syllables are
counted by vowel groups, with the usual corrections for English endings; the grade
is an estimate, good for comparing texts measured the same way.
"""

import os
import re
import statistics
import sys
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "insightswarm.settings")

WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*|\d+(?:[.,]\d+)*%?")
# A sentence ends at . ! ? or ; followed by a space, or at the end of the text.
SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)")
BLOCKS = {"p", "li", "dt", "dd", "h1", "h2", "h3", "h4", "td", "th", "caption", "summary"}
SKIPPED = {"script", "style", "nav"}


def syllables(word):
    word = word.lower().strip("'’")
    if not word.isalpha():
        # A number reads as its digits do, near enough: one syllable a digit group.
        return max(1, len(re.findall(r"\d+", word)))
    if len(word) <= 3:
        return 1
    word = re.sub(r"(?:[^laeiouy]es|[^laeiouy]ed|[^laeiouy]e)$", "", word)
    word = re.sub(r"^y", "", word)
    count = len(re.findall(r"[aeiouy]{1,2}", word))
    if re.search(r"[^aeiouy]le$", word.lower()):
        count += 1
    return max(1, count)


def grade(sentences):
    """Flesch-Kincaid grade of a list of sentences, or None for no words."""
    words = [w for s in sentences for w in WORD.findall(s)]
    counted = [s for s in sentences if WORD.search(s)]
    if not words:
        return None
    per_sentence = len(words) / len(counted)
    per_word = sum(syllables(w) for w in words) / len(words)
    return round(0.39 * per_sentence + 11.8 * per_word - 15.59, 1)


def split(text):
    return [part for part in SENTENCE_END.split(text) if part.strip()]


class MainText(HTMLParser):
    """The text of <main>, as a list of sentences: blocks end sentences too."""

    def __init__(self):
        super().__init__()
        self.depth = 0
        self.skipping = 0
        self.current = []
        self.sentences = []

    def handle_starttag(self, tag, attrs):
        if tag == "main":
            self.depth += 1
        elif tag in SKIPPED and self.depth:
            self.skipping += 1
        elif tag in BLOCKS:
            self.flush()

    def handle_endtag(self, tag):
        if tag == "main":
            self.flush()
            self.depth -= 1
        elif tag in SKIPPED and self.skipping:
            self.skipping -= 1
        elif tag in BLOCKS:
            self.flush()

    def handle_data(self, data):
        if self.depth and not self.skipping:
            self.current.append(data)

    def flush(self):
        text = " ".join("".join(self.current).split())
        self.current = []
        self.sentences += split(text)


def page_sentences(html):
    parser = MainText()
    parser.feed(html)
    return parser.sentences


def fields():
    """(label, text) of each patient-facing text field of the seed content."""
    from compounds.models import Compound, Condition, EvidenceSummary, ResearchUpdate

    for compound in Compound.objects.all():
        for name in ("regulatory_status", "evidence_overview", "safety_profile"):
            yield f"{compound.slug}.{name}", getattr(compound, name)
        for row in compound.cautions.all():
            yield f"{compound.slug}.caution {row.position}", row.description
        for row in compound.interactions.all():
            yield f"{compound.slug}.interaction {row.position}", f"{row.effect} {row.management}"
    for condition in Condition.objects.all():
        for name in ("standard_treatment", "urgent_help"):
            if getattr(condition, name):
                yield f"{condition.slug}.{name}", getattr(condition, name)
    for summary in EvidenceSummary.objects.select_related("condition"):
        for name in ("preclinical_evidence", "human_evidence", "regulatory_status"):
            if getattr(summary, name):
                yield f"{summary.condition.slug}.{name}", getattr(summary, name)
        if summary.key_takeaways:
            yield f"{summary.condition.slug}.key_takeaways", ". ".join(summary.takeaway_list)
    for update in ResearchUpdate.objects.all():
        yield f"update {update.slug[:40]}", f"{update.title}. {update.summary}"


def main():
    import django

    django.setup()
    from django.test import Client

    from compounds.models import PublishedResearchUpdate, PublishedSummary
    from pages.registry import page_types

    print("Fields (Flesch-Kincaid grade)")
    for label, text in fields():
        print(f"  {grade(split(text)) or '-':>5}  {label}")

    client = Client(HTTP_HOST="127.0.0.1")
    grades = {}
    pairs = PublishedSummary.objects.values_list("compound__slug", "condition__slug")
    for compound, condition in sorted(pairs):
        for kind in page_types():
            url = f"/compounds/{compound}/{condition}/{kind.slug}/"
            answer = client.get(url)
            assert answer.status_code == 200, url
            grades[url] = grade(page_sentences(answer.content.decode()))
    print("Review pages (<main> text)")
    for url, value in grades.items():
        print(f"  {value:>5}  {url}")
    values = list(grades.values())
    print(
        f"  median {statistics.median(values)}, range {min(values)}-{max(values)}, "
        f"{len(values)} pages"
    )
    print("Research updates (<main> text)")
    for slug in PublishedResearchUpdate.objects.values_list("slug", flat=True):
        answer = client.get(f"/research/{slug}/")
        print(f"  {grade(page_sentences(answer.content.decode())):>5}  /research/{slug}/")


if __name__ == "__main__":
    main()
