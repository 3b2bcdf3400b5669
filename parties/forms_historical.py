from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import construct_instance

from workflow.forms import StyledForm

from .historical import event_date_errors
from .models import HistoricalRecord, Party
from .services import identify


class HistoricalRecordForm(StyledForm, forms.ModelForm):
    """A historical damage event or closed case, with its obligor by name and code (the same
    code is the same party: parties.services.find_or_create_party)."""

    party_kind = forms.ChoiceField(label="义务人类型", choices=Party.Kind.choices,
                                   error_messages={"required": "请选择义务人类型。",
                                                   "invalid_choice": "请选择义务人类型。"})
    party_name = forms.CharField(label="义务人名称或姓名", max_length=200,
                                 error_messages={"required": "请填写义务人名称或姓名。"})
    credit_code = forms.CharField(label="统一社会信用代码", max_length=40, required=False,
                                  help_text="单位填写")
    id_number = forms.CharField(label="身份证号码", max_length=40, required=False,
                                help_text="自然人填写")

    class Meta:
        model = HistoricalRecord
        fields = ["kind", "event_date", "place", "document_number", "description"]
        widgets = {"event_date": forms.DateInput(),
                   "description": forms.Textarea(attrs={"rows": 4})}
        error_messages = {
            "kind": {"required": "请选择类型。", "invalid_choice": "请选择类型。"},
            "event_date": {"required": "请填写发生日期。", "invalid": "请填写正确的日期。"},
            "place": {"required": "请填写发生地点。"},
            "document_number": {"required": "请填写文书文号。"},
            "description": {"required": "请填写情况描述。"},
        }

    field_order = ["party_kind", "party_name", "credit_code", "id_number", "kind",
                   "event_date", "place", "document_number", "description"]

    def __init__(self, *args, department, **kwargs):
        super().__init__(*args, **kwargs)
        self.department = department
        self.fields["kind"].choices = HistoricalRecord.Kind.choices
        self.code = ""

    def clean_event_date(self):
        day = self.cleaned_data.get("event_date")
        problems = event_date_errors(self.department.jurisdiction, day)
        if problems:
            raise ValidationError(problems)
        return day

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("party_kind")
        if kind:
            try:
                self.code = identify(kind, cleaned.get("credit_code", ""),
                                     cleaned.get("id_number", ""))
            except ValidationError as e:
                for name, messages in e.message_dict.items():
                    self.add_error(name if name in self.fields else None, messages)
        return cleaned

    def _post_clean(self):
        # The record's own checks (unique 文号 per obligor) run in record_historical, once the
        # party is known.
        self.instance = construct_instance(self, self.instance, self._meta.fields)
