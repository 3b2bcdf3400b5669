"""The server-side charts: well-formed SVG with every label escaped, links on the marks, and
drawable by WeasyPrint (the annual report's PDF reuses them unchanged)."""

import xml.etree.ElementTree as ET

from oversight.charts import Item, Series, bar_chart, donut_chart, line_chart

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str):
    return ET.fromstring(svg)


def test_bar_chart_escapes_labels_and_links_each_bar():
    svg = bar_chart([Item("<script>alert(1)</script>", 3, "/screening/clues/?a=1&b=2"),
                     Item("水污染", 1)], title="测试")
    root = parse(svg)
    assert "<script>" not in svg
    links = root.findall(f".//{SVG}a")
    assert [a.get("href") for a in links] == ["/screening/clues/?a=1&b=2"]
    assert [r.get("width") for r in root.iter(f"{SVG}rect")][0] != "0"


def test_long_labels_are_cut_with_the_whole_label_in_the_title():
    svg = bar_chart([Item("中央和省级生态环境保护督察发现的", 2)], title="渠道", label_width=100)
    root = parse(svg)
    text = next(root.iter(f"{SVG}text")).text
    assert text.endswith("…") and len(text) < 10
    assert "中央和省级生态环境保护督察发现的：2" in svg


def test_donut_and_line_charts():
    donut = parse(donut_chart([Item("通过", 3, "/x"), Item("未通过", 1, "/y")], title="评估"))
    assert len(donut.findall(f".//{SVG}a")) == 4  # each arc and each legend entry
    assert "75%" in ET.tostring(donut, encoding="unicode")
    empty = donut_chart([], title="空")
    assert "暂无数据" in empty
    line = parse(line_chart(["一季", "二季"], [Series("启动", [1, 4], ["/a", "/b"])],
                            title="趋势"))
    first, second = (float(c.get("cy")) for c in line.iter(f"{SVG}circle"))
    assert second < first  # the higher value is drawn higher up
    assert len(line.findall(f".//{SVG}a")) == 2


def test_weasyprint_draws_them():
    from weasyprint import HTML

    body = bar_chart([Item("水污染", 2), Item("大气污染", 5)], title="损害类型") + \
        donut_chart([Item("通过", 3), Item("未通过", 1)], title="评估") + \
        line_chart(["一季", "二季", "三季"], [Series("启动", [1, 4, 2], [])], title="趋势")
    pdf = HTML(string=f"<html><body>{body}</body></html>").write_pdf()
    assert pdf.startswith(b"%PDF") and len(pdf) > 2000
