"""结案 needs every obligation performed. Each later stage registers a check
`func(case) -> list[str]` naming what is still open (a restoration not passed, money still
owed, an enforcement running); the case's closing transitions are allowed only when all of
them return nothing."""

from collections.abc import Callable

ClosingCheck = Callable[..., list[str]]
_checks: list[ClosingCheck] = []


def closing_check(func: ClosingCheck) -> ClosingCheck:
    if func not in _checks:
        _checks.append(func)
    return func


def unperformed(case) -> list[str]:
    return [problem for check in _checks for problem in check(case)]
