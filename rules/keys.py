"""Registry of the rule keys a profile may hold, each with a typed, validated value.

`validate(key, value)` returns the normalised value (amounts as "2000.00" strings) or raises
UnknownRuleKey / InvalidRuleValue with a Chinese message. Values are stored as JSON.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from rules.errors import InvalidRuleValue, UnknownRuleKey

CALENDARS = {"natural": "自然日", "working": "工作日"}

START_EVENTS = {
    "discovered": "发现线索",
    "referral_received": "收到移送的线索",
    "claim_opened": "启动索赔",
    "investigation_ended": "调查结束",
    "entrustment_effective": "委托书生效",
    "service": "送达磋商书面通知",
}

PERIODS = {
    "quarter": "每季度",
    "half_year": "每半年",
    "year": "每年",
    "periodic": "定期（未规定周期）",
}

# 民法典 第一千二百五十九条：以上、以下、以内、届满包括本数；不满、超过、以外不包括本数。
WORDING_BOUND = {
    "以下": "le",
    "以内": "le",
    "不超过": "le",
    "未超过": "le",
    "低于": "lt",
    "不满": "lt",
    "超过": "gt",
    "以上": "ge",
}
BOUNDS = {"le": "≤，含本数", "lt": "<，不含本数", "gt": ">，不含本数", "ge": "≥，含本数"}

TRIVIAL_EXCEPTIONS = {
    "red_line_or_reserve": "损害区域为生态保护红线、自然保护地内",
    "repeat_within_years": "赔偿义务人曾造成生态环境损害，在规定年限内再次发生",
    "rectification_incomplete": "赔偿义务人未依法依规完成整改",
    "higher_level_decides": "上级赔偿权利人及其指定的部门认为应当启动索赔",
}


class _Invalid(Exception):
    """Internal: a problem at a path inside the value."""


Checker = Callable[[Any, str], Any]


def _show(value: Any) -> str:
    return f"“{value}”" if isinstance(value, str) else repr(value)


def _where(path: str) -> str:
    return f"字段 {path} " if path else ""


def _positive_int(value: Any, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise _Invalid(f"{_where(path)}应为正整数，收到 {_show(value)}")
    return value


def _optional(checker: Checker) -> Checker:
    def check(value: Any, path: str) -> Any:
        return None if value is None else checker(value, path)

    return check


def _bool(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise _Invalid(f"{_where(path)}应为 true 或 false，收到 {_show(value)}")
    return value


def _text(value: Any, path: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _Invalid(f"{_where(path)}应为非空文字，收到 {_show(value)}")
    return value.strip()


def _choice(options: dict[str, str]) -> Checker:
    def check(value: Any, path: str) -> str:
        if value not in options:
            allowed = "、".join(f"{k}（{v}）" for k, v in options.items())
            raise _Invalid(f"{_where(path)}取值 {_show(value)} 无效，可选：{allowed}")
        return value

    return check


def _amount(value: Any, path: str) -> str:
    # Amounts are decimal yuan; a float would already have lost precision.
    if isinstance(value, bool) or isinstance(value, float):
        raise _Invalid(f"{_where(path)}金额应写作字符串（如 \"2000.00\"），不得使用浮点数")
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise _Invalid(f"{_where(path)}不是有效金额：{_show(value)}") from None
    if not amount.is_finite() or amount <= 0:
        raise _Invalid(f"{_where(path)}金额应大于零，收到 {_show(value)}")
    if amount != amount.quantize(Decimal("0.01")):
        raise _Invalid(f"{_where(path)}金额最多两位小数，收到 {_show(value)}")
    return str(amount.quantize(Decimal("0.01")))


def _month_day(value: Any, path: str) -> str:
    try:
        month, day = (int(part) for part in str(value).split("-"))
        date(2024, month, day)  # a leap year, so 02-29 is accepted
    except ValueError:
        raise _Invalid(f"{_where(path)}应为“月-日”（如 \"12-31\"），收到 {_show(value)}") from None
    return f"{month:02d}-{day:02d}"


def _obj(required: dict[str, Checker], optional: dict[str, Checker] | None = None) -> Checker:
    optional = optional or {}

    def check(value: Any, path: str) -> dict:
        if not isinstance(value, dict):
            raise _Invalid(f"{_where(path)}应为对象（JSON {{…}}），收到 {_show(value)}")
        unknown = sorted(set(value) - set(required) - set(optional))
        if unknown:
            allowed = "、".join([*required, *optional])
            raise _Invalid(f"{_where(path)}含未知字段 {'、'.join(unknown)}（允许：{allowed}）")
        missing = [name for name in required if name not in value]
        if missing:
            raise _Invalid(f"{_where(path)}缺少字段 {'、'.join(missing)}")
        prefix = f"{path}." if path else ""
        result = {}
        for name, checker in {**required, **optional}.items():
            if name in value:
                result[name] = checker(value[name], prefix + name)
        return result

    return check


def _list_of(item: Checker) -> Checker:
    def check(value: Any, path: str) -> list:
        if not isinstance(value, list) or not value:
            raise _Invalid(f"{_where(path)}应为非空列表，收到 {_show(value)}")
        items = [item(entry, f"{path}[{i}]") for i, entry in enumerate(value)]
        codes = [entry["code"] for entry in items if isinstance(entry, dict) and "code" in entry]
        duplicates = sorted({c for c in codes if codes.count(c) > 1})
        if duplicates:
            raise _Invalid(f"{_where(path)}代码重复：{'、'.join(duplicates)}")
        return items

    return check


def _code(value: Any, path: str) -> str:
    text = _text(value, path)
    if not text.replace("_", "").isalnum() or not text.isascii():
        raise _Invalid(f"{_where(path)}代码只能由英文字母、数字和下划线组成，收到 {_show(value)}")
    return text


def _period(*, start_events: dict[str, str] | None = None, extra: dict | None = None,
            days_optional: bool = False) -> Checker:
    required = {"days": _optional(_positive_int) if days_optional else _positive_int,
                "calendar": _choice(CALENDARS)}
    optional = dict(extra or {})
    if start_events is not None:
        required["start_event"] = _choice(start_events)
    return _obj(required, optional)


def _amount_rule(*, allow_reference: bool, extra: dict[str, Checker],
                 required_with_amount: tuple[str, ...] = ()) -> Checker:
    """An upper amount limit. With allow_reference, amount may be null when the article only
    refers to another document (then reference is required)."""
    base = _obj(
        {"amount": _optional(_amount) if allow_reference else _amount},
        {"bound": _choice({k: BOUNDS[k] for k in ("le", "lt")}),
         "wording": _choice({w: BOUNDS[b] for w, b in WORDING_BOUND.items() if b in ("le", "lt")}),
         **extra, **({"reference": _text} if allow_reference else {})},
    )

    def check(value: Any, path: str) -> dict:
        result = base(value, path)
        if result["amount"] is None:
            if not result.get("reference"):
                raise _Invalid("未规定具体数额时须以 reference 写明所依据的规定")
            return result
        missing = [f for f in ("bound", "wording", *required_with_amount) if f not in result]
        if missing:
            raise _Invalid(f"缺少字段 {'、'.join(missing)}")
        if WORDING_BOUND[result["wording"]] != result["bound"]:
            raise _Invalid(
                f"用语“{result['wording']}”表示{BOUNDS[WORDING_BOUND[result['wording']]]}，"
                f"与 bound={result['bound']}（{BOUNDS[result['bound']]}）不一致"
                "（民法典 第一千二百五十九条）"
            )
        return result

    return check


def _labelled(extra: dict[str, Checker] | None = None) -> Checker:
    return _obj({"code": _code, "label": _text}, extra)


def _exception(value: Any, path: str) -> dict:
    result = _obj({"code": _choice(TRIVIAL_EXCEPTIONS), "label": _text},
                  {"years": _positive_int})(value, path)
    if result["code"] == "repeat_within_years" and "years" not in result:
        raise _Invalid(f"{_where(path)}repeat_within_years 须写明 years（年数）")
    if result["code"] != "repeat_within_years" and "years" in result:
        raise _Invalid(f"{_where(path)}只有 repeat_within_years 可以带 years")
    return result


def _investigation(value: Any, path: str) -> dict:
    result = _period(
        days_optional=True,
        extra={"pause_during_appraisal": _bool, "start_event": _choice(START_EVENTS),
               "wording": _text},
    )(value, path)
    if result["days"] is None and "wording" not in result:
        raise _Invalid("未规定固定日数（如“合理期限”）时须以 wording 写明原文用语")
    return result


def _appraisal(value: Any, path: str) -> dict:
    result = _period(start_events=START_EVENTS, extra={
        "max_days": _positive_int, "extension_notice": _bool, "agreement_may_override": _bool,
    })(value, path)
    if result.get("max_days") is not None and result["max_days"] < result["days"]:
        raise _Invalid("max_days 不得小于 days")
    return result


def _default_calendar(value: Any, path: str) -> str:
    return _choice(CALENDARS)(value, path)


@dataclass(frozen=True)
class RuleKey:
    key: str
    label: str
    shape: str  # the value's shape, for forms and docs
    checker: Checker

    def validate(self, value: Any) -> Any:
        try:
            return self.checker(value, "")
        except _Invalid as problem:
            raise InvalidRuleValue(
                f"规则“{self.label}”（{self.key}）的取值无效：{problem}。格式：{self.shape}",
                code="invalid_rule_value",
            ) from None


REGISTRY: dict[str, RuleKey] = {
    k.key: k
    for k in [
        # CQ 二 每季度；SX 第八条 每季度不少于1次；NAT 二 定期
        RuleKey("screening.frequency", "线索筛查频次",
                '{"period": "quarter|half_year|year|periodic", "min_rounds": 1 或 null}',
                _obj({"period": _choice(PERIODS), "min_rounds": _optional(_positive_int)})),
        # CQ 二 每半年汇总；SX 第四十条 每年12月底前报送
        RuleKey("screening.aggregation", "筛查情况汇总",
                '{"period": "quarter|half_year|year", "due": "12-31"（可选）}',
                _obj({"period": _choice({k: v for k, v in PERIODS.items() if k != "periodic"})},
                     {"due": _month_day})),
        # SX 第九条 发现后30日；NT 三(二) 接受移送后三十日
        RuleKey("verification.period", "初步核查期限",
                '{"days": 30, "calendar": "natural|working", "start_event": "discovered|…"}',
                _period(start_events=START_EVENTS)),
        # CQ 四(一) 未超过2000元；SX 第十条 3000元以下
        RuleKey("trivial.amount", "显著轻微损害数额",
                '{"amount": "2000.00", "bound": "le|lt", "wording": "未超过", '
                '"excludes_fees": true（可选）}',
                _amount_rule(allow_reference=False, extra={"excludes_fees": _bool})),
        # CQ 四(二) 分介质的综合评判因素
        RuleKey("trivial.no_obvious_impact", "未造成明显影响的判定",
                '[{"code": "water_air_soil", "label": "…", "factors": ["…"]（可选）}, …]',
                _list_of(_labelled({"factors": _list_of(_text)}))),
        # CQ 四；SX 第十一条；ZJ 三(二)1 增补未完成整改
        RuleKey("trivial.exceptions", "显著轻微案件仍应索赔的情形",
                '[{"code": "red_line_or_reserve|repeat_within_years|rectification_incomplete|'
                'higher_level_decides", "label": "…", "years": 2（仅 repeat_within_years）}, …]',
                _list_of(_exception)),
        # CQ 九 不超过30万元；SX 第十五条 30万元以下；NT 三(六) 低于五十万元
        RuleKey("simple.amount", "简单案件损害数额",
                '{"amount": "300000.00", "bound": "le|lt", "wording": "不超过", '
                '"excludes_fees": true, "requires_consent": false}；未规定数额时 '
                '{"amount": null, "reference": "所依据的规定"}',
                _amount_rule(allow_reference=True,
                             extra={"excludes_fees": _bool, "requires_consent": _bool},
                             required_with_amount=("excludes_fees", "requires_consent"))),
        # CQ 九；SX 第十五条 一般不少于3人
        RuleKey("simple.expert_panel_min", "简单案件评估专家最少人数", '{"count": 3}',
                _obj({"count": _positive_int})),
        # CQ 十；SX 第十二条；ZJ 三(二)2
        RuleKey("major.criteria", "重大案件情形", '[{"code": "…", "label": "…"}, …]',
                _list_of(_labelled())),
        # SX 第十二条 对重大案件建立台帐，定期调度（周期未规定；每月由规则配置写明）
        RuleKey("major.progress_interval", "重大案件进展调度周期", '{"months": 1}',
                _obj({"months": _positive_int})),
        # CQ 五 30日；NAT 四 合理期限；鉴定评估时间不计入
        RuleKey("investigation.period", "损害调查期限",
                '{"days": 30 或 null, "calendar": "natural|working", '
                '"pause_during_appraisal": true（可选）, "start_event": "claim_opened"（可选）, '
                '"wording": "…"（days 为 null 时必填）}',
                _investigation),
        # SX 第十七条 调查结束后30日内
        RuleKey("investigation_conclusion.period", "形成调查结论期限",
                '{"days": 30, "calendar": "natural|working", "start_event": "investigation_ended"}',
                _period(start_events=START_EVENTS)),
        # SX 第十四条 30个工作日，复杂的不超过60个工作日
        RuleKey("appraisal.period", "鉴定评估期限",
                '{"days": 30, "calendar": "working", "max_days": 60, '
                '"start_event": "entrustment_effective", "extension_notice": true, '
                '"agreement_may_override": true}',
                _appraisal),
        # NAT 六；CQ 七(一)；SX 第十八条 90日，自送达之日起算
        RuleKey("negotiation.period", "磋商期限",
                '{"days": 90, "calendar": "natural|working", "start_event": "service"}',
                _period(start_events=START_EVENTS)),
        # NAT 六；CQ 七(一)；SX 第十八条 原则上不超过3次
        RuleKey("negotiation.max_meetings", "磋商会议次数上限",
                '{"count": 3, "more_with_approval": true}',
                _obj({"count": _positive_int, "more_with_approval": _bool})),
        # SX 第四十四条 除注明工作日外按自然日
        RuleKey("days.default_calendar", "期限默认计算方式", '"natural" 或 "working"',
                _default_calendar),
    ]
}


def get_key(key: str) -> RuleKey:
    """The registry entry for key, or UnknownRuleKey naming the closest known key."""
    try:
        return REGISTRY[key]
    except (KeyError, TypeError):
        close = difflib.get_close_matches(str(key), REGISTRY, n=1)
        hint = f"，是否应为“{close[0]}”？" if close else "。"
        raise UnknownRuleKey(
            f"未知的规则键“{key}”{hint}可用的规则键：{'、'.join(REGISTRY)}",
            code="unknown_rule_key",
        ) from None


def validate(key: str, value: Any) -> Any:
    """Normalised value for key, or UnknownRuleKey / InvalidRuleValue."""
    return get_key(key).validate(value)


def key_choices() -> list[tuple[str, str]]:
    return [(k.key, f"{k.label}（{k.key}）") for k in REGISTRY.values()]
