from .content import (
    Compound,
    Condition,
    EvidenceSummary,
    Mechanism,
    MedicalAdvisor,
    Reference,
    ResearchUpdate,
    SafetyNote,
)
from .published import (
    FormerSlug,
    PublishedCompound,
    PublishedCondition,
    PublishedResearchUpdate,
    PublishedSummary,
    ResearchUpdateLink,
)
from .review import Publishable, ReviewAction, ReviewEvent, ReviewState, Version

PUBLISHABLE_MODELS = (Compound, Condition, EvidenceSummary, ResearchUpdate)

__all__ = [
    "PUBLISHABLE_MODELS",
    "Compound",
    "Condition",
    "EvidenceSummary",
    "FormerSlug",
    "Mechanism",
    "MedicalAdvisor",
    "Publishable",
    "PublishedCompound",
    "PublishedCondition",
    "PublishedResearchUpdate",
    "PublishedSummary",
    "Reference",
    "ResearchUpdate",
    "ResearchUpdateLink",
    "ReviewAction",
    "ReviewEvent",
    "ReviewState",
    "SafetyNote",
    "Version",
]
