"""The search page (/search/?q=…): thin; search.services does the finding, within the scope."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .services import SHORT_QUERY_WINDOW, search


@login_required
@require_GET
def search_page(request):
    results = search(request.user, request.GET.get("q"))
    return render(request, "search/results.html", {
        "results": results, "q": results.query, "window": f"{SHORT_QUERY_WINDOW:,}"})
