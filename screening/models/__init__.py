from .clues import Clue, ClueQuerySet, SourceChannel
from .referrals import ProcuratorateFeedback, Referral

__all__ = ["Clue", "ClueQuerySet", "ProcuratorateFeedback", "Referral", "SourceChannel"]
from .exports import ClueImport, ReportExport  # noqa: E402
from .rounds import ScreeningRound, ScreeningRoundQuerySet  # noqa: E402

__all__ += ["ClueImport", "ReportExport", "ScreeningRound", "ScreeningRoundQuerySet"]
