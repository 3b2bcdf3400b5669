"""Importing clues from Excel: upload → preview (a dry run: every row's result, nothing saved;
computed once and stored) → confirm (the same import, for real, in one transaction) or discard.
A file of more than ECOCLAIM_IMPORT_DIRECT_MAX_ROWS rows is previewed and confirmed by a
background job whose progress the page polls. The uploaded file waits in private storage as a
ClueImport that only its uploader can see."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from workflow.excel_import import (
    confirm_in_background,
    preview_context,
    progress_fragment,
    template_response,
    upload_page,
    uploaders_own,
)

from . import imports
from .models import ClueImport


def _own_import(request, pk) -> ClueImport:
    # Only the uploader's, of their current department: nobody else previews or confirms it.
    return uploaders_own(ClueImport, request, pk)


@login_required
@permission_required("screening.add_clue", raise_exception=True)
def import_upload(request):
    department = request.user.handling_department
    if department is None:
        return render(request, "403.html", status=403)
    return upload_page(request, store=imports.store_upload, department=department,
                       template="screening/import_upload.html")


@login_required
@permission_required("screening.add_clue", raise_exception=True)
def import_preview(request, pk):
    clue_import = _own_import(request, pk)
    return render(request, "screening/import_preview.html",
                  {"clue_import": clue_import,
                   **preview_context(clue_import, by=request.user)})


@login_required
@permission_required("screening.add_clue", raise_exception=True)
def import_progress(request, pk):
    clue_import = _own_import(request, pk)
    return progress_fragment(request, clue_import, progress_url=clue_import.progress_url)


@login_required
@require_POST
@permission_required("screening.add_clue", raise_exception=True)
def import_confirm(request, pk):
    clue_import = _own_import(request, pk)
    if confirm_in_background(clue_import):
        messages.info(request, "正在后台导入，本页显示进度；可离开本页，稍后回来查看结果。")
        return redirect(clue_import.get_absolute_url())
    try:
        report = imports.confirm_import(clue_import, by=request.user)
    except imports.AlreadyHandled as e:
        messages.error(request, str(e))
        return redirect(clue_import.get_absolute_url())
    if report.problems or report.invalid:
        messages.error(request, "文件内容有错误，未导入任何线索。请按下列提示修改后重新上传。")
        return render(request, "screening/import_preview.html",
                      {"clue_import": clue_import, "upload": clue_import, "report": report},
                      status=400)
    messages.success(request, f"已导入{report.new}条线索" +
                     (f"，{report.skipped}条与已登记线索重复，已跳过" if report.skipped else "") + "。")
    return redirect(reverse("screening:clue_list"))


@login_required
@require_POST
@permission_required("screening.add_clue", raise_exception=True)
def import_discard(request, pk):
    clue_import = _own_import(request, pk)
    if imports.discard_import(clue_import):
        messages.info(request, "已放弃本次导入，文件已删除。")
    return redirect("screening:import_upload")


@login_required
@permission_required("screening.add_clue", raise_exception=True)
def import_template(request):
    return template_response(imports.write_template, filename="clue-import-template.xlsx",
                             chinese_filename="线索导入模板.xlsx")
