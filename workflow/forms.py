from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe

DASHES = "---------"  # Django's empty choice
PLEASE_CHOOSE = "请选择…"


def please_choose(field) -> None:
    """The empty option of a select reads 请选择… instead of Django's dashes."""
    if getattr(field, "empty_label", None) == DASHES:
        field.empty_label = PLEASE_CHOOSE
    if isinstance(field, forms.ModelChoiceField) or not isinstance(field, forms.ChoiceField):
        return
    choices = list(field.choices)  # a model field's choices come with Django's blank first
    if any(label == DASHES for _, label in choices):
        field.choices = [(value, PLEASE_CHOOSE if label == DASHES else label)
                         for value, label in choices]


class StyledForm:
    """Bootstrap classes on every widget, and is-invalid on the fields with errors."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
            please_choose(field)
            if isinstance(widget, forms.DateInput):
                widget.input_type = "date"
                widget.format = "%Y-%m-%d"

    def __getitem__(self, name):
        # a field a form adds after __init__ (ObligorChoice …) also reads 请选择…
        if name in self.fields:
            please_choose(self.fields[name])
        return super().__getitem__(name)

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                if "is-invalid" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


def _attrs(attrs: dict) -> str:
    # django/forms/widgets/attrs.html
    return "".join(
        f" {name}" if value is True else f' {name}="{conditional_escape(str(value))}"'
        for name, value in attrs.items() if value is not False)


class QuickSelect(forms.Select):
    """forms.Select with the same HTML, written in Python instead of one template include per
    option: the filter bars of the long lists (clues, cases, deadlines) render on every page."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
        for group_name, options, _ in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
            for option in options:
                parts.append(f'\n  <option value="{conditional_escape(str(option["value"]))}"'
                             f'{_attrs(option["attrs"])}>{conditional_escape(option["label"])}'
                             "</option>\n")
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))



# Django's widgets whose template is django/forms/widgets/input.html and nothing else.
_INPUTS = {f"django/forms/widgets/{name}.html" for name in (
    "input", "text", "search", "hidden", "date", "time", "datetime", "number", "email", "url",
    "tel", "password", "color", "checkbox")}


class QuickRenderer(DjangoTemplates):
    """Django's form renderer, with the one-tag input widgets written in Python (the same HTML
    as input.html and attrs.html): the filter bars of the long lists render on every page."""

    def render(self, template_name, context, request=None):
        if template_name not in _INPUTS:
            return super().render(template_name, context, request)
        widget = context["widget"]
        value = "" if widget["value"] is None else f' value="{escape(str(widget["value"]))}"'
        attrs = "".join(
            f" {escape(name)}" if v is True else f' {escape(name)}="{escape(str(v))}"'
            for name, v in widget["attrs"].items() if v is not False)
        return f'<input type="{escape(widget["type"])}" name="{escape(widget["name"])}"{value}{attrs}>'


QUICK_RENDERER = QuickRenderer()
