from django.db import transaction

from workflow.numbering import next_number

from .models import Clue


def register_clue(clue: Clue, *, by, participants=()) -> Clue:
    """Give a new clue its number (jurisdiction, year, sequence; never reused) and save it."""
    with transaction.atomic():
        year = clue.registered_on.year
        seq = next_number(f"clue:{clue.jurisdiction.code}", year)
        clue.number = f"{clue.jurisdiction.code}-{year}-XS{seq:05d}"
        clue.registered_by = by
        clue.save()
        if participants:
            clue.participants.set(participants)
    return clue
