from .clues import Clue, ClueQuerySet, SourceChannel
from .referrals import ProcuratorateFeedback, Referral

__all__ = ["Clue", "ClueQuerySet", "ProcuratorateFeedback", "Referral", "SourceChannel"]
