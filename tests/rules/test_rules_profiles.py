"""Rule profiles: seed data, lookup by date, versioning, immutability, fallback to NAT."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from rules import services
from rules.errors import (
    InvalidRuleValue,
    NoProfileInForce,
    ProfileLocked,
    RuleNotDefined,
    UnknownRuleKey,
    UnknownRuleSet,
)
from rules.keys import REGISTRY, validate
from rules.models import RuleProfile, RuleSet, RuleValue
from rules.services import new_version, profile_in_force

pytestmark = pytest.mark.django_db

# Every seeded value and the article it must cite (DOMAIN §2, checked against the seeds).
EXPECTED_CITATIONS = {
    "NAT": {
        "screening.frequency": "NAT 二",
        "investigation.period": "NAT 四",
        "negotiation.period": "NAT 六",
        "negotiation.max_meetings": "NAT 六",
    },
    "CQ": {
        "screening.frequency": "CQ 二",
        "screening.aggregation": "CQ 二",
        "trivial.amount": "CQ 四(一)",
        "trivial.no_obvious_impact": "CQ 四(二)",
        "trivial.exceptions": "CQ 四",
        "simple.amount": "CQ 九",
        "simple.expert_panel_min": "CQ 九",
        "major.criteria": "CQ 十",
        "investigation.period": "CQ 五",
        "negotiation.period": "CQ 七(一)",
        "negotiation.max_meetings": "CQ 七(一)",
    },
    "SX": {
        "screening.frequency": "SX 第八条",
        "screening.aggregation": "SX 第四十条",
        "verification.period": "SX 第九条",
        "trivial.amount": "SX 第十条",
        "trivial.exceptions": "SX 第十一条",
        "simple.amount": "SX 第十五条",
        "simple.expert_panel_min": "SX 第十五条",
        "major.criteria": "SX 第十二条",
        "investigation_conclusion.period": "SX 第十七条",
        "appraisal.period": "SX 第十四条",
        "negotiation.period": "SX 第十八条",
        "negotiation.max_meetings": "SX 第十八条",
        "days.default_calendar": "SX 第四十四条",
    },
    "NT": {
        "verification.period": "NT 三(二)",
        "simple.amount": "NT 三(六)",
    },
    "ZJ": {
        "trivial.exceptions": "ZJ 三(二)1",
        "simple.amount": "ZJ 三(二)2(1)",
        "major.criteria": "ZJ 三(二)2(2)",
        "investigation.period": "ZJ 三(四)2",
    },
}


class TestSeedProfiles:
    def test_rule_sets_and_bases(self):
        sets = {s.code: s for s in RuleSet.objects.select_related("base")}
        assert sets["NAT"].base is None
        for code in ("CQ", "SX", "NT", "ZJ"):
            assert sets[code].base == sets["NAT"]

    def test_periods_and_status(self):
        got = {
            p.rule_set.code: (p.status, p.effective_from, p.effective_to)
            for p in RuleProfile.objects.select_related("rule_set")
        }
        assert got == {
            "NAT": ("active", date(2025, 1, 13), None),  # DOMAIN §2
            "CQ": ("active", date(2025, 4, 15), None),  # 渝环〔2025〕34号
            "SX": ("active", date(2025, 7, 10), date(2030, 7, 9)),  # SX 第四十五条：5年
            "NT": ("active", date(2023, 5, 1), date(2028, 4, 30)),  # NT 末段
            "ZJ": ("draft", None, None),  # 征求意见稿
        }

    def test_every_value_cited_and_valid(self):
        for code, expected in EXPECTED_CITATIONS.items():
            profile = RuleProfile.objects.get(rule_set__code=code, version=1)
            values = {v.key: v for v in profile.values.all()}
            assert {k: v.citation for k, v in values.items()} == expected, code
            for value in values.values():
                assert validate(value.key, value.value) == value.value

    @pytest.mark.parametrize(("code", "key", "value"), [
        # CQ 四(一)：未超过2000元，不包括调查、鉴定评估等费用
        ("CQ", "trivial.amount",
         {"amount": "2000.00", "bound": "le", "wording": "未超过", "excludes_fees": True}),
        # SX 第十条：3000元以下
        ("SX", "trivial.amount", {"amount": "3000.00", "bound": "le", "wording": "以下"}),
        # NT 三(六)：低于五十万元
        ("NT", "simple.amount", {"amount": "500000.00", "bound": "lt", "wording": "低于",
                                 "excludes_fees": True, "requires_consent": False}),
        # SX 第十五条：30万元以下，经同意并与赔偿义务人协商一致
        ("SX", "simple.amount", {"amount": "300000.00", "bound": "le", "wording": "以下",
                                 "excludes_fees": True, "requires_consent": True}),
        # CQ 九：不超过30万元
        ("CQ", "simple.amount", {"amount": "300000.00", "bound": "le", "wording": "不超过",
                                 "excludes_fees": True, "requires_consent": False}),
        # SX 第九条；NT 三(二)
        ("SX", "verification.period",
         {"days": 30, "calendar": "natural", "start_event": "discovered"}),
        ("NT", "verification.period",
         {"days": 30, "calendar": "natural", "start_event": "referral_received"}),
        # SX 第十四条：30个工作日，最长60个工作日
        ("SX", "appraisal.period",
         {"days": 30, "calendar": "working", "max_days": 60,
          "start_event": "entrustment_effective", "extension_notice": True,
          "agreement_may_override": True}),
        # NAT 四：合理期限，无固定日数
        ("NAT", "investigation.period",
         {"days": None, "calendar": "natural", "pause_during_appraisal": True,
          "wording": "调查应当及时，期限设定应当合理"}),
        # CQ 七(一)：超过3次须负责人同意；NAT 六 无此规定
        ("CQ", "negotiation.max_meetings", {"count": 3, "more_with_approval": True}),
        ("NAT", "negotiation.max_meetings", {"count": 3, "more_with_approval": False}),
        ("SX", "screening.aggregation", {"period": "year", "due": "12-31"}),  # SX 第四十条
        ("CQ", "screening.aggregation", {"period": "half_year"}),  # CQ 二
    ])
    def test_seed_values(self, code, key, value):
        profile = RuleProfile.objects.get(rule_set__code=code, version=1)
        assert profile.values.get(key=key).value == value

    def test_exceptions_and_criteria_codes(self):
        def codes(code, key):
            profile = RuleProfile.objects.get(rule_set__code=code)
            return [item["code"] for item in profile.values.get(key=key).value]

        # CQ 四；SX 第十一条；ZJ 三(二)1 增补“未完成整改”
        assert codes("CQ", "trivial.exceptions") == [
            "red_line_or_reserve", "repeat_within_years", "higher_level_decides"]
        assert codes("SX", "trivial.exceptions") == ["red_line_or_reserve",
                                                      "repeat_within_years"]
        assert "rectification_incomplete" in codes("ZJ", "trivial.exceptions")
        # SX 第十二条（四）黄河流域警示片；CQ 十（五）市级认定
        assert "yellow_river_warning" in codes("SX", "major.criteria")
        assert "higher_level_decides" in codes("CQ", "major.criteria")
        assert len(codes("CQ", "major.criteria")) == 5
        assert len(codes("ZJ", "major.criteria")) == 6


class TestProfileInForce:
    def test_before_within_after(self, tst):
        services.create_profile(
            tst, {"trivial.amount": ({"amount": "1000.00", "bound": "le", "wording": "以下"},
                                     "TST 一")},
            source_document="测试", effective_from=date(2026, 1, 1),
            effective_to=date(2026, 12, 31), publish=True,
        )
        with pytest.raises(NoProfileInForce, match="2025年12月31日没有生效的规则配置版本"):
            profile_in_force(tst, date(2025, 12, 31))
        assert profile_in_force("TST", date(2026, 1, 1)).version == 1
        assert profile_in_force("TST", date(2026, 12, 31)).version == 1
        with pytest.raises(NoProfileInForce, match="测试地方（TST）"):
            profile_in_force(tst, date(2027, 1, 1))

    def test_seed_boundaries(self):
        # NT 2023-05-01 至 2028-04-30；SX 2025-07-10 起 5 年
        with pytest.raises(NoProfileInForce):
            profile_in_force("NT", date(2023, 4, 30))
        assert profile_in_force("NT", date(2028, 4, 30)).rule_set.code == "NT"
        with pytest.raises(NoProfileInForce):
            profile_in_force("NT", date(2028, 5, 1))
        with pytest.raises(NoProfileInForce):
            profile_in_force("SX", date(2025, 7, 9))
        assert profile_in_force("SX", date(2030, 7, 9)).version == 1
        with pytest.raises(NoProfileInForce):
            profile_in_force("SX", date(2030, 7, 10))
        with pytest.raises(NoProfileInForce):
            profile_in_force("CQ", date(2025, 4, 14))
        assert profile_in_force("CQ", date(2099, 1, 1)).version == 1

    def test_draft_never_in_force(self):
        with pytest.raises(NoProfileInForce):
            profile_in_force("ZJ", date(2026, 6, 1))

    def test_unknown_rule_set(self):
        with pytest.raises(UnknownRuleSet, match="XX"):
            profile_in_force("XX", date(2026, 1, 1))

    def test_version_succession(self, tst_v1):
        v2 = new_version(tst_v1, {"trivial.amount": {"amount": "5000.00", "bound": "le",
                                                     "wording": "以下"}},
                         by=None, effective_from=date(2026, 7, 1), note="提高数额")
        assert profile_in_force("TST", date(2026, 6, 30)) == tst_v1
        assert profile_in_force("TST", date(2026, 7, 1)) == v2
        assert profile_in_force("TST", date(2030, 1, 1)) == v2
        assert profile_in_force("TST", date(2026, 6, 30)).rule("trivial.amount").value[
            "amount"] == "3000.00"
        assert profile_in_force("TST", date(2026, 7, 1)).rule("trivial.amount").value[
            "amount"] == "5000.00"

    def test_latest_version_wins_on_overlap(self, tst_v1):
        # a draft published with a start inside v1's period closes v1 the day before
        v2 = services.create_profile(
            "TST", {"trivial.amount": ({"amount": "4000.00", "bound": "le", "wording": "以下"},
                                       "TST 第十条")},
            source_document="测试规则（第2版）", effective_from=date(2026, 3, 1), publish=True,
        )
        tst_v1.refresh_from_db()
        assert tst_v1.effective_to == date(2026, 2, 28)
        assert profile_in_force("TST", date(2026, 3, 1)) == v2


class TestNewVersion:
    def test_never_rewrites_the_old_version(self, tst_v1, django_user_model):
        user = django_user_model.objects.create_user("admin1", password="x" * 12)
        before = {v.key: (v.value, v.citation, v.pk) for v in tst_v1.values.all()}
        v2 = new_version(
            tst_v1,
            {"trivial.amount": {"amount": "5000.00", "bound": "lt", "wording": "低于"}},
            by=user, effective_from=date(2026, 7, 1), note="改为低于5000元",
            citations={"trivial.amount": "TST 第十条（修正）"},
        )
        old = RuleProfile.objects.get(pk=tst_v1.pk)
        assert {v.key: (v.value, v.citation, v.pk) for v in old.values.all()} == before
        assert old.effective_from == date(2026, 1, 1)
        assert old.effective_to == date(2026, 6, 30)  # closed the day before
        assert old.status == "active"
        assert (v2.version, v2.status, v2.supersedes_id) == (2, "active", old.pk)
        assert v2.created_by == user
        assert v2.change_note == "改为低于5000元"
        new_values = {v.key: (v.value, v.citation) for v in v2.values.all()}
        assert new_values["trivial.amount"] == (
            {"amount": "5000.00", "bound": "lt", "wording": "低于"}, "TST 第十条（修正）")
        # untouched keys are copied as they were
        assert new_values["verification.period"] == before["verification.period"][:2]

    def test_inherits_document_end(self):
        sx = profile_in_force("SX", date(2026, 1, 1))
        v2 = new_version(sx, {"negotiation.max_meetings": {"count": 4,
                                                           "more_with_approval": True}},
                         by=None, effective_from=date(2027, 1, 1), note="测试")
        assert v2.effective_to == date(2030, 7, 9)
        sx.refresh_from_db()
        assert sx.effective_to == date(2026, 12, 31)

    def test_remove_falls_back_to_base(self, tst_v1):
        v2 = new_version(tst_v1, {}, by=None, effective_from=date(2026, 2, 1), note="删除",
                         remove=["verification.period"])
        assert "verification.period" not in v2.own_keys()
        with pytest.raises(RuleNotDefined):  # NAT has no verification period either
            v2.rule("verification.period")

    @pytest.mark.parametrize(("changes", "error"), [
        ({"trivial.amout": {}}, UnknownRuleKey),
        ({"trivial.amount": {"amount": 3000.0, "bound": "le", "wording": "以下"}},
         InvalidRuleValue),
        ({"trivial.amount": {"amount": "3000.00", "bound": "lt", "wording": "以下"}},
         InvalidRuleValue),
        ({"negotiation.period": {"days": 90, "calendar": "natural", "start_event": "service"}},
         ValidationError),  # a new key needs a citation
    ])
    def test_refuses_bad_changes_and_writes_nothing(self, tst_v1, changes, error):
        with pytest.raises(error):
            new_version(tst_v1, changes, by=None, effective_from=date(2026, 7, 1), note="x")
        assert RuleProfile.objects.filter(rule_set__code="TST").count() == 1
        tst_v1.refresh_from_db()
        assert tst_v1.effective_to is None

    def test_refuses_start_not_after_old(self, tst_v1):
        with pytest.raises(ValidationError, match="须晚于"):
            new_version(tst_v1, {}, by=None, effective_from=date(2026, 1, 1), note="x")

    def test_refuses_draft_source(self):
        zj = RuleProfile.objects.get(rule_set__code="ZJ")
        with pytest.raises(ProfileLocked, match="草稿可直接修改"):
            new_version(zj, {}, by=None, effective_from=date(2026, 1, 1), note="x")


class TestImmutability:
    def test_values_of_active_profile_locked(self):
        sx = profile_in_force("SX", date(2026, 1, 1))
        value = sx.values.get(key="trivial.amount")
        value.value = {"amount": "5000.00", "bound": "le", "wording": "以下"}
        with pytest.raises(ProfileLocked, match="创建新版本"):
            value.save()
        with pytest.raises(ProfileLocked):
            value.delete()
        with pytest.raises(ProfileLocked):
            RuleValue(profile=sx, key="verification.period", citation="SX 第九条",
                      value={"days": 1, "calendar": "natural",
                             "start_event": "discovered"}).save()
        assert RuleValue.objects.get(pk=value.pk).value["amount"] == "3000.00"

    def test_profile_fields_locked(self):
        sx = RuleProfile.objects.get(rule_set__code="SX")
        sx.effective_from = date(2025, 1, 1)
        with pytest.raises(ProfileLocked):
            sx.save()
        sx = RuleProfile.objects.get(rule_set__code="SX")
        with pytest.raises(ProfileLocked):
            sx.delete()
        sx.status = "draft"
        with pytest.raises(ProfileLocked):
            sx.save()

    def test_draft_values_editable_but_validated(self):
        zj = RuleProfile.objects.get(rule_set__code="ZJ")
        value = RuleValue(profile=zj, key="trivial.amount", citation="ZJ 三(二)1",
                          value={"amount": "3000", "bound": "le", "wording": "以下"})
        value.save()
        assert value.value["amount"] == "3000.00"  # normalised
        bad = RuleValue(profile=zj, key="trivial.amount", citation="ZJ",
                        value={"amount": "3000", "bound": "le", "wording": "低于"})
        with pytest.raises(InvalidRuleValue, match="不一致"):
            bad.save()
        typo = RuleValue(profile=zj, key="trivial.amont", citation="ZJ", value={})
        with pytest.raises(ValidationError) as caught:
            typo.full_clean()
        assert "是否应为“trivial.amount”" in str(caught.value.message_dict["key"])

    def test_retire(self, tst_v1):
        services.retire(tst_v1)
        with pytest.raises(NoProfileInForce):
            profile_in_force("TST", date(2026, 6, 1))
        tst_v1.refresh_from_db()
        tst_v1.status = "active"
        with pytest.raises(ProfileLocked):
            tst_v1.save()


class TestRuleLookup:
    def test_own_value(self):
        rule = profile_in_force("SX", date(2026, 9, 28)).rule("verification.period")
        assert rule.citation == "SX 第九条"
        assert rule.profile.rule_set.code == "SX"
        assert rule.inherited is False
        assert rule.label == "初步核查期限"

    def test_fallback_to_nat(self):
        nt = profile_in_force("NT", date(2026, 3, 1))
        rule = nt.rule("negotiation.period")  # NT has none; NAT 六 applies
        assert rule.inherited is True
        assert rule.profile.rule_set.code == "NAT"
        assert rule.citation == "NAT 六"
        assert rule.value["days"] == 90
        assert rule.source == "NAT 第1版"

    def test_fallback_uses_base_in_force_on_same_date(self, nat):
        nat_v1 = profile_in_force(nat, date(2026, 1, 1))
        new_version(nat_v1, {"negotiation.period": {"days": 60, "calendar": "natural",
                                                    "start_event": "service"}},
                    by=None, effective_from=date(2027, 1, 1), note="测试")
        assert profile_in_force("NT", date(2026, 12, 31)).rule(
            "negotiation.period").value["days"] == 90
        assert profile_in_force("NT", date(2027, 1, 1)).rule(
            "negotiation.period").value["days"] == 60
        # a profile loaded without a date (e.g. kept on a case) is given one
        nt = RuleProfile.objects.get(rule_set__code="NT")
        assert nt.rule("negotiation.period", on=date(2027, 6, 1)).value["days"] == 60
        assert nt.rule("negotiation.period", on=date(2026, 6, 1)).value["days"] == 90

    def test_default_day_is_today_within_period(self, time_machine):
        nt = RuleProfile.objects.get(rule_set__code="NT")
        time_machine.move_to("2026-03-01 12:00 +08:00")
        assert nt.rule("negotiation.period").profile.version == 1
        time_machine.move_to("2024-03-01 12:00 +08:00")  # before NAT (2025-01-13)
        with pytest.raises(RuleNotDefined, match="2024年3月1日"):
            nt.rule("negotiation.period")

    def test_fallback_when_base_not_in_force(self):
        # NT from 2023-05-01, NAT only from 2025-01-13
        nt = profile_in_force("NT", date(2024, 6, 1))
        with pytest.raises(RuleNotDefined, match="NAT（2024年6月1日无生效版本）"):
            nt.rule("negotiation.period")

    def test_neither_defines(self):
        nt = profile_in_force("NT", date(2026, 3, 1))
        with pytest.raises(RuleNotDefined, match="鉴定评估期限"):
            nt.rule("appraisal.period")

    def test_unknown_key(self):
        sx = profile_in_force("SX", date(2026, 3, 1))
        with pytest.raises(UnknownRuleKey, match="是否应为“negotiation.period”"):
            sx.rule("negotiation.periods")

    def test_all_rules(self):
        nt = profile_in_force("NT", date(2026, 3, 1))
        rules = nt.all_rules()
        assert rules["simple.amount"].citation == "NT 三(六)"
        assert rules["negotiation.max_meetings"].citation == "NAT 六"
        assert "appraisal.period" not in rules
        assert set(rules) <= set(REGISTRY)
