"""The case page's 文书 panel (templates/documents/_case_documents.html), without touching
cases/views.py: the forms the case's stage offers, per obligor where the form is, and the
latest archived versions the user may see."""

from django import template

from documents import registry
from documents.models import GeneratedDocument
from documents.views import can_generate

register = template.Library()

LATEST = 10


@register.simple_tag(takes_context=True)
def case_documents_panel(context, case) -> dict:
    user = context["request"].user
    if not user.has_perm("documents.view_generateddocument"):
        return {"visible": False}
    forms = registry.available_for(case)
    obligors = []
    if any(f.per_obligor for f in forms):
        obligors = [link.party for link in case.obligor_links.select_related("party")
                    .order_by("id")]
    rows = []
    for form in forms:
        for obligor in (obligors if form.per_obligor else [None]):
            rows.append({"form": form, "obligor": obligor})
    versions = list(GeneratedDocument.objects.visible_to(user).filter(case=case)
                    .select_related("generated_by", "obligor", "scan")[:LATEST + 1])
    return {
        "visible": True,
        "rows": rows,
        "versions": versions[:LATEST],
        "more": len(versions) > LATEST,
        "can_generate": can_generate(user, case),
    }
