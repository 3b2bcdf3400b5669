"""How the forms write dates and amounts (DOMAIN §4, §6), blanks, and the form registry."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template

from cases.models import Case
from documents import registry
from documents.data import contains_id_number, mask_id_numbers
from documents.formatting import BLANK_DATE, cn_date, yuan, yuan_capitals


def test_dates_in_chinese():
    assert cn_date(datetime.date(2026, 5, 6)) == "2026年5月6日"
    assert cn_date("2026-12-31") == "2026年12月31日"
    # an aware datetime is read in local time (Asia/Shanghai): 20:00 UTC is the next day
    assert cn_date(datetime.datetime(2026, 5, 6, 20, tzinfo=ZoneInfo("UTC"))) == "2026年5月7日"
    assert cn_date(None) is None and cn_date("") is None and cn_date("not a date") is None


@pytest.mark.parametrize(("value", "figures", "capitals"), [
    (Decimal("123000"), "123,000.00元", "人民币壹拾贰万叁仟元整"),
    ("1230000.00", "1,230,000.00元", "人民币壹佰贰拾叁万元整"),
    ("1000.10", "1,000.10元", "人民币壹仟元壹角"),
    ("1234567.89", "1,234,567.89元", "人民币壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分"),
    ("0.05", "0.05元", "人民币伍分"),
    (1010, "1,010.00元", "人民币壹仟零壹拾元整"),
    ("42000.005", "42,000.01元", "人民币肆万贰仟元零壹分"),
])
def test_amounts_in_figures_and_capitals(value, figures, capitals):
    assert yuan(value) == figures
    assert yuan_capitals(value) == capitals


def test_no_amount_and_no_negative_amount():
    assert yuan(None) is None and yuan_capitals("") is None
    with pytest.raises(ValueError, match="负数"):
        yuan_capitals("-1")


def render(source: str, **context) -> str:
    return Template("{% load documents_format %}" + source).render(Context(context))


def test_filters_print_a_blank_line_for_unknown_values():
    blank = '<span class="blank"></span>'
    assert render("{{ v|fill }}", v=None) == blank
    assert render("{{ v|fill }}", v="  ") == blank
    assert render("{{ v|yuan }}{{ v|yuan_capitals }}", v=None) == blank * 2
    assert render("{{ v|cn_date }}", v=None) == BLANK_DATE
    assert render("{{ v|fill }}", v='<img src="x">') == "&lt;img src=&quot;x&quot;&gt;"
    assert render("{{ v|yuan_capitals }}", v="123000.00") == "人民币壹拾贰万叁仟元整"
    assert render("{{ v|clause }}", v="修复至基线水平。") == "修复至基线水平"


def test_registry_offers_forms_by_stage():
    assert [f.code for f in registry.all_forms()][:3] == ["1", "2", "3"]
    stage = Case.Stage

    def offered(s):
        return [f.code for f in registry.available_for(Case(stage=s)) if f.code in "123"]

    assert offered(stage.DRAFT) == ["1"]
    assert offered(stage.INVESTIGATING) == ["1", "2"]
    assert offered(stage.TERMINATED) == ["1", "2", "3"]
    assert offered(stage.NEGOTIATING) == ["1", "2"]
    with pytest.raises(ValueError, match="已登记"):
        registry.register(registry.Form(code="1", title="另一张表", template="x.html",
                                        context=lambda case, obligor=None: {}))


def test_id_numbers_are_found_and_masked():
    data = {"obligors": [{"is_person": False, "code": "91140100000710010T"},
                         {"is_person": True, "code": "140105197503120179"}]}
    assert contains_id_number(data)
    masked = mask_id_numbers(data)
    assert masked["obligors"][1]["code"] == "1401**********0179"
    assert masked["obligors"][0]["code"] == "91140100000710010T"
    assert not contains_id_number({"obligors": [data["obligors"][0]]})
