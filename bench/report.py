"""``docs/performance.md``: the machine, date and commit, and a table per benchmark."""

from __future__ import annotations

from typing import Any

from bench.model import Figure, Outcome
from bench.registry import BENCHMARKS, module


def title(name: str) -> str:
    """The report's heading of benchmark ``name``."""
    return str(module(name).TITLE)


NOT_YET = [
    (
        "B1 ingestion",
        "protocols/s through the real service path on SQLite and PostgreSQL vs a raw bulk insert "
        "of the same rows; target ≥ 5,000/s (SQLite), ≥ 3,000/s (PostgreSQL), ≤ 3× floor",
        "`bench/b1_ingestion.py` (to be written, issue #8)",
    ),
    (
        "B3 incremental",
        "one more definitive protocol → results and published files up to date, p50/p99 ms; "
        "target p99 ≤ 100 ms",
        "`bench/b3_incremental.py` (to be written, issue #8)",
    ),
    (
        "B4 publication",
        "full static publication (s, files) and serving it: req/s and p99, Saylau vs nginx; "
        "target ≤ 60 s. A hand-run precursor is `benchmarks/public_results.py` "
        "(`docs/benchmarks.md`)",
        "`bench/b4_publication.py` (to be written, issue #8)",
    ),
    (
        "B5 interactive entry",
        "50 concurrent simulated typists through the HTTP API for 60 s, p50/p95/p99 and errors; "
        "target p95 ≤ 100 ms, no errors",
        "`bench/b5_entry.py` (to be written, issue #8)",
    ),
    (
        "Growth",
        "B1 and B2 at scale 0.1, 0.3, 1 and 3 with the fitted exponent; target ≤ 1.1",
        "`python -m bench --growth` (to be written, issue #8; the demo generator stops at "
        "scale 1 today)",
    ),
]


def _number(value: float | None, unit: str = "") -> str:
    if value is None:
        return "—"
    if abs(value) >= 100:
        text = f"{value:,.0f}"
    elif abs(value) >= 1:
        text = f"{value:,.2f}"
    else:
        text = f"{value:.4f}"
    return f"{text} {unit}".strip()


def _ratio(figure: Figure) -> str:
    ratio = figure.ratio
    if ratio is None:
        return "—"
    return f"{ratio:,.2f}×"


def _met(figure: Figure) -> str:
    return {True: "met", False: "**missed**", None: "—"}[figure.met]


def table(figures: list[Figure]) -> list[str]:
    """One Markdown table: figure, floor, ratio, target, met/missed."""
    lines = [
        "| Figure | Value | Floor | Floor value | Ratio | Target | |",
        "|---|---:|---|---:|---:|---|---|",
    ]
    for f in figures:
        lines.append(
            f"| {f.name} | {_number(f.value, f.unit)} | {f.floor_label} | "
            f"{_number(f.floor, f.unit)} | {_ratio(f)} | {f.target} | {_met(f)} |"
        )
    notes = [f"- {f.name}: {f.note}." for f in figures if f.note]
    return lines + (["", *notes] if notes else [])


def memory_figures(outcomes: list[Outcome], idle_kib: int | None) -> list[Figure]:
    """Each benchmark's peak resident memory against an idle benchmark process (B7)."""
    floor = idle_kib / 1024 if idle_kib else None
    return [
        Figure(
            name=f"peak resident memory of {title(o.benchmark)}",
            unit="MiB",
            value=o.peak_rss_kib / 1024,
            floor=floor,
            floor_label="an idle benchmark process",
            target="—",
            met=None,
        )
        for o in outcomes
    ]


def markdown(run: dict[str, Any], outcomes: list[Outcome], idle_kib: int | None) -> str:
    """The whole of ``docs/performance.md`` for one run."""
    m = run["machine"]
    by_name = {o.benchmark: o for o in outcomes}
    out = [
        "# Performance",
        "",
        "Written by `python -m bench` (issue #8); do not edit by hand — rerun it. Every figure is "
        "measured with its **floor**, the least the same work can cost on the same data, in the "
        "same run on the same machine, and the ratio between them; the targets are the issue's, "
        "set for scale 1 (the national election) on a 2-core machine.",
        "",
        "```sh",
        f"{run['command']}",
        "```",
        "",
        f"- Date: {run['date']}; commit `{run['commit']}`"
        + (" (with uncommitted changes in the tree)" if run.get("dirty") else ""),
        f"- Demo election: `saylau demo --scale {run['scale']:g}` (seed 2023) on "
        f"{run['database']}, {'reused from the cache' if run['reused'] else 'built for this run'}"
        if run.get("reused") is not None
        else "- No demo election (no benchmark in this run needs one)",
        f"- CPU: {m['cpu']}, {m['cores']} logical cores; memory {m['memory']}",
        f"- OS: {m['os']}; Python {m['python']}; SQLite {m['sqlite']}; PostgreSQL {m['postgresql']}",
        "- The machine is **shared** with other work (load average at the start: "
        f"{m['load']}): figures are indicative; the ratios, measured under the same conditions "
        "for figure and floor, are the more robust result.",
        "",
    ]
    if run["scale"] != 1:
        out += [
            f"At scale {run['scale']:g} a target met says only that this scale is within it; the "
            "targets hold for scale 1.",
            "",
        ]
    for name in BENCHMARKS:
        if name == "B7":
            continue  # last, with every benchmark's memory
        out += [f"## {title(name)}", ""]
        if name in by_name:
            o = by_name[name]
            out += table(o.figures)
            out += ["", "Checked in the run: " + "; ".join(o.checks) + "."]
            why = module(name).WHY_MISSED
            if any(f.met is False for f in o.figures) and why:
                out += [
                    "",
                    "**Why the target is missed, and what would reach it.** " + why,
                ]
        else:
            out.append("Not run in this run (`--only`).")
        out.append("")
    out += [f"## {title('B7')}", ""]
    figures = list(by_name["B7"].figures) if "B7" in by_name else []
    figures += memory_figures([o for o in outcomes if o.benchmark != "B7"], idle_kib)
    if figures:
        out += table(figures)
        if "B7" not in by_name:
            out += ["", "The server was not measured in this run (`--only`)."]
    else:
        out.append("Not run in this run (`--only`).")
    out += ["", "## Not yet measured", ""]
    out += ["| Benchmark | What it will measure | Measured by |", "|---|---|---|"]
    out += [f"| {name} | {what} | {by} |" for name, what, by in NOT_YET]
    return "\n".join(out) + "\n"
