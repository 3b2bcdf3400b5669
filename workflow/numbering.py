from django.db import transaction

from .models import NumberSequence


def next_number(scope: str, year: int) -> int:
    """The next sequence number for (scope, year). Numbers are never reused: the counter only
    grows, under a row lock, inside the caller's transaction."""
    with transaction.atomic():
        seq, _ = NumberSequence.objects.select_for_update().get_or_create(scope=scope, year=year)
        seq.last += 1
        seq.save(update_fields=["last"])
        return seq.last
