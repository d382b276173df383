"""The content checks before sign-off: what each rule flags, and what it leaves alone.

The checks inform; the advisor decides. Approving an object with open checks takes the
advisor's comment, which the history keeps, and the editor is told of them on saving.
"""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from compounds.evidence import EvidenceLevel, StudyDesign, Verdict
from compounds.models import (
    Compound,
    Condition,
    EvidenceSummary,
    HelpLine,
    Interaction,
    Monitoring,
    ResearchReference,
    ResearchUpdate,
    ReviewAction,
    ReviewEvent,
    ReviewState,
    SafetyFinding,
)
from compounds.review import content_checks, workflow
from compounds.review.content_checks import (
    BROKEN_SENTENCE,
    EFFECT,
    FIGURE,
    PROMISE,
    READING_GRADE,
    findings,
    reading_grade,
    syllables,
)
from compounds.review.workflow import ReviewError
from tests.admin_forms import form_data
from tests.factories import (
    make_compound,
    make_condition,
    make_reference,
    make_summary,
    make_user,
)

# Unsaved objects as an editor's form would hold them: the checks read their text only.


def _summary(level=EvidenceLevel.LEVEL_2, verdict=Verdict.PROMISING, **text):
    return EvidenceSummary(evidence_level=level, verdict=verdict, evidence_basis="direct", **text)


def _update(**text):
    values = {"title": "A study reported", "summary": "Adults took part."}
    return ResearchUpdate(**{**values, **text})


def _kinds(obj, field=None):
    """(kind, excerpt) of each finding, of one field's label if given."""
    return [(f.kind, f.excerpt) for f in findings(obj) if field is None or f.field == field]


def _found(obj, kind):
    return [f for f in findings(obj) if f.kind == kind]


# Reading grade -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "count"),
    [
        ("the", 1),
        ("make", 1),
        ("whale", 1),
        ("eased", 1),
        ("makes", 1),
        ("people", 2),
        ("wanted", 2),
        ("reduced", 2),
        ("studied", 2),
        ("treatment", 2),
        ("evidence", 3),
        ("ketamine", 3),
        ("creature", 2),
        ("Parkinson’s", 3),
        ("153", 1),
    ],
)
def test_syllables_are_counted_as_english_words_are_spoken(word, count):
    assert syllables(word) == count


def test_the_grade_of_the_textbook_example_is_11_3():
    # The example Flesch-Kincaid is explained with: 13 words, 24 syllables, grade 11.3.
    text = "The Australian platypus is seemingly a hybrid of a mammal and reptilian creature."
    assert reading_grade(text) == pytest.approx(11.3, abs=0.05)


def test_short_words_in_short_sentences_read_below_the_first_grade():
    # 12 words of one syllable, 2 sentences: 0.39 x 6 + 11.8 x 1 - 15.59 = -1.45.
    assert reading_grade("The cat sat on the mat. The dog ran to the park.") == pytest.approx(
        -1.45, abs=0.01
    )


def test_plain_patient_wording_reads_within_the_grades_aimed_for():
    text = (
        "Ketamine is a medicine used to put people to sleep for surgery. At lower doses, "
        "doctors also use it for depression that other drugs have not helped. It can make "
        "you feel strange or sleepy for a few hours, so someone must drive you home."
    )
    assert 4 <= reading_grade(text) <= 8


def test_dense_clinical_wording_reads_far_above_it():
    text = (
        "Concomitant administration of central nervous system depressants potentiates "
        "sedation and respiratory depression, necessitating continuous hemodynamic "
        "monitoring throughout the infusion."
    )
    assert reading_grade(text) > 16


def test_a_text_without_words_has_no_grade():
    assert reading_grade("") is None
    assert reading_grade(" — ; ") is None


def test_a_pages_grade_reads_its_search_description_without_the_label_advisors_see():
    description = "Cats sit on mats."
    passages = [content_checks.DESCRIPTION_LABEL + description]
    assert content_checks.page_grade(passages) == reading_grade(description)


def test_key_takeaways_are_one_sentence_a_line():
    lines = "Ketamine is not a cure\nAsk your doctor first\nIt is given in a clinic"
    assert reading_grade(lines) == reading_grade(lines.replace("\n", ". ") + ".")


HARD = (
    "Concomitant administration of central nervous system depressants potentiates sedation. "
    "Continuous hemodynamic monitoring is necessitated throughout the infusion."
)


def test_a_field_above_grade_8_is_flagged_with_its_grade():
    (finding,) = _found(_summary(human_evidence=HARD), READING_GRADE)
    assert finding.field == "Human evidence"
    assert "reads at grade 2" in finding.message  # grade 20 and more
    assert finding.excerpt.startswith("Concomitant administration")


def test_a_field_within_the_grades_aimed_for_is_not():
    plain = "Two small trials tested it in people. Both were short, and neither was blinded."
    assert _found(_summary(human_evidence=plain), READING_GRADE) == []


def test_a_phrase_has_no_reading_grade():
    # One sentence under 25 words: a heading or a phrase, whatever its words.
    assert _found(_summary(human_evidence="Hemodynamic instability."), READING_GRADE) == []


# Words that promise more than evidence can ---------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Ketamine is safe when given in a clinic.",
        "It is proven to work.",
        "It cures depression.",
        "A breakthrough for patients.",
        "It offers hope to patients.",
        "A valuable treatment.",
        "IV ketamine works better than esketamine.",
        "It is a miracle drug.",
        "Relief is guaranteed.",
    ],
)
def test_a_promise_in_a_summary_whose_evidence_does_not_carry_it_is_flagged(text):
    (finding,) = _found(_summary(human_evidence=text), PROMISE)
    assert finding.field == "Human evidence"
    assert finding.excerpt == text


@pytest.mark.parametrize(
    "text",
    [
        "It is not safe for everyone.",
        "Esketamine is unsafe to drive after.",
        "It has not been proven to work.",
        "It is not yet proven.",
        "There is no cure.",
        "It is not a breakthrough.",
        "Its safety is unknown.",
    ],
)
def test_a_plainly_negated_promise_is_not_flagged(text):
    assert _found(_summary(human_evidence=text), PROMISE) == []


def test_a_promise_is_a_whole_word_only():
    text = "Researchers hoped for more. Its safety profile is listed. Provenance is unclear."
    assert _found(_summary(human_evidence=text), PROMISE) == []


@pytest.mark.django_db
def test_proven_and_better_than_stand_on_a_cited_level_1_grade():
    text = "It is proven to work, and works better than placebo."
    level_2 = make_summary(human_evidence=text)
    make_reference(level_2, pmid="", url="https://example.org/rct", study_design=StudyDesign.RCT)
    assert len(_found(level_2, PROMISE)) == 2

    level_1 = make_summary(evidence_level=EvidenceLevel.LEVEL_1, human_evidence=text)
    assert len(_found(level_1, PROMISE)) == 2  # graded Level 1, but nothing cited
    make_reference(
        level_1, pmid="", url="https://example.org/review", study_design=StudyDesign.META_ANALYSIS
    )
    assert _found(level_1, PROMISE) == []


@pytest.mark.django_db
def test_safe_is_flagged_whatever_the_evidence():
    summary = make_summary(
        evidence_level=EvidenceLevel.LEVEL_1, human_evidence="Ketamine is safe in a clinic."
    )
    make_reference(
        summary, pmid="", url="https://example.org/review", study_design=StudyDesign.META_ANALYSIS
    )
    (finding,) = _found(summary, PROMISE)
    assert "“safe” is a claim to confirm" in finding.message


@pytest.mark.django_db
def test_effective_stands_on_a_positive_verdict_whose_grade_is_cited():
    text = "Ketamine is effective for this condition."
    promising = make_summary(human_evidence=text)
    make_reference(promising, pmid="", url="https://example.org/a", study_design=StudyDesign.RCT)
    assert len(_found(promising, PROMISE)) == 1
    effective = make_summary(verdict=Verdict.EFFECTIVE, human_evidence=text)
    assert len(_found(effective, PROMISE)) == 1
    make_reference(effective, pmid="", url="https://example.org/b", study_design=StudyDesign.RCT)
    assert _found(effective, PROMISE) == []


@pytest.mark.django_db
@pytest.mark.parametrize(("basis", "flagged"), [("direct", 1), ("extrapolated", 0)])
def test_a_trial_of_another_condition_carries_effective_only_for_an_extrapolated_grade(
    basis, flagged
):
    # As the pages grade it: a direct grade rests on the studies of its condition.
    summary = make_summary(
        verdict=Verdict.EFFECTIVE, evidence_basis=basis, human_evidence="It is effective."
    )
    make_reference(summary, pmid="", url="https://example.org/d", studied_condition=False)
    assert len(_found(summary, PROMISE)) == flagged


def test_a_compound_condition_or_update_has_no_grade_to_carry_a_promise():
    compound = Compound(name="X", drug_class="Y", evidence_overview="Proven for depression.")
    condition = Condition(name="X", specialist="psychiatrist", standard_treatment="A cure.")
    update = _update(title="A breakthrough for depression")
    for obj in (compound, condition, update):
        assert [f.kind for f in findings(obj)] == [PROMISE]


# Effects stated as fact ---------------------------------------------------------------------

EFFECTS = "IV ketamine helped from the first session and eased pain."


def test_an_effect_stated_without_a_cited_controlled_trial_is_flagged_once_a_field():
    (finding,) = _found(_summary(human_evidence=EFFECTS), EFFECT)
    assert "“helped”, “eased”" in finding.message


@pytest.mark.django_db
def test_a_cited_controlled_trial_carries_an_effect():
    summary = make_summary(human_evidence=EFFECTS)
    make_reference(summary, pmid="", url="https://example.org/c", study_design=StudyDesign.COHORT)
    assert len(_found(summary, EFFECT)) == 1  # a cohort study shows no cause
    make_reference(summary, pmid="", url="https://example.org/r", study_design=StudyDesign.RCT)
    assert _found(summary, EFFECT) == []


@pytest.mark.django_db
def test_a_research_update_states_effects_only_over_a_cited_controlled_trial():
    update = ResearchUpdate.objects.create(
        title="Infusions eased pain",
        slug="infusions-eased-pain",
        summary="Forty adults took part.",
        study_design=StudyDesign.RCT,
        date=datetime.date(2026, 1, 5),
    )
    assert len(_found(update, EFFECT)) == 1
    ResearchReference.objects.create(
        update=update,
        url="https://example.org/trial",
        title="A trial",
        year=2025,
        study_design=StudyDesign.RCT,
    )
    assert _found(update, EFFECT) == []


def test_an_effect_plainly_negated_or_only_possible_is_not_flagged():
    text = "Pain was not reduced. It may help some people, and may lower anxiety."
    assert _found(_summary(human_evidence=text), EFFECT) == []


@pytest.mark.django_db
def test_a_row_that_names_its_source_states_its_sources_effects():
    compound = make_compound()
    Interaction.objects.create(
        compound=compound,
        drug="Theophylline",
        severity="major",
        effect="Lowers the threshold for seizures.",
        management="Do not give them together.",
        source="A label",
    )
    assert _found(compound, EFFECT) == []


def test_a_summarys_safety_finding_is_checked_as_a_row_of_its_own(db):
    summary = make_summary()
    SafetyFinding.objects.create(
        summary=summary,
        kind="finding",
        description="It proved safe in 40 patients.",
        source="A trial",
    )
    # A row that names its source cites its figures, but its words are still weighed.
    assert [(f.field, f.kind) for f in findings(summary)] == [
        ("Safety finding 1", PROMISE),
        ("Safety finding 1", PROMISE),
    ]


# Figures without a source --------------------------------------------------------------------

FIGURES = "In a study of 153 patients, scores fell by 49.8% against 39.5%."


def test_figures_in_a_summary_without_references_are_flagged_together():
    (finding,) = _found(_summary(human_evidence=FIGURES), FIGURE)
    assert finding.message.startswith("“153 patients”, “49.8%”, “39.5%”: no source is cited")


@pytest.mark.parametrize(
    "text",
    ["3 trials found it", "Half of them, 50 percent, improved", "A 2-fold rise", "n = 40"],
)
def test_each_kind_of_figure_is_found(text):
    assert len(_found(_summary(human_evidence=text), FIGURE)) == 1


def test_years_doses_and_durations_are_not_figures():
    text = "Studies from 2020 to 2025 gave 2 doses a week for 6 weeks; 988 answers at all hours."
    assert _found(_summary(human_evidence=text), FIGURE) == []


@pytest.mark.django_db
def test_a_summary_with_a_reference_cites_its_figures():
    summary = make_summary(human_evidence=FIGURES)
    assert len(_found(summary, FIGURE)) == 1
    make_reference(summary, pmid="", url="https://example.org/s", study_design=StudyDesign.COHORT)
    assert _found(summary, FIGURE) == []


def test_a_research_update_cites_its_figures_by_its_source_link():
    assert len(_found(_update(summary=FIGURES), FIGURE)) == 1
    linked = _update(summary=FIGURES, source_url="https://example.org/study")
    assert _found(linked, FIGURE) == []


@pytest.mark.django_db
def test_a_compound_row_that_names_its_source_cites_its_figures():
    compound = make_compound(safety_profile="Nausea in 30% of people.")
    Monitoring.objects.create(
        compound=compound, what="Blood pressure", when="In 95% of sessions", source="A label"
    )
    assert [f.field for f in _found(compound, FIGURE)] == ["Safety profile"]


# Broken sentences in their templates ---------------------------------------------------------


def _broken(obj):
    return [(f.field, f.message) for f in findings(obj) if f.kind == BROKEN_SENTENCE]


def _condition(**fields):
    values = {"name": "Migraine", "specialist": "neurologist", "standard_treatment": "varies"}
    return Condition(**{**values, **fields})


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("Hematologist or oncologist", "“your Hematologist” mid-sentence"),
        ("an oncologist", "“your an …”"),
        ("psychiatrist. Or a GP", "sentences where a phrase is expected"),
    ],
)
def test_a_specialist_that_breaks_your_sentence_is_flagged(text, said):
    ((field, message),) = _broken(_condition(specialist=text))
    assert field == "Specialist"
    assert said in message
    assert "pages/jinja2/pages/condition_detail.html" in message


@pytest.mark.parametrize("text", ["hematologist or oncologist", "GP", "psychiatrist."])
def test_a_specialist_that_reads_after_your_is_not(text):
    assert _broken(_condition(specialist=text)) == []


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("Is it surgery?", "adds a full stop after its “?”"),
        ("Standard treatment is surgery", "already says “Standard treatment for …:”"),
        ("It varies by stage", "already says"),
    ],
)
def test_a_standard_treatment_that_breaks_its_sentence_is_flagged(text, said):
    ((field, message),) = _broken(_condition(standard_treatment=text))
    assert field == "Standard-treatment context"
    assert said in message
    assert "interactions.html" in message


@pytest.mark.parametrize("text", ["typically involves surgery", "Surgery, then radiotherapy."])
def test_a_standard_treatment_that_goes_on_from_the_colon_is_not(text):
    assert _broken(_condition(standard_treatment=text)) == []


def test_a_drug_class_that_breaks_its_sentence_is_flagged():
    ((field, message),) = _broken(Compound(name="X", drug_class="an NMDA antagonist"))
    assert field == "Drug class"
    assert "pages/jinja2/pages/safety.html" in message
    assert _broken(Compound(name="X", drug_class="NMDA Antagonist / Anesthetic")) == []


def test_an_urgent_help_notice_must_end_its_sentence():
    ((field, message),) = _broken(_condition(urgent_help="Call or text 988 now"))
    assert field == "Urgent-help notice"
    assert "pages/jinja2/pages/includes/urgent_help.html" in message
    assert _broken(_condition(urgent_help="Call or text 988 now.")) == []


@pytest.mark.django_db
def test_a_help_line_reads_as_whole_sentences_under_the_notice():
    # "Country: service. contact": a service ending in a full stop doubles it, a contact
    # without one runs into the next line.
    condition = make_condition(urgent_help="Get help now.")
    HelpLine.objects.create(
        condition=condition, country="Testland", service="Crisis line.", contact="Call 000 000"
    )
    broken = _broken(condition)
    assert [field for field, _ in broken] == [
        "Help line “Crisis line.”: service",
        "Help line “Crisis line.”: number or how to reach it",
    ]
    assert all("pages/jinja2/pages/includes/urgent_help.html" in message for _, message in broken)
    HelpLine.objects.filter(condition=condition).update(
        service="Crisis line", contact="Call 000 000, at any hour."
    )
    assert _broken(condition) == []


@pytest.mark.django_db
def test_monitoring_in_the_safety_answer_carries_no_full_stop_before_its_colon():
    # "what: when." — a "when" ending in a full stop ends its sentence (the page drops the
    # stop); a "what" ending in one breaks it: "Blood pressure.: after it."
    compound = make_compound()
    Monitoring.objects.create(compound=compound, what="Blood pressure.", when="After it.")
    broken = _broken(compound)
    assert [field for field, _ in broken] == ["Monitoring “Blood pressure.”: what"]
    assert all("pages/page_types.py" in message for _, message in broken)
    Monitoring.objects.filter(compound=compound).update(what="Blood pressure", when="After it")
    assert _broken(compound) == []


@pytest.mark.parametrize("model", [Compound, Condition])
def test_a_name_that_ends_in_punctuation_breaks_every_heading(model):
    ((field, message),) = _broken(model(name="Ketamine."))
    assert field == "Name"
    assert "effectiveness.html" in message
    assert _broken(model(name="Ketamine (IV / Esketamine)")) == []


# The seed's overclaims (issue 19) ------------------------------------------------------------

TRD_TAKEAWAYS = "IV ketamine works faster and better than esketamine.\n" + (
    "Ketamine is safe when given in a clinic."
)


@pytest.mark.parametrize(
    ("obj", "field", "kind", "word"),
    [
        (
            _update(
                summary="Ketamine has emerged as a promising treatment for suicidal ideation "
                "(SI) in patients with major depressive disorder (MDD), showing rapid and "
                "sustained reductions in suicidality."
            ),
            "Summary",
            EFFECT,
            "rapid and sustained",
        ),
        (
            _update(
                summary="Emerging research suggests it may also enhance cognition and "
                "neuroplasticity, offering hope for patients with neurological disorders such "
                "as Parkinson’s, multiple sclerosis, and brain injury."
            ),
            "Summary",
            PROMISE,
            "hope",
        ),
        (
            _update(
                summary="Dropout rates and side effects were comparable, highlighting both as "
                "valuable neuropsychiatric tools."
            ),
            "Summary",
            PROMISE,
            "valuable",
        ),
        (
            _update(summary="IV ketamine helped from the first session."),
            "Summary",
            EFFECT,
            "helped",
        ),
        (
            _summary(
                human_evidence="IV ketamine helped from the first session, esketamine from "
                "the second."
            ),
            "Human evidence",
            EFFECT,
            "helped",
        ),
        (
            _update(title="Low-dose ketamine infusions eased chronic pain for up to six months"),
            "Title",
            EFFECT,
            "eased",
        ),
        (
            _summary(
                regulatory_status="Not FDA-approved for chronic pain; the researchers say "
                "their results may pave the way for future approval."
            ),
            "Regulatory status for this condition",
            PROMISE,
            "pave the way",
        ),
        (_summary(key_takeaways=TRD_TAKEAWAYS), "Key takeaways", PROMISE, "better than"),
        (_summary(key_takeaways=TRD_TAKEAWAYS), "Key takeaways", PROMISE, "safe"),
    ],
    ids=[
        "rapid and sustained",
        "offering hope",
        "valuable tools",
        "helped (update)",
        "helped (summary)",
        "eased (title)",
        "pave the way",
        "works faster and better",
        "safe in a clinic",
    ],
)
def test_each_overclaim_of_the_seed_is_flagged(obj, field, kind, word):
    flagged = [f for f in findings(obj) if f.field == field and f.kind == kind]
    assert any(f"“{word}”" in f.message for f in flagged), findings(obj)


# Approving with open checks ------------------------------------------------------------------


@pytest.fixture
def editor(db):
    return make_user("erin", "Editor")


@pytest.fixture
def advisor(db):
    return make_user("ada", "Medical Advisor", byline=True)


NOTED = "Read the checks: the label says so, and the wording stands."


def _compound_in_review(editor, **fields):
    return workflow.submit(make_compound(**fields), editor)


def test_approving_with_open_checks_is_refused_without_a_comment(editor, advisor):
    compound = _compound_in_review(editor, safety_profile="Ketamine is safe in a clinic.")
    reason = workflow.checks_to_confirm(compound)
    assert "open content checks (1 word that promises more than evidence can)" in reason
    for comment in ("", "  "):
        with pytest.raises(ReviewError) as refused:
            workflow.approve(compound, advisor, comment=comment)
        assert str(refused.value) == reason
    assert Compound.objects.get(pk=compound.pk).review_state == ReviewState.IN_REVIEW


def test_approving_with_open_checks_and_a_comment_keeps_it_in_the_history(editor, advisor):
    compound = _compound_in_review(editor, safety_profile="Ketamine is safe in a clinic.")
    workflow.approve(compound, advisor, comment=NOTED)
    assert Compound.objects.get(pk=compound.pk).review_state == ReviewState.APPROVED
    approval = ReviewEvent.objects.of(compound).get(action=ReviewAction.APPROVE)
    assert approval.comment == NOTED


def test_an_object_without_open_checks_is_approved_without_a_comment(editor, advisor):
    compound = _compound_in_review(editor)
    assert workflow.checks_to_confirm(compound) is None
    workflow.approve(compound, advisor)
    assert Compound.objects.get(pk=compound.pk).review_state == ReviewState.APPROVED


def test_a_new_pairs_compound_with_open_checks_needs_the_comment_too(editor, advisor):
    compound = make_compound(evidence_overview="Proven for depression.")
    summary = make_summary(compound=compound)
    make_reference(summary, pmid="", url="https://example.org/t", study_design=StudyDesign.RCT)
    workflow.submit(summary, editor)
    assert workflow.grade_to_confirm(summary) is None
    assert workflow.checks_to_confirm(summary) is None
    with pytest.raises(ReviewError, match=f"“{compound}” has open content checks"):
        workflow.approve(summary, advisor)
    workflow.approve(summary, advisor, comment=NOTED)
    assert ReviewEvent.objects.of(compound).get(action=ReviewAction.APPROVE).comment == NOTED


# The editor, on saving ------------------------------------------------------------------------


def _messages(response):
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


def test_saving_tells_the_editor_what_the_checks_found(client, editor):
    summary = make_summary()
    client.force_login(editor)
    url = reverse("admin:compounds_evidencesummary_change", args=[summary.pk])
    takeaways = "Ketamine is safe when given in a clinic.\nAsk your doctor first."
    response = client.post(url, form_data(client.get(url), "Save", key_takeaways=takeaways))
    assert response.status_code == 302
    warnings = [text for level, text in _messages(response) if level == "warning"]
    (said,) = warnings
    assert f"Content checks on “{summary}” found 1 word that promises more than" in said
    assert "Key takeaways: “safe” is a claim to confirm" in said


def test_saving_text_the_checks_pass_says_nothing_of_them(client, editor):
    summary = make_summary()
    client.force_login(editor)
    url = reverse("admin:compounds_evidencesummary_change", args=[summary.pk])
    takeaways = "Two small trials tested it.\nAsk your doctor first."
    response = client.post(url, form_data(client.get(url), "Save", key_takeaways=takeaways))
    assert response.status_code == 302
    assert [level for level, _ in _messages(response)] == ["info", "success"]


def test_the_kinds_are_described_for_a_message():
    found = findings(_summary(human_evidence=FIGURES + " It is safe. It is a cure."))
    assert content_checks.describe(found) == (
        "2 words that promise more than evidence can, 1 figure without a cited source"
    )


# The advisor's screens ----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_review_screen_lists_the_checks_and_its_approval_asks_why_they_may_stand(client):
    from tests.admin_forms import submit

    editor = make_user("erin", "Editor")
    advisor = make_user("ada", "Medical Advisor", byline=True)
    summary = make_summary(key_takeaways="Ketamine is safe when given in a clinic.")
    make_reference(summary)
    workflow.submit(summary, editor)
    client.force_login(advisor)
    url = reverse("admin:compounds_evidencesummary_review", args=[summary.pk])
    review = client.get(url)
    page = review.content.decode()
    assert "Content checks: " in page and "Ketamine is safe when given in a clinic" in page
    assert "Comment saying why the open content checks may stand (required" in page

    # The browser refuses an empty required box; a post without it is refused too.
    refused = submit(client, review, "Approve all 3", comment="")
    summary.refresh_from_db()
    assert summary.review_state == ReviewState.IN_REVIEW
    asked = refused.content.decode()
    assert "A comment is required." in asked and "open content checks may stand" in asked

    review = client.get(url)
    submit(client, review, "Approve all 3", comment="“Safe” is the label's word for the clinic.")
    summary.refresh_from_db()
    assert summary.review_state == ReviewState.APPROVED
    from django.contrib.contenttypes.models import ContentType

    from compounds.models import ReviewEvent

    event = ReviewEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(summary), object_id=summary.pk
    ).latest("id")
    assert event.comment == "“Safe” is the label's word for the clinic."


@pytest.mark.django_db
def test_the_bulk_confirmation_shows_each_objects_checks_and_asks_for_the_comment(client):
    from tests.admin_forms import submit

    editor = make_user("erin", "Editor")
    advisor = make_user("ada", "Medical Advisor", byline=True)
    flagged = make_summary(key_takeaways="It is a breakthrough.")
    plain = make_summary(key_takeaways="It has been studied in a few people.")
    for summary in (flagged, plain):
        make_reference(summary)
        workflow.submit(summary, editor)
    client.force_login(advisor)
    changelist = client.get(reverse("admin:compounds_evidencesummary_changelist"))
    page = submit(
        client,
        changelist,
        "Run",
        action="approve",
        _selected_action=[str(flagged.pk), str(plain.pk)],
    )
    text = page.content.decode()
    assert text.count('class="content-checks"') >= 1 and "breakthrough" in text
    assert "open content checks may stand (required" in text
    done = submit(client, page, "Approve and publish", comment="Checked against the trial.")
    assert done.status_code == 302
    assert {
        s.review_state for s in EvidenceSummary.objects.filter(pk__in=[flagged.pk, plain.pk])
    } == {ReviewState.APPROVED}
