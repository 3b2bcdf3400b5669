"""Importing clues from an .xlsx exported by an enforcement system (or filled in from our
template) with django-import-export, on the shared machinery of workflow/excel_import.py.

- Every row goes through the library's import loop with this module's resource: widgets turn
  cells into values or refuse them with a Chinese message, cross-column rules (dates follow
  causality, DOMAIN §6; credit codes, GB 32100-2015) are checked per row.
- Registration is batched (Meta.use_bulk): a valid row is kept until BATCH rows are, then
  screening.services.register_clues registers them in a few statements (numbers reserved at
  once, clues, audit events, obligors and deadlines each in one INSERT), with the same result
  as register_clue row by row. Parties are looked up once per file (parties_by_code) and the
  new ones registered per batch (register_parties); the rule profile once per day per file.
- A preview is the same import run with dry_run=True inside a transaction that is rolled back:
  nothing stays, and the preview shows exactly what the confirmation will do.
- A clue already registered by the department with the same 来源文号 is skipped as a
  duplicate, so importing the same file twice creates nothing the second time.
- Confirming runs the import again, for real, in one transaction that is rolled back whole if
  any row fails; imports of one department are serialised by a row lock on the department,
  because the duplicate check reads before it writes.
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from import_export import widgets
from import_export.fields import Field
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from accounts.models import Department, Jurisdiction
from parties.models import Party
from parties.services import name_difference, parties_by_code, register_parties
from parties.validators import credit_code_errors, normalise_code
from rules.calendar import cn_date
from rules.errors import RuleError
from workflow import excel_import
from workflow.excel_import import (  # noqa: F401  (re-exported: views and tests use them)
    AlreadyHandled,
    AmountWidget,
    ChoiceWidget,
    DateWidget,
    ExcelResource,
    ImportFileError,
    ImportReport,
    RowOutcome,
    Sheet,
    TextWidget,
    YesNoWidget,
    _blank,
    discard_import,
    max_bytes,
    max_rows,
)

from .models import Clue, ClueImport, SourceChannel
from .services import register_clues

BATCH = 500  # rows registered per register_clues call


class ChannelWidget(widgets.Widget):
    """The source channel by its name (as in the template's code sheet) or its code."""

    def __init__(self, channels):
        super().__init__()
        self.by_key = {}
        for channel in channels:
            self.by_key[channel.name] = channel
            self.by_key[channel.code] = channel

    def clean(self, value, row=None, **kwargs):
        if _blank(value):
            return None
        text = unicodedata.normalize("NFKC", str(value)).strip()
        channel = self.by_key.get(text) or self.by_key.get(str(value).strip())
        if channel is None:
            raise ValueError(f"未知的线索渠道“{text}”，请按模板“代码表”填写渠道名称。")
        return channel


class ProcuratorateWidget(widgets.Widget):
    """The referring procuratorate (SX 第八条) by its name or short name."""

    def __init__(self, procuratorates):
        super().__init__()
        self.by_key = {}
        for department in procuratorates:
            self.by_key[department.name] = department
            if department.short_name:
                self.by_key.setdefault(department.short_name, department)

    def clean(self, value, row=None, **kwargs):
        if _blank(value):
            return None
        text = TextWidget().clean(value)
        procuratorate = self.by_key.get(text)
        if procuratorate is None:
            raise ValueError(f"没有名为“{text}”的检察机关，请按模板“代码表”填写检察院全称。")
        return procuratorate


class PlaceWidget(widgets.Widget):
    """A jurisdiction at or below the department's, by name (with or without 人民政府) or
    administrative division code."""

    def __init__(self, jurisdictions):
        super().__init__()
        self.by_key = {}
        for j in jurisdictions:
            self.by_key[j.name] = j
            self.by_key[j.name.removesuffix("人民政府")] = j
            self.by_key[j.code] = j

    def clean(self, value, row=None, **kwargs):
        if _blank(value):
            return None
        text = TextWidget().clean(value)
        place = self.by_key.get(text)
        if place is None:
            raise ValueError(f"本辖区内没有名为“{text}”的区县。")
        return place


# --- the columns -------------------------------------------------------------------------

SPLIT = re.compile(r"[;；、\n]+")


class ClueImportResource(ExcelResource):
    source_reference = Field(attribute="source_reference", column_name="来源文号",
                             widget=TextWidget())
    channel = Field(attribute="channel", column_name="线索渠道", widget=widgets.Widget())
    found_on = Field(attribute="found_on", column_name="发现日期", widget=DateWidget())
    registered_on = Field(attribute="registered_on", column_name="登记日期",
                          widget=DateWidget())
    source_organisation = Field(attribute="source_organisation", column_name="来源单位",
                                widget=TextWidget())
    referring_procuratorate = Field(attribute="referring_procuratorate",
                                    column_name="移送检察机关", widget=widgets.Widget())
    summary = Field(attribute="summary", column_name="线索概要", widget=TextWidget())
    place = Field(attribute="place", column_name="发生地（区县）", widget=widgets.Widget())
    place_detail = Field(attribute="place_detail", column_name="具体地点", widget=TextWidget())
    damage_type = Field(attribute="damage_type", column_name="损害类型", widget=ChoiceWidget(
        Clue.DamageType.choices, what="损害类型",
        aliases={"水": "water", "大气": "air", "土壤": "soil", "固废": "solid_waste",
                 "生态": "ecology"}))
    estimated_amount = Field(attribute="estimated_amount", column_name="估算损害数额（元）",
                             widget=AmountWidget())
    in_protected_area = Field(attribute="in_protected_area",
                              column_name="位于生态保护红线或自然保护地", widget=YesNoWidget())
    rectification = Field(attribute="rectification", column_name="整改情况", widget=ChoiceWidget(
        Clue.Rectification.choices, what="整改情况", default=Clue.Rectification.UNKNOWN,
        aliases={"已完成": "done", "未完成": "not_done", "已整改": "done", "未整改": "not_done",
                 "不详": "unknown"}))
    obligor_names = Field(column_name="涉嫌赔偿义务人")
    obligor_codes = Field(column_name="统一社会信用代码")

    REQUIRED = ("source_reference", "channel", "found_on", "summary", "damage_type")
    HELP = {
        "source_reference": "执法系统的案件编号或文书文号；同一部门内据此识别重复导入",
        "channel": "见“代码表”",
        "found_on": "日期，如 2026-09-01",
        "registered_on": "可不填，默认为导入当日",
        "referring_procuratorate": "线索渠道为“检察机关移送”的必填，填写检察院全称（见“代码表”）；"
                                   "其他渠道不填（SX 第八条）",
        "summary": "",
        "place": "本辖区内的区县名称或行政区划代码，可不填",
        "damage_type": "见“代码表”",
        "estimated_amount": "元，最多两位小数，可不填",
        "in_protected_area": "是 / 否",
        "rectification": "已完成整改 / 未完成整改 / 不明",
        "obligor_names": "单位名称；多个用“；”分隔",
        "obligor_codes": "18位统一社会信用代码，与名称一一对应",
    }
    REFERENCE, SUMMARY = "source_reference", "summary"
    EXISTING = "本部门已登记来源文号相同的线索 {number}，重复，跳过。"
    IN_FILE = "与本文件第{line}行的来源文号相同，重复，跳过。"
    LABELS = {"suspected_obligors": "涉嫌赔偿义务人"}
    WIDTHS = {"summary": 48, "channel": 36, "obligor_names": 30, "obligor_codes": 24,
              "place_detail": 24, "source_organisation": 24, "in_protected_area": 14,
              "referring_procuratorate": 24}

    class Meta:
        model = Clue
        fields = ("source_reference", "channel", "found_on", "registered_on",
                  "source_organisation", "referring_procuratorate", "summary", "place", "place_detail", "damage_type",
                  "estimated_amount", "in_protected_area", "rectification", "obligor_names",
                  "obligor_codes")
        import_order = fields
        import_id_fields = ("source_reference",)
        skip_diff = True
        store_row_values = True
        report_skipped = True
        use_transactions = True
        clean_model_instances = True
        use_bulk = True
        batch_size = BATCH

    def __init__(self, *, department: Department, user, lines=None, **kwargs):
        super().__init__(department=department, user=user, lines=lines, **kwargs)
        self.fields["channel"].widget = ChannelWidget(SourceChannel.objects.filter(active=True))
        self.fields["referring_procuratorate"].widget = ProcuratorateWidget(
            Department.objects.filter(kind=Department.Kind.PROCURATORATE))
        self.fields["place"].widget = PlaceWidget(
            Jurisdiction.objects.filter(path__startswith=department.jurisdiction.path))
        self._profiles: dict = {}  # found_on → the rule profile in force (or its RuleError)
        self._known_parties: dict = {}  # code → the party registered before (one query)
        self._new_parties: dict = {}  # code → the party a row of this file registers
        # (name, code) already named by an earlier imported row: asking again would find the
        # same party with nothing to fill or report
        self._named: set = set()

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        codes = set()
        for row in dataset.dict:
            codes.update(normalise_code(c) for c in SPLIT.split(
                TextWidget().clean(row.get("统一社会信用代码"))))
        self._known_parties = parties_by_code(codes)

    def profile_on(self, day):
        """The department's rule profile in force on `day`, looked up once per day per file
        (the profile also keeps its values: the deadline reads them once)."""
        if day not in self._profiles:
            try:
                self._profiles[day] = self.department.jurisdiction.rule_profile_on(day)
            except RuleError as e:
                self._profiles[day] = e
        found = self._profiles[day]
        if isinstance(found, RuleError):
            raise found
        return found

    # -- the library's hooks --

    def init_instance(self, row=None):
        return Clue(department=self.department, jurisdiction=self.department.jurisdiction)

    def duplicate_key(self, row):
        return TextWidget().clean(row.get("来源文号")) or None

    def existing(self, keys):
        found = {}
        for pk, reference, number in Clue.objects.filter(
                department=self.department, source_reference__in=keys).order_by(
                "id").values_list("pk", "source_reference", "number"):
            found.setdefault(reference, Clue(pk=pk, number=number))
        return found

    def check_row(self, instance, row, errors):
        today = timezone.localdate()
        if instance.registered_on is None:
            instance.registered_on = today
        found, registered = instance.found_on, instance.registered_on
        if "found_on" not in errors and found and found > today:
            errors["found_on"] = [f"发现日期{cn_date(found)}晚于今天，不可能。"]
        if "registered_on" not in errors and registered > today:
            errors["registered_on"] = [f"登记日期{cn_date(registered)}晚于今天，不可能。"]
        if not {"found_on", "registered_on"} & set(errors) and found and found > registered:
            errors["found_on"] = [f"发现日期{cn_date(found)}晚于登记日期{cn_date(registered)}，"
                                  f"线索应先发现后登记。"]
        try:
            instance._import_obligors = self._obligors(row)
        except ValidationError as e:
            errors["suspected_obligors"] = e.messages

    def _obligors(self, row) -> list[tuple[str, str]]:
        names = [n.strip() for n in SPLIT.split(TextWidget().clean(row.get("涉嫌赔偿义务人")))
                 if n.strip()]
        codes = [normalise_code(c) for c in SPLIT.split(
            TextWidget().clean(row.get("统一社会信用代码"))) if normalise_code(c)]
        if len(names) != len(codes):
            raise ValidationError(
                f"涉嫌赔偿义务人有{len(names)}个名称、{len(codes)}个统一社会信用代码，"
                f"应一一对应（多个用“；”分隔）。")
        problems = []
        for name, code in zip(names, codes, strict=True):
            problems += [f"“{name}”的{msg}" for msg in credit_code_errors(code)]
        if problems:
            raise ValidationError(problems)
        return list(zip(names, codes, strict=True))

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        try:
            # number, registrant and rule profile are given by register_clue; the state is
            # protected (FSMField): clean_fields() would assign it and be refused
            # the related records come from the widgets' lists, read once per file: checking
            # each one exists again would cost a query per column and row
            instance.full_clean(exclude=[*errors, "number", "registered_by", "rule_profile",
                                         "state", "department", "jurisdiction", "channel",
                                         "referring_procuratorate", "place"],
                                validate_unique=False)
        except ValidationError as e:
            # a column its widget already refused is not reported twice by Clue.clean()
            for key, messages in e.message_dict.items():
                errors.setdefault(key, messages)
        if errors:
            raise ValidationError(errors)

    def before_save_instance(self, instance, row, **kwargs):
        """A valid new row: its rule profile and its obligors, found or to be registered with
        its batch (noted on the row as find_or_create_party would say it)."""
        if instance.pk is not None:  # skip_row keeps existing clues out; never rewrite one
            raise ValidationError("该线索已登记，不能通过导入修改。")
        try:
            instance._import_profile = self.profile_on(instance.found_on)
        except RuleError as e:  # e.g. no rule profile in force on the day it was found
            raise ValidationError({"found_on": str(e)}) from e
        for name, code in getattr(instance, "_import_obligors", []):
            if (name, code) in self._named:
                continue
            self._named.add((name, code))
            party = self._known_parties.get(code) or self._new_parties.get(code)
            if party is None:
                self._new_parties[code] = Party(kind=Party.Kind.ORGANISATION, name=name,
                                                credit_code=code, created_by=self.user)
                self._note(f"新登记当事人“{name}”（{code}）。")
            else:
                match = name_difference(party, name)
                if match.differs:
                    self._note(match.describe())

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None,
                    result=None):
        """Register the batch of valid rows kept so far (register_clues)."""
        clues, self.create_instances = list(self.create_instances), []
        if not clues:
            return
        try:
            with transaction.atomic():
                codes = {code for clue in clues for _name, code in clue._import_obligors}
                register_parties([p for code, p in self._new_parties.items()
                                  if code in codes and p.pk is None])
                parties = {**self._new_parties, **self._known_parties}
                register_clues(
                    clues, by=self.user,
                    obligors=[[parties[code] for _name, code in clue._import_obligors]
                              for clue in clues],
                    profiles=[clue._import_profile for clue in clues])
        except Exception as e:  # noqa: BLE001  (reported as the file's problem, rolled back)
            self.handle_import_error(result, e, raise_errors)

    def bulk_update(self, *args, **kwargs):
        self.update_instances.clear()  # never: an existing clue is skipped, not rewritten


# --- running it (workflow/excel_import.py) ------------------------------------------------------

def read_sheet(fileobj) -> Sheet:
    return excel_import.read_sheet(fileobj, ClueImportResource)


def run_import(clue_import: ClueImport, *, by, dry_run: bool) -> ImportReport:
    return excel_import.run_import(clue_import, ClueImportResource, by=by, dry_run=dry_run)


def preview_import(clue_import: ClueImport, *, by) -> ImportReport:
    """The dry run: everything the confirmation would do, then rolled back."""
    return excel_import.preview_import(clue_import, ClueImportResource, by=by)


def confirm_import(clue_import: ClueImport, *, by) -> ImportReport:
    return excel_import.confirm_import(clue_import, ClueImportResource, by=by)


def store_upload(uploaded, *, department, by) -> ClueImport:
    return excel_import.store_upload(uploaded, ClueImport, department=department, by=by)


# --- the template ------------------------------------------------------------------------------

def write_template(target) -> None:
    """The import template: the data sheet with Chinese headers, drop-down lists for the coded
    columns, an instruction sheet and the code sheet the lists read from."""
    book = Workbook()
    ws = book.active
    ws.title = "线索"
    names = list(ClueImportResource._meta.fields)
    headers = ClueImportResource.headers()
    ws.append(headers)
    for i, name in enumerate(names, start=1):
        cell = ws.cell(row=1, column=i)
        cell.font = Font(bold=True,
                         color="C00000" if name in ClueImportResource.REQUIRED else None)
        ws.column_dimensions[get_column_letter(i)].width = ClueImportResource.WIDTHS.get(name, 16)
        if name in ("found_on", "registered_on"):
            for row in range(2, 1002):
                ws.cell(row=row, column=i).number_format = 'yyyy"年"m"月"d"日"'
    ws.freeze_panes = "A2"

    codes = book.create_sheet("代码表")
    channels = [c.name for c in SourceChannel.objects.filter(active=True)]
    lists = {"channel": channels, "damage_type": Clue.DamageType.labels,
             "rectification": Clue.Rectification.labels, "in_protected_area": ["是", "否"],
             "referring_procuratorate": list(Department.objects.filter(
                 kind=Department.Kind.PROCURATORATE).values_list("name", flat=True))}
    for col, (name, values) in enumerate(lists.items(), start=1):
        codes.cell(row=1, column=col, value=ClueImportResource.fields[name].column_name)
        codes.column_dimensions[get_column_letter(col)].width = \
            40 if name in ("channel", "referring_procuratorate") else 16
        for row, value in enumerate(values, start=2):
            codes.cell(row=row, column=col, value=value)
        if not values:
            continue
        letter = get_column_letter(col)
        rule = DataValidation(type="list", formula1=f"代码表!${letter}$2:${letter}${len(values) + 1}",
                              allow_blank=True, showErrorMessage=True,
                              errorTitle="请从列表中选择", error="请从下拉列表中选择。")
        target_col = get_column_letter(names.index(name) + 1)
        rule.add(f"{target_col}2:{target_col}1001")
        ws.add_data_validation(rule)

    notes = book.create_sheet("填写说明")
    notes.column_dimensions["A"].width = 30
    notes.column_dimensions["B"].width = 70
    notes.append(["列名", "填写要求"])
    for name, header in zip(names, headers, strict=True):
        required = "必填。" if name in ClueImportResource.REQUIRED else ""
        notes.append([header, required + ClueImportResource.HELP.get(name, "")])
    notes.append([])
    notes.append(["说明", "第1行为列名，请勿修改；从第2行起每行一条线索。导入前系统会逐行检查并显示结果，"
                          "确认后才会登记。来源文号相同的线索视为重复，不会重复登记。"])
    book.save(target)
