from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render

from . import approvals
from .forms import StyledForm


class DecisionForm(StyledForm, forms.Form):
    opinion = forms.CharField(label="审批意见", widget=forms.Textarea(attrs={"rows": 3}),
                              error_messages={"required": "请填写审批意见。"})


@login_required
def approval_inbox(request):
    return render(request, "workflow/approval_inbox.html",
                  {"steps": approvals.inbox(request.user)[:200]})


@login_required
def approval_decide(request, pk):
    # Only the approver the step waits for may open it; anyone else gets a 404.
    step = get_object_or_404(approvals.inbox(request.user), pk=pk)
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        approve = request.POST.get("decision") == "approve"
        try:
            decided = approvals.decide(step, by=request.user, approve=approve,
                             opinion=form.cleaned_data["opinion"])
        except approvals.ApprovalError as exc:
            messages.error(request, str(exc))
        except PermissionDenied:
            raise
        else:
            messages.success(request, approvals.decision_message(decided, approve))
        return redirect("workflow:approval_inbox")
    request_ = step.request
    return render(request, "workflow/approval_decide.html", {
        "step": step, "approval": request_, "subject": request_.subject, "form": form,
        "steps": request_.steps.select_related("decided_by").order_by("order"),
    })
