"""Compounds, conditions and their parts: the rules an editor meets when saving them."""

import pytest
from django.core.exceptions import ValidationError

from compounds.evidence import SafetyCategory
from compounds.models import Compound, Mechanism, MedicalAdvisor, SafetyNote
from tests.factories import make_compound, make_condition

pytestmark = pytest.mark.django_db


def test_compound_slug_is_unique():
    make_compound(slug="ketamine")
    duplicate = Compound(
        name="Other",
        slug="ketamine",
        drug_class="x",
        regulatory_status="x",
        evidence_overview="x",
        safety_profile="x",
    )
    with pytest.raises(ValidationError) as caught:
        duplicate.full_clean()
    assert "slug" in caught.value.message_dict


def test_aliases_are_read_as_a_list_of_names():
    compound = make_compound(aliases=" esketamine, Spravato ,, ")
    assert compound.alias_list == ["esketamine", "Spravato"]


def test_mechanisms_are_listed_in_their_position_order():
    compound = make_compound()
    Mechanism.objects.create(compound=compound, position=2, description="BDNF release")
    Mechanism.objects.create(compound=compound, position=1, description="NMDA receptor antagonism")
    assert [m.description for m in compound.mechanisms.all()] == [
        "NMDA receptor antagonism",
        "BDNF release",
    ]


def test_a_compound_cannot_list_the_same_mechanism_twice():
    compound = make_compound()
    Mechanism.objects.create(compound=compound, description="BDNF release")
    with pytest.raises(ValidationError) as caught:
        Mechanism(compound=compound, position=2, description="BDNF release").full_clean()
    assert "This compound already lists this mechanism." in caught.value.messages


def test_a_safety_note_needs_a_known_category():
    note = SafetyNote(compound=make_compound(), category="gossip", description="Abuse potential")
    with pytest.raises(ValidationError) as caught:
        note.full_clean()
    assert "category" in caught.value.message_dict
    note.category = SafetyCategory.ABUSE_POTENTIAL
    note.full_clean()


def test_condition_keeps_the_specialist_in_sentence_case():
    condition = make_condition(specialist="hematologist or oncologist")
    condition.full_clean()
    condition.refresh_from_db()
    assert condition.specialist == "hematologist or oncologist"


def test_advisor_byline_is_name_and_credentials():
    advisor = MedicalAdvisor(
        display_name="Nikhil Joshi", slug="nikhil-joshi", credentials="MD, FRCPC"
    )
    assert advisor.byline == "Nikhil Joshi, MD, FRCPC"


def test_an_advisor_byline_may_exist_without_an_account():
    MedicalAdvisor(display_name="A Person", slug="a-person", credentials="PharmD").full_clean()


def test_natural_keys_find_content_by_slug():
    compound = make_compound(slug="ketamine")
    condition = make_condition(slug="leukemia")
    assert Compound.objects.get_by_natural_key("ketamine") == compound
    assert condition.natural_key() == ("leukemia",)
