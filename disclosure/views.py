"""The officer's pages: prepare a publication from a case, compare original and masked, mask
more, attach PDFs, submit for the 机构负责人's approval (decided in the approval inbox), withdraw.
Reading goes through `visible_to`, acting through `workable_by` (404 outside the scope, 403
without the role's permission)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cases.models import Case
from workflow import approvals, transitions
from workflow.transitions import TransitionDenied

from . import forms, masking, services
from .models import Publication


def _need(request, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


def _visible(request, pk) -> Publication:
    _need(request, "disclosure.view_publication")
    return get_object_or_404(
        Publication.objects.visible_to(request.user).select_related(
            "case", "jurisdiction", "created_by"), pk=pk)


def _workable(request, pk) -> Publication:
    _need(request, "disclosure.change_publication")
    return get_object_or_404(
        Publication.objects.workable_by(request.user).select_related("case"), pk=pk)


def _run(request, publication, action, success: str):
    try:
        action()
    except TransitionDenied as exc:
        raise PermissionDenied(str(exc)) from exc
    except (transitions.TransitionError, ValidationError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", None) or [str(exc)]))
    else:
        messages.success(request, success)
    return redirect(publication.get_absolute_url())


@login_required
def publication_create(request, case_pk):
    _need(request, "disclosure.add_publication")
    case = get_object_or_404(Case.objects.workable_by(request.user), pk=case_pk)
    form = forms.PublicationForm(request.POST or None, initial={
        "year": timezone.localdate().year, "kind": Publication.Kind.AGREEMENT})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        publication = services.prepare(case, by=request.user, kind=data["kind"],
                                       title=data["title"], year=data["year"],
                                       original_text=data["original_text"])
        messages.success(request, "已生成草稿并自动脱敏，请核对脱敏结果。")
        return redirect(publication.get_absolute_url())
    return render(request, "disclosure/publication_form.html",
                  {"form": form, "case": case, "title": "准备信息公开"})


@login_required
def publication_detail(request, pk):
    publication = _visible(request, pk)
    can_work = (request.user.has_perm("disclosure.change_publication")
                and Case.objects.workable_by(request.user).filter(
                    pk=publication.case_id).exists())
    hits = masking.mask(publication.original_text, services.terms_for(publication)).hits
    return render(request, "disclosure/publication_detail.html", {
        "p": publication,
        "case": publication.case,
        "sources": publication.source_files.all(),
        "hits": hits,
        "can_work": can_work,
        "masks_form": forms.MasksForm(),
        "source_form": forms.SourceForm(),
        "submit_form": forms.SubmitForm(),
        "withdraw_form": forms.WithdrawForm(),
        "requests": approvals.requests_of(publication),
    })


@login_required
def publication_edit(request, pk):
    publication = _workable(request, pk)
    if not publication.is_draft:
        messages.error(request, "只有草稿可以修改。")
        return redirect(publication.get_absolute_url())
    form = forms.PublicationForm(request.POST or None, instance=publication)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        publication.refresh_from_db()
        return _run(request, publication,
                    lambda: services.update_draft(publication, by=request.user, **fields),
                    "已保存并重新脱敏。")
    return render(request, "disclosure/publication_form.html",
                  {"form": form, "case": publication.case, "title": "修改信息公开草稿",
                   "publication": publication})


@login_required
@require_POST
def publication_masks(request, pk):
    publication = _workable(request, pk)
    form = forms.MasksForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写需补充隐去的内容。")
        return redirect(publication.get_absolute_url())
    terms = masking.parse_extra(form.cleaned_data["terms"])
    return _run(request, publication,
                lambda: services.add_masks(publication, terms, by=request.user),
                "已补充隐去：" + "、".join(terms) + "。")


@login_required
@require_POST
def publication_add_file(request, pk):
    publication = _workable(request, pk)
    form = forms.SourceForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "请选择PDF文件。")
        return redirect(publication.get_absolute_url())
    return _run(request, publication,
                lambda: services.add_source_pdf(publication, form.cleaned_data["file"],
                                                by=request.user),
                "已上传并提取文字、自动脱敏；公开的PDF将由脱敏后的文字重新生成。")


@login_required
@require_POST
def publication_submit(request, pk):
    publication = _workable(request, pk)
    form = forms.SubmitForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写申请理由。")
        return redirect(publication.get_absolute_url())
    return _run(request, publication,
                lambda: services.submit(publication, by=request.user,
                                        summary=form.cleaned_data["summary"],
                                        seen_state=request.POST.get("seen_state") or None),
                "已提交机构负责人审批。")


@login_required
@require_POST
def publication_withdraw(request, pk):
    publication = _workable(request, pk)
    form = forms.WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写撤回理由。")
        return redirect(publication.get_absolute_url())
    return _run(request, publication,
                lambda: services.withdraw(publication, by=request.user,
                                          reason=form.cleaned_data["reason"],
                                          seen_state=request.POST.get("seen_state") or None),
                "已撤回，公开网站不再显示该信息。")


@login_required
def publication_pdf(request, pk):
    """The masked PDF as it is (or will be) published, for the officer and the approver."""
    publication = _visible(request, pk)
    if not publication.public_pdf:
        raise Http404
    response = FileResponse(publication.public_pdf.open("rb"), content_type="application/pdf",
                            filename=f"{publication.public_token}.pdf")
    response["X-Content-Type-Options"] = "nosniff"
    return response
