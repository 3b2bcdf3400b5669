"""The documents' part of the case page's 下一步 (cases/next_steps.py): the model forms the case's
stage offers that have not been generated yet (per obligor where the form is), each a button
generating it, for whoever may generate the case's documents (as `views.can_generate`)."""

from __future__ import annotations

from django.urls import reverse

from cases.next_steps import Context, NextStep, provider

from . import registry
from .models import GeneratedDocument
from .views import GENERATE


@provider
def document_steps(ctx: Context) -> list[NextStep]:
    case, user = ctx.case, ctx.user
    # can_handle already holds the handling scope that views.can_generate asks for
    if case.is_read_only or not ctx.can_handle or not user.has_perm(GENERATE):
        return []
    forms = registry.available_for(case)
    if not forms:
        return []
    done = set(GeneratedDocument.objects.filter(case=case).values_list("form_code", "obligor_id"))
    obligors = []
    if any(f.per_obligor for f in forms):
        obligors = [link.party for link in case.obligor_links.select_related("party")
                    .order_by("id")]
    steps = []
    for form in forms:
        for obligor in (obligors if form.per_obligor else [None]):
            if (form.code, obligor.pk if obligor else None) in done:
                continue
            steps.append(NextStep(
                f"生成{form.label}", reverse("documents:form_generate", args=[case.pk, form.code]),
                where=obligor.name if obligor else "", method="post",
                fields={"obligor": obligor.pk} if obligor else {}, style="outline-secondary"))
    return steps
