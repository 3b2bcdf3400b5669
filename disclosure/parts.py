"""Publications on the case page's timeline (their creation, masks and transitions)."""

from cases.parts import case_parts
from workflow.models import ApprovalRequest

from .models import Publication, SourceFile


@case_parts
def disclosure_parts(case) -> dict:
    publications = case.publications.values_list("pk", flat=True)
    return {
        Publication: publications,
        SourceFile: SourceFile.objects.filter(publication__case=case).values_list("pk", flat=True),
        ApprovalRequest: ApprovalRequest.objects.filter(
            content_type__app_label="disclosure", content_type__model="publication",
            object_id__in=publications).values_list("pk", flat=True),
    }
