"""The quarterly screening list (线索筛查清单) and the half-year aggregation (CQ 二).

A list of up to ECOCLAIM_REPORT_DIRECT_MAX_ROWS rows is built in the request and downloaded at
once; a bigger one is built by a Celery task while the page polls its progress (htmx, every 2
seconds) and offers the file when it is ready. Every export is a ReportExport row, downloaded
only through report_export_download, which applies the scoping rule (404 outside it)."""

from datetime import date
from io import BytesIO

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.models import Department
from workflow.forms import StyledForm

from . import reports
from .models import ReportExport, ScreeningRound
from .rounds import quarter_bounds, quarter_label, quarter_of

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _may_export_jurisdiction(user) -> bool:
    department = user.department
    return department is not None and department.is_lead and \
        user.has_perm("screening.export_jurisdiction_report")


class QuarterForm(StyledForm, forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100, error_messages={
        "required": "请填写年度。", "invalid": "年度应为四位数字。",
        "min_value": "年度不能早于2000年。", "max_value": "年度不能晚于2100年。"})
    quarter = forms.TypedChoiceField(label="季度", coerce=int, choices=ScreeningRound.QUARTERS,
                                     error_messages={"required": "请选择季度。",
                                                     "invalid_choice": "请选择第一至第四季度。"})
    department = forms.ModelChoiceField(
        label="范围", required=False, queryset=None, empty_label="本行政区及下级全部部门",
        error_messages={"invalid_choice": "所选部门不在本行政区及下级范围内。"})

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        today = timezone.localdate()
        self.fields["year"].initial, self.fields["quarter"].initial = quarter_of(today)
        if _may_export_jurisdiction(user):
            self.fields["department"].queryset = Department.objects.filter(
                jurisdiction__path__startswith=user.department.jurisdiction.path).exclude(
                kind__in=[Department.Kind.PROCURATORATE, Department.Kind.FINANCE]
            ).select_related("jurisdiction")
        else:
            del self.fields["department"]  # one's own department, whatever is posted

    def clean(self):
        cleaned = super().clean()
        year, quarter = cleaned.get("year"), cleaned.get("quarter")
        if year and quarter and quarter_bounds(year, quarter)[0] > timezone.localdate():
            self.add_error("quarter", f"{quarter_label(year, quarter)}尚未开始。")
        return cleaned

    def scope(self) -> reports.ReportScope:
        data = self.cleaned_data
        own = self.user.department
        if "department" not in self.fields:
            return reports.ReportScope(own, data["year"], data["quarter"])
        chosen = data.get("department")
        if chosen is None:
            return reports.ReportScope(own, data["year"], data["quarter"],
                                       whole_jurisdiction=True)
        return reports.ReportScope(chosen, data["year"], data["quarter"])


def _file_response(export: ReportExport) -> FileResponse:
    try:
        handle = export.file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    response = FileResponse(handle, as_attachment=True, filename=export.filename,
                            content_type=XLSX)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@permission_required("screening.export_screening_report", raise_exception=True)
def report_quarterly(request):
    if request.user.department is None or not request.user.department.handles_claims:
        return render(request, "403.html", status=403)
    form = QuarterForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        scope = form.scope()
        rows = scope.clues().count()
        if rows <= reports.direct_max_rows():
            export = reports.create_export(scope, by=request.user, rows_total=rows)
            export = reports.build_export(export.pk)
            if export is not None and export.status == ReportExport.Status.DONE:
                return _file_response(export)
            messages.error(request, "生成报表时发生错误，请稍后重试。")
            return redirect("screening:report_quarterly")
        export = reports.request_export(scope, by=request.user, rows_total=rows)
        messages.info(request, f"清单共{rows:,}条线索，正在后台生成，完成后可在本页下载。")
        return redirect(export.get_absolute_url())
    recent = (reports.exports_visible_to(request.user).filter(requested_by=request.user)
              .select_related("department")[:10])
    return render(request, "screening/report_quarterly.html", {
        "form": form, "recent": recent, "direct_max": reports.direct_max_rows(),
        "can_half_year": _may_export_jurisdiction(request.user),
    })


def _visible_export(request, pk) -> ReportExport:
    return get_object_or_404(
        reports.exports_visible_to(request.user).select_related("department", "requested_by"),
        pk=pk)


@login_required
@permission_required("screening.export_screening_report", raise_exception=True)
def report_export(request, pk):
    return render(request, "screening/report_export.html",
                  {"export": _visible_export(request, pk)})


@login_required
@require_GET
@permission_required("screening.export_screening_report", raise_exception=True)
def report_export_progress(request, pk):
    """The progress fragment the export page polls (hx-get every 2 s until finished)."""
    return render(request, "screening/report_progress.html",
                  {"export": _visible_export(request, pk)})


@login_required
@require_GET
@permission_required("screening.export_screening_report", raise_exception=True)
def report_export_download(request, pk):
    export = _visible_export(request, pk)
    if export.status != ReportExport.Status.DONE or not export.file:
        raise Http404
    return _file_response(export)


class HalfYearForm(StyledForm, forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100, error_messages={
        "required": "请填写年度。", "invalid": "年度应为四位数字。",
        "min_value": "年度不能早于2000年。", "max_value": "年度不能晚于2100年。"})
    half = forms.TypedChoiceField(label="半年", coerce=int, choices=[(1, "上半年"), (2, "下半年")],
                                  error_messages={"required": "请选择上半年或下半年。",
                                                  "invalid_choice": "请选择上半年或下半年。"})

    def clean(self):
        cleaned = super().clean()
        year, half = cleaned.get("year"), cleaned.get("half")
        if year and half and date(year, 1 if half == 1 else 7, 1) > timezone.localdate():
            self.add_error("half", "所选半年尚未开始。")
        return cleaned


@login_required
@require_GET
@permission_required("screening.export_jurisdiction_report", raise_exception=True)
def report_half_year(request):
    """CQ 二: 各系统每半年收集汇总本系统筛查情况 — for the lead department, per system (department
    kind) and per jurisdiction, its jurisdiction and those below it."""
    if not _may_export_jurisdiction(request.user):
        return render(request, "403.html", status=403)
    today = timezone.localdate()
    data = request.GET if "year" in request.GET else {
        "year": today.year, "half": 1 if today.month <= 6 else 2}
    form = HalfYearForm(data)
    aggregation = None
    if form.is_valid():
        aggregation = reports.half_year_aggregation(
            request.user.department, form.cleaned_data["year"], form.cleaned_data["half"])
        if request.GET.get("format") == "xlsx":
            buffer = BytesIO()  # a few rows per system and jurisdiction
            reports.write_half_year(aggregation, buffer)
            response = HttpResponse(buffer.getvalue(), content_type=XLSX)
            response["Content-Disposition"] = _disposition(aggregation.filename)
            response["X-Content-Type-Options"] = "nosniff"
            return response
    return render(request, "screening/report_half_year.html", {
        "form": form, "aggregation": aggregation, "outcomes": reports.OUTCOMES,
        "query": request.GET.urlencode(),
    })


def _disposition(filename: str) -> str:
    from urllib.parse import quote

    return f"attachment; filename=\"report.xlsx\"; filename*=UTF-8''{quote(filename)}"
