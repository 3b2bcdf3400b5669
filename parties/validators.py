"""The two identifiers of an obligor (DOMAIN §6), checked as their national standards define
them, with a Chinese message that names the wrong character.

- 统一社会信用代码, GB 32100-2015 《法人和其他组织统一社会信用代码编码规则》: 18 characters from
  the 31-character set 0-9 and A-Z without I, O, Z, S, V. Position 1 is the registration
  authority (登记管理部门代码), 2 the kind of organisation (机构类别代码), 3-8 the six-digit
  administrative division code of the registration authority (登记管理机关行政区划码, GB/T 2260),
  9-17 the subject identifier (主体标识码, an organisation code built by GB 11714-1997, whose own
  check character is position 17), 18 the check character: each of positions 1-17 has the
  value of its character in the set (0-9 → 0-9, A → 10 … Y → 30) and the weight 3^(i-1) mod 31
  (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28); the check value is
  31 - (Σ value × weight mod 31), and 31 means 0.
  Positions 1 and 2 are not checked against a table: the registration authorities and kinds
  have been extended since 2015 (e.g. N 农业, A 中央军委改革和编制办公室), and refusing a real
  code would be worse than accepting an unusual one.
- 公民身份号码, GB 11643-1999: 17 digits (6-digit address code, 8-digit date of birth YYYYMMDD,
  3-digit sequence) and a check character: the p-th digit from the left has the weight
  2^(18-p) mod 11 (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2), and the check
  character is "10X98765432"[Σ digit × weight mod 11].

Input is normalised first: full-width characters to half-width (NFKC), every space removed,
letters upper-cased (so a typed "x" is the check character "X")."""

from __future__ import annotations

import datetime
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils import timezone

# --- normalisation --------------------------------------------------------------------


def normalise_code(value: str | None) -> str:
    """Full-width → half-width, no spaces of any kind, upper case. `None` → ""."""
    if not value:
        return ""
    text = unicodedata.normalize("NFKC", str(value))
    # zero-width and other format characters come along when a code is copied from a page
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return re.sub(r"\s+", "", text).upper()


# --- 统一社会信用代码 (GB 32100-2015) ---------------------------------------------------

CREDIT_CODE_LENGTH = 18
CREDIT_CODE_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, Z, S, V
_CREDIT_VALUE = {c: i for i, c in enumerate(CREDIT_CODE_CHARSET)}
CREDIT_CODE_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))

# GB 11714-1997 organisation code (positions 9-17): 0-9 → 0-9, A-Z → 10-35.
_ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def credit_code_check_char(first17: str) -> str:
    """The GB 32100-2015 check character (position 18) of the first 17 characters."""
    total = sum(_CREDIT_VALUE[c] * w for c, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=True))
    return CREDIT_CODE_CHARSET[(31 - total % 31) % 31]


def organisation_code_check_char(first8: str) -> str:
    """The GB 11714-1997 check character of an organisation code's first 8 characters
    (positions 9-16 of a credit code; the result is position 17)."""
    total = sum(int(c, 36) * w for c, w in zip(first8, _ORG_CODE_WEIGHTS, strict=True))
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def _shown(char: str) -> str:
    return char if char.isprintable() else repr(char)


def credit_code_errors(code: str) -> list[str]:
    """The reasons (Chinese) a normalised code is not a valid 统一社会信用代码; [] when it is."""
    if len(code) != CREDIT_CODE_LENGTH:
        return [f"统一社会信用代码应为18位，实为{len(code)}位。"]
    for position, char in enumerate(code, start=1):
        if char not in _CREDIT_VALUE:
            hint = "（不使用字母I、O、Z、S、V）" if char in "IOZSV" else ""
            return [f"第{position}位“{_shown(char)}”不是统一社会信用代码允许的字符{hint}。"]
    for position in range(3, 9):
        char = code[position - 1]
        if not char.isdigit():
            return [f"统一社会信用代码第{position}位“{char}”应为数字"
                    f"（第3至8位为登记管理机关行政区划码）。"]
    expected = credit_code_check_char(code[:17])
    if code[17] != expected:
        return [f"统一社会信用代码第18位（校验码）应为“{expected}”，实为“{code[17]}”。"
                f"请逐位核对代码。"]
    expected = organisation_code_check_char(code[8:16])
    if code[16] != expected:
        return [f"统一社会信用代码第17位（主体标识码的校验码）应为“{expected}”，"
                f"实为“{code[16]}”。请逐位核对代码。"]
    return []


def validate_credit_code(value: str) -> None:
    """Model and form validator: refuses an invalid 统一社会信用代码 with the reason."""
    errors = credit_code_errors(normalise_code(value))
    if errors:
        raise ValidationError(errors[0], code="invalid_credit_code")


def is_valid_credit_code(value: str) -> bool:
    return not credit_code_errors(normalise_code(value))


# --- 公民身份号码 (GB 11643-1999) -------------------------------------------------------

ID_NUMBER_LENGTH = 18
# GB 11643-1999 numbers positions from the right (the check character is 1): W = 2^(i-1) mod 11
# for i = 18 … 2, i.e. 2^(18-p) mod 11 for the p-th character from the left.
ID_NUMBER_WEIGHTS = tuple(pow(2, 18 - p, 11) for p in range(1, 18))
_ID_CHECK_CHARS = "10X98765432"
EARLIEST_BIRTH_DATE = datetime.date(1900, 1, 1)


def id_number_check_char(first17: str) -> str:
    """The GB 11643-1999 check character (position 18) of the first 17 digits."""
    total = sum(int(c) * w for c, w in zip(first17, ID_NUMBER_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11]


def birth_date_of(id_number: str) -> datetime.date | None:
    """Positions 7-14 as a date, or None when they are not a real date."""
    try:
        return datetime.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except ValueError:
        return None


def id_number_errors(number: str, *, today: datetime.date | None = None) -> list[str]:
    """The reasons (Chinese) a normalised number is not a valid 公民身份号码; [] when it is."""
    if len(number) != ID_NUMBER_LENGTH:
        message = f"身份证号码应为18位，实为{len(number)}位。"
        if len(number) == 15 and number.isdigit():
            message += "15位的旧号码已停止使用，请填写18位号码。"
        return [message]
    for position, char in enumerate(number[:17], start=1):
        if not char.isdigit() or not char.isascii():
            return [f"身份证号码第{position}位“{_shown(char)}”应为数字。"]
    last = number[17]
    if not (last.isascii() and (last.isdigit() or last == "X")):
        return [f"身份证号码第18位“{_shown(last)}”应为数字或X。"]
    if number[0] == "0":
        return [f"身份证号码第1至6位（地址码）“{number[:6]}”不是有效的行政区划代码。"]
    born = birth_date_of(number)
    if born is None:
        return [f"身份证号码第7至14位（出生日期）“{number[6:14]}”不是有效日期。"]
    today = today or timezone.localdate()
    if born > today:
        return [f"身份证号码第7至14位（出生日期）“{number[6:14]}”晚于今天。"]
    if born < EARLIEST_BIRTH_DATE:
        return [f"身份证号码第7至14位（出生日期）“{number[6:14]}”早于1900年，请核对。"]
    expected = id_number_check_char(number[:17])
    if last != expected:
        return [f"身份证号码第18位（校验码）应为“{expected}”，实为“{last}”。请逐位核对号码。"]
    return []


def validate_id_number(value: str) -> None:
    """Model and form validator: refuses an invalid 公民身份号码 with the reason."""
    errors = id_number_errors(normalise_code(value))
    if errors:
        raise ValidationError(errors[0], code="invalid_id_number")


def is_valid_id_number(value: str) -> bool:
    return not id_number_errors(normalise_code(value))


def mask_id_number(number: str) -> str:
    """Personal data in lists, lookups and history: 1401**********123X (first 4 and last 4)."""
    if not number:
        return ""
    if len(number) <= 8:
        return "*" * len(number)
    return f"{number[:4]}{'*' * (len(number) - 8)}{number[-4:]}"
