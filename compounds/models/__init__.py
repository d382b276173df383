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
from .review import LiveQuerySet, Publishable, ReviewAction, ReviewEvent, ReviewState, Version

PUBLISHABLE_MODELS = (Compound, Condition, EvidenceSummary, ResearchUpdate)

__all__ = [
    "PUBLISHABLE_MODELS",
    "Compound",
    "Condition",
    "EvidenceSummary",
    "LiveQuerySet",
    "Mechanism",
    "MedicalAdvisor",
    "Publishable",
    "Reference",
    "ResearchUpdate",
    "ReviewAction",
    "ReviewEvent",
    "ReviewState",
    "SafetyNote",
    "Version",
]
