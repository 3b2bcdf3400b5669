"""年度工作情况数据 on /public/ (SX 第三十八条 依法向社会公开; the figures are the annual work report
of SX 第四十条): per jurisdiction and year, the headline figures of the **approved** final
version of the annual report (oversight.AnnualReportFinal, approved by the 部门负责人 through the
approval `annual_report_final`).

- Only what was frozen: the figures are the version's `totals`, the JSON snapshot stored with its
  PDF when it was submitted (what the head approved); nothing here counts live records, so a
  record changed afterwards does not move a published figure.
- Only approved versions: a draft, one waiting for approval or returned (退回) is never read;
  of several approved versions of a jurisdiction and year the latest one is shown.
- Only counts and sums, never a name: the page shows the keys listed in FIGURES and no other
  field of the version (not its files, its submitter or its department's people).
- Cached like the other public pages (disclosure/public.py): rendered without the request,
  `Cache-Control: public`, and the HTML kept under the version that an approval changes too
  (`final_approved`)."""

import re
from decimal import Decimal, InvalidOperation

from django.db.models import Max
from django.http import Http404
from django.template.loader import render_to_string
from django_fsm.signals import post_transition

from oversight.models import AnnualReportFinal

from .public import _cached_page, public_page, published_set_changed

CODE = re.compile(r"[0-9A-Za-z]{1,12}")

# (key in AnnualReportFinal.totals, 分组, label, unit); "元" marks an amount (a string there)
FIGURES = [
    ("rounds", "案件线索筛查", "开展筛查", "次"),
    ("clues", "案件线索筛查", "登记案件线索", "条"),
    ("started", "索赔案件办理", "启动索赔", "件"),
    ("concluded", "索赔案件办理", "结案", "件"),
    ("terminated", "索赔案件办理", "终止索赔", "件"),
    ("majors", "索赔案件办理", "重大案件", "件"),
    ("agreements", "磋商与诉讼", "签订赔偿协议", "件"),
    ("negotiations_failed", "磋商与诉讼", "磋商未达成一致", "件"),
    ("confirmations", "磋商与诉讼", "司法确认", "件"),
    ("litigations_filed", "磋商与诉讼", "提起索赔诉讼", "件"),
    ("litigations_judged", "磋商与诉讼", "诉讼作出裁判", "件"),
    ("enforcements_concluded", "磋商与诉讼", "强制执行终结", "件"),
    ("claimed", "赔偿资金", "索赔金额", "元"),
    ("agreed", "赔偿资金", "协议约定赔偿", "元"),
    ("judged", "赔偿资金", "判决确定赔偿", "元"),
    ("paid", "赔偿资金", "已缴纳赔偿", "元"),
    ("outstanding", "赔偿资金", "欠缴赔偿", "元"),
    ("fund_used", "赔偿资金", "本年度资金使用", "元"),
    ("restoration_projects", "生态环境修复", "修复项目", "个"),
    ("assessments_passed", "生态环境修复", "修复效果评估通过", "个"),
    ("assessments_failed", "生态环境修复", "修复效果评估未通过", "个"),
]


def approved():
    return AnnualReportFinal.objects.filter(state__in=AnnualReportFinal.APPROVED_STATES)


def _figure(value, unit):
    if unit != "元":
        return value if isinstance(value, int) and not isinstance(value, bool) else None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def groups(snapshot: dict) -> list[tuple[str, list[tuple[str, object, str]]]]:
    """The snapshot's figures by group, in FIGURES' order; a key the snapshot lacks (a version
    frozen before the key existed) or a value that is not a figure is left out."""
    out: dict[str, list] = {}
    for key, group, label, unit in FIGURES:
        value = _figure(snapshot.get(key), unit) if isinstance(snapshot, dict) else None
        if value is not None:
            out.setdefault(group, []).append((label, value, unit))
    return list(out.items())


@public_page
def figures_list(request):
    return _cached_page(request, _list_html)


def _list_html() -> str:
    rows = (approved().values("jurisdiction__code", "jurisdiction__name", "jurisdiction__path",
                              "year").annotate(version=Max("version"))
            .order_by("jurisdiction__path", "-year"))
    return render_to_string("public/figures_list.html", {"rows": list(rows)})


@public_page
def figures_detail(request, code, year):
    if not CODE.fullmatch(code) or not 1900 < year < 3000:
        raise Http404
    final = (approved().filter(jurisdiction__code=code, year=year).select_related("jurisdiction")
             .only("version", "year", "totals", "approved_at", "jurisdiction__name",
                   "jurisdiction__code").order_by("-version").first())
    if final is None:
        raise Http404
    return _cached_page(request, lambda: render_to_string("public/figures.html", {
        "jurisdiction": final.jurisdiction, "year": final.year, "version": final.version,
        "approved_at": final.approved_at, "groups": groups(final.totals)}))


def final_approved(sender, instance, name, source, target, **kwargs):
    """An annual report's final version was approved: the cached public pages are dropped."""
    if name == "approve":
        published_set_changed()


def connect() -> None:
    post_transition.connect(final_approved, sender=AnnualReportFinal,
                            dispatch_uid="disclosure.public_figures.final_approved")

