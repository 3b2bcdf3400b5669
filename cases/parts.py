"""The records that belong to a case, for its one timeline and its deadline list.

Each stage app registers a provider `func(case) -> {Model: primary keys}` (the negotiation app
its rounds, agreements and court records; documents its generated forms), so the case page
shows everything that happened to the case without cases importing the later stages."""

from collections.abc import Callable

from django.contrib.contenttypes.models import ContentType
from django.db.models import IntegerField, Q, QuerySet, Value

from workflow.models import Deadline

PartsProvider = Callable[..., dict]
_providers: list[PartsProvider] = []


def case_parts(func: PartsProvider) -> PartsProvider:
    if func not in _providers:
        _providers.append(func)
    return func


def parts_of(case, *extra: dict) -> dict:
    """{Model: [pk, …]} from `extra` and every provider. The primary keys a provider gives as
    an unread queryset are read together, in one UNION ALL query."""
    parts: dict = {}
    lazy: list = []
    for given in [*extra, *(provider(case) for provider in _providers)]:
        for model, pks in given.items():
            parts.setdefault(model, [])
            if isinstance(pks, QuerySet) and pks._result_cache is None:
                lazy.append((model, pks))
            else:
                parts[model].extend(pks)
    if lazy:
        queries = [qs.order_by().values_list(Value(i, output_field=IntegerField()), "pk")
                   for i, (_, qs) in enumerate(lazy)]
        rows = queries[0].union(*queries[1:], all=True) if len(queries) > 1 else queries[0]
        for i, pk in rows:
            parts[lazy[i][0]].append(pk)
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
