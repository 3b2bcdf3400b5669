"""历史记录 pages (parties/historical.py): enter one, see one. Importing many from Excel is in
parties/views_import.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render

from .forms_historical import HistoricalRecordForm
from .historical import record_historical, system_start
from .models import HistoricalRecord, Party
from .services import find_or_create_party


def _initial(request) -> dict:
    pk = request.GET.get("party", "")
    party = Party.objects.filter(pk=int(pk)).first() if pk.isdigit() else None
    if party is None:
        return {}
    initial = {"party_kind": party.kind, "party_name": party.name}
    initial["id_number" if party.is_person else "credit_code"] = party.code_for(request.user)
    return initial


@login_required
@permission_required("parties.add_historicalrecord", raise_exception=True)
def historical_create(request):
    department = request.user.handling_department
    if department is None:
        return render(request, "403.html", status=403)
    form = HistoricalRecordForm(request.POST or None, department=department,
                                initial=_initial(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        code_field = "id_number" if data["party_kind"] == Party.Kind.PERSON else "credit_code"
        try:
            with transaction.atomic():
                match = find_or_create_party(kind=data["party_kind"], name=data["party_name"],
                                             by=request.user, **{code_field: form.code})
                record = form.instance
                record.party, record.department = match.party, department
                record_historical(record, by=request.user)
        except ValidationError as e:
            for name, texts in e.message_dict.items():
                name = {"name": "party_name"}.get(name, name)
                form.add_error(name if name in form.fields else None, texts)
        else:
            messages.success(request, f"历史记录 {record.number} 已登记。" + match.describe())
            return redirect(record.get_absolute_url())
    return render(request, "parties/historical_form.html", {
        "form": form, "department": department,
        "system_start": system_start(department.jurisdiction)})


@login_required
@permission_required("parties.view_historicalrecord", raise_exception=True)
def historical_detail(request, pk):
    record = get_object_or_404(
        HistoricalRecord.objects.visible_to(request.user).select_related(
            "party", "department", "jurisdiction", "created_by"), pk=pk)
    return render(request, "parties/historical_detail.html", {
        "record": record, "party_code": record.party.code_for(request.user)})
