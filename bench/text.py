"""Names and sentences for the synthetic catalogue.

Names are built from syllables whose first letters cover A to Z, so the A-Z
lists, letter pages and search see a realistic spread; a few real names with
accents and punctuation are always included, because they are what search
has to get right ("meniere", "5-HT1A", "CoQ10", "St. John's wort").
Sentences come from small pools of templates filled with the pair's names, a
few sentences a field, so pages and rows have the size of real ones.
"""

from django.utils.text import slugify

from compounds.evidence import (
    EvidenceBasis,
    EvidenceLevel,
    SafetyCategory,
    StudyDesign,
    Verdict,
)

# Always in the catalogue: what the search measurements look for, and names that
# sort under "#" or start with an accented letter.
SPECIAL_COMPOUNDS = [
    ("CoQ10 (Ubiquinone)", "ubiquinone, coenzyme Q10", "Antioxidant / Mitochondrial cofactor"),
    ("St. John's wort", "Hypericum perforatum", "Herbal antidepressant"),
    ("Buspirone (5-HT1A agonist)", "Buspar", "5-HT1A agonist / Anxiolytic"),
    ("5-HTP (5-Hydroxytryptophan)", "oxitriptan", "Serotonin precursor"),
    ("Vitamin B12/folate", "cobalamin, folic acid", "Vitamin combination"),
    ("Échinacée (Echinacea purpurea)", "echinacea, purple coneflower", "Herbal immunomodulator"),
    ("Ketamine (IV / Esketamine)", "esketamine, Spravato", "NMDA Antagonist / Anesthetic"),
    ("Magnesium L-threonate", "Magtein", "Mineral supplement"),
]
SPECIAL_CONDITIONS = [
    ("Ménière's disease", "otolaryngologist"),
    ("Sjögren's syndrome", "rheumatologist"),
    ("Guillain-Barré syndrome", "neurologist"),
    ("Behçet's disease", "rheumatologist"),
    ("Crohn's disease", "gastroenterologist"),
    ("Type 2 diabetes", "endocrinologist"),
    ("Stage IV cancer", "hematologist or oncologist"),
    ("Long COVID", "internist"),
    # Found by its British spelling through a search synonym ("leukaemia").
    ("Chronic lymphocytic leukemia", "hematologist or oncologist"),
]

ONSETS = [
    "a",
    "ab",
    "ac",
    "ad",
    "al",
    "am",
    "an",
    "ar",
    "as",
    "at",
    "av",
    "az",
    "ba",
    "be",
    "bi",
    "bo",
    "bu",
    "ca",
    "ce",
    "ci",
    "co",
    "cu",
    "da",
    "de",
    "di",
    "do",
    "du",
    "e",
    "el",
    "en",
    "er",
    "es",
    "ev",
    "ex",
    "fa",
    "fe",
    "fi",
    "fo",
    "fu",
    "ga",
    "ge",
    "gi",
    "go",
    "gu",
    "ha",
    "he",
    "hi",
    "ho",
    "hy",
    "i",
    "il",
    "im",
    "in",
    "ir",
    "is",
    "ja",
    "je",
    "jo",
    "ju",
    "ka",
    "ke",
    "ki",
    "ko",
    "ku",
    "la",
    "le",
    "li",
    "lo",
    "lu",
    "ma",
    "me",
    "mi",
    "mo",
    "mu",
    "na",
    "ne",
    "ni",
    "no",
    "nu",
    "o",
    "ol",
    "om",
    "on",
    "or",
    "os",
    "pa",
    "pe",
    "pi",
    "po",
    "pu",
    "qua",
    "que",
    "qui",
    "ra",
    "re",
    "ri",
    "ro",
    "ru",
    "sa",
    "se",
    "si",
    "so",
    "su",
    "ta",
    "te",
    "ti",
    "to",
    "tu",
    "u",
    "ul",
    "um",
    "un",
    "ur",
    "va",
    "ve",
    "vi",
    "vo",
    "wa",
    "we",
    "wi",
    "xa",
    "xe",
    "xi",
    "ya",
    "yo",
    "za",
    "ze",
    "zi",
    "zo",
]
MIDDLES = [
    "ba",
    "ce",
    "da",
    "fe",
    "ga",
    "li",
    "lo",
    "ma",
    "ne",
    "pi",
    "ra",
    "ri",
    "sa",
    "ta",
    "te",
    "ti",
    "va",
    "vo",
    "xa",
    "zo",
    "cla",
    "dro",
    "gly",
    "pra",
    "tro",
]
DRUG_SUFFIXES = [
    "mab",
    "pril",
    "olol",
    "azole",
    "statin",
    "ine",
    "ide",
    "one",
    "ate",
    "tinib",
    "vir",
    "xetine",
    "pam",
    "done",
    "sartan",
    "profen",
    "cillin",
    "mycin",
    "parin",
    "zumab",
    "tide",
    "lukast",
    "dronate",
    "gliptin",
    "setron",
    "triptan",
    "fungin",
]
CONDITION_SUFFIXES = [
    "itis",
    "osis",
    "emia",
    "pathy",
    "algia",
    "oma",
    "plasia",
    "trophy",
    "ectasia",
]
CONDITION_FORMS = [
    "{} ",
    "Chronic {}",
    "Acute {}",
    "{} syndrome",
    "{} disease",
    "Familial {}",
    "Juvenile {}",
    "{} disorder",
]
DRUG_CLASSES = [
    "NMDA Antagonist / Anesthetic",
    "Selective serotonin reuptake inhibitor",
    "Monoclonal antibody",
    "Tyrosine kinase inhibitor",
    "ACE inhibitor",
    "Beta blocker",
    "Statin",
    "Antifungal",
    "Antiviral",
    "Anticonvulsant",
    "Herbal supplement",
    "Vitamin",
    "Mineral supplement",
    "Probiotic",
    "Psychedelic / 5-HT2A agonist",
    "Cannabinoid",
    "GLP-1 receptor agonist",
    "Corticosteroid",
    "Antioxidant",
    "Amino acid",
]
SPECIALISTS = [
    "neurologist",
    "rheumatologist",
    "cardiologist",
    "psychiatrist",
    "endocrinologist",
    "gastroenterologist",
    "dermatologist",
    "pulmonologist",
    "hematologist or oncologist",
    "nephrologist",
    "infectious disease specialist",
    "primary care physician",
]
MECHANISMS = [
    "NMDA receptor antagonism",
    "Serotonin reuptake inhibition",
    "5-HT1A receptor partial agonism",
    "GABA-A receptor modulation",
    "Inhibition of pro-inflammatory cytokines (TNF-alpha, IL-6)",
    "Mitochondrial electron transport support",
    "AMPK activation",
    "mTOR pathway inhibition",
    "Antioxidant activity and free-radical scavenging",
    "Increase in BDNF expression",
    "Cannabinoid CB1 and CB2 receptor binding",
    "Angiotensin-converting enzyme inhibition",
    "Beta-adrenergic receptor blockade",
    "HMG-CoA reductase inhibition",
    "Tyrosine kinase inhibition",
    "Modulation of gut microbiota",
    "Glucocorticoid receptor agonism",
    "Sodium channel blockade",
]
SAFETY_NOTES = [
    (SafetyCategory.SIDE_EFFECTS, "Nausea and headache in the first weeks of use"),
    (SafetyCategory.SIDE_EFFECTS, "Drowsiness; avoid driving until the effect is known"),
    (SafetyCategory.ABUSE_POTENTIAL, "Potential for misuse and dependence with repeated dosing"),
    (SafetyCategory.ORGAN_TOXICITY, "Liver enzyme elevations reported at high doses"),
    (SafetyCategory.ORGAN_TOXICITY, "Bladder toxicity with chronic use"),
    (SafetyCategory.INTERACTIONS, "Serotonin syndrome risk with other serotonergic drugs"),
    (SafetyCategory.INTERACTIONS, "Induces CYP3A4 and lowers levels of many medicines"),
    (SafetyCategory.CONTRAINDICATIONS, "Not for use in pregnancy or while breastfeeding"),
    (SafetyCategory.MONITORING, "Blood pressure monitoring during and after dosing"),
    (SafetyCategory.SPECIAL_POPULATIONS, "Lower doses for older adults and kidney impairment"),
    (SafetyCategory.OTHER, "Product quality varies between supplement brands"),
]
# Rows of a compound's safety data and of a pair's findings: (field values) tuples.
MONITORING = [
    ("Blood pressure", "Before each dose and after it", "Until it is back to normal"),
    ("Sedation and dissociation", "After each dose", "At least 2 hours"),
    ("Liver enzymes", "Before starting and every 3 months", ""),
    ("Kidney function", "Before starting and once a year", ""),
]
CAUTIONS = [
    ("contraindication", "people with a known allergy to it"),
    ("contraindication", "people with uncontrolled high blood pressure"),
    ("caution", "people with liver disease"),
    ("caution", "older adults, who may need lower doses"),
    ("caution", "people who are pregnant or breastfeeding"),
]
INTERACTIONS = [
    ("Benzodiazepines", "major", "More sedation and slowed breathing", "Watch closely"),
    ("Opioids", "major", "More sedation and slowed breathing", "Avoid, or watch closely"),
    ("MAO inhibitors", "major", "A rise in blood pressure", "Monitor blood pressure"),
    ("Alcohol", "moderate", "More drowsiness", "Avoid alcohol on treatment days"),
    ("Psychostimulants", "moderate", "A rise in blood pressure", "Monitor blood pressure"),
    ("Antacids", "minor", "Slower absorption", "Take two hours apart"),
]
FINDINGS = [
    ("finding", "No new safety signal was reported in the trials in {d}."),
    ("finding", "Side effects in people with {d} matched those known from other uses."),
    ("caution", "People with {d} may need closer monitoring in the first weeks."),
]
TAKEAWAYS = [
    "The best evidence for {c} in {d} is limited.",
    "Ask your doctor before trying {c}.",
    "Side effects are known from other uses of {c}.",
    "More trials are under way.",
]
LABEL_URL = "https://example.org/labels/{slug}.pdf"
JOURNALS = [
    "The Lancet",
    "JAMA",
    "New England Journal of Medicine",
    "BMJ",
    "Cochrane Database of Systematic Reviews",
    "Journal of Clinical Psychiatry",
    "Neurology",
    "Annals of Internal Medicine",
    "Nutrients",
    "Frontiers in Pharmacology",
    "ClinicalTrials.gov",
]
SOURCES = [
    "Cleveland Clinic",
    "Mayo Clinic",
    "Karolinska Institutet",
    "University of Toronto",
    "Charité Berlin",
    "Johns Hopkins University",
    "Université de Montréal",
]

HUMAN_SENTENCES = [
    "A randomized trial of {n} people with {d} found {c} improved symptom scores over "
    "{w} weeks compared with placebo.",
    "Two small open-label studies of {c} in {d} reported benefit, but neither had a control "
    "group and both followed patients for less than {w} weeks.",
    "A meta-analysis pooling {k} trials ({n} participants) found a modest effect of {c} with "
    "wide confidence intervals.",
    "Observational data from a registry of {n} patients with {d} showed no clear difference "
    "in outcomes between people who took {c} and those who did not.",
    "No study of {c} has been done in people with {d}; human data come from its use in other "
    "conditions, where it was generally well tolerated.",
    "A crossover trial in {n} adults found that the benefit of {c} faded within {w} weeks "
    "of stopping it.",
]
PRECLINICAL_SENTENCES = [
    "In mouse models of {d}, {c} reduced markers of inflammation and slowed disease progression.",
    "Cell culture studies show {c} acts on pathways involved in {d}, at concentrations "
    "higher than those reached in people.",
    "Rat studies found neuroprotective effects of {c} after {w} weeks of dosing.",
    "Animal data on {c} in {d} are mixed: two studies found benefit and one found none.",
]
REGULATORY_SENTENCES = [
    "Not approved for {d}; {c} is FDA-approved for other indications.",
    "Not approved for {d} by any regulator; sold as a dietary supplement.",
    "Approved for {d} in the European Union; under review by the FDA.",
    "Used off-label for {d}; no regulator has reviewed it for this use.",
]
TITLE_PATTERNS = [
    "{c} for {d}: a randomized, double-blind, placebo-controlled trial",
    "Efficacy and safety of {c} in adults with {d}",
    "{c} in {d}: a systematic review and meta-analysis",
    "Long-term outcomes of {c} treatment in a {d} cohort",
    "Effects of {c} on biomarkers of {d}: a pilot study",
]


def capitalise(word):
    return word[:1].upper() + word[1:]


def unique_names(rng, count, make, specials):
    """count distinct names: the specials first, then what make(rng) invents."""
    names = list(specials)[:count]
    seen = {slugify(name) for name in names}
    while len(names) < count:
        name = make(rng)
        slug = slugify(name)
        if slug and slug not in seen:
            seen.add(slug)
            names.append(name)
    return names


def invent_compound(rng):
    stem = rng.choice(ONSETS) + rng.choice(MIDDLES)
    if rng.random() < 0.4:
        stem += rng.choice(MIDDLES)
    name = capitalise(stem + rng.choice(DRUG_SUFFIXES))
    if rng.random() < 0.08:
        name += rng.choice([" extract", " (IV)", " oil", " XR"])
    return name


def invent_condition(rng):
    stem = capitalise(rng.choice(ONSETS) + rng.choice(MIDDLES) + rng.choice(CONDITION_SUFFIXES))
    form = rng.choice(CONDITION_FORMS)
    return form.format(stem if form.startswith("{}") else stem.lower()).strip()


def brand(rng):
    return capitalise(rng.choice(ONSETS) + rng.choice(MIDDLES) + rng.choice(["x", "l", "n", "a"]))


def pick(rng, seq):
    """rng.choice without its rejection sampling: a third of the cost, a million times over."""
    return seq[int(rng.random() * len(seq))]


def sentences(rng, pool, count, **names):
    """count different sentences of pool, filled with names and plausible numbers."""
    r = rng.random
    start = int(r() * len(pool))
    return " ".join(
        pool[(start + k) % len(pool)].format(
            n=12 + int(r() * 2400), w=2 + int(r() * 50), k=2 + int(r() * 12), **names
        )
        for k in range(count)
    )


LEVELS = list(EvidenceLevel)
VERDICTS = list(Verdict)
HUMAN_LEVELS = [level for level in LEVELS if level.is_human]
BASES = list(EvidenceBasis)


def grade(rng):
    """A level, verdict and basis the model's constraints accept."""
    level = pick(rng, LEVELS)
    verdict = pick(rng, VERDICTS)
    if verdict.is_positive and not level.is_human:
        level = pick(rng, HUMAN_LEVELS)
    basis = pick(rng, BASES)
    if level == EvidenceLevel.NONE:
        basis = EvidenceBasis.EXTRAPOLATED
    return level.value, verdict.value, basis.value


DESIGNS = [design.value for design in StudyDesign]
