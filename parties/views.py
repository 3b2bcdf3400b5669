from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from workflow.audit import history
from workflow.pagination import keyset_page

from .editing import may_edit_party
from .forms import PartyForm, PartySearchForm
from .history import party_history
from .models import Party, can_see_full_identity
from .validators import mask_id_number

LOOKUP_LIMIT = 20
HISTORY_LIMIT = 200


@login_required
@permission_required("parties.view_party", raise_exception=True)
def party_list(request):
    filters = PartySearchForm(request.GET or None)
    parties = filters.apply(Party.objects.all())
    page = keyset_page(parties, key="created_at",
                       after=request.GET.get("after"), before=request.GET.get("before"))
    return render(request, "parties/party_list.html", {
        "page": page, "filters": filters,
        "can_add": request.user.has_perm("parties.add_party"),
        "query": request.GET.copy(),
    })


def _masked_history(party, user):
    """The audit timeline; the ID number's old and new values masked for whoever may not
    see them in full."""
    events = list(history(party)[:HISTORY_LIMIT])
    if not can_see_full_identity(user):
        for event in events:
            change = event.changes.get("id_number") if event.changes else None
            if change:
                change["old"] = mask_id_number(change.get("old", ""))
                change["new"] = mask_id_number(change.get("new", ""))
    return events


@login_required
@permission_required("parties.view_party", raise_exception=True)
def party_detail(request, pk):
    party = get_object_or_404(Party.objects.select_related("created_by"), pk=pk)
    return render(request, "parties/party_detail.html", {
        "party": party,
        "code_shown": party.code_for(request.user),
        "code_masked": party.is_person and not can_see_full_identity(request.user),
        "records": party_history(party, request.user, limit=HISTORY_LIMIT),
        "history": _masked_history(party, request.user),
        "can_edit": may_edit_party(request.user, party),
    })


def _save(request, form, *, creating):
    """Save a valid form; a code registered by someone else meanwhile comes back as the
    field error, not as a server error."""
    party = form.save(commit=False)
    if creating:
        party.created_by = request.user
    try:
        with transaction.atomic():
            party.save()
    except IntegrityError:
        field = "id_number" if party.is_person else "credit_code"
        form.add_error(field if field in form.fields else None,
                       "该代码已被登记为其他当事人，同一代码即同一当事人，请勿重复登记。")
        return None
    return party


@login_required
@permission_required("parties.add_party", raise_exception=True)
def party_create(request):
    form = PartyForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        party = _save(request, form, creating=True)
        if party is not None:
            messages.success(request, f"当事人“{party.name}”已登记。")
            return redirect(party.get_absolute_url())
    return render(request, "parties/party_form.html", {"form": form, "party": None})


@login_required
@permission_required("parties.change_party", raise_exception=True)
def party_edit(request, pk):
    """403 unless a record of the user's department names the party, or an administrator
    (parties/editing.py); the party itself is public to the registry's readers, so 403."""
    party = get_object_or_404(Party.objects.select_related("created_by"), pk=pk)
    if not may_edit_party(request.user, party):
        raise PermissionDenied("只有案卷涉及该当事人的部门或系统管理员可以修改当事人信息。")
    form = PartyForm(request.POST or None, instance=party, user=request.user)
    if request.method == "POST" and form.is_valid():
        if _save(request, form, creating=False) is not None:
            messages.success(request, "当事人信息已保存。")
            return redirect(party.get_absolute_url())
    return render(request, "parties/party_form.html", {
        "form": form, "party": party, "code_shown": party.code_for(request.user),
    })


@login_required
@require_GET
@permission_required("parties.view_party", raise_exception=True)
def party_lookup(request):
    """Matches for a select widget: {"results": [{"id", "text", "name", "kind", "code"}]}.
    Name prefix, credit-code prefix or a complete code; ID numbers come back masked."""
    q = request.GET.get("q", "").strip()[:200]
    kind = request.GET.get("kind", "")
    results = []
    if q:
        parties = Party.objects.search(q)
        if kind in Party.Kind.values:
            parties = parties.filter(kind=kind)
        for party in parties.order_by("name", "id")[:LOOKUP_LIMIT]:
            code = party.masked_code
            results.append({
                "id": party.pk,
                "text": f"{party.name}（{code}）",
                "name": party.name,
                "kind": party.kind,
                "kind_label": party.get_kind_display(),
                "code": code,
            })
    return JsonResponse({"results": results})
