"""报表: the reports page and the annual work report (年度生态环境损害赔偿工作情况, SX 第四十条).

The page lists the annual report (year and jurisdiction picker; the draft as a web page, PDF
and Excel) beside the half-year system aggregation (CQ 二, screening/views_reports.py) and the
major-case ledger (SX 第十二条, cases/views_ledger.py), each with its own picker. Thin: the
report's content comes from oversight/annual.py, its PDF from the documents service and its
Excel from the shared writer (oversight/annual_export.py)."""

from __future__ import annotations

from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import Jurisdiction
from workflow.forms import StyledForm

from . import annual, annual_export, charts
from .models import AnnualReportText

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FIRST_YEAR = 2015  # 生态环境损害赔偿制度改革试点以来


class AnnualForm(StyledForm, forms.Form):
    year = forms.TypedChoiceField(label="年度", coerce=int, error_messages={
        "required": "请选择年度。", "invalid_choice": "请选择列出的年度。"})
    jurisdiction = forms.ModelChoiceField(
        label="行政区", queryset=Jurisdiction.objects.none(), required=False,
        empty_label="本级（含下级）",
        error_messages={"invalid_choice": "所选行政区不在您的数据范围内。"})

    def __init__(self, *args, user, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["year"].choices = [(y, f"{y}年") for y in
                                       range(today.year, FIRST_YEAR - 1, -1)]
        self.fields["year"].initial = today.year
        self.fields["jurisdiction"].queryset = annual.jurisdictions_for(user)

    def chosen_jurisdiction(self) -> Jurisdiction:
        return self.cleaned_data.get("jurisdiction") or self.user.department.jurisdiction


class TextForm(StyledForm, forms.ModelForm):
    class Meta:
        model = AnnualReportText
        fields = ["text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 10})}


def _require_generator(user) -> None:
    if not annual.may_generate(user):
        raise PermissionDenied("年度工作情况报告由牵头部门协调员或部门负责人生成。")


def _report_from(request):
    """The form and the report of the request's year and jurisdiction (None if invalid)."""
    today = timezone.localdate()
    data = request.GET if "year" in request.GET else {"year": today.year}
    form = AnnualForm(data, user=request.user, today=today)
    if not form.is_valid():
        return form, None
    sel = annual.selection(request.user, form.chosen_jurisdiction(), form.cleaned_data["year"],
                           today)
    return form, annual.build(sel)


def report_charts(report) -> dict:
    """The report's charts, the dashboard's SVG (oversight/charts.py), without links, and the
    rows the templates show as they are."""
    Item = charts.Item
    for row in report.clues.rows:
        row.counts = [row.outcomes[code] for code, _ in report.clues.outcome_labels]
    return {
        "clue_totals": [report.clues.outcome_totals.get(code, 0) for code, _ in
                        report.clues.outcome_labels],
        "money_rows": [(label, f"{v:,.2f}") for (_, label), v in
                       zip(report.money.fields, report.money.total.values(), strict=True)],
        "clue_chart": charts.donut_chart(
            [Item(label, report.clues.outcome_totals.get(code, 0)) for code, label in
             report.clues.outcome_labels], title=f"{report.year}年线索筛查结果"),
        "trend_chart": charts.line_chart(
            ["一季", "二季", "三季", "四季"],
            [charts.Series("启动", [q.started for q in report.trend], [], "#2e7d32"),
             charts.Series("终止", [q.terminated for q in report.trend], [], "#c62828"),
             charts.Series("结案", [q.closed for q in report.trend], [], "#1565c0")],
            title=f"{report.year}年各季度案件启动、终止、结案"),
        "money_chart": charts.bar_chart(
            [Item(label.split("（")[0], float(v), text=f"{v:,.2f} 元") for (_, label), v in
             zip(report.money.fields, report.money.total.values(), strict=True)],
            title="赔偿资金合计", label_width=120, width=600),
    }


@login_required
@require_GET
def reports(request):
    """报表: the annual report and the other periodic exports the user may produce."""
    today = timezone.localdate()
    may_annual = annual.may_generate(request.user)
    context = {
        "may_annual": may_annual,
        "annual_duty": annual.annual_report_due(request.user.department, today)
        if may_annual else None,
        "annual_form": AnnualForm(None, user=request.user, today=today) if may_annual else None,
        "may_half_year": request.user.has_perm("screening.export_jurisdiction_report")
        and getattr(request.user.department, "is_lead", False),
        "half_year": today.year, "half": 1 if today.month <= 6 else 2,
        "years": list(range(today.year, FIRST_YEAR - 1, -1)),
    }
    return render(request, "oversight/reports.html", context)


@login_required
@require_GET
def annual_report(request):
    """The draft as a web page, with the coordinator's text form."""
    _require_generator(request.user)
    form, report = _report_from(request)
    context = {"form": form, "report": report, "may_write": annual.may_write_text(request.user),
               "query": request.GET.urlencode()}
    if report is not None:
        context.update(report_charts(report))
        context["text_form"] = TextForm(instance=report.text)
    return render(request, "oversight/annual.html", context)


def _download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = (f"attachment; filename=\"annual-report\"; "
                                       f"filename*=UTF-8''{quote(filename)}")
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def annual_pdf(request):
    """The draft PDF through the documents service (WeasyPrint, compacted fonts), charts
    included as inline SVG."""
    from documents.rendering import render_pdf

    _require_generator(request.user)
    form, report = _report_from(request)
    if report is None:
        return render(request, "oversight/annual.html", {"form": form}, status=400)
    data = {"report": report, "generated_at": timezone.localtime(), "draft": True,
            **report_charts(report)}
    pdf = render_pdf("oversight/annual_pdf.html", data)
    return _download(pdf, f"{report.title}（草稿）.pdf", "application/pdf")


@login_required
@require_GET
def annual_xlsx(request):
    _require_generator(request.user)
    form, report = _report_from(request)
    if report is None:
        return render(request, "oversight/annual.html", {"form": form}, status=400)
    return _download(annual_export.workbook_bytes(report), f"{report.title}（草稿）.xlsx", XLSX)


@login_required
@require_http_methods(["POST"])
def annual_text(request):
    """The coordinator's 工作情况综述 for the report's jurisdiction and year."""
    if not annual.may_write_text(request.user):
        raise PermissionDenied("工作情况综述由牵头部门协调员填写。")
    today = timezone.localdate()
    form = AnnualForm(request.POST, user=request.user, today=today)
    if not form.is_valid():
        raise PermissionDenied("所选年度或行政区不在您的数据范围内。")
    jurisdiction, year = form.chosen_jurisdiction(), form.cleaned_data["year"]
    instance = AnnualReportText.objects.filter(jurisdiction=jurisdiction, year=year).first()
    text_form = TextForm(request.POST, instance=instance)
    if text_form.is_valid():
        record = text_form.save(commit=False)
        record.jurisdiction, record.year, record.updated_by = jurisdiction, year, request.user
        record.save()
        messages.success(request, "工作情况综述已保存。")
    else:
        messages.error(request, "工作情况综述未保存，请检查填写内容。")
    query = f"year={year}"
    if form.cleaned_data.get("jurisdiction"):
        query += f"&jurisdiction={jurisdiction.pk}"
    return redirect(f"{reverse('oversight:annual_report')}?{query}")
