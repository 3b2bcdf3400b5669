"""One format for dates, times and amounts on every page (issue 17), Chinese error pages and the
browser tab's title."""

import datetime
from decimal import Decimal

import pytest
from django.template import engines
from django.test import override_settings
from django.urls import include, path

from workflow import formatting
from workflow.forms import PLEASE_CHOOSE, please_choose


def render(text, **context):
    return engines["django"].from_string(text).render(context)


def test_dates_times_and_amounts_have_one_format():
    moment = datetime.datetime(2026, 12, 4, 14, 33, 45, tzinfo=datetime.UTC)
    assert formatting.cn_date(datetime.date(2026, 12, 4)) == "2026年12月4日"
    assert formatting.cn_date(moment) == "2026年12月4日"
    assert formatting.cn_datetime(moment) == "2026年12月4日 22:33"  # Asia/Shanghai
    # the audit trail's JSON forms
    assert formatting.cn_datetime("2026-12-04T14:33:45.48+00:00") == "2026年12月4日 22:33"
    assert formatting.cn_date("2026-12-01") == "2026年12月1日"
    assert formatting.cn_datetime("2026-12-01") == "2026年12月1日"
    assert formatting.amount(Decimal("1250000")) == "1,250,000.00 元"
    assert formatting.amount("348000") == "348,000.00 元"
    assert formatting.amount_figure(Decimal("0")) == "0.00"
    assert formatting.amount(None) == formatting.cn_date(None) == "—"


def test_the_filters_are_builtins_of_every_template():
    text = render("{{ d|cn_date }} {{ t|cn_datetime }} {{ x|amount }} {{ x|amount_figure }}",
                  d=datetime.date(2026, 12, 4), x=Decimal("1250000.5"),
                  t=datetime.datetime(2026, 12, 4, 16, 5, tzinfo=datetime.UTC))
    assert text == "2026年12月4日 2026年12月5日 00:05 1,250,000.50 元 1,250,000.50"


def test_the_tab_title_names_the_page_then_the_system():
    assert render("{% filter page_title %}线索{% endfilter %}") == "线索 · EcoClaim 生态环境损害赔偿"
    assert render("{% filter page_title %}{% endfilter %}") == "EcoClaim 生态环境损害赔偿"


def test_an_empty_choice_reads_please_choose():
    from django import forms

    from accounts.models import Department
    field = forms.ModelChoiceField(Department.objects.none())
    please_choose(field)
    assert field.empty_label == PLEASE_CHOOSE
    typed = forms.TypedChoiceField(choices=[("", "---------"), ("a", "甲")])
    please_choose(typed)
    assert typed.choices == [("", PLEASE_CHOOSE), ("a", "甲")]


def _bad(request):
    from django.core.exceptions import SuspiciousOperation
    raise SuspiciousOperation("bad")


def _boom(request):
    raise RuntimeError("boom")


urlpatterns = [path("bad/", _bad), path("boom/", _boom), path("", include("config.urls"))]


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_400_and_500_pages_are_chinese(client):
    client.raise_request_exception = False
    bad = client.get("/bad/")
    assert bad.status_code == 400 and "请求有误" in bad.content.decode()
    boom = client.get("/boom/")
    assert boom.status_code == 500 and "系统错误" in boom.content.decode()
    assert "<title>系统错误 · EcoClaim 生态环境损害赔偿</title>" in boom.content.decode()


@pytest.mark.django_db
def test_a_refused_form_explains_in_chinese(demo_org):
    from django.test import Client
    client = Client(enforce_csrf_checks=True)
    client.force_login(demo_org.by_username["jingban"])
    response = client.post("/accounts/logout/")
    assert response.status_code == 403
    assert "页面已过期" in response.content.decode()


def test_the_history_reads_as_sentences_also_for_events_written_before():
    from workflow.templatetags.ecoclaim_format import audit_changes
    stored = {  # as issue 17 found them on the timeline
        "content_type": {"label": "content type", "old": "", "new": "案件 | 案件"},
        "object_id": {"label": "object id", "old": "", "new": "8"},
        "action": {"label": "申请事项代码", "old": "", "new": "case_initiation"},
        "request": {"label": "request", "old": "", "new": "索赔启动（审批中）"},
        "requested_at": {"label": "申请时间", "old": "", "new": "2026-12-04T14:33:45.48+00:00"},
        "trivial_assessment": {"label": "显著轻微评估（作出结论时）", "old": "", "new": str({
            "profile": "山西省 第1版", "amount_text": "损害数额 2,500.00 元，在 SX 第十条规定的 3,000 元以下",
            "within_threshold": True, "suggestion": "可以不启动索赔。",
            "exceptions": [{"code": "repeat", "label": "2年内再次发生", "citation": "SX 第十一条(二)",
                            "applies": False, "detail": ""}]})},
    }
    assert audit_changes(stored) == [
        {"label": "审批申请", "old": "", "new": "索赔启动（审批中）"},
        {"label": "申请时间", "old": "", "new": "2026年12月4日 22:33"},
        {"label": "显著轻微评估（作出结论时）", "old": "",
         "new": "损害数额 2,500.00 元，在 SX 第十条规定的 3,000 元以下；不具备2年内再次发生"
                "（SX 第十一条(二)）；可以不启动索赔。"},
    ]


def test_citations_name_the_document_first_then_on_hover():
    from rules.citations import cite
    html = cite("显著轻微（SX 第十条）；又见SX 第十一条(二)。")
    # the seed's own title: 晋环规〔2025〕2号《生态环境损害赔偿管理办法》 (seeds/README.md)
    assert ">山西省《生态环境损害赔偿管理办法》第十条</abbr>" in html
    assert '（晋环规〔2025〕2号）第十一条(二)（简称 SX）">SX 第十一条(二)</abbr>' in html
    assert cite("<b>") == "&lt;b&gt;"


@pytest.mark.django_db
def test_a_field_added_after_init_also_reads_please_choose():
    from django import forms

    from accounts.models import Department
    from workflow.forms import StyledForm

    class Late(StyledForm, forms.Form):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields["department"] = forms.ModelChoiceField(Department.objects.none())

    html = str(Late()["department"])
    assert PLEASE_CHOOSE in html and "---------" not in html
