"""``docs/rules.md`` stays true to the code: every parameter listed with its values, every code
reference resolving to a real function or class of the law core."""

from __future__ import annotations

import importlib
import re
from dataclasses import fields, is_dataclass
from enum import Enum
from fractions import Fraction
from pathlib import Path
from typing import Any

from saylau.law.rules import RULES_2016, RULES_2021, RULES_2023

DOC = Path(__file__).resolve().parents[2] / "docs" / "rules.md"


def _fmt(value: Any) -> str:
    if isinstance(value, Enum):
        return f"`{value.value}`"
    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}"
    if isinstance(value, bool):
        return str(value).lower()
    if value is None:
        return "—"
    if hasattr(value, "items"):
        return ", ".join(
            f"{_fmt(k) if isinstance(k, Enum) else k}: {_fmt(v)}" for k, v in value.items()
        )
    if isinstance(value, tuple):
        return "(" + ", ".join(_fmt(v) for v in value) + ")"
    return str(value)


def _parameter_rows(prefix: str, objects: list[Any]) -> list[str]:
    rows = []
    for field in fields(objects[0]):
        values = [getattr(o, field.name) if o is not None else None for o in objects]
        sample = next((v for v in values if v is not None), None)
        if is_dataclass(sample):
            rows += _parameter_rows(f"{field.name}.", values)
        elif field.name not in ("name", "description"):
            rows.append(f"| `{prefix}{field.name}` | {' | '.join(_fmt(v) for v in values)} |")
    return rows


def test_parameter_table_matches_the_rule_sets() -> None:
    """Regenerate the table from the rule sets; a parameter added or changed must be documented."""
    text = DOC.read_text(encoding="utf-8")
    expected = _parameter_rows("", [RULES_2023, RULES_2021, RULES_2016])
    missing = [row for row in expected if row not in text]
    assert not missing, "docs/rules.md lacks these parameter rows:\n" + "\n".join(missing)


def test_every_code_reference_resolves() -> None:
    text = DOC.read_text(encoding="utf-8")
    references = set(re.findall(r"`(saylau\.law\.[a-z_]+\.[A-Za-z_]+)`", text))
    assert len(references) > 40
    for reference in sorted(references):
        module_name, _, attribute = reference.rpartition(".")
        module = importlib.import_module(module_name)
        assert hasattr(module, attribute), f"docs/rules.md names {reference}, which does not exist"


def test_every_law_module_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    law = Path(importlib.import_module("saylau.law").__file__ or "").parent
    for path in law.glob("*.py"):
        if path.stem not in ("__init__", "rules", "errors"):
            assert f"saylau.law.{path.stem}" in text, f"{path.stem} has no rules in docs/rules.md"
