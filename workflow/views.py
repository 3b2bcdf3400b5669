from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponseForbidden
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET

from .attachments import download_content_type
from .models import Attachment
from .worklist import panels_for


@login_required
def home(request):
    """The home page: each app's work panels for the user (workflow.worklist)."""
    return render(request, "home.html", {"panels": panels_for(request.user)})


@login_required
@require_GET
def download_attachment(request, pk: int):
    """A file leaves the server only to a user who can see the record it belongs to."""
    attachment = get_object_or_404(Attachment.objects.select_related("content_type"), pk=pk)
    owner_model = attachment.content_type.model_class()
    visible = getattr(owner_model._default_manager, "visible_to", None)
    if visible is None or not visible(request.user).filter(pk=attachment.object_id).exists():
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=download_content_type(attachment),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: the refused form in Chinese (Django's page is English)."""
    return HttpResponseForbidden(render_to_string("403_csrf.html", request=request))
