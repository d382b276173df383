"""The words the site grades evidence with.

Two axes are kept apart on purpose: the *level* of the best evidence (how
strong the studies are) and the *verdict* (what they found). Merging them into
one string is how the client's old pages came to say "Strong data for
depression" on a leukemia page.
"""

from django.db import models


class EvidenceLevel(models.TextChoices):
    """The hierarchy of the evidence-level page, strongest first."""

    LEVEL_1 = "level_1", "Level 1: Systematic reviews and meta-analyses of RCTs"
    LEVEL_2 = "level_2", "Level 2: Randomized controlled trials (RCTs)"
    LEVEL_3 = "level_3", "Level 3: Non-randomized controlled trials"
    LEVEL_4 = "level_4", "Level 4: Case-control and cohort studies"
    LEVEL_5 = "level_5", "Level 5: Case reports and expert opinion"
    PRECLINICAL = "preclinical", "Preclinical: Animal and cell culture studies"
    NONE = "none", "No published evidence"

    @property
    def rank(self):
        """1 for the strongest level, 7 for no evidence: the order to sort by."""
        return list(EvidenceLevel).index(self) + 1

    @property
    def phrase(self):
        """The level as it reads inside a sentence: "randomized controlled trials (Level 2)"."""
        return {
            "level_1": "systematic reviews and meta-analyses of RCTs (Level 1)",
            "level_2": "randomized controlled trials (Level 2)",
            "level_3": "non-randomized controlled trials (Level 3)",
            "level_4": "case-control and cohort studies (Level 4)",
            "level_5": "case reports and expert opinion (Level 5)",
            "preclinical": "animal and cell culture studies only",
            "none": "no published evidence",
        }[self.value]

    @property
    def is_human(self):
        """Whether this level rests on studies in people."""
        return self not in (EvidenceLevel.PRECLINICAL, EvidenceLevel.NONE)


class Verdict(models.TextChoices):
    """What the evidence says about effectiveness for one condition."""

    EFFECTIVE = "effective", "Effective"
    LIKELY_EFFECTIVE = "likely_effective", "Likely effective"
    PROMISING = "promising", "Promising but not proven"
    CONFLICTING = "conflicting", "Conflicting evidence"
    INSUFFICIENT = "insufficient", "Insufficient evidence"
    NO_BENEFIT = "no_benefit", "Evidence of no benefit"
    HARM = "harm", "Evidence of harm"

    @property
    def is_positive(self):
        return self in (Verdict.EFFECTIVE, Verdict.LIKELY_EFFECTIVE)


class EvidenceBasis(models.TextChoices):
    """Whether the evidence comes from this condition or from other uses."""

    DIRECT = "direct", "Direct: studied in this condition"
    EXTRAPOLATED = "extrapolated", "Extrapolated from other indications"


class StudyDesign(models.TextChoices):
    META_ANALYSIS = "meta_analysis", "Systematic review or meta-analysis"
    RCT = "rct", "Randomized controlled trial"
    NON_RANDOMIZED = "non_randomized", "Non-randomized controlled trial"
    COHORT = "cohort", "Cohort study"
    RETROSPECTIVE = "retrospective", "Retrospective study"
    CASE_CONTROL = "case_control", "Case-control study"
    OBSERVATIONAL = "observational", "Observational study"
    CASE_REPORT = "case_report", "Case report or case series"
    NARRATIVE_REVIEW = "narrative_review", "Narrative review"
    EXPERT_OPINION = "expert_opinion", "Expert opinion or guideline"
    # A regulator's label or prescribing information: cited by its address.
    OFFICIAL_DOCUMENT = "official_document", "Regulator's label or official document"
    ANIMAL = "animal", "Animal study"
    IN_VITRO = "in_vitro", "Cell culture (in vitro) study"

    @property
    def level(self):
        """The level of the hierarchy a study of this design stands for, or None for a
        source that is not a study (a narrative review, an official document)."""
        return DESIGN_LEVELS.get(self)

    @property
    def is_controlled_trial(self):
        return self in CONTROLLED_TRIALS

    @property
    def is_human_study(self):
        """Whether it studied people: a trial, an observational study or a case report."""
        return self in HUMAN_STUDIES

    @property
    def is_study(self):
        """Whether it studied people, animals or cells: not a review, opinion or document."""
        return self in STUDIES


DESIGN_LEVELS = {
    StudyDesign.META_ANALYSIS: EvidenceLevel.LEVEL_1,
    StudyDesign.RCT: EvidenceLevel.LEVEL_2,
    StudyDesign.NON_RANDOMIZED: EvidenceLevel.LEVEL_3,
    StudyDesign.COHORT: EvidenceLevel.LEVEL_4,
    StudyDesign.RETROSPECTIVE: EvidenceLevel.LEVEL_4,
    StudyDesign.CASE_CONTROL: EvidenceLevel.LEVEL_4,
    StudyDesign.OBSERVATIONAL: EvidenceLevel.LEVEL_4,
    StudyDesign.CASE_REPORT: EvidenceLevel.LEVEL_5,
    StudyDesign.EXPERT_OPINION: EvidenceLevel.LEVEL_5,
    StudyDesign.ANIMAL: EvidenceLevel.PRECLINICAL,
    StudyDesign.IN_VITRO: EvidenceLevel.PRECLINICAL,
}
CONTROLLED_TRIALS = {StudyDesign.META_ANALYSIS, StudyDesign.RCT, StudyDesign.NON_RANDOMIZED}
HUMAN_STUDIES = CONTROLLED_TRIALS | {
    StudyDesign.COHORT,
    StudyDesign.RETROSPECTIVE,
    StudyDesign.CASE_CONTROL,
    StudyDesign.OBSERVATIONAL,
    StudyDesign.CASE_REPORT,
}
# Studies in people, animals or cells: what "research" and "studies" on a page point to.
STUDIES = HUMAN_STUDIES | {StudyDesign.ANIMAL, StudyDesign.IN_VITRO}
# The grades an advisor may not approve without a cited study of that design or a
# stronger one, unless they confirm the grade in a comment the history keeps.
GRADES_NEEDING_STUDIES = {
    EvidenceLevel.LEVEL_1,
    EvidenceLevel.LEVEL_2,
    EvidenceLevel.LEVEL_3,
    EvidenceLevel.LEVEL_4,
}


def designs_behind_grade(basis, references):
    """The study designs of the references that can stand behind a grade of this basis.

    A direct grade says its evidence comes from this condition, so only references that
    studied it count; an extrapolated grade rests on other uses, so every reference does.
    """
    direct = basis == EvidenceBasis.DIRECT
    return {r.study_design for r in references if r.studied_condition or not direct}


def cited_level(designs):
    """The strongest level the cited studies of these designs stand for, or None."""
    levels = [StudyDesign(design).level for design in designs]
    return min((level for level in levels if level), key=lambda level: level.rank, default=None)


def grade_is_cited(level, designs):
    """Whether a study of the grade's design, or a stronger one, is cited: always true of
    "no published evidence", which claims no study."""
    level = EvidenceLevel(level)
    if level == EvidenceLevel.NONE:
        return True
    best = cited_level(designs)
    return best is not None and best.rank <= level.rank


class SafetyCategory(models.TextChoices):
    SIDE_EFFECTS = "side_effects", "Side effects"
    ABUSE_POTENTIAL = "abuse_potential", "Abuse and dependence"
    ORGAN_TOXICITY = "organ_toxicity", "Organ toxicity"
    INTERACTIONS = "interactions", "Drug interactions"
    CONTRAINDICATIONS = "contraindications", "Contraindications"
    MONITORING = "monitoring", "Monitoring requirements"
    SPECIAL_POPULATIONS = "special_populations", "Special populations"
    OTHER = "other", "Other"


class Severity(models.TextChoices):
    """How serious a drug interaction is: the advisors' grade of the risk.

    The grade says how much harm can follow, never what to do: that is the source's
    advice, in the row's own "what to do". A label that warns of sedation and asks for
    monitoring must not read as "avoid the combination" through the site's scale.
    """

    MAJOR = "major", "Major: can cause serious or life-threatening harm"
    MODERATE = "moderate", "Moderate: can cause effects that need close monitoring or a dose change"
    MINOR = "minor", "Minor: little effect is expected"

    @property
    def word(self):
        """The grade alone, as a table cell shows it: "Major"."""
        return self.label.split(":")[0]

    @property
    def definition(self):
        """What the grade means, as a sentence: "Can cause serious or life-threatening harm."."""
        meaning = self.label.split(": ", 1)[1]
        return f"{meaning[0].upper()}{meaning[1:]}."


class CautionKind(models.TextChoices):
    CONTRAINDICATION = "contraindication", "Contraindication: must not be used"
    CAUTION = "caution", "Caution: use with care"


class FindingKind(models.TextChoices):
    FINDING = "finding", "What studies found"
    CAUTION = "caution", "Caution for these patients"
