"""Hostile input for the fuzz tests (issue #9 §7): arbitrary and near-valid values, and a counter
of the cases each family ran, printed at the end of the run for ``docs/security.md``.

``SAYLAU_FUZZ_EXAMPLES`` sets the examples per test for a deeper run (the default keeps the whole
``tests/fuzz`` directory well under 90 s on two shared cores).
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable
from typing import Any, TypeVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

F = TypeVar("F", bound=Callable[..., Any])

CASES: Counter[str] = Counter()
"""Cases run per parser family (read by ``tests/fuzz/conftest.py``)."""


def bounded(default: int) -> Callable[[F], F]:
    """Hypothesis settings: ``default`` examples, or ``SAYLAU_FUZZ_EXAMPLES`` when set."""
    examples = int(os.environ.get("SAYLAU_FUZZ_EXAMPLES", default))
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


def count(family: str) -> None:
    CASES[family] += 1


HOSTILE_TEXT = (
    "",
    " ",
    "\x00",
    "a\x00b",
    "\ufeff",
    "\ud800",
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\t=1",
    "x" * 5000,
    "9" * 5000,
    "Ә" * 400,
    '"',
    "\r\n",
    "1e309",
    "NaN",
    "-1",
    "0",
)
HUGE = (2**31, 2**63, 10**30, -(2**31) - 1, -1, 10**4000)

texts = st.one_of(st.sampled_from(HOSTILE_TEXT), st.text(max_size=40))
numbers = st.one_of(st.sampled_from(HUGE), st.integers(), st.floats(allow_nan=True))
scalars = st.one_of(st.none(), st.booleans(), numbers, texts)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4),
    max_leaves=12,
)


@st.composite
def mutated(draw: st.DrawFn, valid: dict[str, Any]) -> dict[str, Any]:
    """``valid`` with a few fields dropped, renamed, duplicated or given a hostile value."""
    document = dict(valid)
    for _ in range(draw(st.integers(1, 3))):
        keys = sorted(document)
        action = draw(st.sampled_from(("drop", "rename", "copy", "value", "add")))
        if not keys:
            action = "add"
        if action == "add":
            document[draw(texts)] = draw(json_values)
            continue
        key = draw(st.sampled_from(keys))
        if action == "drop":
            del document[key]
        elif action == "rename":
            document[key + draw(st.sampled_from(("_", " ", "\x00", "X")))] = document.pop(key)
        elif action == "copy":
            document[key.upper()] = document[key]
        else:
            document[key] = draw(json_values)
    return document


hostile_bytes = st.one_of(
    st.binary(max_size=300),
    st.builds(lambda b: b"\xef\xbb\xbf" + b, st.binary(max_size=100)),
    st.sampled_from(
        (
            b"\xff\xfe\x00\x00",
            b"\x80\x81",
            b"a,b\n" + b'"' + b"x" * 140_000 + b'"\n',
            b"[" * 50_000,
            b"1" * 5000,
            b"{" + b'"a":' * 3000,
        )
    ),
)
