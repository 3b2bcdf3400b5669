"""The two identity codes as their standards define them (DOMAIN §6): 统一社会信用代码 by
GB 32100-2015 and 公民身份号码 by GB 11643-1999, with a Chinese message naming the wrong
character, after normalising spaces, full-width characters and a lower-case x."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from parties.validators import (
    CREDIT_CODE_WEIGHTS,
    ID_NUMBER_WEIGHTS,
    credit_code_check_char,
    credit_code_errors,
    id_number_check_char,
    id_number_errors,
    is_valid_credit_code,
    is_valid_id_number,
    mask_id_number,
    normalise_code,
    organisation_code_check_char,
    validate_credit_code,
    validate_id_number,
)
from tests.parties.factories import make_credit_code, make_id_number

# Publicly listed codes of well-known organisations (business licences and credit-code
# registries), covering registration authorities 1 (机构编制) and 9 (工商), kinds 1 (企业) and
# 2 (个体工商户), organisation codes from the old digit series and the new "MA" series, and
# check characters that are digits and letters.
REAL_CREDIT_CODES = [
    "914403001922038216",  # 华为技术有限公司
    "9144030071526726XG",  # 深圳市腾讯计算机系统有限公司
    "91330100799655058B",  # 阿里巴巴（中国）有限公司
    "91110000600037341L",
    "121200004013590816",  # an institution registered by 机构编制
    "91310115MA1K3BTP2B",
    "92340621MA2UK3PJXE",  # 个体工商户
    "91620105L015101280",
]


# --- 统一社会信用代码 ----------------------------------------------------------------------


def test_weights_are_the_standards():
    assert CREDIT_CODE_WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    assert ID_NUMBER_WEIGHTS == (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


@pytest.mark.parametrize("code", REAL_CREDIT_CODES)
def test_real_credit_codes_are_valid(code):
    assert credit_code_errors(code) == []
    assert is_valid_credit_code(code)
    validate_credit_code(code)  # does not raise


@pytest.mark.parametrize("code", REAL_CREDIT_CODES)
def test_the_check_characters_are_computed_from_the_base(code):
    assert credit_code_check_char(code[:17]) == code[17]
    assert organisation_code_check_char(code[8:16]) == code[16]


def test_check_value_31_is_zero():
    # 31 - (Σ mod 31) is 31 when Σ mod 31 = 0; the standard makes that check character "0".
    for n in range(100_000):
        base = f"9114010000{n:07d}"
        total = sum(int(c) * w for c, w in zip(base, CREDIT_CODE_WEIGHTS, strict=True))
        if total % 31 == 0:
            assert credit_code_check_char(base) == "0"
            return
    pytest.fail("no base with Σ mod 31 = 0 found")


@pytest.mark.parametrize("typed", [
    "91440300 192203821 6",
    " 9144 0300 1922 0382 16 ",
    "９１４４０３００１９２２０３８２１６",  # full-width digits
    "91440300\u3000192203821\u200b6",  # ideographic space, zero-width space
])
def test_spaces_and_full_width_characters_are_normalised(typed):
    assert normalise_code(typed) == "914403001922038216"
    validate_credit_code(typed)


def test_lower_case_letters_are_upper_cased():
    assert normalise_code("9144030071526726xg") == "9144030071526726XG"
    validate_credit_code("9144030071526726xg")


@pytest.mark.parametrize(("code", "message"), [
    ("914403001922038217", "统一社会信用代码第18位（校验码）应为“6”，实为“7”。请逐位核对代码。"),
    # one character mistyped in the middle: the check character no longer fits
    ("914403001922038316", "统一社会信用代码第18位（校验码）应为“7”，实为“6”。请逐位核对代码。"),
    ("91440300192203821I", "第18位“I”不是统一社会信用代码允许的字符（不使用字母I、O、Z、S、V）。"),
    ("9144O3001922038216", "第5位“O”不是统一社会信用代码允许的字符（不使用字母I、O、Z、S、V）。"),
    ("91440300Z92203821Z", "第9位“Z”不是统一社会信用代码允许的字符（不使用字母I、O、Z、S、V）。"),
    ("91440300192203821S", "第18位“S”不是统一社会信用代码允许的字符（不使用字母I、O、Z、S、V）。"),
    ("914403001922V38216", "第13位“V”不是统一社会信用代码允许的字符（不使用字母I、O、Z、S、V）。"),
    ("91440300192203821中", "第18位“中”不是统一社会信用代码允许的字符。"),
    ("9144A3001922038216", "统一社会信用代码第5位“A”应为数字（第3至8位为登记管理机关行政区划码）。"),
    ("91440300192203821", "统一社会信用代码应为18位，实为17位。"),
    ("9144030019220382166", "统一社会信用代码应为18位，实为19位。"),
])
def test_a_wrong_credit_code_says_which_character(code, message):
    assert credit_code_errors(normalise_code(code)) == [message]
    with pytest.raises(ValidationError) as caught:
        validate_credit_code(code)
    assert caught.value.messages == [message]
    assert caught.value.code == "invalid_credit_code"


def test_a_wrong_organisation_code_check_character_is_position_17():
    """Positions 9-17 are a GB 11714 organisation code with its own check character; a code
    whose 18th character was recomputed over a wrong 17th is still refused."""
    first16 = "9144030019220382"
    wrong17 = "2"
    assert organisation_code_check_char(first16[8:]) == "1"
    code = first16 + wrong17 + credit_code_check_char(first16 + wrong17)
    assert credit_code_errors(code) == [
        "统一社会信用代码第17位（主体标识码的校验码）应为“1”，实为“2”。请逐位核对代码。"]


def test_generated_test_codes_are_valid():
    assert is_valid_credit_code(make_credit_code("00010000"))
    assert is_valid_id_number(make_id_number())


# --- 公民身份号码 ---------------------------------------------------------------------------

TODAY = datetime.date(2026, 11, 24)


def test_the_standards_example_is_valid():
    # GB 11643-1999's own example (北京市朝阳区, born 1949-12-31, sequence 002, check X)
    assert id_number_check_char("11010519491231002") == "X"
    assert id_number_errors("11010519491231002X", today=TODAY) == []


def test_a_check_character_from_a_published_example():
    assert id_number_check_char("44052418800101001") == "4"


@pytest.mark.parametrize("typed", [
    "11010519491231002x",  # lower-case x
    "110105 19491231 002X",
    "１１０１０５１９４９１２３１００２ｘ",  # full-width, lower-case
])
def test_id_numbers_are_normalised(typed):
    assert normalise_code(typed) == "11010519491231002X"
    validate_id_number(typed)


def test_a_leap_day_is_a_real_date():
    assert id_number_errors(make_id_number(born="20000229"), today=TODAY) == []


@pytest.mark.parametrize(("number", "message"), [
    ("110105194912310021", "身份证号码第18位（校验码）应为“X”，实为“1”。请逐位核对号码。"),
    ("11010519491231003X", "身份证号码第18位（校验码）应为“8”，实为“X”。请逐位核对号码。"),
    ("1101A519491231002X", "身份证号码第5位“A”应为数字。"),
    ("11010519491231002Y", "身份证号码第18位“Y”应为数字或X。"),
    ("110105194902310023", "身份证号码第7至14位（出生日期）“19490231”不是有效日期。"),
    ("110105190002290023", "身份证号码第7至14位（出生日期）“19000229”不是有效日期。"),
    ("110105194913010023", "身份证号码第7至14位（出生日期）“19491301”不是有效日期。"),
    ("110105202612010023", "身份证号码第7至14位（出生日期）“20261201”晚于今天。"),
    ("110105189912310023", "身份证号码第7至14位（出生日期）“18991231”早于1900年，请核对。"),
    ("010105194912310023", "身份证号码第1至6位（地址码）“010105”不是有效的行政区划代码。"),
    ("11010519491231002", "身份证号码应为18位，实为17位。"),
    ("110105491231002", "身份证号码应为18位，实为15位。15位的旧号码已停止使用，请填写18位号码。"),
    ("11010519491231002XX", "身份证号码应为18位，实为19位。"),
])
def test_a_wrong_id_number_says_which_character(number, message):
    assert id_number_errors(normalise_code(number), today=TODAY) == [message]


def test_validate_id_number_raises_with_the_message():
    with pytest.raises(ValidationError) as caught:
        validate_id_number("110105194912310021")
    assert caught.value.messages == ["身份证号码第18位（校验码）应为“X”，实为“1”。请逐位核对号码。"]
    assert caught.value.code == "invalid_id_number"


def test_a_birth_date_after_today_is_refused_by_default():
    later = timezone.localdate() + datetime.timedelta(days=2)
    assert not is_valid_id_number(make_id_number(born=f"{later:%Y%m%d}"))
    assert is_valid_id_number(make_id_number(born=f"{timezone.localdate():%Y%m%d}"))


# --- masking ----------------------------------------------------------------------------


def test_an_id_number_is_masked_to_its_first_and_last_four():
    assert mask_id_number("14010519850615123X") == "1401**********123X"
    assert mask_id_number("") == ""
