"""The search page (/search/?q=…): thin; search.services does the finding, within the scope.
`kind` (cases, clues, parties, documents) shows one kind's full list, a page at a time
(`before`: the id the page starts below, from the previous page's 下一页 link)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .services import KINDS, LIMIT, SHORT_QUERY_WINDOW, search


@login_required
@require_GET
def search_page(request):
    before = request.GET.get("before", "")
    results = search(request.user, request.GET.get("q"), kind=request.GET.get("kind", ""),
                     before=int(before) if before.isdigit() else None)
    return render(request, "search/results.html", {
        "results": results, "q": results.query, "kind_label": KINDS.get(results.kind, ""),
        "limit": LIMIT,
        "window": f"{SHORT_QUERY_WINDOW:,}"})
