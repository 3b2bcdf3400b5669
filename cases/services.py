from django.db import transaction

from workflow.numbering import next_number

from .models import Case


def open_case_from_clue(clue, request, by) -> Case:
    """The approved 启动索赔 of a clue: a new case, or the clue joins an existing case of the
    same department (several clues, one case)."""
    with transaction.atomic():
        join = (request.payload or {}).get("join_case")
        if join:
            case = Case.objects.select_for_update().get(pk=join, department=clue.department)
        else:
            year = clue.decided_on.year
            seq = next_number(f"case:{clue.jurisdiction.code}", year)
            case = Case.objects.create(
                number=f"{clue.jurisdiction.code}-{year}-SP{seq:04d}",
                jurisdiction=clue.jurisdiction,
                department=clue.department,
                rule_profile=clue.rule_profile,
                cause=clue.summary[:200],
                opened_on=clue.decided_on,
                created_by=by,
            )
            case.participants.set(clue.participants.all())
        case.clues.add(clue)
    return case
