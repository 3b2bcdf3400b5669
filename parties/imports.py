"""Importing 历史记录 (parties/historical.py) from Excel, on the shared machinery of
workflow/excel_import.py: upload → dry-run preview → confirm or discard, as for clues.

Each row names the obligor by name and code (found or registered through
parties.services.find_or_create_party) and is saved through record_historical (number, the date
before the jurisdiction's first rule profile, audit). A row whose obligor already has a record
of the same kind and 文书文号 in the department is skipped as a duplicate, so importing the
same file twice creates nothing the second time."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from import_export.fields import Field
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from workflow import excel_import
from workflow.excel_import import ChoiceWidget, DateWidget, ExcelResource, TextWidget

from .historical import event_date_errors, record_historical
from .models import HistoricalImport, HistoricalRecord, Party
from .services import find_or_create_party, identify
from .validators import normalise_code

KIND = ChoiceWidget(HistoricalRecord.Kind.choices, what="类型",
                    aliases={"损害事件": "damage_event", "已结案件": "closed_case"})
PARTY_KIND = ChoiceWidget(Party.Kind.choices, what="义务人类型", default=Party.Kind.ORGANISATION,
                          aliases={"个人": "person", "企业": "organisation"})


class HistoricalImportResource(ExcelResource):
    kind = Field(attribute="kind", column_name="类型", widget=KIND)
    party_name = Field(column_name="赔偿义务人")
    party_kind = Field(column_name="义务人类型")
    party_code = Field(column_name="统一社会信用代码或身份证号码")
    event_date = Field(attribute="event_date", column_name="发生日期", widget=DateWidget())
    place = Field(attribute="place", column_name="发生地点", widget=TextWidget())
    document_number = Field(attribute="document_number", column_name="文书文号",
                            widget=TextWidget())
    description = Field(attribute="description", column_name="情况描述", widget=TextWidget())

    REQUIRED = ("kind", "party_name", "party_code", "event_date", "place", "document_number",
                "description")
    HELP = {
        "kind": "历史损害事件 / 历史已结案件",
        "party_name": "单位名称或自然人姓名",
        "party_kind": "单位 / 自然人，可不填（默认单位）",
        "party_code": "单位填18位统一社会信用代码，自然人填18位身份证号码",
        "event_date": "日期，如 2023-05-01；须早于本辖区规则配置的施行日期",
        "document_number": "处罚决定书、结案文书等的文号；同一义务人同类记录据此识别重复导入",
    }
    WIDTHS = {"party_name": 30, "party_code": 26, "description": 48, "place": 24,
              "document_number": 24}
    REFERENCE, SUMMARY = "document_number", "party_name"
    LABELS = {"party": "赔偿义务人"}
    EXISTING = "本部门已登记该义务人同一文号的历史记录 {number}，重复，跳过。"

    class Meta:
        model = HistoricalRecord
        fields = ("kind", "party_name", "party_kind", "party_code", "event_date", "place",
                  "document_number", "description")
        import_order = fields
        import_id_fields = ("document_number",)
        skip_diff = True
        store_row_values = True
        report_skipped = True
        use_transactions = True
        clean_model_instances = False  # record_historical checks the record

    def duplicate_key(self, row) -> tuple | None:
        """(kind, code, 文号) of a row, or None if a part is missing or unreadable."""
        try:
            kind = KIND.clean(row.get("类型"))
        except ValueError:
            return None
        code = normalise_code(TextWidget().clean(row.get("统一社会信用代码或身份证号码")))
        number = TextWidget().clean(row.get("文书文号"))
        return (kind, code, number) if kind and code and number else None

    def init_instance(self, row=None):
        return HistoricalRecord(department=self.department,
                                jurisdiction=self.department.jurisdiction)

    def existing(self, keys):
        found = {}
        for record in HistoricalRecord.objects.filter(
                department=self.department,
                document_number__in={number for _kind, _code, number in keys}).select_related(
                "party").order_by("id").only("pk", "number", "kind", "document_number",
                                             "party__credit_code", "party__id_number"):
            for code in (record.party.credit_code, record.party.id_number):
                key = (record.kind, normalise_code(code), record.document_number)
                if code and key in keys:
                    found.setdefault(key, record)
        return found

    def check_row(self, instance, row, errors):
        name = TextWidget().clean(row.get("赔偿义务人"))
        code = normalise_code(TextWidget().clean(row.get("统一社会信用代码或身份证号码")))
        for field, value in (("party_name", name), ("party_code", code)):
            if not value:
                errors[field] = [f"请填写{self.column(field)}。"]
        try:
            kind = PARTY_KIND.clean(row.get("义务人类型"))
            if code:
                identify(kind, **{("id_number" if kind == Party.Kind.PERSON
                                   else "credit_code"): code})
        except ValueError as e:
            errors["party_kind"] = [str(e)]
        except ValidationError as e:
            errors["party_code"] = e.messages
        else:
            instance._import_party = (kind, name, code)
        if "event_date" not in errors:
            problems = event_date_errors(self.department.jurisdiction, instance.event_date)
            if problems:
                errors["event_date"] = problems

    def do_instance_save(self, instance, is_create):
        if not is_create:  # skip_row keeps existing records out; never rewrite one
            raise ValidationError("该历史记录已登记，不能通过导入修改。")
        kind, name, code = instance._import_party
        code_field = "id_number" if kind == Party.Kind.PERSON else "credit_code"
        match = find_or_create_party(kind=kind, name=name, by=self.user, **{code_field: code})
        if match.created:
            self._note(f"新登记当事人“{name}”。")
        elif match.differs:
            self._note(match.describe())
        instance.party = match.party
        record_historical(instance, by=self.user)


def preview_import(upload: HistoricalImport, *, by):
    return excel_import.preview_import(upload, HistoricalImportResource, by=by)


def confirm_import(upload: HistoricalImport, *, by):
    return excel_import.confirm_import(upload, HistoricalImportResource, by=by)


def store_upload(uploaded, *, department, by) -> HistoricalImport:
    return excel_import.store_upload(uploaded, HistoricalImport, department=department, by=by)


def write_template(target) -> None:
    """The import template: the data sheet with Chinese headers and an instruction sheet."""
    book = Workbook()
    ws = book.active
    ws.title = "历史记录"
    names = list(HistoricalImportResource._meta.fields)
    ws.append(HistoricalImportResource.headers())
    for i, name in enumerate(names, start=1):
        cell = ws.cell(row=1, column=i)
        cell.font = Font(bold=True,
                         color="C00000" if name in HistoricalImportResource.REQUIRED else None)
        ws.column_dimensions[get_column_letter(i)].width = \
            HistoricalImportResource.WIDTHS.get(name, 16)
    ws.freeze_panes = "A2"
    notes = book.create_sheet("填写说明")
    notes.column_dimensions["A"].width = 30
    notes.column_dimensions["B"].width = 70
    notes.append(["列名", "填写要求"])
    for name in names:
        required = "必填。" if name in HistoricalImportResource.REQUIRED else ""
        notes.append([HistoricalImportResource.column(name),
                      required + HistoricalImportResource.HELP.get(name, "")])
    book.save(target)
