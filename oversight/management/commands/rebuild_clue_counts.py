from django.core.management.base import BaseCommand, CommandError

from oversight import summary


class Command(BaseCommand):
    help = ("重建数据看板汇总表（线索、案件）：按线索和案件重新统计，并报告与汇总表不一致之处"
            "（有不一致时以错误退出）。")

    def handle(self, *args, **options):
        if not summary.enabled():
            self.stdout.write("数据看板汇总表仅用于 PostgreSQL；当前数据库直接按线索和案件统计。")
            return
        diff = summary.rebuild()
        for key, stored, counted in diff:
            self.stderr.write(f"{key}: 汇总 {stored}，重新统计 {counted}")
        if diff:
            raise CommandError(f"数据看板汇总表有 {len(diff)} 处与线索、案件不一致，已重新统计。")
        self.stdout.write("数据看板汇总表已重建，与线索、案件一致。")
