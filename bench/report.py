"""``docs/performance.md``: the machine, date and commit, and a table per benchmark."""

from __future__ import annotations

from typing import Any

from bench.growth import MEANINGFUL_SPAN, TARGET_EXPONENT
from bench.model import Figure, Outcome
from bench.registry import BENCHMARKS, module


def title(name: str) -> str:
    """The report's heading of benchmark ``name``."""
    return str(module(name).TITLE)


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


GROWTH_START = "<!-- growth: written by `python -m bench --growth`; other runs keep it -->"
GROWTH_END = "<!-- end of growth -->"


def demo_origin(run: dict[str, Any]) -> str:
    """Where the run's demo came from: built, reused, or adopted from other sources."""
    if run.get("adopted"):
        return (
            f"adopted from the cache: build `{run['adopted']}` of other sources with the current "
            "schema (`--adopt-demo`)"
        )
    return "reused from the cache" if run["reused"] else "built for this run"


def growth_section(record: dict[str, Any] | None) -> list[str]:
    """The Growth section (between markers, so that a run without ``--growth`` keeps it): per
    benchmark, the time at each scale and the fitted exponent against the target."""
    out = [GROWTH_START, "## Growth", ""]
    if record is None:
        out += [
            "Not measured yet: `python -m bench --growth [--scales 0.1,0.3,1,3]` runs B1 and B2 "
            "at each scale and fits the exponent k of time ∝ protocols^k (target ≤ "
            f"{TARGET_EXPONENT:g}).",
            "",
            GROWTH_END,
        ]
        return out
    m = record["machine"]
    out += [
        f"Time ∝ size^k, k fitted by least squares on log–log, size = the definitive protocols "
        f"of the demo at each scale (above 1 a SYNTHETIC larger country); target k ≤ "
        f"{TARGET_EXPONENT:g}. A benchmark takes part by declaring `GROWTH_FIGURE`.",
        "",
        "```sh",
        f"{record['command']}",
        "```",
        "",
        f"- Date: {record['date']}; commit `{record['commit']}`"
        + (" (with uncommitted changes in the tree)" if record.get("dirty") else "")
        + f"; {record['database']}; load average at the start {m['load']} "
        f"({m['cores']} cores, shared)",
        "",
        "| Benchmark | Scale | Definitive protocols | Seconds | Per protocol |",
        "|---|---:|---:|---:|---:|",
    ]
    adopted = sorted({p["adopted"] for p in record["points"] if p.get("adopted")})
    for p in record["points"]:
        out.append(
            f"| {title(p['benchmark'])} | {p['scale']:g} | {p['protocols']:,} | "
            f"{_number(p['seconds'], 's')} | {p['per_protocol_ms']:.3f} ms |"
        )
    out += [
        "",
        "| Benchmark | Exponent k | r² | Scales | Size span | Target | |",
        "|---|---:|---:|---:|---:|---|---|",
    ]
    notes = []
    for name, fit in record["fits"].items():
        k = "—" if fit["exponent"] is None else f"{fit['exponent']:.3f}"
        r2 = "—" if fit["r_squared"] is None else f"{fit['r_squared']:.3f}"
        verdict = {True: "met", False: "**missed**", None: "—"}[fit["met"]]
        out.append(
            f"| {title(name)} | {k} | {r2} | {fit['points']} | {fit['span']:.2f}× | "
            f"≤ {TARGET_EXPONENT:g} | {verdict} |"
        )
        if not fit["meaningful"]:
            notes.append(
                f"- {title(name)}: the sizes span only {fit['span']:.2f}× (at least "
                f"{MEANINGFUL_SPAN:g}× is needed): no verdict. Below scale ~0.25 the demo's "
                "precincts are set by the law's floors (one per single-member seat), not by "
                "the scale."
            )
    notes += [
        f"- Demo `{key}` adopted from the cache (`--adopt-demo`): built from other sources with "
        "the current schema."
        for key in adopted
    ]
    out += ["", *notes] if notes else []
    out += ["", GROWTH_END]
    return out


def kept_growth(text: str) -> list[str] | None:
    """The Growth section of an earlier ``docs/performance.md``, if it has one."""
    if GROWTH_START not in text or GROWTH_END not in text:
        return None
    start = text.index(GROWTH_START)
    end = text.index(GROWTH_END, start) + len(GROWTH_END)
    return text[start:end].split("\n")


def with_growth(text: str, section: list[str]) -> str:
    """``text`` with its Growth section replaced (or added at the end)."""
    block = "\n".join(section)
    if GROWTH_START in text and GROWTH_END in text:
        start = text.index(GROWTH_START)
        end = text.index(GROWTH_END, start) + len(GROWTH_END)
        return text[:start] + block + text[end:]
    base = text if text else "# Performance\n"
    return base.rstrip("\n") + "\n\n" + block + "\n"


def markdown(
    run: dict[str, Any],
    outcomes: list[Outcome],
    idle_kib: int | None,
    growth: list[str] | None = None,
) -> str:
    """The whole of ``docs/performance.md`` for one run (``growth``: the Growth section kept from
    the previous file, see :func:`kept_growth`)."""
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
        f"{run['database']}, {demo_origin(run)}"
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
    out += ["", *(growth if growth is not None else growth_section(None))]
    return "\n".join(out) + "\n"
