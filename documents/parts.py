"""Generated forms on the case's timeline (cases/parts.py)."""

from cases.parts import case_parts


@case_parts
def generated_documents(case) -> dict:
    return {case.generated_documents.model: case.generated_documents.values_list("pk", flat=True)}
