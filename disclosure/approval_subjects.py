"""What the 机构负责人 sees of a publication before it goes out (SX 第三十八条; issue 17): the
masked text as it will be published, and the case."""

from cases.approval_subjects import case_summary
from workflow.approval_subjects import attachment_items, register_subject

from .models import Publication


@register_subject(Publication)
def publication_summary(publication: Publication, request):
    summary = case_summary(publication.case)
    summary.facts = [("公开类别", publication.get_kind_display()),
                     ("脱敏后标题", publication.masked_title or publication.title),
                     ("脱敏后正文", publication.masked_text)] + summary.facts
    summary.evidence = attachment_items(publication) + summary.evidence
    summary.related = []
    return summary
