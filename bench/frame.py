"""The frame: the demo database, one child process per benchmark, the record of the run.

``python -m bench [--scale S] [--database URL] [--only B2,B6] [--out docs/performance.md]``;
``python -m bench --growth [--scales 0.1,0.3,1,3]`` for the growth exponent (:mod:`bench.growth`);
``python -m bench --report bench/results/<run>.json`` rewrites the report of a recorded run.

It builds (or reuses, keyed by scale, seed and the sources that determine it: ``bench.database``)
the demo election, runs the selected benchmarks each in its own process plus an idle process (the
memory floor), records the machine, the date and ``git rev-parse HEAD``, writes
``bench/results/<date>-<commit>.json`` and rewrites the Markdown report. A failed correctness check fails the run and writes nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.database import ensure_demo
from bench.growth import Point, fits, growth_figure, point
from bench.model import Outcome
from bench.registry import BENCHMARKS, module
from bench.report import growth_section, kept_growth, markdown, with_growth

ROOT = Path(__file__).resolve().parent.parent


def commit() -> tuple[str, bool]:
    """``git rev-parse HEAD`` and whether the tree has uncommitted changes."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown", False
    return head, bool(status.strip())


def _read(path: str, prefix: str, separator: str = ":") -> str | None:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(prefix) and separator in line:
                return line.split(separator, 1)[1].strip()
    except OSError:
        return None
    return None


def postgresql_version(url: str | None) -> str:
    """The server's version and durability settings when benchmarking on PostgreSQL (a throwaway
    server of ``scripts/with-postgres`` does not fsync), else the installed server's version."""
    if url is not None and make_url(url).get_backend_name() == "postgresql":
        engine = create_engine(url)
        try:
            with engine.connect() as connection:
                version, fsync, commit = (
                    connection.scalar(text(f"SHOW {name}"))
                    for name in ("server_version", "fsync", "synchronous_commit")
                )
                return f"{version} (fsync {fsync}, synchronous_commit {commit})"
        finally:
            engine.dispose()
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"))
    found = shutil.which("postgres")
    binary = str(candidates[-1]) if candidates else found
    if binary is None:
        return "not installed"
    result = subprocess.run([binary, "--version"], capture_output=True, text=True)
    return result.stdout.strip().removeprefix("postgres (PostgreSQL) ") + " (installed, not used)"


def machine(database: str | None) -> dict[str, Any]:
    """CPU model, cores, memory, OS, Python, SQLite and PostgreSQL versions, current load."""
    memory = _read("/proc/meminfo", "MemTotal")
    os_name = _read("/etc/os-release", "PRETTY_NAME", "=")
    if os_name is None:
        os_name = platform.system()
    return {
        "cpu": _read("/proc/cpuinfo", "model name") or platform.processor() or "?",
        "cores": os.cpu_count(),
        "memory": f"{int(memory.split()[0]) / 2**20:.1f} GiB" if memory else "?",
        "os": f"{os_name.strip(chr(34))} (Linux {platform.release()})",
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": postgresql_version(database),
        "load": ", ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def run_child(name: str, config: dict[str, Any]) -> Outcome:
    """Run benchmark ``name`` in its own interpreter and read its outcome."""
    with tempfile.TemporaryDirectory(prefix="saylau-bench-") as scratch:
        config_path = Path(scratch) / "config.json"
        out_path = Path(scratch) / "outcome.json"
        config_path.write_text(json.dumps(config))
        paths = [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
        subprocess.run(
            [sys.executable, "-m", "bench.child", name, str(config_path), str(out_path)],
            cwd=ROOT,
            env=env,
            check=True,
        )
        return Outcome.from_dict(json.loads(out_path.read_text()))


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=0.05, help="demo scale (default 0.05)")
    parser.add_argument(
        "--database",
        help="a PostgreSQL server URL (postgresql+psycopg://…) whose role may create databases; "
        "default: SQLite files in the cache directory",
    )
    parser.add_argument(
        "--postgres",
        help="a PostgreSQL server URL (role may create databases) on which B1 and B5 also run, "
        "besides the --database one, so that one run reports SQLite and PostgreSQL (B5 there in "
        "the production topology: several `saylau serve` workers behind nginx)",
    )
    parser.add_argument(
        "--report",
        type=Path,
        metavar="RESULTS_JSON",
        help="measure nothing: rewrite the Markdown report from a recorded run's JSON (the "
        "benchmarks' explanations as they are now; the figures as recorded)",
    )
    parser.add_argument(
        "--adopt-demo",
        action="store_true",
        help="when no demo built from the current sources is cached, use a cached one of the same "
        "scale and seed built from other sources if its schema is the current models' (its key "
        "is recorded in the report); default: build",
    )
    parser.add_argument(
        "--only", help=f"comma-separated benchmarks among {', '.join(BENCHMARKS)} (default: all)"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "performance.md")
    parser.add_argument(
        "--results", type=Path, default=ROOT / "bench" / "results", help="JSON directory"
    )
    parser.add_argument("--repeats", type=int, default=3, help="repetitions per measurement")
    parser.add_argument("--b6-cases", type=int, default=2000, help="B6 allocations per repetition")
    parser.add_argument("--seed", type=int, default=2023, help="B6's random inputs")
    parser.add_argument(
        "--b4-seconds", type=float, default=10.0, help="B4 load per server and target (s)"
    )
    parser.add_argument(
        "--b5-seconds", type=float, default=60.0, help="B5 typists' bounded duration (s)"
    )
    parser.add_argument(
        "--growth",
        action="store_true",
        help="run the benchmarks that declare GROWTH_FIGURE (B1, B2) at each of --scales and fit "
        "the exponent of time against definitive protocols; rewrites only the Growth section",
    )
    parser.add_argument(
        "--scales",
        default="0.1,0.3,1,3",
        help="comma-separated demo scales for --growth (default 0.1,0.3,1,3; each in (0, 3])",
    )
    args = parser.parse_args(argv)
    chosen = [b.strip().upper() for b in (args.only or ",".join(BENCHMARKS)).split(",") if b]
    unknown = sorted(set(chosen) - set(BENCHMARKS))
    if unknown:
        parser.error(f"--only: unknown {', '.join(unknown)} (known: {', '.join(BENCHMARKS)})")
    if not 0 < args.scale <= 3:
        parser.error("--scale: must be greater than 0 and at most 3 (the demo's range)")
    args.chosen = [b for b in BENCHMARKS if b in chosen]
    try:
        args.scale_list = sorted({float(x) for x in args.scales.split(",") if x.strip()})
    except ValueError:
        parser.error(f"--scales: {args.scales!r} is not a comma-separated list of numbers")
    if not args.scale_list or not all(0 < x <= 3 for x in args.scale_list):
        parser.error("--scales: each scale must be greater than 0 and at most 3")
    if args.growth:
        args.chosen = [b for b in args.chosen if growth_figure(b)]
        if not args.chosen:
            parser.error("--growth: none of the chosen benchmarks declares GROWTH_FIGURE")
    return args


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the suite; return the run's JSON record (also written to the results directory)."""
    args = parse(argv)
    if args.report is not None:
        return report(args.report, args.out)
    if args.growth:
        return growth(args, argv)
    head, dirty = commit()
    started = datetime.now(UTC)
    config: dict[str, Any] = {
        "scale": args.scale,
        "repeats": args.repeats,
        "b6_cases": args.b6_cases,
        "seed": args.seed,
        "b4_seconds": args.b4_seconds,
        "b5_seconds": args.b5_seconds,
    }
    reused = adopted = None
    if any(module(name).NEEDS_DEMO for name in args.chosen):
        print(f"demo election at scale {args.scale:g} …", file=sys.stderr)
        config["url"], reused, adopted = ensure_demo(
            args.scale, args.database, adopt=args.adopt_demo
        )
    if args.postgres and {"B1", "B5"} & set(args.chosen):
        print(f"demo election at scale {args.scale:g} on PostgreSQL (B1, B5) …", file=sys.stderr)
        config["postgres_url"] = ensure_demo(args.scale, args.postgres, adopt=args.adopt_demo).url
    outcomes = []
    for name in args.chosen:
        print(f"running {name} …", file=sys.stderr)
        outcomes.append(run_child(name, config))
    idle = run_child("idle", config)
    on_postgres = (
        args.database is not None and make_url(args.database).get_backend_name() == "postgresql"
    )
    command = "python -m bench " + shlex.join(argv if argv is not None else sys.argv[1:])
    record: dict[str, Any] = {
        "command": command.strip(),
        "date": started.strftime("%Y-%m-%d %H:%M UTC"),
        "commit": head,
        "dirty": dirty,
        "scale": args.scale,
        "database": "PostgreSQL" if on_postgres else "SQLite",
        "reused": reused,
        "adopted": adopted,
        "machine": machine(args.database or args.postgres),
        "outcomes": [o.as_dict() for o in outcomes],
        "idle_peak_rss_kib": idle.peak_rss_kib,
    }
    args.results.mkdir(parents=True, exist_ok=True)
    json_path = args.results / f"{started:%Y-%m-%d}-{head[:12]}.json"
    json_path.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    earlier = args.out.read_text() if args.out.exists() else ""
    args.out.write_text(markdown(record, outcomes, idle.peak_rss_kib, kept_growth(earlier)))
    print(f"wrote {json_path} and {args.out}", file=sys.stderr)
    return record


def report(results: Path, out: Path) -> dict[str, Any]:
    """``--report``: the Markdown of a recorded run, with the Growth section kept."""
    record: dict[str, Any] = json.loads(results.read_text())
    outcomes = [Outcome.from_dict(o) for o in record["outcomes"]]
    earlier = out.read_text() if out.exists() else ""
    out.write_text(markdown(record, outcomes, record["idle_peak_rss_kib"], kept_growth(earlier)))
    print(f"wrote {out} from {results}", file=sys.stderr)
    return record


GROWTH_FRAME_ONLY = {
    "only",
    "out",
    "results",
    "growth",
    "scales",
    "scale_list",
    "chosen",
    "database",
    "adopt_demo",
}
"""Options of the frame itself; every other option reaches the benchmarks' configuration."""


def growth(args: argparse.Namespace, argv: list[str] | None) -> dict[str, Any]:
    """``--growth``: each growth benchmark at each scale (its own process, on that scale's demo),
    the fitted exponents; writes ``<date>-<commit>-growth.json`` and the report's Growth section."""
    head, dirty = commit()
    started = datetime.now(UTC)
    points: list[Point] = []
    for scale in args.scale_list:
        print(f"demo election at scale {scale:g} …", file=sys.stderr)
        url, reused, adopted = ensure_demo(scale, args.database, adopt=args.adopt_demo)
        if adopted:
            print(f"adopted the cached demo {adopted} (same schema)", file=sys.stderr)
        options = {k: v for k, v in vars(args).items() if k not in GROWTH_FRAME_ONLY}
        config: dict[str, Any] = {**options, "scale": scale, "url": url}
        for name in args.chosen:
            print(f"running {name} at scale {scale:g} …", file=sys.stderr)
            points.append(point(run_child(name, config), scale, reused, adopted))
    on_postgres = (
        args.database is not None and make_url(args.database).get_backend_name() == "postgresql"
    )
    command = "python -m bench " + shlex.join(argv if argv is not None else sys.argv[1:])
    record: dict[str, Any] = {
        "command": command.strip(),
        "date": started.strftime("%Y-%m-%d %H:%M UTC"),
        "commit": head,
        "dirty": dirty,
        "scales": args.scale_list,
        "database": "PostgreSQL" if on_postgres else "SQLite",
        "machine": machine(args.database),
        "points": [p.as_dict() for p in points],
        "fits": {name: fit.as_dict() for name, fit in fits(points).items()},
    }
    args.results.mkdir(parents=True, exist_ok=True)
    json_path = args.results / f"{started:%Y-%m-%d}-{head[:12]}-growth.json"
    json_path.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    earlier = args.out.read_text() if args.out.exists() else ""
    args.out.write_text(with_growth(earlier, growth_section(record)))
    print(f"wrote {json_path} and the Growth section of {args.out}", file=sys.stderr)
    return record
