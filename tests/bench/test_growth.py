"""Growth (issue #8): the fitted exponent on synthetic data, the points taken from outcomes, and the
report's Growth section, which a run without ``--growth`` keeps."""

from __future__ import annotations

import math
import random

import pytest
from bench.frame import parse
from bench.growth import Point, fit_exponent, fits, growth_figure, point
from bench.model import Figure, Outcome
from bench.report import growth_section, kept_growth, markdown, with_growth
from hypothesis import given, settings
from hypothesis import strategies as st

RUN = {
    "command": "python -m bench --growth --scales 0.1,0.3",
    "date": "2026-11-26 10:00 UTC",
    "commit": "b" * 40,
    "dirty": False,
    "database": "SQLite",
    "machine": {
        "cpu": "Test CPU",
        "cores": 2,
        "memory": "1 GiB",
        "os": "Test OS",
        "python": "3.11",
        "sqlite": "3.40",
        "postgresql": "15",
        "load": "0.1",
    },
}


@settings(max_examples=60, deadline=None)
@given(
    st.floats(0.5, 2.0),
    st.floats(1e-4, 10.0),
    st.lists(st.integers(100, 10_000_000), min_size=2, max_size=6, unique=True),
)
def test_an_exact_power_law_gives_its_exponent(k: float, c: float, sizes: list[int]) -> None:
    fit = fit_exponent([float(s) for s in sizes], [c * s**k for s in sizes])
    assert fit.exponent == pytest.approx(k, abs=1e-9)
    assert fit.r_squared == pytest.approx(1.0, abs=1e-9)
    assert fit.points == len(sizes)


def test_noisy_linear_growth_is_near_one_and_meets_the_target() -> None:
    rng = random.Random(8)
    sizes = [14_000.0, 15_000.0, 48_000.0, 145_000.0]
    seconds = [2e-5 * s * math.exp(rng.uniform(-0.05, 0.05)) for s in sizes]
    fit = fit_exponent(sizes, seconds)
    assert fit.exponent is not None and 0.93 < fit.exponent < 1.07
    assert fit.meaningful and fit.met is True
    quadratic = fit_exponent(sizes, [1e-9 * s * s for s in sizes])
    assert quadratic.exponent == pytest.approx(2.0) and quadratic.met is False


def test_no_slope_without_distinct_sizes_and_no_verdict_on_a_narrow_span() -> None:
    assert fit_exponent([10.0], [1.0]).exponent is None
    same = fit_exponent([14_000.0, 14_000.0], [1.0, 1.2])
    assert same.exponent is None and same.met is None
    narrow = fit_exponent([14_000.0, 14_100.0], [1.0, 1.3])
    assert narrow.exponent is not None and not narrow.meaningful and narrow.met is None
    with pytest.raises(ValueError):
        fit_exponent([0.0, 1.0], [1.0, 2.0])
    with pytest.raises(ValueError):
        fit_exponent([1.0, 2.0], [1.0])


def _b2(protocols: int, seconds: float) -> Outcome:
    name = str(growth_figure("B2"))
    figure = Figure(name, "s", seconds, 0.01, "floor", "≤ 2 s", False)
    return Outcome("B2", [figure], 1024, seconds, details={"protocols": protocols})


def test_points_come_from_the_declared_figure_and_the_definitive_protocols() -> None:
    assert growth_figure("B2") == "whole-election tabulation, all changed (tabulate_election)"
    assert growth_figure("B6") is None  # no growth figure: not run by --growth
    p = point(_b2(14_000, 0.7), 0.1, True)
    assert (p.benchmark, p.scale, p.protocols, p.seconds) == ("B2", 0.1, 14_000, 0.7)
    assert p.per_protocol_ms == pytest.approx(0.05)
    wrong = Outcome("B2", [Figure("other", "s", 1.0, None, "", "", None)], 1, 1.0)
    with pytest.raises(SystemExit, match="GROWTH_FIGURE"):
        point(wrong, 0.1, None)
    with pytest.raises(SystemExit, match="protocols"):
        point(Outcome("B2", _b2(1, 1.0).figures, 1, 1.0), 0.1, None)


def test_a_rate_figure_is_turned_into_the_time_of_the_whole_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import bench.growth

    monkeypatch.setattr(bench.growth, "growth_figure", lambda name: "ingestion")
    rate = Figure("ingestion", "protocols/s", 5_000.0, 20_000.0, "bulk insert", "", True, True)
    p = point(Outcome("B1", [rate], 1, 1.0, details={"protocols": 50_000}), 1.0, False)
    assert p.seconds == pytest.approx(10.0)


def test_the_growth_section_is_written_and_kept_by_later_runs() -> None:
    points = [
        Point("B2", 0.1, 14_400, 0.72, True),
        Point("B2", 0.3, 16_000, 0.81, False),
        Point("B2", 1.0, 50_700, 2.6, False),
    ]
    record = {
        **RUN,
        "scales": [0.1, 0.3, 1.0],
        "points": [p.as_dict() for p in points],
        "fits": {name: fit.as_dict() for name, fit in fits(points).items()},
    }
    section = growth_section(record)
    text = "\n".join(section)
    assert "## Growth" in text
    assert "| B2 tabulation | 0.1 | 14,400 | 0.7200 s | 0.050 ms |" in text
    k = fits(points)["B2"].exponent
    assert k is not None and f"| B2 tabulation | {k:.3f} |" in text and "| met |" in text
    assert RUN["command"] in text
    # a run without --growth keeps the section; a new growth run replaces it
    empty = markdown({**RUN, "scale": 0.05, "reused": None}, [], None)
    assert "Not measured yet: `python -m bench --growth" in empty
    assert "| Growth |" not in empty  # no longer listed as not yet measured
    updated = with_growth(empty, section)
    assert "Not measured yet" not in updated and text in updated
    assert updated.index("## B7 memory") < updated.index("## Growth")
    kept = kept_growth(updated)
    assert kept == section
    again = markdown({**RUN, "scale": 0.05, "reused": None}, [], None, kept)
    assert text in again
    assert with_growth(updated, section) == updated
    assert with_growth("", section).startswith("# Performance")


def test_growth_options_are_checked() -> None:
    args = parse(["--growth", "--scales", "0.3,0.1,1,3"])
    assert args.scale_list == [0.1, 0.3, 1.0, 3.0]
    assert "B2" in args.chosen and "B6" not in args.chosen
    assert all(growth_figure(name) for name in args.chosen)
    for bad in ("0,1", "1,3.5", "a,b", ","):
        with pytest.raises(SystemExit):
            parse(["--growth", "--scales", bad])
    with pytest.raises(SystemExit):
        parse(["--growth", "--only", "B6"])
    assert parse(["--scale", "3"]).scale == 3
