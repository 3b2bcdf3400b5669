from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from workflow.attachments import AttachmentForm, attach, attachments_of
from workflow.audit import history
from workflow.http import transition_from_post
from workflow.pagination import keyset_page
from workflow.transitions import options_for

from .forms import ClueFilterForm, ClueForm
from .models import Clue
from .services import register_clue


@login_required
@permission_required("screening.view_clue", raise_exception=True)
def clue_list(request):
    filters = ClueFilterForm(request.GET or None)
    clues = filters.apply(
        Clue.objects.visible_to(request.user)
        .select_related("department", "channel", "place")
    )
    page = keyset_page(clues, key="registered_on",
                       after=request.GET.get("after"), before=request.GET.get("before"))
    return render(request, "screening/clue_list.html", {
        "page": page, "filters": filters,
        "can_add": request.user.has_perm("screening.add_clue") and request.user.department,
        "query": request.GET.copy(),
    })


@login_required
@permission_required("screening.add_clue", raise_exception=True)
def clue_create(request):
    department = request.user.department
    if department is None or not department.handles_claims:
        return render(request, "403.html", status=403)
    form = ClueForm(request.POST or None, department=department)
    if request.method == "POST" and form.is_valid():
        clue = form.save(commit=False)
        clue.jurisdiction = department.jurisdiction
        clue.department = department
        register_clue(clue, by=request.user)
        messages.success(request, f"线索 {clue.number} 已登记。")
        return redirect("screening:clue_detail", pk=clue.pk)
    return render(request, "screening/clue_form.html", {"form": form, "clue": None})


@login_required
@permission_required("screening.change_clue", raise_exception=True)
def clue_edit(request, pk):
    clue = get_object_or_404(Clue.objects.workable_by(request.user), pk=pk)
    if clue.state not in (Clue.State.REGISTERED, Clue.State.VERIFYING):
        messages.error(request, f"线索处于“{clue.get_state_display()}”状态，不能再修改。")
        return redirect("screening:clue_detail", pk=clue.pk)
    form = ClueForm(request.POST or None, instance=clue, department=clue.department)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "线索已保存。")
        return redirect("screening:clue_detail", pk=clue.pk)
    return render(request, "screening/clue_form.html", {"form": form, "clue": clue})


@login_required
@permission_required("screening.view_clue", raise_exception=True)
def clue_detail(request, pk):
    clue = get_object_or_404(
        Clue.objects.visible_to(request.user).select_related(
            "department", "jurisdiction", "channel", "place", "registered_by"),
        pk=pk,
    )
    workable = Clue.objects.workable_by(request.user).filter(pk=clue.pk).exists()
    return render(request, "screening/clue_detail.html", {
        "clue": clue,
        "attachments": attachments_of(clue),
        "history": history(clue)[:200],
        "transitions": options_for(clue, request.user) if workable else [],
        "can_edit": workable and request.user.has_perm("screening.change_clue"),
        "attachment_form": AttachmentForm(),
    })


@login_required
@require_POST
@permission_required("screening.handle_clue", raise_exception=True)
def clue_transition(request, pk):
    clue = get_object_or_404(Clue.objects.workable_by(request.user), pk=pk)
    return transition_from_post(request, clue, success_url=clue.get_absolute_url())


@login_required
@require_POST
@permission_required("screening.change_clue", raise_exception=True)
def clue_attach(request, pk):
    clue = get_object_or_404(Clue.objects.workable_by(request.user), pk=pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        attach(clue, form.cleaned_data["file"], by=request.user, kind="证据材料",
               description=form.cleaned_data["description"])
        messages.success(request, "材料已上传。")
        return redirect(clue.get_absolute_url())
    return render(request, "screening/clue_detail.html", {
        "clue": clue,
        "attachments": attachments_of(clue),
        "history": history(clue)[:200],
        "transitions": options_for(clue, request.user),
        "can_edit": True,
        "attachment_form": form,
    }, status=400)
