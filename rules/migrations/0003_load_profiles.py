"""Loads the rule sets NAT, CQ, SX, NT, ZJ and their first profile versions (DOMAIN §2),
each value with the seed article it comes from. Self-contained: uses no app code."""

import datetime

from django.db import migrations

D = datetime.date

RULE_SETS = [
    # code, name, base
    ("NAT", "国家基准", None),
    ("CQ", "重庆市", "NAT"),
    ("SX", "山西省", "NAT"),
    ("NT", "南通市", "NAT"),
    ("ZJ", "浙江省", "NAT"),
]

CQ_MAJOR = [
    {"code": "inspection", "label": "中央生态环境保护督察发现的重要生态环境问题涉及的生态环境损害赔偿案件"},
    {"code": "major_emergency", "label": "较大及以上突发环境事件涉及的生态环境损害赔偿案件"},
    {"code": "major_ecological_damage", "label": "重大及以上生态破坏事件"},
    {"code": "major_influence", "label": "在全国或者本市有重大影响的生态环境损害赔偿案件"},
    {"code": "higher_level_decides", "label": "市级赔偿权利人认为其他属于重大案件的"},
]

SX_MAJOR = [
    {"code": "inspection", "label": "中央和省级生态环境保护督察发现的重要生态环境问题涉及的生态环境损害赔偿案件"},
    {"code": "major_emergency", "label": "较大及以上突发环境事件涉及的生态环境损害赔偿案件"},
    {"code": "major_ecological_damage", "label": "重大及以上生态破坏事件"},
    {"code": "yellow_river_warning", "label": "黄河流域生态环境警示片曝光的重要生态环境问题涉及的生态环境损害赔偿案件"},
    {"code": "major_influence", "label": "其他在全国或者本省有重大影响的生态环境损害赔偿案件"},
]

CQ_NO_OBVIOUS_IMPACT = [
    {"code": "water_air_soil", "label": "水、大气、土壤污染案件",
     "factors": ["排放的污染物性质", "污染物超标倍数", "pH值", "污染排放持续时间", "污染范围",
                 "赔偿义务人是否完成整改或清除污染"]},
    {"code": "solid_waste", "label": "固体废物案件",
     "factors": ["固体废物堆放面积", "堆放时长", "堆放数量", "堆放区域", "是否造成渗漏、扩散"]},
    {"code": "wildlife", "label": "野生动植物资源破坏案件",
     "factors": ["是否在国家、地方重点保护范围",
                 "是否在《国家保护的有益的或有重要经济、科学研究价值的陆生野生动物名录》内",
                 "是否对生物资源和多样性造成损害"]},
    {"code": "no_penalty", "label": "符合本区域（领域）行政处罚裁量基准规定的不予行政处罚情形的"},
    {"code": "higher_level_decides", "label": "市级赔偿权利人及其指定的部门认为未造成明显影响的其他情形"},
]

RED_LINE = {"code": "red_line_or_reserve", "label": "损害区域为生态保护红线、自然保护地内的案件"}
REPEAT = {"code": "repeat_within_years", "years": 2,
          "label": "赔偿义务人曾因违法行为造成生态环境损害，2年内再次发生的"}

NEGOTIATION_90 = {"days": 90, "calendar": "natural", "start_event": "service"}

PROFILES = {
    "NAT": {
        # The seed 001 text carries no 文号 or date; the start date follows DOMAIN §2.
        "source_document": "《关于推进生态环境损害赔偿制度改革若干具体问题的意见》"
                           "及附件《生态环境损害索赔文书示范文本》（种子文件 001）",
        "effective_from": D(2025, 1, 13),
        "effective_to": None,
        "status": "active",
        "note": "国家基准。施行日期按 DOMAIN §2；种子文本未载明文号与日期，待核对。",
        "values": [
            ("screening.frequency", {"period": "periodic", "min_rounds": None}, "NAT 二",
             "应当定期组织筛查案件线索，未规定周期"),
            ("investigation.period",
             {"days": None, "calendar": "natural", "pause_during_appraisal": True,
              "wording": "调查应当及时，期限设定应当合理"},
             "NAT 四", "合理期限，未规定日数；鉴定评估时间不计入调查期限"),
            ("negotiation.period", NEGOTIATION_90, "NAT 六",
             "原则上不超过90日，自送达磋商书面通知之日起算"),
            ("negotiation.max_meetings", {"count": 3, "more_with_approval": False}, "NAT 六",
             "磋商会议原则上不超过3次"),
        ],
    },
    "CQ": {
        "source_document": "渝环〔2025〕34号《关于进一步明确生态环境损害赔偿制度改革工作若干问题具体意见的通知》",
        "effective_from": D(2025, 4, 15),
        "effective_to": None,
        "status": "active",
        "note": "重庆市地方规则，2025年4月15日印发。",
        "values": [
            ("screening.frequency", {"period": "quarter", "min_rounds": 1}, "CQ 二",
             "每季度组织开展线索筛查，清单报送同级生态环境部门"),
            ("screening.aggregation", {"period": "half_year"}, "CQ 二",
             "各系统每半年收集汇总本系统筛查情况"),
            ("trivial.amount",
             {"amount": "2000.00", "bound": "le", "wording": "未超过", "excludes_fees": True},
             "CQ 四(一)", "损害价值量化金额（不包括调查、鉴定评估等费用）未超过2000元"),
            ("trivial.no_obvious_impact", CQ_NO_OBVIOUS_IMPACT, "CQ 四(二)", ""),
            ("trivial.exceptions",
             [RED_LINE, REPEAT,
              {"code": "higher_level_decides",
               "label": "市级赔偿权利人及其指定的部门认为应当启动索赔的其他情形"}],
             "CQ 四", ""),
            ("simple.amount",
             {"amount": "300000.00", "bound": "le", "wording": "不超过", "excludes_fees": True,
              "requires_consent": False},
             "CQ 九", "损害数额（不含调查、鉴定评估等费用）不超过30万元"),
            ("simple.expert_panel_min", {"count": 3}, "CQ 九", "一般不少于3人"),
            ("major.criteria", CQ_MAJOR, "CQ 十", ""),
            ("investigation.period",
             {"days": 30, "calendar": "natural", "pause_during_appraisal": True,
              "start_event": "claim_opened"},
             "CQ 五", "损害调查应当在30日内完成，鉴定评估时间不计入"),
            ("negotiation.period", NEGOTIATION_90, "CQ 七(一)",
             "原则上不超过90日，自送达磋商书面通知之日起计算"),
            ("negotiation.max_meetings", {"count": 3, "more_with_approval": True}, "CQ 七(一)",
             "原则上不超过3次；案情重大复杂的，经部门负责人同意可适当增加"),
        ],
    },
    "SX": {
        "source_document": "晋环规〔2025〕2号《生态环境损害赔偿管理办法》",
        "effective_from": D(2025, 7, 10),
        "effective_to": D(2030, 7, 9),
        "status": "active",
        "note": "山西省地方规则，自2025年7月10日起施行，有效期5年（SX 第四十五条）。",
        "values": [
            ("screening.frequency", {"period": "quarter", "min_rounds": 1}, "SX 第八条",
             "定期全面筛查，每季度不少于1次"),
            ("screening.aggregation", {"period": "year", "due": "12-31"}, "SX 第四十条",
             "每年12月底前将本年度工作情况报送省生态环境厅"),
            ("verification.period",
             {"days": 30, "calendar": "natural", "start_event": "discovered"}, "SX 第九条",
             "筛查发现线索后30日内初步核查"),
            ("trivial.amount", {"amount": "3000.00", "bound": "le", "wording": "以下"},
             "SX 第十条", "经专家评估或综合认定，损害金额在3000元以下"),
            ("trivial.exceptions", [RED_LINE, REPEAT], "SX 第十一条", ""),
            ("simple.amount",
             {"amount": "300000.00", "bound": "le", "wording": "以下", "excludes_fees": True,
              "requires_consent": True},
             "SX 第十五条",
             "损害数额（不包括调查、鉴定评估等费用）30万元以下，事实简单、责任认定无争议，"
             "经办案部门或机构同意并与赔偿义务人协商一致"),
            ("simple.expert_panel_min", {"count": 3}, "SX 第十五条", "一般不少于3人"),
            ("major.criteria", SX_MAJOR, "SX 第十二条", "建立台帐，定期调度"),
            ("investigation_conclusion.period",
             {"days": 30, "calendar": "natural", "start_event": "investigation_ended"},
             "SX 第十七条", "调查结束后30日内形成调查结论"),
            ("appraisal.period",
             {"days": 30, "calendar": "working", "max_days": 60,
              "start_event": "entrustment_effective", "extension_notice": True,
              "agreement_may_override": True},
             "SX 第十四条",
             "原则上不超过30个工作日，复杂的一般不超过60个工作日，延长应告知委托人；"
             "另有约定的从其约定"),
            ("negotiation.period", NEGOTIATION_90, "SX 第十八条",
             "原则上不超过90日，自送达磋商书面通知之日起算"),
            ("negotiation.max_meetings", {"count": 3, "more_with_approval": True},
             "SX 第十八条", "原则上不超过3次；案情重大复杂的，经负责人同意可适当增加"),
            ("days.default_calendar", "natural", "SX 第四十四条", "除注明工作日外，期限按自然日计算"),
        ],
    },
    "NT": {
        "source_document": "南通市《关于贯彻落实生态环境损害赔偿管理规定的实施意见》",
        "effective_from": D(2023, 5, 1),
        "effective_to": D(2028, 4, 30),
        "status": "active",
        "note": "南通市地方规则，自2023年5月1日起施行，有效期至2028年4月30日。",
        "values": [
            ("verification.period",
             {"days": 30, "calendar": "natural", "start_event": "referral_received"},
             "NT 三(二)", "接受线索移送的部门或机构在三十日内初步核查"),
            ("simple.amount",
             {"amount": "500000.00", "bound": "lt", "wording": "低于", "excludes_fees": True,
              "requires_consent": False},
             "NT 三(六)", "损害费用（不包括鉴定评估费用、监测及检验费用等）低于五十万元，适用简易评估认定程序"),
        ],
    },
    "ZJ": {
        "source_document": "浙江省《关于生态环境损害赔偿制度改革若干问题的具体意见（征求意见稿）》编制说明",
        "effective_from": None,
        "effective_to": None,
        "status": "draft",
        "note": "征求意见稿，未施行；编制说明未列出具体数额与情形，待正式文本发布后补正。",
        "values": [
            ("trivial.exceptions",
             [REPEAT,
              {"code": "rectification_incomplete", "label": "赔偿义务人未依法依规完成整改的"}],
             "ZJ 三(二)1",
             "编制说明称在《意见》基础上增补“未依法依规完成整改”并细化“2年内再次发生”；"
             "《意见》原有的其他除外情形未在编制说明中列出"),
            ("simple.amount",
             {"amount": None,
              "reference": "按《浙江省生态环境损害赔偿鉴定评估办法》（浙环发〔2021〕22号）"
                           "关于快速鉴定评估的有关规定执行"},
             "ZJ 三(二)2(1)", "编制说明未载明数额"),
            ("major.criteria",
             [{"code": f"zj_{i}", "label": f"应当纳入重大案件管理的情形之{n}（编制说明未列明内容）"}
              for i, n in enumerate("一二三四五六", start=1)],
             "ZJ 三(二)2(2)", "共6种情形，并建立督办、报告机制；具体内容待正式文本"),
            ("investigation.period",
             {"days": None, "calendar": "natural",
              "wording": "补充规定了损害调查、作出调查结论等时限要求（编制说明未载明日数）"},
             "ZJ 三(四)2", ""),
        ],
    },
}


def load(apps, schema_editor):
    RuleSet = apps.get_model("rules", "RuleSet")
    RuleProfile = apps.get_model("rules", "RuleProfile")
    RuleValue = apps.get_model("rules", "RuleValue")

    sets = {}
    for code, name, base in RULE_SETS:
        rule_set, _ = RuleSet.objects.update_or_create(
            code=code, defaults={"name": name, "base": sets.get(base)}
        )
        sets[code] = rule_set

    for code, spec in PROFILES.items():
        if RuleProfile.objects.filter(rule_set=sets[code]).exists():
            continue
        profile = RuleProfile.objects.create(
            rule_set=sets[code], version=1, source_document=spec["source_document"],
            effective_from=spec["effective_from"], effective_to=spec["effective_to"],
            status=spec["status"], change_note=spec["note"],
        )
        RuleValue.objects.bulk_create(
            RuleValue(profile=profile, key=key, value=value, citation=citation, note=note)
            for key, value, citation, note in spec["values"]
        )


def unload(apps, schema_editor):
    RuleProfile = apps.get_model("rules", "RuleProfile")
    RuleValue = apps.get_model("rules", "RuleValue")
    profiles = RuleProfile.objects.filter(version=1, rule_set__code__in=list(PROFILES))
    RuleValue.objects.filter(profile__in=profiles).delete()
    profiles.delete()


class Migration(migrations.Migration):

    dependencies = [
        ("rules", "0002_profiles_and_calendar"),
    ]

    operations = [
        migrations.RunPython(load, unload),
    ]
