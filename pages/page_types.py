"""The four review page types of a compound and condition pair, as the client's pages define them.

Every sentence that depends on the pair is written from its data: the verdict
and level, whether evidence is direct, whether condition-specific safety data
exist, the specialist who treats the condition. Nothing is cut mid-word.
"""

from compounds.evidence import EvidenceLevel, Verdict

from . import claims
from .registry import PageType, register
from .templating import phrase


def _level(pair):
    return pair.summary.get_evidence_level_display()


def _level_is_human(pair):
    return EvidenceLevel(pair.summary.evidence_level).is_human


def _verdict(pair):
    return pair.summary.get_verdict_display().lower()


def _direct_sentence(pair):
    s, c, d = pair.summary, pair.compound.name, pair.condition.name
    if s.is_direct and not claims.of(pair).direct_research:
        return (
            f"Our advisors graded this evidence as direct: it comes from research on {c} in "
            f"people or models with {d}. That research has not been added to this review's "
            "references yet."
        )
    if s.is_direct:
        return f"This grade rests on research on {c} in people or models with {d}."
    return (
        f"No research on {c} as a treatment for {d} was found: what is known comes from "
        "other uses of the compound."
    )


def _grade_not_cited(pair):
    """The advisors' grade when no cited study of its design stands behind it."""
    return (
        f"Our advisors graded the evidence as {pair.summary.evidence_level_phrase}; the "
        "studies behind this grade have not been added to this review yet. "
    )


def _best_evidence(pair):
    if claims.of(pair).grade_cited:
        return f"Best evidence: {_level(pair)}. "
    return _grade_not_cited(pair)


def _references_sentence(pair):
    if claims.of(pair).references_listed:
        return "The studies this review rests on are listed under References, with links. "
    return "No study has been added to this review's references yet. "


@register
class Effectiveness(PageType):
    slug = "does-it-work"
    name = "Does it work?"
    template = "pages/effectiveness.html"
    question_words = frozenset(
        {
            "work",
            "works",
            "working",
            "help",
            "helps",
            "helpful",
            "effective",
            "effectiveness",
            "benefit",
            "benefits",
            "treat",
            "treats",
            "cure",
            "cures",
        }
    )

    def heading(self, pair):
        return f"Does {pair.compound.name} work for {pair.condition.name}?"

    def title(self, pair):
        return f"{self.heading(pair)} Honest evidence review"

    def meta_description(self, pair):
        # A search result's snippet says no more than the page: "published research"
        # only over cited studies (pages/claims.py).
        shown = claims.of(pair)
        # "Insufficient evidence" claims no study: only the grade's are to be cited.
        insufficient = pair.summary.verdict == Verdict.INSUFFICIENT
        if shown.grade_cited and (shown.verdict_cited or insufficient):
            return (
                f"What published research shows about {pair.compound.name} for "
                f"{pair.condition.name}: verdict {_verdict(pair)}, best evidence "
                f"{_level(pair)}. Reviewed by a medical advisor."
            )
        return (
            f"Our advisors' answer on {pair.compound.name} for {pair.condition.name}: "
            f"verdict {_verdict(pair)}, graded {_level(pair)}; the studies behind it are "
            "not yet cited. Reviewed by a medical advisor."
        )

    def faq(self, pair):
        c, d = pair.compound.name, pair.condition.name
        shown = claims.of(pair)
        level = pair.summary.evidence_level_phrase
        if pair.summary.is_direct and _level_is_human(pair) and not shown.grade_cited:
            trials = _grade_not_cited(pair).strip()
        elif shown.trials_in_condition:
            trials = (
                f"Yes: controlled trials of {c} in people with {d} have been published; the "
                f"best evidence is {level}. " + _references_sentence(pair)
            )
        elif shown.human_research_in_condition:
            trials = (
                f"Research on {c} in people with {d} has been published"
                + (", but no controlled trial" if shown.no_controlled_trial else "")
                + f": the best evidence is {level}. "
                + _references_sentence(pair)
            )
        elif shown.human_research_not_yet_cited:
            # A direct grade in people whose cited sources are not studies of them (an
            # expert opinion stands for Level 5).
            trials = (
                f"Our advisors graded the evidence as {level}; no study of {c} in people "
                f"with {d} has been added to this review's references yet."
            )
        else:
            # "As a treatment for": a compound studied for another problem of the same
            # patients (ketamine for anxiety in people with cancer) is not a treatment study.
            trials = f"We found no published clinical study of {c} as a treatment for {d}."
        faq = [
            (
                f"Is there any scientific evidence that {c} helps {d}?",
                f"Our verdict: {_verdict(pair)}. " + _best_evidence(pair) + _direct_sentence(pair),
            ),
            (f"Has {c} been tested in {d} clinical trials?", trials),
        ]
        if shown.people_report_benefit:
            faq.append(
                (
                    f"Why do some people report that {c} helped their {d}?",
                    "Individual reports are valuable signals but do not establish that a "
                    "treatment works. Improvement can come from the natural course of the "
                    "condition, the placebo effect, other treatments taken at the same time, "
                    "or a real effect. Only well-designed randomized trials can show whether "
                    "a treatment works for a condition.",
                )
            )
        return faq


@register
class EvidenceLevelAssessment(PageType):
    slug = "evidence-level"
    name = "Evidence level"
    template = "pages/evidence_level.html"
    question_words = frozenset(
        {
            "evidence",
            "proof",
            "proven",
            "studies",
            "study",
            "trials",
            "trial",
            "research",
            "level",
            "strong",
        }
    )

    def heading(self, pair):
        return f"{pair.compound.name} for {pair.condition.name}: evidence level assessment"

    def meta_description(self, pair):
        return (
            f"Where the evidence for {pair.compound.name} in {pair.condition.name} stands on "
            f"the hierarchy of evidence: {_level(pair)}, and what that means for patients."
        )

    def faq(self, pair):
        c, d = pair.compound.name, pair.condition.name
        specialist = phrase(pair.condition.specialist)
        reviewed = pair.summary.version.approved_at
        if claims.of(pair).grade_cited:
            grade = (
                f"Best evidence: {_level(pair)}. Our verdict: {_verdict(pair)}. This "
                f"reflects the published literature as of our review of {reviewed:%B %Y}; "
                "grades change as new trials are published."
            )
        else:
            grade = (
                f"Our verdict, as of our review of {reviewed:%B %Y}: {_verdict(pair)}. "
                + _grade_not_cited(pair)
                + "Grades change as new trials are published."
            )
        return [
            (f"What grade of evidence exists for {c} in {d}?", grade),
            (
                f"Is the evidence strong enough to consider {c} for {d}?",
                f"That is a choice to make with your {specialist}. They can weigh your "
                "health, the risks you are willing to take, and the other treatments you "
                "could have.",
            ),
            (
                f"Where can I find registered trials of {c} in {d}?",
                "ClinicalTrials.gov lists trials that have been registered. The link under "
                f"“How evidence levels evolve” searches it for {c} and {d}.",
            ),
        ]


@register
class Interactions(PageType):
    slug = "interactions"
    name = "Interactions"
    template = "pages/interactions.html"
    question_words = frozenset(
        {
            "interact",
            "interacts",
            "interaction",
            "interactions",
            "together",
            "mix",
            "mixing",
            "combine",
            "combined",
            "combining",
            "alongside",
        }
    )

    def heading(self, pair):
        return f"Can I take {pair.compound.name} with {pair.condition.name} treatment?"

    def meta_description(self, pair):
        return (
            f"What to discuss with your {phrase(pair.condition.specialist)} before combining "
            f"{pair.compound.name} with {pair.condition.name} treatment: known safety "
            "considerations and the kinds of interaction to check."
        )

    def faq(self, pair):
        c, d = pair.compound.name, pair.condition.name
        specialist = phrase(pair.condition.specialist)
        return [
            (
                f"Can {c} be combined with {d} treatment?",
                f"Only your {specialist}, who knows your treatment plan, can answer that. "
                "Bring a full list of what you take, including supplements, and ask for a "
                "pharmacist's review of interactions.",
            ),
            (
                f"What should I tell my {specialist} about {c}?",
                "Everything you take or are considering, with doses, and any new symptoms "
                "since you started. Known safety considerations of "
                f"{c} are listed on this page.",
            ),
        ]


def _monitoring(pair):
    c, d = pair.compound.name, pair.condition.name
    specialist = phrase(pair.condition.specialist)
    rows = pair.compound.monitoring.all()
    if not rows:
        return (
            f"This review has no monitoring information for {c} yet; its prescribing "
            f"information and your {specialist} say what monitoring it needs."
        )
    # A sentence a row, "Blood pressure: before each dose and after it.": one list run
    # together with semicolons read at grade 25.
    listed = " ".join(f"{row.what}: {row.when.rstrip('.')}." for row in rows)
    return (
        f"The approved information on {c} sets out this monitoring for all who take it. "
        f"{listed} This review has no monitoring advice just for {d}. Your {specialist} can "
        "tell you what applies to you."
    )


@register
class Safety(PageType):
    slug = "safety"
    name = "Safety"
    template = "pages/safety.html"
    question_words = frozenset(
        {
            "safe",
            "safety",
            "risk",
            "risks",
            "risky",
            "danger",
            "dangerous",
            "harm",
            "harmful",
            "side",
            "effects",
        }
    )

    def heading(self, pair):
        return f"Is {pair.compound.name} safe for {pair.condition.name} patients?"

    def title(self, pair):
        return f"{self.heading(pair)} Research review"

    def meta_description(self, pair):
        c, d = pair.compound.name, pair.condition.name
        data = (
            f"what research in {d} found"
            if claims.of(pair).condition_safety_research
            else f"no safety research in {d} yet"
        )
        return f"Is {c} safe with {d}? Its known risks, the checks it needs, and {data}."

    def faq(self, pair):
        c, d = pair.compound.name, pair.condition.name
        specialist = phrase(pair.condition.specialist)
        return [
            (
                f"Can {c} interfere with {d} treatments?",
                (
                    f"The interactions page lists the known interactions of {c}. "
                    if pair.compound.interactions.all()
                    else f"This review lists no specific drug interaction of {c} yet. "
                )
                + f"Your {specialist} or pharmacist can check them against your list of medicines.",
            ),
            (f"Does {c} require special monitoring for {d} patients?", _monitoring(pair)),
            (
                f"Where can I find the most current {c} safety data?",
                _references_sentence(pair)
                + "This review is checked again by the date shown under the title, and "
                "ClinicalTrials.gov lists registered studies. "
                f"Your {specialist} can help you interpret new findings for your situation.",
            ),
        ]
