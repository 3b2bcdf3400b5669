"""Charts drawn on the server as SVG: horizontal bars, lines and a donut, with Chinese labels.

Why server-side SVG and not a JavaScript library: the same markup goes into the page and,
unchanged, into the annual report's PDF (WeasyPrint draws inline SVG; it runs no JavaScript),
so a chart is written once; nothing is fetched or bundled (no CDN; the CSP allows no inline
script or style, so the SVG uses presentation attributes only); the page works without
JavaScript and prints. The geometry is computed here (plain arithmetic on a few numbers) and
the markup written here too, every label and link through Django's `escape` (a template per
chart cost a dozen milliseconds a page, issue 15). Each mark can carry a link (`href`) to the
list it counts."""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

PALETTE = ["#2e7d32", "#1565c0", "#ef6c00", "#6a1b9a", "#c62828", "#00838f", "#9e9d24",
           "#5d4037", "#546e7a", "#ad1457", "#283593", "#558b2f", "#8d6e63", "#37474f"]
FONT = "Noto Sans CJK SC, Noto Sans SC, Microsoft YaHei, sans-serif"


@dataclass
class Item:
    label: str
    value: float
    href: str = ""
    color: str = ""
    text: str = ""  # the value as shown (e.g. 1,250,000.00 元); default the number


def _text(item: Item) -> str:
    if item.text:
        return item.text
    v = item.value
    return f"{int(v):,}" if float(v).is_integer() else f"{v:,.2f}"


def _fit(label: str, width: float, size: int = 13) -> str:
    """The label cut to the room it has (a CJK character is about `size` px wide, a Latin
    one half that); the whole label stays in the mark's <title>."""
    used, out = 0.0, []
    for ch in label:
        used += size if ord(ch) > 0x2E80 else size * 0.55
        if used > width:
            return "".join(out[:-1]) + "…"
        out.append(ch)
    return label


def _open(kind: str, title: str, width, height, size: int) -> str:
    t = escape(title)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{kind} img-fluid d-block" '
            f'role="group" aria-label="{t}" viewBox="0 0 {width} {height}" width="{width}" '
            f'height="{height}" font-family="{escape(FONT)}" font-size="{size}"><title>{t}</title>')


def _link(href: str, inner: str) -> str:
    return f'<a href="{escape(href)}">{inner}</a>' if href else inner


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1
    exp = 10 ** math.floor(math.log10(value))
    for m in (1, 2, 2.5, 5, 10):
        if value <= m * exp:
            return m * exp
    return 10 * exp


def bar_chart(items: list[Item], *, title: str, width: int = 520, label_width: int = 150,
              bar_height: int = 22, gap: int = 8) -> SafeString:
    """Horizontal bars, one per item, the value written after the bar."""
    top = 8
    plot = width - label_width - 130  # room for the value after the longest bar
    peak = max((float(i.value) for i in items), default=0) or 1
    bars = []
    for n, item in enumerate(items):
        y = top + n * (bar_height + gap)
        length = 0 if not item.value else max(2.0, plot * float(item.value) / peak)
        bars.append({"item": item, "y": y, "short": _fit(item.label, label_width - 10), "ty": y + bar_height * 0.7, "w": round(length, 1),
                     "tx": round(label_width + length + 6, 1), "text": _text(item),
                     "color": item.color or PALETTE[n % len(PALETTE)]})
    height = top * 2 + max(1, len(items)) * (bar_height + gap)
    out = [_open("bar", title, width, height, 13)]
    if not items:
        out.append('<text x="8" y="24" fill="#6c757d">暂无数据</text>')
    out.append("\n")
    for b in bars:
        label, text = escape(b["item"].label), escape(b["text"])
        out.append("<g>" + _link(b["item"].href, (
            f'<text x="{label_width - 6}" y="{b["ty"]}" text-anchor="end" fill="#212529">'
            f'{escape(b["short"])}</text><rect x="{label_width}" y="{b["y"]}" '
            f'width="{b["w"]}" height="{bar_height}" rx="3" fill="{escape(b["color"])}"><title>'
            f'{label}：{text}</title></rect><text x="{b["tx"]}" y="{b["ty"]}" '
            f'fill="#212529">{text}</text>')) + "</g>\n")
    out.append("</svg>\n")
    return mark_safe("".join(out))


@dataclass
class Series:
    label: str
    values: list[float]
    hrefs: list[str]
    color: str = ""


def line_chart(x_labels: list[str], series: list[Series], *, title: str, width: int = 640,
               height: int = 260) -> SafeString:
    """Lines over the x labels (e.g. eight quarters), with a point per value and a legend."""
    left, right, top, bottom = 44, 16, 30, 46
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for s in series for v in s.values]
    peak = _nice_max(max((float(v) for v in values), default=0))
    if all(float(v).is_integer() for v in values) and peak % 4:
        peak = math.ceil(peak / 4) * 4  # counts: whole-number ticks
    step = plot_w / max(1, len(x_labels) - 1)

    def x(i):
        return round(left + i * step, 1)

    def y(v):
        return round(top + plot_h - plot_h * float(v) / peak, 1)

    ticks = [{"y": y(peak * k / 4), "text": _text(Item("", peak * k / 4))} for k in range(5)]
    lines = []
    for n, s in enumerate(series):
        color = s.color or PALETTE[n % len(PALETTE)]
        points = [{"x": x(i), "y": y(v), "v": _text(Item("", v)), "href": s.hrefs[i] if s.hrefs else "",
                   "label": x_labels[i]} for i, v in enumerate(s.values)]
        lines.append({"label": s.label, "color": color, "points": points,
                      "path": " ".join(f"{p['x']},{p['y']}" for p in points),
                      "lx": left + n * 110, "ly": 14})
    out = [_open("line", title, width, height, 12), "\n"]
    for t in ticks:
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{t["y"]}" y2="{t["y"]}" '
                   f'stroke="#dee2e6" stroke-width="1"/><text x="{left - 6}" y="{t["y"]}" '
                   f'dy="4" text-anchor="end" fill="#6c757d">{escape(t["text"])}</text>\n')
    for i, t in enumerate(x_labels):
        out.append(f'<text x="{x(i)}" y="{top + plot_h + 18}" text-anchor="middle" '
                   f'fill="#495057">{escape(t)}</text>\n')
    for ln in lines:
        label, color = escape(ln["label"]), escape(ln["color"])
        out.append(f'<g><rect x="{ln["lx"] + left}" y="{ln["ly"] - 9}" width="12" height="12" '
                   f'rx="2" fill="{color}"/><text x="{ln["lx"] + left + 16}" y="{ln["ly"]}" '
                   f'fill="#212529">{label}</text>\n<polyline points="{ln["path"]}" '
                   f'fill="none" stroke="{color}" stroke-width="2.5"/>\n')
        for p in ln["points"]:
            out.append(_link(p["href"], (
                f'<circle cx="{p["x"]}" cy="{p["y"]}" r="4.5" fill="{color}"><title>'
                f'{escape(p["label"])} {label}：{escape(p["v"])}</title></circle>')))
        out.append("</g>\n")
    out.append("</svg>\n")
    return mark_safe("".join(out))


def donut_chart(items: list[Item], *, title: str, size: int = 180,
                width: int = 460) -> SafeString:
    """A donut of shares with a legend (label, count) beside it; the total in the middle."""
    r, stroke = size / 2 - 18, 26
    circumference = 2 * math.pi * r
    total = sum(float(i.value) for i in items)
    arcs, offset = [], 0.0
    for n, item in enumerate(items):
        share = float(item.value) / total if total else 0
        length = circumference * share
        arcs.append({"item": item, "color": item.color or PALETTE[n % len(PALETTE)],
                     "dash": f"{length:.2f} {circumference - length:.2f}",
                     "offset": f"{-offset:.2f}", "text": _text(item),
                     "pct": f"{share * 100:.0f}%", "ly": 20 + n * 22})
        offset += length
    height = max(size, 20 + len(items) * 22)
    c, r, lx = size / 2, round(r, 2), size + 16
    out = [_open("donut", title, width, height, 13), "\n"]
    if not total:
        out.append(f'<circle cx="{c}" cy="{c}" r="{r}" fill="none" stroke="#e9ecef" '
                   f'stroke-width="{stroke}"/><text x="{c}" y="{c}" dy="5" text-anchor="middle" '
                   f'fill="#6c757d">暂无数据</text>')
    else:
        out.append(f'\n<g transform="rotate(-90 {c} {c})">')
        for a in arcs:
            if a["item"].value:
                out.append(_link(a["item"].href, (
                    f'<circle cx="{c}" cy="{c}" r="{r}" fill="none" stroke="{escape(a["color"])}" '
                    f'stroke-width="{stroke}" stroke-dasharray="{a["dash"]}" '
                    f'stroke-dashoffset="{a["offset"]}"><title>{escape(a["item"].label)}：'
                    f'{escape(a["text"])}（{a["pct"]}）</title></circle>')))
        out.append(f'</g>\n<text x="{c}" y="{c}" dy="6" text-anchor="middle" font-size="18" '
                   f'font-weight="bold" fill="#212529">{escape(_text(Item("", total)))}</text>')
    out.append("\n")
    for a in arcs:
        out.append("<g>" + _link(a["item"].href, (
            f'<rect x="{lx}" y="{a["ly"] - 11}" width="12" height="12" rx="2" '
            f'fill="{escape(a["color"])}"/><text x="{lx + 18}" y="{a["ly"]}" fill="#212529">'
            f'{escape(a["item"].label)}　{escape(a["text"])}（{a["pct"]}）</text>')) + "</g>\n")
    out.append("</svg>\n")
    return mark_safe("".join(out))
