"""The documents the rules cite by short name (SX 第十条, CQ 七(一), NAT 六 …), named in full
for a reader: `cite(text)` (the template filter `{{ text|cite }}`) writes a citation's document
by name on its first use in the text and keeps the short form afterwards, each with the full
name in a title attribute (shown on hover).

The names are the seeds' own (/work/shared/seeds/README.md and the first page of each file)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class Source:
    code: str
    issuer: str  # who issued it, as a reader places it
    title: str  # 《…》, exactly as the seed writes it
    number: str = ""  # 文号

    @property
    def name(self) -> str:
        return f"{self.issuer}{self.title}"

    @property
    def full(self) -> str:
        return f"{self.issuer}{self.title}" + (f"（{self.number}）" if self.number else "")


SOURCES = {s.code: s for s in [
    Source("CQ", "重庆市", "《关于进一步明确生态环境损害赔偿制度改革工作若干问题具体意见的通知》",
           "渝环〔2025〕34号"),
    Source("NAT", "", "《关于推进生态环境损害赔偿制度改革若干具体问题的意见》"),
    Source("NT", "南通市", "《关于贯彻落实生态环境损害赔偿管理规定的实施意见》"),
    Source("ZJ", "浙江省", "《关于生态环境损害赔偿制度改革若干问题的具体意见（征求意见稿）》编制说明"),
    Source("SX", "山西省", "《生态环境损害赔偿管理办法》", "晋环规〔2025〕2号"),
]}

_NUMERAL = "一二三四五六七八九十百零"
# "SX 第十条", "SX 第十一条(二)", "CQ 七(一)", "CQ 七(三)6", "NT 三(十一)", "NAT 六", "NAT 附件[4]"
CITATION = re.compile(
    r"(?<![A-Za-z])(?P<code>CQ|NAT|NT|ZJ|SX)(?![A-Za-z])[ \u00a0]?"
    rf"(?P<clause>第[{_NUMERAL}]+条(?:[（(][{_NUMERAL}]+[)）])*|[{_NUMERAL}]+(?:[（(][{_NUMERAL}]+[)）])*\d*)?")


def cite(text, mode: str = "") -> SafeString:
    """The text (escaped unless already safe) with each citation marked up: the first of each
    document as 山西省《生态环境损害赔偿管理办法》第十条, later ones as SX 第十条; all with the
    full name and 文号 in a title attribute. `mode="hover"` keeps every citation short (a
    list's column), the name on hover only."""
    if text is None:
        return mark_safe("")
    escaped = str(conditional_escape(text))
    named: set[str] = set()

    def expand(match: re.Match) -> str:
        source = SOURCES[match["code"]]
        clause = match["clause"] or ""
        title = f"{source.full}{clause}（简称 {source.code}）"
        if source.code in named or mode == "hover":
            shown = match.group(0)
        else:
            named.add(source.code)
            shown = f"{source.name}{clause}"
        return format_html('<abbr class="cite" title="{}">{}</abbr>', title, mark_safe(shown))

    return mark_safe(CITATION.sub(expand, escaped))
