from django.core.management.base import BaseCommand

from accounts.demo import DEMO_PASSWORD, DEMO_USERS, build_org
from accounts.discovery import app_modules
from workflow.audit import acting_as


class Command(BaseCommand):
    help = ("载入演示数据：省、两个市级赔偿权利人（太原市含两个区）、各部门、每个角色一名用户，"
            "以及各阶段、近8个季度的示例记录，日期依次递进、不晚于今天。可重复执行。")

    def handle(self, *args, **options):
        org = build_org()
        for module in app_modules("demo"):
            if hasattr(module, "load"):
                with acting_as(org.by_username["jingban"]):
                    module.load(org)
        self.stdout.write(self.style.SUCCESS(f"演示数据已就绪。演示账号（密码均为 {DEMO_PASSWORD}）："))
        for username, full_name, role, dept, _title in DEMO_USERS:
            self.stdout.write(f"  {username:<10} {role.label:<8} {full_name}（{dept}）")
