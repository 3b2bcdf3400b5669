"""Importing clues from an .xlsx exported by an enforcement system (or filled in from our
template) with django-import-export.

- Every row goes through the library's import loop with this module's resource: widgets turn
  cells into values or refuse them with a Chinese message, cross-column rules (dates follow
  causality, DOMAIN §6; credit codes, GB 32100-2015) are checked per row, and a new clue is
  saved through screening.services.register_clue (number, rule profile, verification
  deadline, audit), its obligors through parties.services.find_or_create_party.
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
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

import tablib
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from import_export import resources, widgets
from import_export.fields import Field
from import_export.results import RowResult
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation

from accounts.models import Department, Jurisdiction
from parties.models import Party
from parties.services import find_or_create_party
from parties.validators import credit_code_errors, normalise_code
from rules.calendar import cn_date
from rules.errors import RuleError

from .models import Clue, ClueImport, SourceChannel
from .services import register_clue


def max_rows() -> int:
    """Rows one import may hold: each row is registered in the request, one by one."""
    return settings.ECOCLAIM_IMPORT_MAX_ROWS


def max_bytes() -> int:
    return settings.ECOCLAIM_IMPORT_MAX_BYTES


class ImportFileError(Exception):
    """The file as a whole cannot be imported; str() is the Chinese message."""


# --- cells → values --------------------------------------------------------------------------

def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class TextWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if _blank(value):
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # a number typed into a text column (a 文号 like 2026001)
        if isinstance(value, datetime | date):
            return cn_date(value)
        return str(value).strip()


class DateWidget(widgets.Widget):
    """Excel dates, and the ways people type them: 2026-09-01, 2026/9/1, 2026.9.1,
    2026年9月1日, 20260901."""

    PATTERN = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")

    def clean(self, value, row=None, **kwargs):
        if _blank(value):
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, int | float) and 20000 < value < 80000:
            # a date cell formatted as a number: days since 1899-12-30 (Excel's epoch)
            return date(1899, 12, 30) + timedelta(days=int(value))
        text = unicodedata.normalize("NFKC", str(value)).strip()
        match = self.PATTERN.match(text) or re.match(r"^(\d{4})(\d{2})(\d{2})$", text)
        if not match:
            raise ValueError(f"“{value}”不是日期，请按“2026-09-01”或“2026年9月1日”填写。")
        try:
            return date(*(int(part) for part in match.groups()))
        except ValueError:
            raise ValueError(f"日期“{value}”不存在。") from None


class AmountWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if _blank(value):
            return None
        text = unicodedata.normalize("NFKC", str(value)).strip()
        text = text.replace(",", "").replace("¥", "").replace("元", "").strip()
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"“{value}”不是金额，请填写以元为单位的数字。") from None
        if not amount.is_finite():
            raise ValueError(f"“{value}”不是金额，请填写以元为单位的数字。")
        if amount < 0:
            raise ValueError("金额不能为负数。")
        if amount != amount.quantize(Decimal("0.01")):
            raise ValueError(f"金额“{value}”最多保留两位小数。")
        return amount.quantize(Decimal("0.01"))


class ChoiceWidget(widgets.Widget):
    """A Chinese label (or the stored value, or an alias) to the stored value."""

    def __init__(self, choices, *, what: str, aliases=None, default=None):
        super().__init__()
        self.what, self.default = what, default
        self.labels = [label for _value, label in choices]
        self.lookup = {str(label): value for value, label in choices}
        self.lookup.update({value: value for value, _label in choices})
        self.lookup.update(aliases or {})

    def clean(self, value, row=None, **kwargs):
        if _blank(value):
            return self.default
        text = unicodedata.normalize("NFKC", str(value)).strip()
        if text in self.lookup:
            return self.lookup[text]
        raise ValueError(f"未知的{self.what}“{text}”，可填：{'、'.join(self.labels)}。")


class YesNoWidget(widgets.Widget):
    YES = {"是", "Y", "YES", "TRUE", "1", "√"}
    NO = {"否", "N", "NO", "FALSE", "0", "×"}

    def clean(self, value, row=None, **kwargs):
        if _blank(value):
            return False
        if isinstance(value, bool):
            return value
        text = unicodedata.normalize("NFKC", str(value)).strip().upper()
        if text in self.YES:
            return True
        if text in self.NO:
            return False
        raise ValueError(f"“{value}”应填“是”或“否”。")


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


class ClueImportResource(resources.ModelResource):
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

    def __init__(self, *, department: Department, user, lines=None, **kwargs):
        super().__init__(**kwargs)
        self.department, self.user = department, user
        self.lines = lines or []  # Excel row number of each dataset row
        self.fields["channel"].widget = ChannelWidget(SourceChannel.objects.filter(active=True))
        self.fields["referring_procuratorate"].widget = ProcuratorateWidget(
            Department.objects.filter(kind=Department.Kind.PROCURATORATE))
        self.fields["place"].widget = PlaceWidget(
            Jurisdiction.objects.filter(path__startswith=department.jurisdiction.path))
        self.notes: dict[int, list[str]] = {}
        self._row = 0
        self._new_in_file: dict[str, int] = {}

    @classmethod
    def headers(cls) -> list[str]:
        return [cls.fields[name].column_name for name in cls._meta.fields]

    def _note(self, text: str) -> None:
        self.notes.setdefault(self._row, []).append(text)

    def _line(self, row_number: int) -> int:
        return self.lines[row_number - 1] if row_number <= len(self.lines) else row_number + 1

    # -- the library's hooks --

    def before_import_row(self, row, **kwargs):
        self._row = kwargs.get("row_number", 0)

    def init_instance(self, row=None):
        return Clue(department=self.department, jurisdiction=self.department.jurisdiction)

    def get_instance(self, instance_loader, row):
        reference = TextWidget().clean(row.get("来源文号"))
        if not reference:
            return None
        return Clue.objects.filter(department=self.department,
                                   source_reference=reference).order_by("id").first()

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if instance.pk is None:
            return False
        earlier = self._new_in_file.get(instance.source_reference)
        if earlier is not None:
            self._note(f"与本文件第{earlier}行的来源文号相同，重复，跳过。")
        else:
            self._note(f"本部门已登记来源文号相同的线索 {instance.number}，重复，跳过。")
        return True

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as e:
            errors = e.update_error_dict(errors)
        if instance.pk is not None:  # a duplicate: skipped whatever it says
            return
        for name in self.REQUIRED:
            if name not in errors and getattr(instance, name, None) in (None, ""):
                errors[name] = [f"请填写{self.fields[name].column_name}。"]
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
        if errors:
            raise ValidationError(errors)

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
            instance.full_clean(exclude=[*errors, "number", "registered_by", "rule_profile",
                                         "state"], validate_unique=False)
        except ValidationError as e:
            # a column its widget already refused is not reported twice by Clue.clean()
            for key, messages in e.message_dict.items():
                errors.setdefault(key, messages)
        if errors:
            raise ValidationError(errors)

    def do_instance_save(self, instance, is_create):
        if not is_create:  # skip_row keeps existing clues out; never rewrite one
            raise ValidationError("该线索已登记，不能通过导入修改。")
        obligors = []
        for name, code in getattr(instance, "_import_obligors", []):
            match = find_or_create_party(kind=Party.Kind.ORGANISATION, name=name,
                                         credit_code=code, by=self.user)
            obligors.append(match.party)
            if match.created:
                self._note(f"新登记当事人“{name}”（{code}）。")
            elif match.differs:
                self._note(match.describe())
        try:
            register_clue(instance, by=self.user, obligors=obligors)
        except RuleError as e:  # e.g. no rule profile in force on the day it was found
            raise ValidationError({"found_on": str(e)}) from e

    def after_import_row(self, row, row_result, **kwargs):
        reference = TextWidget().clean(row.get("来源文号"))
        if row_result.import_type == RowResult.IMPORT_TYPE_NEW and reference:
            self._new_in_file.setdefault(reference, self._line(self._row))

    def after_import(self, dataset, result, **kwargs):
        # ModelResource resets the table's id sequence to max(id) after an import, which can
        # hand out an id another transaction has just taken; ids here come from the sequence.
        pass


def _column_label(key: str) -> str:
    for f in ClueImportResource.fields.values():
        if f.attribute == key:
            return f.column_name
    return {"suspected_obligors": "涉嫌赔偿义务人"}.get(key, "")


# --- the file --------------------------------------------------------------------------------

def _normalise_header(value) -> str:
    text = unicodedata.normalize("NFKC", str(value or ""))
    return re.sub(r"[\s*＊]", "", text)


@dataclass
class Sheet:
    dataset: tablib.Dataset
    lines: list[int]  # the Excel row number of each data row
    ignored_columns: list[str] = field(default_factory=list)


def read_sheet(fileobj) -> Sheet:
    """The first sheet as a Dataset with the template's headers; blank rows dropped."""
    try:
        book = load_workbook(fileobj, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise ImportFileError("无法读取该文件。请上传 .xlsx 格式的 Excel 文件（可下载导入模板填写）。") \
            from None
    try:
        ws = book.worksheets[0]
        ws.reset_dimensions()  # some exporters write a wrong sheet size
        rows = ws.iter_rows(values_only=True)
        header = next(rows, None)
        if not header or all(_blank(v) for v in header):
            raise ImportFileError("文件第1行应为列名（与导入模板相同），但第1行是空的。")
        known = {_normalise_header(h): h for h in ClueImportResource.headers()}
        columns, ignored, seen = [], [], set()
        for value in header:
            name = known.get(_normalise_header(value))
            if name is None:
                columns.append(None)
                if not _blank(value):
                    ignored.append(str(value).strip())
            elif name in seen:
                raise ImportFileError(f"列“{name}”出现了两次。")
            else:
                seen.add(name)
                columns.append(name)
        required = [ClueImportResource.fields[n].column_name
                    for n in ClueImportResource.REQUIRED]
        missing = [h for h in required if h not in seen]
        if missing:
            raise ImportFileError(f"缺少必填列：{'、'.join(missing)}。请使用导入模板的列名。")
        headers = [c for c in columns if c]
        dataset, lines = tablib.Dataset(headers=headers), []
        for line, values in enumerate(rows, start=2):
            cells = [v for c, v in zip(columns, values, strict=False) if c]
            cells += [None] * (len(headers) - len(cells))
            if all(_blank(v) for v in cells):
                continue
            if len(lines) >= max_rows():
                raise ImportFileError(f"文件超过{max_rows()}行，请分批导入。")
            dataset.append(cells)
            lines.append(line)
        if not lines:
            raise ImportFileError("文件中没有数据行。")
        return Sheet(dataset, lines, ignored)
    finally:
        book.close()


# --- running it --------------------------------------------------------------------------------

@dataclass
class RowOutcome:
    line: int
    status: str  # new | skipped | invalid
    reference: str
    summary: str
    messages: list[str]

    STATUS_LABELS = {"new": "新增", "skipped": "重复，跳过", "invalid": "有错误"}

    @property
    def status_label(self) -> str:
        return self.STATUS_LABELS[self.status]


@dataclass
class ImportReport:
    rows: list[RowOutcome] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # the file as a whole
    ignored_columns: list[str] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def new(self) -> int:
        return self.count("new")

    @property
    def skipped(self) -> int:
        return self.count("skipped")

    @property
    def invalid(self) -> int:
        return self.count("invalid")

    @property
    def can_confirm(self) -> bool:
        return not self.problems and not self.invalid and self.new > 0


def _messages(row_result) -> list[str]:
    messages = []
    if row_result.validation_error is not None:
        for key, texts in row_result.validation_error.message_dict.items():
            label = _column_label(key)
            messages += [f"{label}：{t}" if label else t for t in texts]
    for error in row_result.errors:
        messages.append(f"导入失败：{error.error}")
    return messages


def run_import(clue_import: ClueImport, *, by, dry_run: bool) -> ImportReport:
    report = ImportReport()
    try:
        with clue_import.file.open("rb") as handle:
            sheet = read_sheet(handle)
    except ImportFileError as e:
        report.problems.append(str(e))
        return report
    except FileNotFoundError:
        report.problems.append("上传的文件已不存在，请重新上传。")
        return report
    report.ignored_columns = sheet.ignored_columns
    resource = ClueImportResource(department=clue_import.department, user=by,
                                  lines=sheet.lines)
    result = resource.import_data(sheet.dataset, dry_run=dry_run, use_transactions=True,
                                  rollback_on_validation_errors=True, raise_errors=False)
    for error in result.base_errors:
        report.problems.append(f"导入失败：{error.error}")
    for number, row_result in enumerate(result.rows, start=1):
        values = row_result.row_values or {}
        if row_result.import_type == RowResult.IMPORT_TYPE_NEW:
            status = "new"
        elif row_result.import_type == RowResult.IMPORT_TYPE_SKIP:
            status = "skipped"
        else:
            status = "invalid"
        report.rows.append(RowOutcome(
            line=sheet.lines[number - 1], status=status,
            reference=TextWidget().clean(values.get("来源文号")),
            summary=TextWidget().clean(values.get("线索概要")),
            messages=_messages(row_result) + resource.notes.get(number, [])))
    return report


def preview_import(clue_import: ClueImport, *, by) -> ImportReport:
    """The dry run: everything the confirmation would do, then rolled back."""
    return run_import(clue_import, by=by, dry_run=True)


class AlreadyHandled(Exception):
    """The import was confirmed or discarded meanwhile (another tab, a double click)."""


def confirm_import(clue_import: ClueImport, *, by) -> ImportReport:
    with transaction.atomic():
        locked = ClueImport.objects.select_for_update().get(pk=clue_import.pk)
        if locked.status != ClueImport.Status.PREVIEWED:
            raise AlreadyHandled(f"该文件{locked.get_status_display()}，不能再次导入。")
        Department.objects.select_for_update().get(pk=locked.department_id)
        report = run_import(locked, by=by, dry_run=False)
        if report.problems or report.invalid:
            return report  # import_data has rolled its rows back
        locked.status = ClueImport.Status.IMPORTED
        locked.rows_total, locked.rows_new = len(report.rows), report.new
        locked.rows_skipped, locked.rows_invalid = report.skipped, report.invalid
        locked.imported_at = timezone.now()
        locked.save()
    return report


def discard_import(clue_import: ClueImport) -> bool:
    updated = ClueImport.objects.filter(pk=clue_import.pk,
                                        status=ClueImport.Status.PREVIEWED).update(
        status=ClueImport.Status.DISCARDED)
    if updated:
        clue_import.file.delete(save=False)
        ClueImport.objects.filter(pk=clue_import.pk).update(file="")
    return bool(updated)


def store_upload(uploaded, *, department, by) -> ClueImport:
    if uploaded.size > max_bytes():
        raise ImportFileError(f"文件超过{max_bytes() // (1024 * 1024)}MB，请分批导入。")
    if not uploaded.name.lower().endswith(".xlsx"):
        raise ImportFileError("请上传 .xlsx 格式的 Excel 文件（旧版 .xls 请先另存为 .xlsx）。")
    from workflow.models import Attachment

    clue_import = ClueImport(department=department, uploaded_by=by,
                             original_name=uploaded.name[-255:], size=uploaded.size,
                             sha256=Attachment.digest(uploaded))
    clue_import.file.save(uploaded.name, uploaded, save=False)
    clue_import.save()
    return clue_import


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
