from .case import Case, CaseObligor, CaseQuerySet
from .investigation import Evidence, Investigation

__all__ = ["Case", "CaseObligor", "CaseQuerySet", "Evidence", "Investigation"]
from .appraisal import (  # noqa: E402  (appraisal part of issue 4)
    Appraisal,
    AppraisalInstitution,
    AppraisalPanelMember,
    AppraisalQuerySet,
    Expert,
)

__all__ += ["Appraisal", "AppraisalInstitution", "AppraisalPanelMember", "AppraisalQuerySet",
            "Expert"]
from .classification import (  # noqa: E402  (classification and major-case ledger, issue 4)
    CaseClassification,
    CaseClassificationInput,
    CaseMajorCriterion,
    MajorCaseProgress,
)

__all__ += ["CaseClassification", "CaseClassificationInput", "CaseMajorCriterion",
            "MajorCaseProgress"]
