from django import forms

from workflow.forms import StyledForm

from .models import Party
from .validators import credit_code_errors, id_number_errors, normalise_code


class PartyForm(StyledForm, forms.ModelForm):
    """Register or correct a party. The identity code is checked with its GB check character
    and must not belong to another party; fields of the other kind are cleared."""

    class Meta:
        model = Party
        fields = [
            "kind", "name", "credit_code", "legal_representative", "representative_title",
            "id_number", "work_unit", "address", "phone", "note",
        ]
        widgets = {
            "note": forms.Textarea(attrs={"rows": 3}),
            "credit_code": forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
            "id_number": forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        }
        error_messages = {
            "kind": {"required": "请选择当事人类型。", "invalid_choice": "请选择当事人类型。"},
            "name": {"required": "请填写名称或姓名。"},
            "credit_code": {"max_length": "统一社会信用代码应为18位。"},
            "id_number": {"max_length": "身份证号码应为18位。"},
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.duplicate: Party | None = None
        # Spaces and full-width characters are normalised away, so allow some slack.
        for name in ("credit_code", "id_number"):
            self.fields[name].max_length = 40
            self.fields[name].widget.attrs["maxlength"] = 40
            self.fields[name].validators = []  # checked in clean(), per kind
        self.fields["kind"].choices = Party.Kind.choices
        locked = (self.instance.pk and self.instance.is_person
                  and not user.has_perm("parties.view_full_identity"))
        if locked:
            # Who may not see the full ID number may not change it, nor the kind.
            del self.fields["id_number"]
            del self.fields["kind"]

    def clean_credit_code(self):
        return normalise_code(self.cleaned_data.get("credit_code"))

    def clean_id_number(self):
        return normalise_code(self.cleaned_data.get("id_number"))

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind", self.instance.kind if "kind" not in self.fields else None)
        if kind == Party.Kind.ORGANISATION:
            self._check_code(cleaned, "credit_code", credit_code_errors, "统一社会信用代码")
            if cleaned.get("id_number"):
                self.add_error("id_number", "单位不填写身份证号码。")
            for name in Party.PERSON_FIELDS:
                if name != "id_number" and name in cleaned:
                    cleaned[name] = ""
        elif kind == Party.Kind.PERSON:
            if "id_number" in self.fields:
                self._check_code(cleaned, "id_number", id_number_errors, "身份证号码")
            if cleaned.get("credit_code"):
                self.add_error("credit_code", "自然人不填写统一社会信用代码；个体工商户请按单位登记。")
            for name in Party.ORGANISATION_FIELDS:
                if name != "credit_code" and name in cleaned:
                    cleaned[name] = ""
        return cleaned

    def _check_code(self, cleaned, name, errors_of, label):
        if name not in cleaned:
            return  # already has an error (too long)
        code = cleaned[name]
        if not code:
            self.add_error(name, f"请填写{label}。")
            return
        errors = errors_of(code)
        if errors:
            self.add_error(name, errors[0])
            return
        existing = Party.objects.filter(**{name: code}).exclude(pk=self.instance.pk).first()
        if existing is not None:
            self.duplicate = existing
            self.add_error(name, f"该{label}已登记为当事人“{existing.name}”，同一代码即同一当事人，"
                                 f"请勿重复登记。")


class PartySearchForm(StyledForm, forms.Form):
    q = forms.CharField(label="名称或代码", required=False, max_length=200)
    kind = forms.ChoiceField(label="类型", required=False,
                             choices=[("", "全部类型"), *Party.Kind.choices])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = "名称开头、统一社会信用代码或完整身份证号码"

    def apply(self, queryset):
        if not self.is_valid():
            return queryset
        if self.cleaned_data["kind"]:
            queryset = queryset.filter(kind=self.cleaned_data["kind"])
        return queryset.search(self.cleaned_data["q"])
