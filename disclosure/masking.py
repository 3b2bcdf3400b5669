"""Automatic masking (脱敏) of what is published (SX 第三十八条; NT 三(十二)): natural persons'
personal data leaves the system only masked; organisations' names stay.

What is masked, in this order (docs/disclosure.md):

1. the officer's extra terms (`extra`), each replaced by ×××;
2. the home addresses of the case's natural persons (their party records), by （住址略）;
3. the names of the case's natural persons, and of the legal representatives and contacts
   recorded on organisations, by the surname and 某 (张三 → 张某; 欧阳娜娜 → 欧阳某);
4. 公民身份号码: 17 digits and a check character (GB 11643-1999), by 18 ×;
5. bank accounts: 12 to 30 digits after 账号/账户/卡号, or any other run of 16 to 19 digits;
6. phone numbers: mobile (1[3-9] and 9 digits) and landline (0 area code - 7 or 8 digits), by ×
   as many as the digits;
7. names in the obvious places of a document (当事人、法定代表人、委托代理人、联系人 … followed by a
   name of two to four characters), by the surname and 某.

A 统一社会信用代码 (an organisation's) is left as it is. Masking is a pure function of the
original text and the terms, computed again on every change: an officer can add terms, and no
one can remove what the rules mask."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from parties.validators import credit_code_check_char, id_number_check_char

EXTRA_MASK = "×××"
ADDRESS_MASK = "（住址略）"

# 复姓 kept whole before 某 (the common ones; a rarer one still loses its given name)
COMPOUND_SURNAMES = (
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文",
    "司徒", "令狐", "夏侯", "轩辕", "端木", "西门", "南宫", "独孤", "澹台", "呼延", "万俟",
)

_CJK = "\u4e00-\u9fff"
_NOT_ALNUM_BEFORE = r"(?<![0-9A-Za-z])"
_NOT_ALNUM_AFTER = r"(?![0-9A-Za-z])"

ID_NUMBER = re.compile(_NOT_ALNUM_BEFORE + r"\d{17}[\dXx]" + _NOT_ALNUM_AFTER)
CREDIT_CODE = re.compile(_NOT_ALNUM_BEFORE + r"[0-9A-HJ-NPQRTUWXY]{18}" + _NOT_ALNUM_AFTER)
ACCOUNT_AFTER_WORD = re.compile(
    r"((?:银行)?(?:账号|帐号|账户|帐户|卡号)[：:\s]*)(\d[\d \-]{10,36}\d)" + _NOT_ALNUM_AFTER)
LONG_DIGITS = re.compile(_NOT_ALNUM_BEFORE + r"\d{16,19}" + _NOT_ALNUM_AFTER)
MOBILE = re.compile(_NOT_ALNUM_BEFORE + r"(?:\+?86[ \-]?)?1[3-9]\d[ \-]?\d{4}[ \-]?\d{4}"
                    + _NOT_ALNUM_AFTER)
LANDLINE = re.compile(_NOT_ALNUM_BEFORE + r"(?:[(（]0\d{2,3}[)）]|0\d{2,3}-)\d{7,8}"
                      r"(?:-\d{1,5})?" + _NOT_ALNUM_AFTER)
TITLED_NAME = re.compile(
    r"(当事人|法定代表人|法人代表|负责人|委托代理人|代理人|联系人|经办人|实际控制人|投资人|经营者|"
    r"被告人|被告|原告|上诉人|被上诉人|申请人|被申请人|赔偿义务人|证人|户主|业主|村民|居民)"
    rf"([：:\s]*)([{_CJK}]{{2,4}})(?=[，,。；;、：:（(\s男女系等]|$)")
# A title followed by these is an organisation or a role, not a person's name.
_NOT_A_NAME_END = ("公司", "单位", "集团", "某", "局", "厂", "委", "院", "部", "处", "所",
                   "社", "站", "会", "队", "中心")


@dataclass
class Hit:
    kind: str  # name, address, id_number, account, phone, extra
    original: str
    replacement: str


@dataclass
class Masked:
    text: str
    hits: list[Hit] = field(default_factory=list)

    def kinds(self) -> set[str]:
        return {h.kind for h in self.hits}


@dataclass(frozen=True)
class Terms:
    """What the records say must be masked: natural persons' names and home addresses."""
    names: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()
    extra: tuple[str, ...] = ()

    def with_extra(self, extra: Iterable[str]) -> Terms:
        return Terms(self.names, self.addresses, tuple(extra))


def surname_mask(name: str) -> str:
    name = name.strip()
    surname = name[:2] if name[:2] in COMPOUND_SURNAMES else name[:1]
    return f"{surname}某"


def is_masked_name(name: str) -> bool:
    return name.endswith("某") or "×" in name


def _valid_id(token: str) -> bool:
    return id_number_check_char(token[:17]) == token[17].upper()


def _valid_credit_code(token: str) -> bool:
    try:
        return credit_code_check_char(token[:17]) == token[17]
    except (KeyError, ValueError, IndexError):
        return False


def _crosses(text: str, n: int) -> str:
    return "×" * n


def _term_pattern(term: str) -> re.Pattern:
    # Text extracted from a PDF breaks lines (and sometimes puts spaces) inside a name or an
    # address: a term matches with any whitespace between its characters.
    return re.compile(r"\s*".join(re.escape(c) for c in term if not c.isspace()))


def _replace_terms(text: str, terms: Iterable[str], kind: str, replacement,
                   hits: list[Hit]) -> str:
    for term in sorted({t.strip() for t in terms if t and t.strip()}, key=len, reverse=True):
        new = replacement(term)
        text, count = _term_pattern(term).subn(new, text)
        if count:
            hits.append(Hit(kind, term, new))
    return text


def mask(text: str, terms: Terms | None = None) -> Masked:
    terms = terms or Terms()
    hits: list[Hit] = []
    text = text or ""
    text = _replace_terms(text, terms.extra, "extra", lambda t: EXTRA_MASK, hits)
    text = _replace_terms(text, terms.addresses, "address", lambda t: ADDRESS_MASK, hits)
    text = _replace_terms(text, [n for n in terms.names if len(n.strip()) >= 2
                                 and not is_masked_name(n.strip())],
                          "name", surname_mask, hits)

    def sub(pattern: re.Pattern, kind: str, keep=None):
        nonlocal text

        def one(m: re.Match) -> str:
            token = m.group(0)
            if keep is not None and keep(token):
                return token
            digits = sum(c.isalnum() for c in token)
            new = _crosses(token, digits)
            hits.append(Hit(kind, token, new))
            return new
        text = pattern.sub(one, text)

    # an organisation's credit code stays (it may be 18 digits, like an ID number)
    sub(ID_NUMBER, "id_number", keep=lambda t: _valid_credit_code(t) and not _valid_id(t))

    def account(m: re.Match) -> str:
        new = _crosses(m.group(2), sum(c.isdigit() for c in m.group(2)))
        hits.append(Hit("account", m.group(2), new))
        return m.group(1) + new
    text = ACCOUNT_AFTER_WORD.sub(account, text)
    sub(LONG_DIGITS, "account", keep=_valid_credit_code)
    sub(MOBILE, "phone")
    sub(LANDLINE, "phone")

    def titled(m: re.Match) -> str:
        name = m.group(3)
        if is_masked_name(name) or name.endswith(_NOT_A_NAME_END) or \
                any(name.startswith(s) for s in ("本", "该", "其", "我", "贵", "双方", "各")):
            return m.group(0)
        new = surname_mask(name)
        hits.append(Hit("name", name, new))
        return m.group(1) + m.group(2) + new
    text = TITLED_NAME.sub(titled, text)
    return Masked(text, hits)


def case_terms(case) -> Terms:
    """The natural persons the case's records name: its obligors and the parties of its clues
    who are persons (name, home address), and the legal representatives of those that are
    organisations."""
    from django.db.models import Q

    from parties.models import Party

    names: list[str] = []
    addresses: list[str] = []
    parties = Party.objects.filter(Q(case_links__case=case) | Q(clues__in=case.clues.all()))
    for party in parties.distinct().order_by("pk"):
        if party.kind == Party.Kind.PERSON:
            names.append(party.name)
            if party.address:
                addresses.append(party.address)
        elif party.legal_representative:
            names.append(party.legal_representative)
    return Terms(tuple(names), tuple(addresses))


def parse_extra(value: str) -> list[str]:
    """The officer's extra terms: one a line (or separated by 、), blanks dropped, in order."""
    seen: list[str] = []
    for line in re.split(r"[\n、]", value or ""):
        term = line.strip()
        if term and term not in seen:
            seen.append(term)
    return seen
