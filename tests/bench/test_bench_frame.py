"""The benchmark frame on a tiny world (issue #8), so it cannot rot: ``python -m bench --only B6``
with a few seeded allocations (no demo election) writes its JSON record and the Markdown report,
and the report writer puts every figure, floor, ratio, target and verdict in its tables."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bench.frame import main, parse
from bench.model import Figure, Outcome
from bench.report import markdown


def test_the_frame_runs_b6_and_writes_json_and_markdown(tmp_path: Path) -> None:
    out = tmp_path / "performance.md"
    results = tmp_path / "results"
    record = main(
        [
            *("--only", "B6", "--b6-cases", "40", "--repeats", "1"),
            *("--out", str(out), "--results", str(results)),
        ]
    )
    written = list(results.glob("*.json"))
    assert len(written) == 1
    assert written[0].name.endswith(f"-{record['commit'][:12]}.json")
    stored = json.loads(written[0].read_text())
    assert stored["commit"] == record["commit"]
    assert stored["machine"]["cores"] >= 1
    assert stored["machine"]["sqlite"]
    (b6,) = stored["outcomes"]
    assert b6["benchmark"] == "B6"
    assert b6["checks"] == ["seats agree with votelib on all 40 cases"]
    (figure,) = b6["figures"]
    assert figure["value"] > 0 and figure["floor"] > 0
    assert figure["ratio"] == pytest.approx(figure["value"] / figure["floor"])
    assert b6["peak_rss_kib"] > 0 and stored["idle_peak_rss_kib"] > 0
    text = out.read_text()
    assert "## B6 law core" in text
    assert "votelib on the same cases" in text
    assert record["commit"] in text
    assert "Not run in this run" in text  # B2 was not selected
    assert "## B1 ingestion" in text  # registered, not selected: "Not run in this run"
    assert "## Growth" in text and "Not measured yet: `python -m bench --growth" in text
    # --report rewrites the Markdown of a recorded run without measuring: the same figures.
    again = tmp_path / "again.md"
    main(["--report", str(written[0]), "--out", str(again)])
    assert again.read_text() == text


def test_the_markdown_writer_reports_figure_floor_ratio_and_verdict() -> None:
    figures = [
        Figure("tabulation", "s", 3.0, 1.5, "one GROUP BY", "≤ 2 s", False),
        Figure("rate", "allocations/s", 500.0, 50.0, "votelib", "≥ 10×", True, True),
    ]
    run = {
        "command": "python -m bench",
        "date": "2026-11-25 23:00 UTC",
        "commit": "a" * 40,
        "dirty": True,
        "scale": 0.05,
        "database": "SQLite",
        "reused": True,
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
    outcomes = [
        Outcome("B2", figures[:1], 2048, 1.0, ["totals equal"]),
        Outcome("B6", figures[1:], 1024, 1.0, ["seats agree"]),
    ]
    text = markdown(run, outcomes, idle_kib=512)
    assert "| tabulation | 3.00 s | one GROUP BY | 1.50 s | 2.00× | ≤ 2 s | **missed** |" in text
    assert (
        "| rate | 500 allocations/s | votelib | 50.00 allocations/s | 10.00× | ≥ 10× | met |"
        in text
    )
    assert "| peak resident memory of B2 tabulation | 2.00 MiB |" in text
    assert "4.00×" in text  # 2 MiB against the idle process's 0.5 MiB
    assert "uncommitted changes" in text and "reused from the cache" in text
    assert "shared" in text and "Test CPU, 2 logical cores" in text
    assert "The server was not measured" in text


def test_unknown_benchmarks_and_scales_are_refused() -> None:
    with pytest.raises(SystemExit):
        parse(["--only", "B9"])
    with pytest.raises(SystemExit):
        parse(["--scale", "3.5"])
    assert parse(["--only", "b6,B2"]).chosen == ["B2", "B6"]
