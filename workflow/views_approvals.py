from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render

from . import approvals
from .approval_subjects import summary_for
from .forms import StyledForm

# Opinion presets (issue 17): a preset fills the opinion, which the approver then edits; the
# decision itself is still the 同意 / 退回 button. A select, not buttons: the decision buttons
# keep the only accessible names 同意 / 退回 on the page.
OPINION_PRESETS = {
    "agree": ("同意", "同意。"),
    "disagree": ("不同意", "不同意。理由："),
    "supplement": ("退回补充", "退回补充，请补充："),
}


class DecisionForm(StyledForm, forms.Form):
    opinion = forms.CharField(label="审批意见", widget=forms.Textarea(attrs={"rows": 3}),
                              error_messages={"required": "请填写审批意见。"})


@login_required
def approval_inbox(request):
    return render(request, "workflow/approval_inbox.html",
                  {"steps": approvals.inbox(request.user)[:200],
                   "upcoming": approvals.upcoming(request.user)[:200]})


def _step_for(user, pk):
    """The step waiting for this user (may decide), or one of theirs still waiting for an
    earlier step (即将到达: read-only). Anyone else gets a 404 (the one scoping rule of approvals:
    the step's department and role)."""
    step = approvals.inbox(user).filter(pk=pk).first()
    if step is not None:
        return step, False
    step = approvals.upcoming(user).filter(pk=pk).first()
    if step is not None:
        return step, True
    raise Http404


@login_required
def approval_decide(request, pk):
    step, read_only = _step_for(request.user, pk)
    if read_only and request.method == "POST":
        raise PermissionDenied("该申请尚未到达您的审批环节。")
    # 填入 (without scripts): the chosen preset comes back filled in; nothing is decided
    preset = OPINION_PRESETS.get(request.POST.get("preset", "")) \
        if request.POST.get("fill") else None
    if preset is not None:
        form = DecisionForm(initial={"opinion": preset[1]})
    else:
        form = DecisionForm(request.POST or None)
    if request.method == "POST" and preset is None and form.is_valid():
        approve = request.POST.get("decision") == "approve"
        try:
            decided = approvals.decide(step, by=request.user, approve=approve,
                                       opinion=form.cleaned_data["opinion"])
        except approvals.ApprovalError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, approvals.decision_message(decided, approve))
        return redirect("workflow:approval_inbox")
    request_ = step.request
    subject = request_.subject
    summary = summary_for(subject, request_)
    return render(request, "workflow/approval_decide.html", {
        "step": step, "approval": request_, "subject": subject, "form": form,
        "read_only": read_only, "summary": summary,
        "subject_kind": subject._meta.verbose_name,
        "presets": [(key, label, text) for key, (label, text) in OPINION_PRESETS.items()],
        "earlier": approvals.earlier_requests(request_, summary.related),
        "steps": request_.steps.select_related("decided_by").order_by("order"),
    })
