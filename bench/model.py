"""What a benchmark reports: figures against floors, and the run they belong to."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Figure:
    """One measured figure with the floor it is compared to (issue #8 §1: "each benchmark reports
    its figure and the ratio to a floor measured in the same run")."""

    name: str
    unit: str
    value: float
    floor: float | None
    floor_label: str
    target: str
    met: bool | None
    """Whether the issue's target is met by this figure (``None``: no target applies)."""
    higher_is_better: bool = False
    note: str = ""

    @property
    def ratio(self) -> float | None:
        """Figure over floor for costs (≥ 1: slower/larger than the floor); for rates where
        higher is better, figure over floor as well (≥ 1: faster than the floor)."""
        if self.floor is None or self.floor == 0:
            return None
        return self.value / self.floor

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "ratio": self.ratio}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Figure:
        return cls(**{k: v for k, v in data.items() if k != "ratio"})


@dataclass
class Outcome:
    """What one benchmark's child process returns."""

    benchmark: str
    figures: list[Figure]
    peak_rss_kib: int
    seconds: float
    checks: list[str] = field(default_factory=list)
    """Correctness checks that passed (a failed check raises and fails the run)."""
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "benchmark": self.benchmark,
            "figures": [f.as_dict() for f in self.figures],
            "peak_rss_kib": self.peak_rss_kib,
            "seconds": self.seconds,
            "checks": self.checks,
            "details": self.details,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Outcome:
        return cls(
            benchmark=data["benchmark"],
            figures=[Figure.from_dict(f) for f in data["figures"]],
            peak_rss_kib=int(data["peak_rss_kib"]),
            seconds=float(data["seconds"]),
            checks=list(data.get("checks", [])),
            details=dict(data.get("details", {})),
        )
