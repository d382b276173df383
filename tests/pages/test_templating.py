"""The filters of the public pages' Jinja2 templates (pages/templating.py)."""

import json
from datetime import UTC, date, datetime

from django.utils import timezone

from compounds.evidence import SafetyCategory
from compounds.models import SafetyNote
from pages.templating import by_category, ld_json
from pages.templating import date as date_filter


def test_a_moment_is_shown_on_its_day_in_the_sites_time_zone():
    approved = datetime(2026, 3, 1, 2, 30, tzinfo=UTC)
    with timezone.override("America/New_York"):
        assert date_filter(approved, "j F Y") == "28 February 2026"
        assert date_filter(approved, "Y-m-d") == "2026-02-28"
    with timezone.override("UTC"):
        assert date_filter(approved, "j F Y") == "1 March 2026"


def test_a_day_is_shown_as_it_is_and_nothing_as_nothing():
    assert date_filter(date(2026, 11, 5), "j F Y") == "5 November 2026"
    assert date_filter(date(2026, 11, 5), "D") == "Thu"
    assert date_filter(None, "j F Y") == ""


def test_structured_data_cannot_close_its_element():
    block = ld_json({"name": "</script><script>alert(1)</script> & more"})
    inner = block.removeprefix('<script type="application/ld+json">').removesuffix("</script>")
    assert "<" not in inner and ">" not in inner and "&" not in inner
    assert json.loads(inner)["name"] == "</script><script>alert(1)</script> & more"


def test_safety_notes_are_grouped_under_their_categorys_label_in_category_order():
    notes = [
        SafetyNote(category=SafetyCategory.SIDE_EFFECTS, description="Nausea."),
        SafetyNote(category=SafetyCategory.ABUSE_POTENTIAL, description="Misuse."),
        SafetyNote(category=SafetyCategory.SIDE_EFFECTS, description="Dizziness."),
    ]
    grouped = [(label, [n.description for n in group]) for label, group in by_category(notes)]
    assert grouped == [
        ("Abuse and dependence", ["Misuse."]),
        ("Side effects", ["Nausea.", "Dizziness."]),
    ]
