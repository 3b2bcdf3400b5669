from django.db import migrations

# 环法规〔2022〕31号 第十五条 as quoted in DOMAIN §3.1 (items 5–10 unverified: data an
# administrator can correct), plus referral from another department (NT 三(二)).
CHANNELS = [
    ("inspection", "中央和省级生态环境保护督察发现的", False, False),
    ("emergency", "突发生态环境事件", False, False),
    ("penalty_case", "发生生态环境损害的资源与环境行政处罚案件", False, False),
    ("crime_case", "涉嫌构成破坏环境资源保护犯罪的案件", False, False),
    ("protected_area", "生态保护红线等禁止开发区域、重点生态功能区发生的环境污染、生态破坏事件", False, False),
    ("supervision", "日常监管、执法巡查、各项资源与环境专项行动发现的", False, False),
    ("complaint", "信访投诉、举报和媒体曝光涉及的", False, False),
    ("assigned", "上级机关交办的", False, False),
    ("procuratorate", "检察机关移送的", True, False),
    ("other_authority", "赔偿权利人确定的其他线索渠道", False, False),
    ("department_referral", "其他部门移送的", False, True),
]


def load(apps, schema_editor):
    SourceChannel = apps.get_model("screening", "SourceChannel")
    for order, (code, name, procuratorate, department) in enumerate(CHANNELS, start=1):
        SourceChannel.objects.update_or_create(code=code, defaults={
            "name": name, "order": order, "is_procuratorate_referral": procuratorate,
            "is_department_referral": department,
        })


class Migration(migrations.Migration):
    dependencies = [("screening", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
