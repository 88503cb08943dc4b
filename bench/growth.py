"""Growth (issue #8): how the cost of a benchmark grows with the size of the election.

``python -m bench --growth [--scales 0.1,0.3,1,3] [--only B2]`` runs every selected benchmark that
declares ``GROWTH_FIGURE`` (the name of the figure whose time grows) at each scale, on the demo of
that scale, and fits the exponent ``k`` of ``time ∝ size^k`` by least squares on log–log, where
size is the number of definitive protocols the benchmark reports in ``details["protocols"]``.
The target is ``k ≤ 1.1`` (linear, with a little slack). A figure in seconds is the time; a figure
in a rate (unit ``…/s``, e.g. protocols/s) is turned into the time of the whole run,
``protocols / rate``.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from bench.model import Outcome
from bench.registry import module

TARGET_EXPONENT = 1.1
MEANINGFUL_SPAN = 2.0
"""Sizes must span at least this factor for the fitted exponent to say anything (below ~0.25 the
demo's precincts are set by the law's floors, one per single-member seat, not by the scale)."""


@dataclass(frozen=True)
class Point:
    """One benchmark at one scale."""

    benchmark: str
    scale: float
    protocols: int
    seconds: float
    reused: bool | None = None
    adopted: str | None = None
    """The key of a cached demo of other sources with the same schema (``--adopt-demo``)."""

    @property
    def per_protocol_ms(self) -> float:
        return 1000 * self.seconds / self.protocols if self.protocols else math.nan

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "per_protocol_ms": self.per_protocol_ms}


@dataclass(frozen=True)
class Fit:
    """``log seconds = log c + k · log protocols`` by least squares."""

    exponent: float | None
    """``k``; ``None`` when the sizes do not differ (no slope to fit)."""
    r_squared: float | None
    points: int
    span: float
    """Largest size over smallest."""

    @property
    def meaningful(self) -> bool:
        return self.exponent is not None and self.points >= 2 and self.span >= MEANINGFUL_SPAN

    @property
    def met(self) -> bool | None:
        """Whether ``k ≤ 1.1``; ``None`` when the fit is not meaningful."""
        if not self.meaningful or self.exponent is None:
            return None
        return self.exponent <= TARGET_EXPONENT

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "meaningful": self.meaningful, "met": self.met}


def fit_exponent(sizes: list[float], seconds: list[float]) -> Fit:
    """The least-squares slope of log(seconds) on log(sizes), with its r²."""
    if len(sizes) != len(seconds):
        raise ValueError("one time per size")
    if any(s <= 0 for s in sizes) or any(t <= 0 for t in seconds):
        raise ValueError("sizes and times must be positive to take logarithms")
    n = len(sizes)
    span = max(sizes) / min(sizes) if sizes else 1.0
    if n < 2:
        return Fit(None, None, n, span)
    xs = [math.log(s) for s in sizes]
    ys = [math.log(t) for t in seconds]
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    if sxx == 0:
        return Fit(None, None, n, span)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    k = sxy / sxx
    syy = sum((y - my) ** 2 for y in ys)
    residual = sum((y - my - k * (x - mx)) ** 2 for x, y in zip(xs, ys, strict=True))
    r2 = 1 - residual / syy if syy > 0 else 1.0
    return Fit(k, r2, n, span)


def growth_figure(name: str) -> str | None:
    """The figure benchmark ``name`` declares for growth, or ``None``."""
    value = getattr(module(name), "GROWTH_FIGURE", None)
    return str(value) if value else None


def point(outcome: Outcome, scale: float, reused: bool | None, adopted: str | None = None) -> Point:
    """The time of the declared figure and the definitive protocols of one outcome."""
    wanted = growth_figure(outcome.benchmark)
    found = [f for f in outcome.figures if f.name == wanted]
    if not found:
        names = ", ".join(f.name for f in outcome.figures)
        raise SystemExit(
            f"{outcome.benchmark}: GROWTH_FIGURE {wanted!r} is not among its figures ({names})"
        )
    protocols = outcome.details.get("protocols")
    if not isinstance(protocols, int) or protocols <= 0:
        raise SystemExit(
            f"{outcome.benchmark}: details['protocols'] (definitive protocols) is {protocols!r}; "
            "a growth benchmark must report it"
        )
    figure = found[0]
    if figure.unit == "s":
        seconds = figure.value
    elif figure.unit.endswith("/s") and figure.value > 0:
        seconds = protocols / figure.value
    else:
        raise SystemExit(
            f"{outcome.benchmark}: growth figure {figure.name!r} has unit {figure.unit!r}; "
            "expected seconds or a rate per second"
        )
    return Point(outcome.benchmark, scale, protocols, seconds, reused, adopted)


def fits(points: list[Point]) -> dict[str, Fit]:
    """Benchmark → the exponent fitted over its points."""
    by_benchmark: dict[str, list[Point]] = {}
    for p in points:
        by_benchmark.setdefault(p.benchmark, []).append(p)
    return {
        name: fit_exponent([float(p.protocols) for p in ps], [p.seconds for p in ps])
        for name, ps in by_benchmark.items()
    }
