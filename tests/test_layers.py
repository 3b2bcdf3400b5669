"""Dependencies point one way (docs/architecture.md): an app imports only apps of its own layer
or below. The imports of every module of every app are read with `ast` (module level and inside
functions alike); an app the order below does not know (a newer one) counts as top layer."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# docs/architecture.md, bottom up: the core apps, then the stages in the order a case passes
# them, then documents (all stages) and the integration API above them.
LAYERS = [
    "rules",
    "accounts",
    "workflow",
    "parties",
    "screening",
    "cases",
    "negotiation",
    "restoration",
    "documents",
]
TOP = len(LAYERS)  # api and any app not listed


def _apps() -> list[str]:
    return sorted(p.parent.name for p in ROOT.glob("*/apps.py"))


def _rank(app: str) -> int:
    return LAYERS.index(app) if app in LAYERS else TOP


def _imported_apps(path: Path, apps: set[str]) -> set[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if top in apps:
                found.add((top, node.lineno))
    return found


def _violations(app: str, apps: set[str]) -> list[str]:
    out = []
    for path in sorted((ROOT / app).rglob("*.py")):
        for imported, line in sorted(_imported_apps(path, apps)):
            if _rank(imported) > _rank(app):
                out.append(f"{path.relative_to(ROOT)}:{line} imports {imported}")
    return out


def test_the_layer_order_knows_every_core_and_stage_app():
    missing = [app for app in LAYERS if app not in _apps()]
    assert missing == []


@pytest.mark.parametrize("app", [a for a in _apps() if _rank(a) < TOP])
def test_no_app_imports_an_app_above_it(app):
    assert _violations(app, set(_apps())) == []


def test_the_check_sees_an_upward_import(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from workflow.audit import acting_as\n")
    assert _imported_apps(module, {"workflow"}) == {("workflow", 2)}
