"""The architecture the layout promises: a pure law core that imports nothing from the rest.

Checked on the source itself (AST), so a new module that breaks the rule fails here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import saylau.law

LAW = Path(saylau.law.__file__).parent
LAW_MODULES = sorted(LAW.glob("*.py"))
ALLOWED_STDLIB = {
    "__future__",
    "collections",
    "dataclasses",
    "datetime",
    "decimal",
    "enum",
    "fractions",
    "functools",
    "hashlib",
    "itertools",
    "math",
    "re",
    "types",
    "typing",
    "unicodedata",
    "calendar",
    "operator",
}


def _imports(tree: ast.AST) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


@pytest.mark.parametrize("path", LAW_MODULES, ids=lambda p: p.name)
def test_law_imports_only_itself_and_pure_stdlib(path: Path) -> None:
    """The law core has no I/O and no dependency on storage, services or interfaces."""
    for name in _imports(ast.parse(path.read_text(encoding="utf-8"))):
        top = name.split(".")[0]
        assert name.startswith("saylau.law") or top in ALLOWED_STDLIB, f"{path.name} imports {name}"


@pytest.mark.parametrize("path", LAW_MODULES, ids=lambda p: p.name)
def test_law_has_no_float_literals_or_calls(path: Path) -> None:
    """Decisions use integers and Fractions only: no float literal, no float() call."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        assert not (isinstance(node, ast.Constant) and isinstance(node.value, float)), (
            f"{path.name}:{node.lineno} float literal"
        )
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            assert node.func.id not in {"float", "open", "print", "input"}, (
                f"{path.name}:{node.lineno} calls {node.func.id}()"
            )


def test_law_core_is_not_empty() -> None:
    assert len(LAW_MODULES) >= 10


SAYLAU = LAW.parent
# Each layer may import only the layers listed for it (besides itself and third-party packages).
LAYERS = {
    "domain": {"law"},
    "reference": {"law"},
    "storage": {"law", "domain"},
    "services": {"law", "domain", "storage", "reference"},
    "analytics": {"law", "reference", "domain", "storage", "services", "charts", "catalogues"},
    "demo": {"law", "domain", "storage", "reference", "services"},
    "opendata": {"law", "domain", "storage", "reference", "services"},
    "web": {
        "law",
        "domain",
        "storage",
        "reference",
        "services",
        "opendata",
        "analytics",
        "charts",
        "catalogues",
    },
    "publication": {"law", "domain", "storage", "reference", "services", "opendata", "web"},
}
"""The command line (``saylau.cli``) is the outermost interface: it may import every layer."""


@pytest.mark.parametrize("layer", sorted(LAYERS))
def test_dependencies_point_inward(layer: str) -> None:
    """law ← domain ← storage ← services ← analytics, open data, web, publication ← cli: no layer
    imports an outer one."""
    allowed = LAYERS[layer] | {layer}
    for path in sorted((SAYLAU / layer).rglob("*.py")):
        for name in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            parts = name.split(".")
            if parts[0] == "saylau" and len(parts) > 1:
                assert parts[1] in allowed, f"{path.relative_to(SAYLAU)} imports {name}"
