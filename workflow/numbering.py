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


def reserve_numbers(scope: str, year: int, count: int) -> range:
    """`count` consecutive sequence numbers for (scope, year) at once (a bulk import): the
    same row lock and counter as next_number, so numbers stay gapless and never reused."""
    with transaction.atomic():
        seq, _ = NumberSequence.objects.select_for_update().get_or_create(scope=scope, year=year)
        first = seq.last + 1
        seq.last += count
        seq.save(update_fields=["last"])
        return range(first, seq.last + 1)
