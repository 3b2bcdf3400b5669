"""The 赔偿协议 pages (form [5]; CQ 七(二); SX 第二十条): the draft's editor with its
restoration terms, payment terms and instalments, signing, the read-only text with its
versions, and a correction as a new version with its reason."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from workflow.http import workable_or_refuse

from . import services
from .forms import (
    AgreementForm,
    CorrectionForm,
    InstalmentFormSet,
    PaymentTermFormSet,
    RestorationTermFormSet,
)
from .models import Agreement
from .views_common import SERVICE_ERRORS, for_action, option, run, show_errors

AGREEMENTS = Agreement.objects.select_related("case__department", "negotiation", "previous",
                                              "drafted_by")


def _sign_panel(agreement, user) -> dict | None:
    """The sign button with everything still missing: the required contents by name
    (missing_contents), the transition's other conditions and each schedule's problems."""
    if agreement.state != Agreement.State.DRAFT:
        return None
    sign = option(agreement, "sign", user)
    if sign is None:
        return None
    if agreement.previous_id is None:
        # Past the 90 days signing also needs the division head's approval (SX 第十八条).
        block = agreement.negotiation.overrun_block(on=agreement.signed_on)
        if block:
            sign.unmet = [*sign.unmet, block]
    schedules = [p for term in agreement.payment_terms.prefetch_related("instalments")
                 for p in term.schedule_problems()]
    return {"option": sign, "missing": agreement.missing_contents(), "schedules": schedules}


def _detail_context(request, agreement, correction_form=None) -> dict:
    case = agreement.case
    handle = case.can_be_handled_by(request.user)
    correctable = (handle and agreement.state == Agreement.State.SIGNED
                   and not Agreement.objects.filter(previous=agreement).exists())
    return {
        "agreement": agreement, "case": case, "can_handle": handle,
        "obligors": agreement.obligors.select_related("party").order_by("id"),
        "restoration_terms": agreement.restoration_terms.select_related("obligor__party"),
        "payment_terms": agreement.payment_terms.select_related("obligor__party")
                                                .prefetch_related("instalments"),
        "versions": case.agreements.order_by("version"),
        "correction": Agreement.objects.filter(previous=agreement).first(),
        "sign": _sign_panel(agreement, request.user) if handle else None,
        "correction_form": correction_form or (CorrectionForm() if correctable else None),
        "confirmations": agreement.confirmations.order_by("pk"),
    }


@login_required
@permission_required("negotiation.view_agreement", raise_exception=True)
def agreement_detail(request, pk):
    agreement = get_object_or_404(AGREEMENTS.visible_to(request.user), pk=pk)
    return render(request, "negotiation/agreement_detail.html",
                  _detail_context(request, agreement))


def _formsets(agreement, data=None):
    case = agreement.case
    restoration = RestorationTermFormSet(data, instance=agreement, prefix="restoration",
                                         case=case)
    payments = PaymentTermFormSet(data, instance=agreement, prefix="payment", case=case)
    instalments = [(term, InstalmentFormSet(data, instance=term, prefix=f"instalment-{term.pk}"))
                   for term in agreement.payment_terms.order_by("id")]
    return restoration, payments, instalments


@login_required
@permission_required("cases.handle_case", raise_exception=True)
def agreement_edit(request, pk):
    """The draft: main contents, restoration terms, payment terms and their instalments, all
    saved in one transaction or not at all."""
    agreement, refused = workable_or_refuse(request, AGREEMENTS, pk, Agreement.State.DRAFT)
    if refused:
        return refused
    data = request.POST if request.method == "POST" else None
    form = AgreementForm(data, instance=agreement)
    restoration, payments, instalments = _formsets(agreement, data)
    if data is not None:
        valid = [form.is_valid(), restoration.is_valid(), payments.is_valid(),
                 *[formset.is_valid() for _, formset in instalments]]
        if all(valid):
            with transaction.atomic():
                form.save()
                restoration.save()
                payments.save()
                deleted = {term.pk for term in payments.deleted_objects}
                for term, formset in instalments:
                    if term.pk not in deleted:
                        formset.save()
            messages.success(request, "赔偿协议草稿已保存。")
            return redirect("negotiation:agreement_edit", agreement.pk)
    return render(request, "negotiation/agreement_edit.html", {
        "agreement": agreement, "case": agreement.case, "form": form,
        "restoration": restoration, "payments": payments, "instalments": instalments,
        "sign": _sign_panel(agreement, request.user),
        "has_errors": data is not None,
    })


@login_required
@require_POST
@permission_required("cases.handle_case", raise_exception=True)
def agreement_sign(request, pk):
    agreement, refused = for_action(request, AGREEMENTS, pk)
    if refused:
        return refused

    def done(signed):
        if signed.previous_id:
            return f"更正后的第{signed.version}版已签署，第{signed.previous.version}版已被取代。"
        return "赔偿协议已签署，本轮磋商达成协议，案件进入履行阶段。"

    run(request, lambda: services.sign_agreement(
        agreement, by=request.user, seen_state=request.POST.get("seen_state") or None),
        success=done)
    return redirect(agreement.get_absolute_url())


@login_required
@require_POST
@permission_required("cases.handle_case", raise_exception=True)
def agreement_correct(request, pk):
    """A signed agreement never changes: a correction is a new draft version with a reason."""
    agreement, refused = for_action(request, AGREEMENTS, pk)
    if refused:
        return refused
    form = CorrectionForm(request.POST)
    if form.is_valid():
        try:
            draft = services.correct_agreement(agreement, reason=form.cleaned_data["reason"],
                                               by=request.user)
        except SERVICE_ERRORS as exc:
            show_errors(form, exc)
        else:
            messages.success(request, f"已制作更正版本（第{draft.version}版），签署后取代第"
                                      f"{agreement.version}版。")
            return redirect("negotiation:agreement_edit", draft.pk)
    return render(request, "negotiation/agreement_detail.html",
                  _detail_context(request, agreement, correction_form=form))
