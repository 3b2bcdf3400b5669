from django.db import transaction

from workflow.numbering import next_number

from .classification import reclassify
from .models import Case, CaseObligor, Investigation


def open_case_from_clue(clue, request, by) -> Case:
    """The approved 启动索赔 of a clue: a new case in 索赔启动登记 (the officer then fills form
    [1]), or the clue joins an existing case of the same department (several clues, one case)."""
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
                source=f"{clue.channel}（线索 {clue.number}）",
                cause=clue.summary[:200],
                summary=request.summary,
                damage_place=" ".join(filter(None, [str(clue.place or ""), clue.place_detail])),
                damage_type=clue.damage_type,
                estimated_amount=clue.estimated_amount,
                opened_on=clue.decided_on,
                created_by=request.requested_by,
            )
            Investigation.objects.create(case=case)
        # whoever takes part in the clue (a referring procuratorate, SX 第八条; NT 三(二)
        # 信息共享) follows the case it is opened into or joins
        case.participants.add(*clue.participants.all())
        case.clues.add(clue)
        for party in clue.suspected_obligors.all():
            CaseObligor.objects.get_or_create(case=case, party=party)
        reclassify(case, by=by)
    return case
