"""Demo parties: made-up organisations and persons whose codes carry correct check characters
(computed here, so no real organisation's or person's code is used). Re-running finds them
again instead of duplicating them."""

from .services import find_or_create_party
from .validators import (
    credit_code_check_char,
    id_number_check_char,
    organisation_code_check_char,
)


def demo_credit_code(region: str, body: str) -> str:
    first17 = f"91{region}{body}{organisation_code_check_char(body)}"
    return first17 + credit_code_check_char(first17)


def demo_id_number(region: str, born: str, seq: str) -> str:
    return f"{region}{born}{seq}" + id_number_check_char(f"{region}{born}{seq}")


ORGANISATIONS = [
    ("太原晋阳化工有限公司", "140105", "MA0DEM01", "王建华", "董事长", "太原市小店区示范路1号"),
    ("太原汾河煤业有限公司", "140100", "MA0DEM02", "刘志强", "总经理", "太原市迎泽区示范街8号"),
    ("太原市某某汽车修理厂", "140106", "MA0DEM03", "陈某", "经营者", "太原市迎泽区示范巷3号"),
]
PERSONS = [
    ("赵某某", "140105", "19780312", "031", "个体运输户", "太原市小店区示范村"),
    ("钱某某", "140106", "19851120", "052", "某建材经营部", "太原市迎泽区示范社区"),
]


def load(org):
    by = org.by_username["jingban"]
    for name, region, body, representative, title, address in ORGANISATIONS:
        find_or_create_party(kind="organisation", name=name, by=by,
                             credit_code=demo_credit_code(region, body),
                             legal_representative=representative,
                             representative_title=title, address=address)
    for name, region, born, seq, work_unit, address in PERSONS:
        find_or_create_party(kind="person", name=name, by=by,
                             id_number=demo_id_number(region, born, seq),
                             work_unit=work_unit, address=address)
