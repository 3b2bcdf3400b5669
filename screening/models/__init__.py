from .clues import Clue, ClueQuerySet, SourceChannel

__all__ = ["Clue", "ClueQuerySet", "SourceChannel"]
