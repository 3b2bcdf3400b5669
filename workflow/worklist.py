"""The home page's "my work": each app contributes panels (items awaiting the user's
approval, deadlines due soon, records to handle) without the shell knowing the apps."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class WorkItem:
    title: str
    url: str
    detail: str = ""
    badge: str = ""
    badge_style: str = "secondary"


@dataclass
class Panel:
    title: str
    items: list[WorkItem] = field(default_factory=list)
    more_url: str = ""
    empty_text: str = "暂无"
    order: int = 100


_providers: list[Callable] = []


def provider(func: Callable) -> Callable:
    """Register `func(user) -> Panel | None` as a source of the home page's panels."""
    _providers.append(func)
    return func


def panels_for(user) -> list[Panel]:
    panels = [p for p in (provider_(user) for provider_ in _providers) if p is not None]
    return sorted(panels, key=lambda p: p.order)
