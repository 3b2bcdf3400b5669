from collections.abc import Iterator
from importlib import import_module
from types import ModuleType

from django.apps import apps


def app_modules(name: str) -> Iterator[ModuleType]:
    """Each installed app's `<app>.<name>` module, for apps that have one."""
    for config in apps.get_app_configs():
        try:
            yield import_module(f"{config.name}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.{name}":
                raise
