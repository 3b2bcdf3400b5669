"""Importing records from an .xlsx with django-import-export: the machinery every import
shares (screening/imports.py clues, parties/imports.py historical records).

- An ExcelResource subclass says the columns (Chinese headers), the required ones, the help
  text of the template, and the reference column that identifies a duplicate.
- Widgets turn cells into values or refuse them with a Chinese message.
- The file is checked whole at upload (zip size and ratio, the sheet's declared size, every row
  read counted, unreadable XML): a file that cannot be imported is refused on the upload page.
- A preview is the same import run with dry_run=True inside a transaction that is rolled back:
  nothing stays, and the preview shows exactly what the confirmation will do. It is computed
  once and stored on the upload (the file never changes). A file of more than
  ECOCLAIM_IMPORT_DIRECT_MAX_ROWS rows is previewed and confirmed by a Celery job
  (run_job) whose progress the page polls.
- Confirming runs the import again, for real, in one transaction that is rolled back whole if
  any row fails; imports of one department are serialised by a row lock on the department.
- The uploaded file waits in private storage as an ExcelUpload (a concrete subclass per kind
  of import) that only its uploader can see, until confirmed or discarded.
"""

from __future__ import annotations

import logging
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from io import BytesIO
from urllib.parse import quote

import tablib
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.module_loading import import_string
from import_export import resources, widgets
from import_export.results import RowResult
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from rules.calendar import cn_date

from . import audit
from .forms import StyledForm
from .jobs import enqueue_after_commit

logger = logging.getLogger(__name__)


class ExcelUpload(models.Model):
    """An uploaded .xlsx between the dry-run preview and the user's confirmation. Concrete
    subclasses add `file` (a FileField to private storage), Meta, get_absolute_url,
    `resource_path` (the dotted path of their ExcelResource) and `progress_url`."""

    resource_path = ""

    class Status(models.TextChoices):
        PREVIEWED = "previewed", "待确认"
        IMPORTED = "imported", "已导入"
        DISCARDED = "discarded", "已放弃"

    class Job(models.TextChoices):
        NONE = "", "无"
        PREVIEW = "preview", "检查"
        CONFIRM = "confirm", "导入"

    class JobStatus(models.TextChoices):
        NONE = "", "无"
        PENDING = "pending", "排队中"
        RUNNING = "running", "进行中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    department = models.ForeignKey("accounts.Department", verbose_name="导入部门",
                                   on_delete=models.PROTECT, related_name="+")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="导入人",
                                    on_delete=models.PROTECT, related_name="+")
    original_name = models.CharField("原文件名", max_length=255)
    size = models.PositiveBigIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    status = models.CharField("状态", max_length=16, choices=Status.choices,
                              default=Status.PREVIEWED)
    rows_total = models.PositiveIntegerField("行数", default=0)
    rows_new = models.PositiveIntegerField("新增", default=0)
    rows_skipped = models.PositiveIntegerField("重复跳过", default=0)
    rows_invalid = models.PositiveIntegerField("有错误", default=0)
    created_at = models.DateTimeField("上传时间", default=timezone.now)
    imported_at = models.DateTimeField("导入时间", null=True, blank=True)
    # the dry run's ImportReport (ImportReport.as_json), computed once: the file never changes
    preview = models.JSONField("检查结果", null=True, blank=True, editable=False)
    # the background job of a big file (run_job): which, where it is, rows done of rows_total
    job = models.CharField("后台任务", max_length=16, choices=Job.choices, blank=True,
                           default="")
    job_status = models.CharField("任务状态", max_length=16, choices=JobStatus.choices,
                                  blank=True, default="")
    rows_done = models.PositiveIntegerField("已处理行数", default=0)
    job_started_at = models.DateTimeField("任务开始时间", null=True, blank=True)
    # the run's last sign of life (claim and every progress step); runs of this job so far
    job_heartbeat_at = models.DateTimeField("任务最近进展时间", null=True, blank=True)
    job_attempts = models.PositiveSmallIntegerField("任务运行次数", default=0)
    job_error = models.TextField("任务错误", blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.original_name

    @property
    def in_background(self) -> bool:
        return self.rows_total > direct_max_rows()

    @property
    def job_active(self) -> bool:
        return self.job_status in (self.JobStatus.PENDING, self.JobStatus.RUNNING)

    @property
    def percent(self) -> int:
        if not self.rows_total:
            return 0
        return min(100, self.rows_done * 100 // self.rows_total)

    def resource_class(self):
        return import_string(self.resource_path)


# --- limits and cells → values ----------------------------------------------------------------

def max_rows() -> int:
    """Data rows one import may hold."""
    return settings.ECOCLAIM_IMPORT_MAX_ROWS


def direct_max_rows() -> int:
    """Files up to this many rows are previewed and confirmed in the request; bigger ones by a
    background job."""
    return settings.ECOCLAIM_IMPORT_DIRECT_MAX_ROWS


def max_sheet_rows() -> int:
    """Rows of the sheet read at most, blank or not (blank rows are skipped, but read)."""
    return settings.ECOCLAIM_IMPORT_MAX_SHEET_ROWS


def max_bytes() -> int:
    return settings.ECOCLAIM_IMPORT_MAX_BYTES


def stale_after() -> timedelta:
    """A running job not finished after this long is taken to be lost (worker killed)."""
    return timedelta(seconds=settings.ECOCLAIM_IMPORT_STALE_SECONDS)


class ImportFileError(Exception):
    """The file as a whole cannot be imported; str() is the Chinese message."""


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



# --- the resource ------------------------------------------------------------------------------

class ExcelResource(resources.ModelResource):
    """The columns of one kind of import. Subclasses set Meta (model, fields in column order,
    import_id_fields …), REQUIRED, HELP, WIDTHS, REFERENCE and SUMMARY (attributes shown in
    the preview), LABELS for error keys that are not columns, and the messages for a row already
    registered (EXISTING, with {number}) or already in the file (IN_FILE, with {line}).

    A row is a duplicate when get_instance() finds the record it names (the subclass looks it
    up by `duplicate_key(row)`): it is skipped, never rewritten, so importing a file twice
    creates nothing the second time. Subclasses check a new row in `check_row`."""

    REQUIRED: tuple[str, ...] = ()
    HELP: dict[str, str] = {}
    WIDTHS: dict[str, int] = {}
    REFERENCE = ""
    SUMMARY = ""
    LABELS: dict[str, str] = {}
    EXISTING = "已登记（{number}），重复，跳过。"
    IN_FILE = "与本文件第{line}行重复，跳过。"

    def __init__(self, *, department, user, lines=None, progress=None, **kwargs):
        super().__init__(**kwargs)
        self.department, self.user = department, user
        self.lines = lines or []  # Excel row number of each dataset row
        self.progress = progress  # progress(rows_done), every PROGRESS_EVERY rows
        self.notes: dict[int, list[str]] = {}
        self._row = 0
        self._new_in_file: dict = {}  # duplicate key → the line that registered it
        self._known: dict = {}  # duplicate key → the record (loaded once per file: existing())
        self._instance = None

    @classmethod
    def headers(cls) -> list[str]:
        return [cls.fields[name].column_name for name in cls._meta.fields]

    @classmethod
    def column(cls, name: str) -> str:
        return cls.fields[name].column_name

    @classmethod
    def column_label(cls, key: str) -> str:
        if key in cls.fields:
            return cls.fields[key].column_name
        for f in cls.fields.values():
            if f.attribute == key:
                return f.column_name
        return cls.LABELS.get(key, "")

    def _note(self, text: str) -> None:
        self.notes.setdefault(self._row, []).append(text)

    def _line(self, row_number: int) -> int:
        return self.lines[row_number - 1] if row_number <= len(self.lines) else row_number + 1

    def duplicate_key(self, row):
        """What identifies the row's record (None: unknown, never a duplicate)."""
        raise NotImplementedError

    def existing(self, keys: set) -> dict:
        """{duplicate key: record} of the records already registered among `keys`, in one
        query for the whole file; a record needs only pk and number (skip_row says it)."""
        raise NotImplementedError

    def check_row(self, instance, row, errors: dict) -> None:
        """Cross-column checks of a new row: add Chinese messages to `errors`."""

    # -- the library's hooks --

    def before_import(self, dataset, **kwargs):
        keys = {self.duplicate_key(row) for row in dataset.dict}
        keys.discard(None)
        self._known = self.existing(keys) if keys else {}

    def get_instance(self, instance_loader, row):
        key = self.duplicate_key(row)
        return None if key is None else self._known.get(key)

    def before_import_row(self, row, **kwargs):
        self._row = kwargs.get("row_number", 0)

    @staticmethod
    def _registered(instance) -> bool:
        """Registered before, or by an earlier row of this file (a batched import registers
        it later: Meta.use_bulk)."""
        return instance.pk is not None or getattr(instance, "_in_file", False)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if not self._registered(instance):
            return False
        earlier = self._new_in_file.get(self.duplicate_key(row))
        if earlier is not None:
            self._note(self.IN_FILE.format(line=earlier))
        else:
            self._note(self.EXISTING.format(number=instance.number))
        return True

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        self._instance = instance
        if self._registered(instance):  # a duplicate: skipped whatever it says
            return
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as e:
            errors = e.update_error_dict(errors)
        self.required_errors(instance, errors)
        self.check_row(instance, row, errors)
        if errors:
            raise ValidationError(errors)

    def after_import_row(self, row, row_result, **kwargs):
        key = self.duplicate_key(row)
        if row_result.import_type == RowResult.IMPORT_TYPE_NEW and key:
            self._new_in_file.setdefault(key, self._line(self._row))
            self._instance._in_file = True
            self._known.setdefault(key, self._instance)
        if self.progress is not None and self._row % progress_every() == 0:
            self.progress(self._row)

    def after_import(self, dataset, result, **kwargs):
        # ModelResource resets the table's id sequence to max(id) after an import, which can
        # hand out an id another transaction has just taken; ids here come from the sequence.
        pass

    def required_errors(self, instance, errors: dict) -> None:
        """A Chinese error for each required column of the model left blank."""
        for name in self.REQUIRED:
            if not self.fields[name].attribute:
                continue  # not a model field: the subclass checks it
            if name not in errors and getattr(instance, name, None) in (None, ""):
                errors[name] = [f"请填写{self.fields[name].column_name}。"]


# --- the file --------------------------------------------------------------------------------

def _normalise_header(value) -> str:
    text = unicodedata.normalize("NFKC", str(value or ""))
    return re.sub(r"[\s*＊]", "", text)


@dataclass
class Sheet:
    dataset: tablib.Dataset
    lines: list[int]  # the Excel row number of each data row
    ignored_columns: list[str] = field(default_factory=list)


OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # a compound file: .xls, or an encrypted .xlsx


def check_archive(fileobj, name: str) -> None:
    """Refuse, before parsing, what is not an .xlsx, an encrypted file, and a zip whose content
    would unpack to more than ECOCLAIM_IMPORT_MAX_UNCOMPRESSED_BYTES or at a ratio above
    ECOCLAIM_IMPORT_MAX_ZIP_RATIO (a zip bomb)."""
    fileobj.seek(0)
    head = fileobj.read(8)
    fileobj.seek(0)
    if head == OLE_MAGIC:
        raise ImportFileError(f"文件“{name}”设有打开密码或为旧版 .xls 格式，无法读取。"
                              f"请取消密码并另存为 .xlsx 后重新上传。")
    try:
        with zipfile.ZipFile(fileobj) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise ImportFileError(f"无法读取文件“{name}”：不是 .xlsx 格式的 Excel 文件。"
                              f"请上传 .xlsx 格式的 Excel 文件（可下载导入模板填写）。") from None
    finally:
        fileobj.seek(0)
    if any(info.flag_bits & 0x1 for info in infos):
        raise ImportFileError(f"文件“{name}”已加密，无法读取。请取消密码后重新上传。")
    unpacked = sum(info.file_size for info in infos)
    packed = sum(info.compress_size for info in infos) or 1
    limit = settings.ECOCLAIM_IMPORT_MAX_UNCOMPRESSED_BYTES
    if unpacked > limit:
        raise ImportFileError(f"文件“{name}”解压后超过{limit // (1024 * 1024)}MB"
                              f"（可能含有大量空行），请删除多余的行或分批导入。")
    if unpacked > 1024 * 1024 and unpacked / packed > settings.ECOCLAIM_IMPORT_MAX_ZIP_RATIO:
        raise ImportFileError(f"文件“{name}”的压缩比异常（解压后是原文件的{unpacked // packed}倍，"
                              f"超过{settings.ECOCLAIM_IMPORT_MAX_ZIP_RATIO}倍），可能含有大量空行，"
                              f"请删除多余的行后重新上传。")


def _too_many_rows(name: str) -> ImportFileError:
    return ImportFileError(f"文件“{name}”的工作表超过{max_sheet_rows()}行（含空行），"
                           f"请删除多余的空行或分批导入。")


def _unreadable(name: str) -> ImportFileError:
    return ImportFileError(f"文件“{name}”的内容已损坏，无法读取。请用 Excel 打开后另存为 .xlsx，"
                           f"或下载导入模板重新填写。")


def read_sheet(fileobj, resource_class, *, name: str = "上传的文件") -> Sheet:
    """The first sheet as a Dataset with the headers of `resource_class`; blank rows dropped.
    Every way a file can be unreadable or too big is an ImportFileError naming the file."""
    check_archive(fileobj, name)
    try:
        book = load_workbook(fileobj, read_only=True, data_only=True)
    except SyntaxError:  # ElementTree's and lxml's XML ParseError
        raise _unreadable(name) from None
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError,
            EOFError):
        raise ImportFileError(f"无法读取文件“{name}”。请上传 .xlsx 格式的 Excel 文件"
                              f"（可下载导入模板填写）。") from None
    try:
        return _read_first_sheet(book, resource_class, name)
    except (SyntaxError, KeyError, ValueError, zipfile.BadZipFile, EOFError, OSError) as e:
        if isinstance(e, ImportFileError):
            raise
        raise _unreadable(name) from None
    finally:
        book.close()


def _read_first_sheet(book, resource_class, name: str) -> Sheet:
    if not book.worksheets:
        raise ImportFileError(f"文件“{name}”中没有工作表。")
    ws = book.worksheets[0]
    # the size the sheet declares (<dimension ref="A1:P5000000">), read without the rows
    if (ws.max_row or 0) > max_sheet_rows():
        raise _too_many_rows(name)
    ws.reset_dimensions()  # some exporters write a wrong sheet size: read what is there
    rows = ws.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        raise ImportFileError(f"文件“{name}”是空的，没有任何内容。请使用导入模板填写。")
    if all(_blank(v) for v in header):
        raise ImportFileError("文件第1行应为列名（与导入模板相同），但第1行是空的。")
    known = {_normalise_header(h): h for h in resource_class.headers()}
    columns, ignored, seen = [], [], set()
    for value in header:
        column = known.get(_normalise_header(value))
        if column is None:
            columns.append(None)
            if not _blank(value):
                ignored.append(str(value).strip())
        elif column in seen:
            raise ImportFileError(f"列“{column}”出现了两次。")
        else:
            seen.add(column)
            columns.append(column)
    required = [resource_class.fields[n].column_name for n in resource_class.REQUIRED]
    missing = [h for h in required if h not in seen]
    if missing:
        raise ImportFileError(f"缺少必填列：{'、'.join(missing)}。请使用导入模板的列名。")
    headers = [c for c in columns if c]
    dataset, lines = tablib.Dataset(headers=headers), []
    limit = max_sheet_rows()
    for line, values in enumerate(rows, start=2):
        if line > limit:  # counted as read, blank or not
            raise _too_many_rows(name)
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

    def as_json(self) -> dict:
        return {"rows": [[r.line, r.status, r.reference, r.summary, r.messages]
                         for r in self.rows],
                "problems": self.problems, "ignored_columns": self.ignored_columns}

    @classmethod
    def from_json(cls, data: dict) -> ImportReport:
        return cls(rows=[RowOutcome(*row) for row in data.get("rows", [])],
                   problems=list(data.get("problems", [])),
                   ignored_columns=list(data.get("ignored_columns", [])))


def _messages(row_result, resource_class) -> list[str]:
    messages = []
    if row_result.validation_error is not None:
        for key, texts in row_result.validation_error.message_dict.items():
            label = resource_class.column_label(key)
            messages += [f"{label}：{t}" if label else t for t in texts]
    for error in row_result.errors:
        messages.append(f"导入失败：{error.error}")
    return messages


def run_import(upload: ExcelUpload, resource_class, *, by, dry_run: bool,
               progress=None) -> ImportReport:
    """Every row through `resource_class` (an ExcelResource); `dry_run` rolls it all back.
    `progress(rows_done)` is called every PROGRESS_EVERY rows."""
    report = ImportReport()
    try:
        with upload.file.open("rb") as handle:
            sheet = read_sheet(handle, resource_class, name=upload.original_name)
    except ImportFileError as e:
        report.problems.append(str(e))
        return report
    except FileNotFoundError:
        report.problems.append("上传的文件已不存在，请重新上传。")
        return report
    report.ignored_columns = sheet.ignored_columns
    resource = resource_class(department=upload.department, user=by, lines=sheet.lines,
                              progress=progress)
    with audit.remembering_names():
        result = resource.import_data(sheet.dataset, dry_run=dry_run, use_transactions=True,
                                      rollback_on_validation_errors=True, raise_errors=False)
    for error in result.base_errors:
        report.problems.append(f"导入失败：{error.error}")
    reference_column = resource_class.column(resource_class.REFERENCE)
    summary_column = resource_class.column(resource_class.SUMMARY)
    text = TextWidget()
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
            reference=text.clean(values.get(reference_column)),
            summary=text.clean(values.get(summary_column)),
            messages=_messages(row_result, resource_class) + resource.notes.get(number, [])))
    return report


def _counts(report: ImportReport) -> dict:
    return {"rows_new": report.new, "rows_skipped": report.skipped,
            "rows_invalid": report.invalid}


def stored_preview(upload: ExcelUpload) -> ImportReport | None:
    return None if upload.preview is None else ImportReport.from_json(upload.preview)


def preview_import(upload: ExcelUpload, resource_class=None, *, by,
                   progress=None) -> ImportReport:
    """The dry run: everything the confirmation would do, then rolled back. Computed once and
    stored on the upload; later calls read it back."""
    stored = stored_preview(upload)
    if stored is not None:
        return stored
    resource_class = resource_class or upload.resource_class()
    report = run_import(upload, resource_class, by=by, dry_run=True, progress=progress)
    data = report.as_json()
    type(upload).objects.filter(pk=upload.pk, preview__isnull=True).update(
        preview=data, **_counts(report))
    upload.preview = data
    for name, value in _counts(report).items():
        setattr(upload, name, value)
    return report


class AlreadyHandled(Exception):
    """The import was confirmed or discarded meanwhile (another tab, a double click)."""


def confirm_import(upload: ExcelUpload, resource_class=None, *, by,
                   progress=None) -> ImportReport:
    """The import for real, in one transaction; imports of one department are serialised by a
    row lock on the department, because the duplicate check reads before it writes. A
    background job (progress given) does not lock the upload's row: its progress is written
    to that row from another connection, and the job was claimed with a compare-and-set."""
    model = type(upload)
    resource_class = resource_class or upload.resource_class()
    with transaction.atomic():
        rows = model.objects.all() if progress else model.objects.select_for_update()
        locked = rows.get(pk=upload.pk)
        if locked.status != model.Status.PREVIEWED:
            raise AlreadyHandled(f"该文件{locked.get_status_display()}，不能再次导入。")
        type(locked.department).objects.select_for_update().get(pk=locked.department_id)
        report = run_import(locked, resource_class, by=by, dry_run=False, progress=progress)
        if report.problems or report.invalid:
            return report  # import_data has rolled its rows back
        done = model.objects.filter(pk=upload.pk, status=model.Status.PREVIEWED).update(
            status=model.Status.IMPORTED, rows_total=len(report.rows),
            imported_at=timezone.now(), **_counts(report))
        if not done:  # discarded meanwhile: roll the rows back
            transaction.set_rollback(True)
            raise AlreadyHandled("该文件已放弃，不能再次导入。")
    return report


def discard_import(upload: ExcelUpload) -> bool:
    model = type(upload)
    updated = model.objects.filter(pk=upload.pk, status=model.Status.PREVIEWED).update(
        status=model.Status.DISCARDED)
    if updated:
        upload.file.delete(save=False)
        model.objects.filter(pk=upload.pk).update(file="")
    return bool(updated)


def store_upload(uploaded, model: type[ExcelUpload], *, department, by) -> ExcelUpload:
    """Keep an uploaded file once it has been read whole (check_archive, read_sheet): a file that
    cannot be imported is refused here, and nothing is saved."""
    if uploaded.size > max_bytes():
        raise ImportFileError(f"文件超过{max_bytes() // (1024 * 1024)}MB，请分批导入。")
    if not uploaded.name.lower().endswith(".xlsx"):
        raise ImportFileError("请上传 .xlsx 格式的 Excel 文件（旧版 .xls 请先另存为 .xlsx）。")
    from .models import Attachment

    sheet = read_sheet(uploaded, import_string(model.resource_path), name=uploaded.name)
    uploaded.seek(0)
    upload = model(department=department, uploaded_by=by, original_name=uploaded.name[-255:],
                   size=uploaded.size, sha256=Attachment.digest(uploaded),
                   rows_total=len(sheet.lines))
    upload.file.save(uploaded.name, uploaded, save=False)
    upload.save()
    return upload


# --- the background job ------------------------------------------------------------------------

PROGRESS_EVERY = 100


def progress_every() -> int:
    """Rows between two progress steps (and heartbeats) of an import job."""
    return getattr(settings, "ECOCLAIM_IMPORT_PROGRESS_EVERY", PROGRESS_EVERY) or PROGRESS_EVERY


class _ProgressWriter:
    """rows_done and the heartbeat written to the upload's row from a connection of its own, in
    autocommit, so the page sees it while the import's transaction is still open; only while
    the run is still this one (`started`: a run taken over writes nothing more)."""

    def __init__(self, upload: ExcelUpload, started):
        self.table, self.pk, self.started = type(upload)._meta.db_table, upload.pk, started
        self.connection = connections.create_connection(DEFAULT_DB_ALIAS)

    def __call__(self, done: int) -> None:
        from .jobs import test_step_delay

        with self.connection.cursor() as cursor:
            cursor.execute(f'UPDATE "{self.table}" SET rows_done = %s, job_heartbeat_at = %s '
                           f'WHERE id = %s AND job_started_at = %s',
                           [done, timezone.now(), self.pk, self.started])
        test_step_delay()

    def close(self) -> None:
        self.connection.close()


def request_job(upload: ExcelUpload, job: str) -> bool:
    """Queue the preview or the confirmation of a big file (once: a compare-and-set on the
    row); the Celery task is sent when the request's transaction commits."""
    from .tasks import run_excel_import_task

    model = type(upload)
    with transaction.atomic():
        queued = model.objects.filter(pk=upload.pk, status=model.Status.PREVIEWED).exclude(
            job_status__in=[model.JobStatus.PENDING, model.JobStatus.RUNNING]
        ).update(job=job, job_status=model.JobStatus.PENDING, rows_done=0, job_error="",
                 job_started_at=None, job_heartbeat_at=None, job_attempts=0)
        if queued:
            label = model._meta.label
            enqueue_after_commit(run_excel_import_task, label, upload.pk)
    upload.refresh_from_db()
    return bool(queued)


def silent_since(stale) -> Q:
    """A running job whose last heartbeat (or start, for a run from before heartbeats) is older
    than `stale`: its worker is taken to be dead."""
    return (Q(job_heartbeat_at__lt=stale)
            | Q(job_heartbeat_at__isnull=True, job_started_at__lt=stale))


def fail_exhausted(uploads, now) -> int:
    """Mark failed, with the reason on the page, the jobs among `uploads` whose worker went
    silent on their last allowed run (ECOCLAIM_JOB_MAX_ATTEMPTS); a compare-and-set."""
    model, limit = uploads.model, settings.ECOCLAIM_JOB_MAX_ATTEMPTS
    return uploads.filter(job_status=model.JobStatus.RUNNING, job_attempts__gte=limit).filter(
        silent_since(now - stale_after())).update(
        job_status=model.JobStatus.FAILED,
        job_error=f"后台处理已中断{limit}次，系统已停止重试，未导入任何记录。请重新上传文件；"
                  "仍然失败的，请联系系统管理员。")


def claim_job(model, pk: int, now=None):
    """Take one run of the upload's job, a compare-and-set: a queued job, or a running one
    whose worker went silent (heartbeat older than ECOCLAIM_IMPORT_STALE_SECONDS) while it has
    runs left; its `job_started_at` (now) names the run. None when there is nothing to run:
    done, failed, running with a fresh heartbeat (a redelivered task does nothing), or out of
    runs (then marked failed in Chinese)."""
    from django.db.models import F

    now = now or timezone.now()
    J = model.JobStatus
    run = {"job_status": J.RUNNING, "job_started_at": now, "job_heartbeat_at": now,
           "rows_done": 0, "job_error": "", "job_attempts": F("job_attempts") + 1}
    uploads = model.objects.filter(pk=pk)
    if uploads.filter(job_status=J.PENDING).update(**run) or uploads.filter(
            job_status=J.RUNNING, job_attempts__lt=settings.ECOCLAIM_JOB_MAX_ATTEMPTS).filter(
            silent_since(now - stale_after())).update(**run):
        return now
    fail_exhausted(uploads, now)
    return None


def run_job(model_label: str, pk: int) -> ExcelUpload | None:
    """The background job of one upload. Claimed with a compare-and-set (claim_job), so a task
    delivered twice runs once; a job left running by a killed worker is taken over once its
    heartbeat is stale (a confirmation killed mid-way has had its transaction rolled back by
    PostgreSQL: the new run imports the file whole)."""
    from django.apps import apps

    model = apps.get_model(model_label)
    started = claim_job(model, pk)
    if started is None:
        return None
    upload = model.objects.select_related("department__jurisdiction", "uploaded_by").get(pk=pk)
    mine = model.objects.filter(pk=pk, job_status=model.JobStatus.RUNNING,
                                job_started_at=started)
    writer = _ProgressWriter(upload, started)
    try:
        if upload.job == model.Job.PREVIEW:
            preview_import(upload, by=upload.uploaded_by, progress=writer)
            mine.update(job_status=model.JobStatus.DONE, rows_done=upload.rows_total)
        else:
            report = confirm_import(upload, by=upload.uploaded_by, progress=writer)
            if report.problems or report.invalid:
                mine.update(job_status=model.JobStatus.FAILED, preview=report.as_json(),
                            job_error="文件内容有错误，未导入任何记录。请按下列提示修改后重新上传。",
                            **_counts(report))
            else:
                mine.update(job_status=model.JobStatus.DONE, rows_done=upload.rows_total)
    except AlreadyHandled as e:
        mine.update(job_status=model.JobStatus.FAILED, job_error=str(e))
    except Exception:
        logger.exception("excel import %s %s failed", model_label, pk)
        mine.update(job_status=model.JobStatus.FAILED,
                    job_error="后台处理时发生错误，请稍后重试；如仍失败请联系系统管理员。")
    finally:
        writer.close()
    return model.objects.get(pk=pk)


# --- the pages ---------------------------------------------------------------------------------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UploadForm(StyledForm, forms.Form):
    file = forms.FileField(label="Excel 文件（.xlsx）",
                           error_messages={"required": "请选择要导入的 Excel 文件。",
                                           "empty": "上传的文件是空的。"})


def upload_page(request, *, store, department, template: str) -> HttpResponse:
    """The upload form; a stored upload goes on to its preview. `store(file, department=,
    by=)` keeps the file (store_upload of the kind of import)."""
    form = UploadForm(request.POST, request.FILES) if request.method == "POST" else UploadForm()
    if request.method == "POST" and form.is_valid():
        try:
            upload = store(form.cleaned_data["file"], department=department, by=request.user)
        except ImportFileError as e:
            form.add_error("file", str(e))
        else:
            return redirect(upload.get_absolute_url())
    return render(request, template, {"form": form, "max_rows": max_rows(),
                                      "department": department})


def preview_context(upload: ExcelUpload, *, by) -> dict:
    """What the preview page shows: the stored dry run (computed now for a small file, queued
    for a big one), or the progress of the job under way."""
    model = type(upload)
    if upload.status != model.Status.PREVIEWED:
        return {"upload": upload, "report": None}
    if upload.preview is None and upload.job_status in ("", model.JobStatus.DONE):
        if upload.in_background:
            request_job(upload, model.Job.PREVIEW)
        else:
            preview_import(upload, by=by)
    return {"upload": upload, "report": stored_preview(upload),
            "job_active": upload.job_active}


def confirm_in_background(upload: ExcelUpload) -> bool:
    """A big file is confirmed by the background job: True once queued (or already)."""
    if not upload.in_background:
        return False
    if upload.status == type(upload).Status.PREVIEWED:
        request_job(upload, type(upload).Job.CONFIRM)
    return True


def progress_fragment(request, upload: ExcelUpload, *, progress_url: str) -> HttpResponse:
    """The fragment the preview page polls (hx-get every 2 s) while a job runs; once it is over,
    HX-Refresh reloads the page, which then shows the result."""
    response = render(request, "includes/import_progress.html",
                      {"upload": upload, "progress_url": progress_url})
    if not upload.job_active:
        response["HX-Refresh"] = "true"
    return response


def uploaders_own(model: type[ExcelUpload], request, pk) -> ExcelUpload:
    """The upload, only for its uploader in their current department (404 for anyone else)."""
    return get_object_or_404(model.objects.select_related("department__jurisdiction"),
                             pk=pk, uploaded_by=request.user,
                             department_id=request.user.department_id)


def template_response(write, *, filename: str, chinese_filename: str) -> HttpResponse:
    """An import template (written by `write(target)`) as a download."""
    buffer = BytesIO()
    write(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = (
        f"attachment; filename=\"{filename}\"; "
        f"filename*=UTF-8''{quote(chinese_filename)}")
    response["X-Content-Type-Options"] = "nosniff"
    return response
