from .case import Case, CaseObligor, CaseQuerySet
from .investigation import Evidence, Investigation

__all__ = ["Case", "CaseObligor", "CaseQuerySet", "Evidence", "Investigation"]
