"""Importing records from an .xlsx with django-import-export: the machinery every import
shares (screening/imports.py clues, parties/imports.py historical records).

- An ExcelResource subclass says the columns (Chinese headers), the required ones, the help
  text of the template, and the reference column that identifies a duplicate.
- Widgets turn cells into values or refuse them with a Chinese message.
- A preview is the same import run with dry_run=True inside a transaction that is rolled back:
  nothing stays, and the preview shows exactly what the confirmation will do.
- Confirming runs the import again, for real, in one transaction that is rolled back whole if
  any row fails; imports of one department are serialised by a row lock on the department.
- The uploaded file waits in private storage as an ExcelUpload (a concrete subclass per kind
  of import) that only its uploader can see, until confirmed or discarded.
"""

from __future__ import annotations

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
from django.db import models, transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from import_export import resources, widgets
from import_export.results import RowResult
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from rules.calendar import cn_date

from .forms import StyledForm


class ExcelUpload(models.Model):
    """An uploaded .xlsx between the dry-run preview and the user's confirmation. Concrete
    subclasses add `file` (a FileField to private storage), Meta and get_absolute_url."""

    class Status(models.TextChoices):
        PREVIEWED = "previewed", "待确认"
        IMPORTED = "imported", "已导入"
        DISCARDED = "discarded", "已放弃"

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

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.original_name


# --- limits and cells → values ----------------------------------------------------------------

def max_rows() -> int:
    """Rows one import may hold: each row is registered in the request, one by one."""
    return settings.ECOCLAIM_IMPORT_MAX_ROWS


def max_bytes() -> int:
    return settings.ECOCLAIM_IMPORT_MAX_BYTES


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

    def __init__(self, *, department, user, lines=None, **kwargs):
        super().__init__(**kwargs)
        self.department, self.user = department, user
        self.lines = lines or []  # Excel row number of each dataset row
        self.notes: dict[int, list[str]] = {}
        self._row = 0
        self._new_in_file: dict = {}  # duplicate key → the line that registered it

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

    def check_row(self, instance, row, errors: dict) -> None:
        """Cross-column checks of a new row: add Chinese messages to `errors`."""

    # -- the library's hooks --

    def before_import_row(self, row, **kwargs):
        self._row = kwargs.get("row_number", 0)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if instance.pk is None:
            return False
        earlier = self._new_in_file.get(self.duplicate_key(row))
        if earlier is not None:
            self._note(self.IN_FILE.format(line=earlier))
        else:
            self._note(self.EXISTING.format(number=instance.number))
        return True

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as e:
            errors = e.update_error_dict(errors)
        if instance.pk is not None:  # a duplicate: skipped whatever it says
            return
        self.required_errors(instance, errors)
        self.check_row(instance, row, errors)
        if errors:
            raise ValidationError(errors)

    def after_import_row(self, row, row_result, **kwargs):
        key = self.duplicate_key(row)
        if row_result.import_type == RowResult.IMPORT_TYPE_NEW and key:
            self._new_in_file.setdefault(key, self._line(self._row))

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


def read_sheet(fileobj, resource_class) -> Sheet:
    """The first sheet as a Dataset with the headers of `resource_class`; blank rows dropped."""
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
        known = {_normalise_header(h): h for h in resource_class.headers()}
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
        required = [resource_class.fields[n].column_name
                    for n in resource_class.REQUIRED]
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


def _messages(row_result, resource_class) -> list[str]:
    messages = []
    if row_result.validation_error is not None:
        for key, texts in row_result.validation_error.message_dict.items():
            label = resource_class.column_label(key)
            messages += [f"{label}：{t}" if label else t for t in texts]
    for error in row_result.errors:
        messages.append(f"导入失败：{error.error}")
    return messages


def run_import(upload: ExcelUpload, resource_class, *, by, dry_run: bool) -> ImportReport:
    """Every row through `resource_class` (an ExcelResource); `dry_run` rolls it all back."""
    report = ImportReport()
    try:
        with upload.file.open("rb") as handle:
            sheet = read_sheet(handle, resource_class)
    except ImportFileError as e:
        report.problems.append(str(e))
        return report
    except FileNotFoundError:
        report.problems.append("上传的文件已不存在，请重新上传。")
        return report
    report.ignored_columns = sheet.ignored_columns
    resource = resource_class(department=upload.department, user=by, lines=sheet.lines)
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
            reference=TextWidget().clean(values.get(resource_class.column(
                resource_class.REFERENCE))),
            summary=TextWidget().clean(values.get(resource_class.column(
                resource_class.SUMMARY))),
            messages=_messages(row_result, resource_class) + resource.notes.get(number, [])))
    return report


def preview_import(upload: ExcelUpload, resource_class, *, by) -> ImportReport:
    """The dry run: everything the confirmation would do, then rolled back."""
    return run_import(upload, resource_class, by=by, dry_run=True)


class AlreadyHandled(Exception):
    """The import was confirmed or discarded meanwhile (another tab, a double click)."""


def confirm_import(upload: ExcelUpload, resource_class, *, by) -> ImportReport:
    """The import for real, in one transaction; imports of one department are serialised by a
    row lock on the department, because the duplicate check reads before it writes."""
    model = type(upload)
    with transaction.atomic():
        locked = model.objects.select_for_update().get(pk=upload.pk)
        if locked.status != model.Status.PREVIEWED:
            raise AlreadyHandled(f"该文件{locked.get_status_display()}，不能再次导入。")
        type(locked.department).objects.select_for_update().get(pk=locked.department_id)
        report = run_import(locked, resource_class, by=by, dry_run=False)
        if report.problems or report.invalid:
            return report  # import_data has rolled its rows back
        locked.status = model.Status.IMPORTED
        locked.rows_total, locked.rows_new = len(report.rows), report.new
        locked.rows_skipped, locked.rows_invalid = report.skipped, report.invalid
        locked.imported_at = timezone.now()
        locked.save()
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
    if uploaded.size > max_bytes():
        raise ImportFileError(f"文件超过{max_bytes() // (1024 * 1024)}MB，请分批导入。")
    if not uploaded.name.lower().endswith(".xlsx"):
        raise ImportFileError("请上传 .xlsx 格式的 Excel 文件（旧版 .xls 请先另存为 .xlsx）。")
    from .models import Attachment

    upload = model(department=department, uploaded_by=by, original_name=uploaded.name[-255:],
                   size=uploaded.size, sha256=Attachment.digest(uploaded))
    upload.file.save(uploaded.name, uploaded, save=False)
    upload.save()
    return upload


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
