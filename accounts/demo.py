"""The demo organisation: a province (山西省) with two cities, 太原市 with two districts, its
departments (one lead) and one user per role, and 大同市 with its own lead bureau and staff. `manage.py load_demo` builds it, then lets each app's demo.py add records."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from rules.models import RuleSet

from .models import Department, Jurisdiction, User
from .roles import Role, group_name

DEMO_PASSWORD = "EcoClaim-2026"

CITY_DEPARTMENTS = [
    ("太原市生态环境局", "市生态环境局", Department.Kind.ECOLOGY, True),
    ("太原市规划和自然资源局", "市规划和自然资源局", Department.Kind.NATURAL_RESOURCES, False),
    ("太原市住房和城乡建设局", "市住房城乡建设局", Department.Kind.HOUSING, False),
    ("太原市水务局", "市水务局", Department.Kind.WATER, False),
    ("太原市农业农村局", "市农业农村局", Department.Kind.AGRICULTURE, False),
    ("太原市林业局", "市林业局", Department.Kind.FORESTRY, False),
    ("太原市城乡管理局", "市城乡管理局", Department.Kind.URBAN, False),
    # Two departments of one kind (其他) side by side: neither sees the other's records
    # (accounts/scoping.py: same kind is a system only downwards).
    ("太原市气象局", "市气象局", Department.Kind.OTHER, False),
    ("太原市文化和旅游局", "市文旅局", Department.Kind.OTHER, False),
    ("太原市人民检察院", "市检察院", Department.Kind.PROCURATORATE, False),
    ("太原市财政局", "市财政局", Department.Kind.FINANCE, False),
]
# The province above the city (issue 15: a higher jurisdiction sees its cities side by side)
PROVINCE = ("山西省人民政府", "140000")
PROVINCE_DEPARTMENTS = [
    ("山西省生态环境厅", "省生态环境厅", Department.Kind.ECOLOGY, True),
    ("山西省人民检察院", "省检察院", Department.Kind.PROCURATORATE, False),
]
# A second city of the province, with its own lead bureau
SECOND_CITY = ("大同市人民政府", "140200")
SECOND_CITY_DEPARTMENTS = [
    ("大同市生态环境局", "大同市生态环境局", Department.Kind.ECOLOGY, True),
    ("大同市水务局", "大同市水务局", Department.Kind.WATER, False),
    ("大同市人民检察院", "大同市检察院", Department.Kind.PROCURATORATE, False),
    ("大同市财政局", "大同市财政局", Department.Kind.FINANCE, False),
]
DISTRICTS = [
    ("小店区", "140105"),
    ("迎泽区", "140106"),
]

# username, full name, role, department short name, title
DEMO_USERS = [
    ("jingban", "张明", Role.OFFICER, "市生态环境局", "法规与标准处 科员"),
    ("chuzhang", "李娟", Role.DIVISION_HEAD, "市生态环境局", "法规与标准处 处长"),
    ("juzhang", "王建国", Role.DEPARTMENT_HEAD, "市生态环境局", "副局长"),
    ("qiantou", "赵磊", Role.COORDINATOR, "市生态环境局", "生态环境损害赔偿工作协调员"),
    ("jiancha", "陈静", Role.PROCURATORATE, "市检察院", "第八检察部 检察官"),
    ("caizheng", "刘芳", Role.FINANCE, "市财政局", "综合处 科员"),
    ("admin", "周强", Role.ADMIN, "市生态环境局", "信息中心 系统管理员"),
    ("shuiwu", "孙浩", Role.OFFICER, "市水务局", "水资源管理处 科员"),
    ("xiaodian", "吴婷", Role.OFFICER, "小店区生态环境分局", "执法大队 科员"),
    ("qixiang", "郑磊", Role.OFFICER, "市气象局", "法规科 科员"),
    ("wenlv", "冯雪", Role.OFFICER, "市文旅局", "资源开发处 科员"),
    ("shengting", "韩立新", Role.COORDINATOR, "省生态环境厅", "法规与标准处 生态环境损害赔偿工作协调员"),
    ("datong", "高峰", Role.OFFICER, "大同市生态环境局", "法规与标准科 科员"),
    ("datongchu", "马丽", Role.DIVISION_HEAD, "大同市生态环境局", "法规与标准科 科长"),
    ("datongju", "杜文斌", Role.DEPARTMENT_HEAD, "大同市生态环境局", "副局长"),
]


@dataclass
class DemoOrg:
    city: Jurisdiction
    districts: list[Jurisdiction]
    province: Jurisdiction | None = None
    cities: list[Jurisdiction] = field(default_factory=list)
    departments: dict[str, Department] = field(default_factory=dict)
    users: dict[Role, User] = field(default_factory=dict)
    by_username: dict[str, User] = field(default_factory=dict)
    # the moment the load began: every demo step is dated at or before it (workflow/demo_clock.py)
    now: datetime = field(default_factory=timezone.now)


def _resave(jurisdiction: Jurisdiction) -> None:
    """Save with its new parent, and its descendants after it (their paths follow)."""
    jurisdiction.save()
    for child in jurisdiction.children.all():
        _resave(child)


@transaction.atomic
def build_org(rule_set_code: str = "SX", password: str = DEMO_PASSWORD) -> DemoOrg:
    rule_set = RuleSet.objects.get(code=rule_set_code)
    province, _ = Jurisdiction.objects.get_or_create(
        code=PROVINCE[1], defaults={"name": PROVINCE[0], "level": Jurisdiction.Level.PROVINCE,
                                    "rule_set": rule_set})
    city, _ = Jurisdiction.objects.get_or_create(
        code="140100", defaults={"name": "太原市人民政府", "level": Jurisdiction.Level.CITY,
                                 "rule_set": rule_set, "parent": province})
    if city.parent_id is None:  # a demo loaded before the province existed
        city.parent = province
        _resave(city)
    second, _ = Jurisdiction.objects.get_or_create(
        code=SECOND_CITY[1], defaults={"name": SECOND_CITY[0], "level": Jurisdiction.Level.CITY,
                                       "rule_set": rule_set, "parent": province})
    org = DemoOrg(city=city, districts=[], province=province, cities=[city, second])
    for jurisdiction, departments in ((province, PROVINCE_DEPARTMENTS),
                                      (second, SECOND_CITY_DEPARTMENTS)):
        for name, short, kind, lead in departments:
            org.departments[short], _ = Department.objects.get_or_create(
                jurisdiction=jurisdiction, name=name,
                defaults={"short_name": short, "kind": kind, "is_lead": lead})
    for name, short, kind, lead in CITY_DEPARTMENTS:
        org.departments[short], _ = Department.objects.get_or_create(
            jurisdiction=city, name=name,
            defaults={"short_name": short, "kind": kind, "is_lead": lead})
    for name, code in DISTRICTS:
        district, _ = Jurisdiction.objects.get_or_create(
            code=code, defaults={"name": f"{name}人民政府", "level": Jurisdiction.Level.COUNTY,
                                 "parent": city, "rule_set": rule_set})
        org.districts.append(district)
        for dname, short, kind, lead in [
            (f"太原市生态环境局{name[:-1]}分局", f"{name}生态环境分局", Department.Kind.ECOLOGY, True),
            (f"{name}水利局", f"{name}水利局", Department.Kind.WATER, False),
            (f"{name}人民检察院", f"{name}检察院", Department.Kind.PROCURATORATE, False),
        ]:
            org.departments[short], _ = Department.objects.get_or_create(
                jurisdiction=district, name=dname,
                defaults={"short_name": short, "kind": kind, "is_lead": lead})
    for username, full_name, role, dept, title in DEMO_USERS:
        user, created = User.objects.get_or_create(username=username, defaults={
            "full_name": full_name, "department": org.departments[dept], "title": title,
            "is_staff": role == Role.ADMIN,
        })
        if created:
            user.set_password(password)
            user.save()
            user.groups.add(Group.objects.get(name=group_name(role)))
        org.users.setdefault(role, user)
        org.by_username[username] = user
    return org
