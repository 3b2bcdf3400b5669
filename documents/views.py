"""Pages of the forms: the HTML preview, generating a PDF version, the archive of a case and the
upload of a signed scan. Scope as everywhere (accounts/scoping.py): reading goes through
`visible_to`, acting through `workable_by`; a case outside it answers 404, a role without the
permission 403. Files leave through workflow's scoped attachment download."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from cases.models import Case
from parties.models import can_see_full_identity
from workflow.attachments import validate_upload
from workflow.pagination import keyset_page

from . import registry
from .data import mask_id_numbers
from .models import GeneratedDocument
from .rendering import render_html
from .services import DocumentError, attach_scan, build_data, generate

SCAN_EXTENSIONS = ("pdf", "jpg", "jpeg", "png", "tif", "tiff", "ofd")


class ScanForm(forms.Form):
    file = forms.FileField(label="签章扫描件",
                           error_messages={"required": "请选择签字盖章后的扫描件。"})

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        validate_upload(uploaded)
        if uploaded.name.rsplit(".", 1)[-1].lower() not in SCAN_EXTENSIONS:
            raise forms.ValidationError(
                f"扫描件须为以下类型之一：{'、'.join(SCAN_EXTENSIONS)}。")
        return uploaded


def _form_for(case, code: str) -> registry.Form:
    try:
        form = registry.get(code)
    except KeyError as exc:
        raise Http404 from exc
    if not form.available_for(case):
        raise Http404
    return form


def _obligor_for(case, form: registry.Form, value):
    """The party a per-obligor form is made for: one of the case's obligors, else 404."""
    if not form.per_obligor:
        return None
    link = case.obligor_links.select_related("party").filter(party_id=value).first() \
        if str(value or "").isdigit() else None
    if link is None:
        raise Http404
    return link.party


GENERATE = "documents.generate_document"


def can_generate(user, case) -> bool:
    return user.has_perm(GENERATE) and case.is_workable_by(user)


@login_required
@require_GET
@permission_required("documents.view_generateddocument", raise_exception=True)
def form_preview(request, pk, code):
    """The form as it will print (the PDF's own template and stylesheet)."""
    case = get_object_or_404(Case.objects.visible_to(request.user)
                             .select_related("department", "jurisdiction", "created_by"), pk=pk)
    form = _form_for(case, code)
    obligor = _obligor_for(case, form, request.GET.get("obligor"))
    data = build_data(form, case, obligor)
    if not can_see_full_identity(request.user):
        data = mask_id_numbers(data)
    generate_url = reverse("documents:form_generate", args=[case.pk, form.code]) \
        if can_generate(request.user, case) else None
    html = render_html(form.template, data, preview=True, request=request, extra={
        "back_url": case.get_absolute_url(), "generate_url": generate_url})
    return HttpResponse(html)


@login_required
@require_POST
@permission_required("documents.generate_document", raise_exception=True)
def form_generate(request, pk, code):
    """Render the PDF from the case's data now, archive it as a new version and download it."""
    case = get_object_or_404(Case.objects.workable_by(request.user)
                             .select_related("department", "jurisdiction", "created_by"), pk=pk)
    form = _form_for(case, code)
    obligor = _obligor_for(case, form, request.POST.get("obligor"))
    try:
        document = generate(case, form, by=request.user, obligor=obligor)
    except DocumentError as exc:
        messages.error(request, str(exc))
        return redirect(case.get_absolute_url())
    messages.success(request, f"已生成{document}，并已存档。")
    return redirect("workflow:download_attachment", document.pdf_id)


@login_required
@require_GET
@permission_required("documents.view_generateddocument", raise_exception=True)
def case_documents(request, pk):
    """Every archived version of the case's forms, newest first, with their scans."""
    case = get_object_or_404(Case.objects.visible_to(request.user), pk=pk)
    documents = (GeneratedDocument.objects.visible_to(request.user).filter(case=case)
                 .select_related("generated_by", "obligor", "pdf", "scan", "scan_uploaded_by"))
    page = keyset_page(documents, key="generated_at", after=request.GET.get("after"),
                       before=request.GET.get("before"))
    can_upload = (request.user.has_perm("documents.upload_scan")
                  and case.is_workable_by(request.user))
    return render(request, "documents/case_documents.html", {
        "case": case, "page": page, "query": request.GET.copy(), "can_upload": can_upload,
        "identity_hidden": not can_see_full_identity(request.user),
    })


@login_required
@require_POST
@permission_required("documents.upload_scan", raise_exception=True)
def scan_upload(request, pk):
    document = get_object_or_404(GeneratedDocument.objects.workable_by(request.user)
                                 .select_related("obligor"), pk=pk)
    form = ScanForm(request.POST, request.FILES)
    if form.is_valid():
        attach_scan(document, form.cleaned_data["file"], by=request.user)
        messages.success(request, f"已上传{document}的签章扫描件。")
    else:
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
    return redirect(document.get_absolute_url())
