"""The registry of the model forms (NAT 示范文本 [1]–[7]; DOMAIN §4).

A form is registered once, at import of the module that defines it (imported by
DocumentsConfig.ready):

    register(Form(
        code="4", title="生态环境损害赔偿磋商告知书", template="documents/forms/form_4.html",
        context=notice_context,              # (case, obligor) -> plain data
        per_obligor=True,                    # one document per obligor ([4], [6])
        stages=("negotiating", ...),         # None: every stage
    ))

`context(case, obligor)` returns plain values only (str, int, None, date, Decimal, lists and
dicts of them; parties through `documents.data.party_block`): the PDF is rendered from that
data after a JSON round trip, and the same data is archived with the PDF."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass


@dataclass(frozen=True)
class Form:
    code: str
    title: str
    template: str
    context: Callable  # (case, obligor: parties.Party | None) -> dict
    per_obligor: bool = False
    stages: Collection[str] | None = None  # the case stages it is offered in; None: all
    excluded_stages: Collection[str] = ()
    citation: str = "NAT 示范文本"

    def available_for(self, case) -> bool:
        if case.stage in self.excluded_stages:
            return False
        return self.stages is None or case.stage in self.stages

    @property
    def label(self) -> str:
        return f"[{self.code}]{self.title}"


_forms: dict[str, Form] = {}


def register(form: Form) -> Form:
    if form.code in _forms and _forms[form.code] != form:
        raise ValueError(f"文书代码 {form.code} 已登记为“{_forms[form.code].title}”。")
    _forms[form.code] = form
    return form


def get(code: str) -> Form:
    """The form with this code; KeyError if there is none."""
    return _forms[code]


def all_forms() -> list[Form]:
    return sorted(_forms.values(), key=lambda f: (len(f.code), f.code))


def available_for(case) -> list[Form]:
    return [f for f in all_forms() if f.available_for(case)]
