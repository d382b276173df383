from .citations import Reference, ResearchReference
from .content import (
    Compound,
    Condition,
    EvidenceSummary,
    Mechanism,
    MedicalAdvisor,
    ResearchUpdate,
    SafetyNote,
)
from .feedback import Feedback
from .imports import ImportBatch, ImportBatchItem
from .notices import IdentifierKind, NoticeReview, StudyCheck, StudyNotice
from .published import (
    FormerSlug,
    PublicationChange,
    PublishedCitation,
    PublishedCompound,
    PublishedCondition,
    PublishedResearchUpdate,
    PublishedSitePage,
    PublishedSummary,
    ResearchUpdateLink,
)
from .review import (
    Publishable,
    ReviewAction,
    ReviewEvent,
    ReviewState,
    ShownDecision,
    Version,
)
from .safety import Caution, Interaction, Monitoring, SafetyFinding
from .search import PromotedResult, SearchSynonym
from .site import SitePage
from .urgent_help import HelpLine
from .watch import InboxItem, OfficialLabel, WatchCheck, WatchSource

PUBLISHABLE_MODELS = (Compound, Condition, EvidenceSummary, ResearchUpdate, SitePage)

__all__ = [
    "PublicationChange",
    "ShownDecision",
    "PUBLISHABLE_MODELS",
    "Caution",
    "Compound",
    "Condition",
    "EvidenceSummary",
    "Feedback",
    "FormerSlug",
    "HelpLine",
    "IdentifierKind",
    "NoticeReview",
    "StudyCheck",
    "StudyNotice",
    "ImportBatch",
    "ImportBatchItem",
    "InboxItem",
    "Interaction",
    "Mechanism",
    "MedicalAdvisor",
    "OfficialLabel",
    "Monitoring",
    "PromotedResult",
    "Publishable",
    "PublishedCitation",
    "PublishedCompound",
    "PublishedCondition",
    "PublishedResearchUpdate",
    "PublishedSitePage",
    "PublishedSummary",
    "Reference",
    "ResearchReference",
    "ResearchUpdate",
    "ResearchUpdateLink",
    "ReviewAction",
    "ReviewEvent",
    "ReviewState",
    "SafetyFinding",
    "SafetyNote",
    "SearchSynonym",
    "SitePage",
    "Version",
    "WatchCheck",
    "WatchSource",
]
