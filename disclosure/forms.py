from django import forms

from workflow.forms import StyledForm

from .models import Publication


class PublicationForm(StyledForm, forms.ModelForm):
    class Meta:
        model = Publication
        fields = ["kind", "title", "year", "original_text"]
        widgets = {"original_text": forms.Textarea(attrs={"rows": 14})}
        error_messages = {
            "kind": {"required": "请选择公开类别。"},
            "title": {"required": "请填写标题。"},
            "year": {"required": "请填写年度。", "invalid": "年度应为整数。"},
            "original_text": {"required": "请填写正文（或协议摘要）。"},
        }


class MasksForm(StyledForm, forms.Form):
    terms = forms.CharField(
        label="补充隐去", widget=forms.Textarea(attrs={"rows": 3}),
        help_text="每行一项，如未登记为当事人的自然人姓名、车牌号；已隐去的内容不能恢复。",
        error_messages={"required": "请填写需补充隐去的内容。"})


class SourceForm(StyledForm, forms.Form):
    file = forms.FileField(label="PDF文件", error_messages={"required": "请选择PDF文件。"})


class SubmitForm(StyledForm, forms.Form):
    summary = forms.CharField(label="申请理由", widget=forms.Textarea(attrs={"rows": 2}),
                              error_messages={"required": "请填写申请理由。"})


class WithdrawForm(StyledForm, forms.Form):
    reason = forms.CharField(label="撤回理由", widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": "请填写撤回理由。"})
