from django.http import Http404


def _pending(request, pk):  # the pages of issue 6 land in the next increment
    raise Http404


negotiation_detail = agreement_detail = confirmation_detail = litigation_detail = \
    enforcement_detail = _pending
