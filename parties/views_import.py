"""Importing 历史记录 from Excel: upload → preview (a dry run: every row's result, nothing
saved; stored once) → confirm (the same import, for real, in one transaction) or discard, as
for clues, big files in the background
(screening/views_import.py). The uploaded file waits as a HistoricalImport that only its
uploader can see."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from workflow import excel_import

from . import imports
from .models import HistoricalImport

ADD = "parties.add_historicalrecord"


def _own_import(request, pk) -> HistoricalImport:
    return excel_import.uploaders_own(HistoricalImport, request, pk)


def _preview(request, upload, report, status=200, **context):
    return render(request, "parties/historical_import_preview.html", {
        "upload": upload, "report": report, **context,
        "upload_url": reverse("parties:historical_import_upload"),
        "confirm_url": reverse("parties:historical_import_confirm", args=[upload.pk]),
        "discard_url": reverse("parties:historical_import_discard", args=[upload.pk]),
    }, status=status)


@login_required
@permission_required(ADD, raise_exception=True)
def historical_import_upload(request):
    department = request.user.handling_department
    if department is None:
        return render(request, "403.html", status=403)
    return excel_import.upload_page(request, store=imports.store_upload, department=department,
                                    template="parties/historical_import_upload.html")


@login_required
@permission_required(ADD, raise_exception=True)
def historical_import_preview(request, pk):
    upload = _own_import(request, pk)
    context = excel_import.preview_context(upload, by=request.user)
    context.pop("upload")
    return _preview(request, upload, context.pop("report"), **context)


@login_required
@permission_required(ADD, raise_exception=True)
def historical_import_progress(request, pk):
    upload = _own_import(request, pk)
    return excel_import.progress_fragment(request, upload, progress_url=upload.progress_url)


@login_required
@require_POST
@permission_required(ADD, raise_exception=True)
def historical_import_confirm(request, pk):
    upload = _own_import(request, pk)
    if excel_import.confirm_in_background(upload):
        messages.info(request, "正在后台导入，本页显示进度；可离开本页，稍后回来查看结果。")
        return redirect(upload.get_absolute_url())
    try:
        report = imports.confirm_import(upload, by=request.user)
    except excel_import.AlreadyHandled as e:
        messages.error(request, str(e))
        return redirect(upload.get_absolute_url())
    if report.problems or report.invalid:
        messages.error(request, "文件内容有错误，未导入任何历史记录。请按下列提示修改后重新上传。")
        return _preview(request, upload, report, status=400)
    messages.success(request, f"已导入{report.new}条历史记录" +
                     (f"，{report.skipped}条与已登记记录重复，已跳过" if report.skipped else "") + "。")
    return redirect(reverse("parties:historical_import_upload"))


@login_required
@require_POST
@permission_required(ADD, raise_exception=True)
def historical_import_discard(request, pk):
    if excel_import.discard_import(_own_import(request, pk)):
        messages.info(request, "已放弃本次导入，文件已删除。")
    return redirect("parties:historical_import_upload")


@login_required
@permission_required(ADD, raise_exception=True)
def historical_import_template(request):
    return excel_import.template_response(imports.write_template,
                                          filename="historical-import-template.xlsx",
                                          chinese_filename="历史记录导入模板.xlsx")
