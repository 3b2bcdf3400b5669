"""The records that belong to a case, for its one timeline and its deadline list.

Each stage app registers a provider `func(case) -> {Model: primary keys}` (the negotiation app
its rounds, agreements and court records; documents its generated forms), so the case page
shows everything that happened to the case without cases importing the later stages."""

from collections.abc import Callable

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from workflow.models import Deadline

PartsProvider = Callable[..., dict]
_providers: list[PartsProvider] = []


def case_parts(func: PartsProvider) -> PartsProvider:
    if func not in _providers:
        _providers.append(func)
    return func


def parts_of(case) -> dict:
    parts: dict = {}
    for provider in _providers:
        for model, pks in provider(case).items():
            parts[model] = [*parts.get(model, []), *pks]
    return parts


def deadlines_of_case(case, parts: dict | None = None):
    """The case's own deadlines and those of its parts (a negotiation's 90 days …), earliest
    due first."""
    condition = Q(content_type=ContentType.objects.get_for_model(case), object_id=case.pk)
    for model, pks in (parts if parts is not None else parts_of(case)).items():
        pks = list(pks)
        if pks:
            condition |= Q(content_type=ContentType.objects.get_for_model(model),
                           object_id__in=pks)
    return (Deadline.objects.filter(condition).select_related("responsible", "department")
            .order_by("due", "id"))
