"""B4 publication: the complete static portal written, then served — Saylau vs nginx.

Publication: :func:`saylau.publication.publish` (what ``saylau publish`` runs, with its default
worker processes) writes every file of the public site of a scratch copy of the demo into an empty
directory — seconds, files, bytes. Floor: writing the same bytes into another empty directory
(same paths, no rendering, no database), the least any publication must do.

Serving: the published directory by nginx (the system package, the configuration of
:mod:`saylau.publication.nginx`, one worker) and the same database by ``saylau serve`` (uvicorn,
one process), both on loopback, each driven in turn for a fixed duration by the same load
(``wrk`` when installed — Debian package ``wrk`` — otherwise an asyncio + httpx client) on the
national Mazhilis party-list contest's results page (kk) and its JSON: requests per second and
p99; the floor of Saylau's figure is nginx's on the same target.

Correctness: the published bytes equal the running Saylau's responses at the same paths, for a
sample of every kind of published file (first, middle and last path of each view and extra, every
language), and for both load targets.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from bench.database import cache_dir, copy_of
from bench.model import Figure
from bench.serving import Load, drive, saylau_server
from saylau.law.bodies import ContestKind
from saylau.publication import publish
from saylau.publication.nginx import NGINX, serving
from saylau.storage.db import make_engine, session_factory
from saylau.storage.models import Contest, Election

TITLE = "B4 publication"
NEEDS_DEMO = True
WHY_MISSED = (
    "Profiled (pyinstrument, scale 0.05; CPU per unit, the shared data already read): the "
    "three language pages' Jinja rendering dominated, and most of it was a macro call and a "
    "`Markup.format` per table cell; number and percentage cells, and a contest's precinct "
    "rows, are now written by Python helpers with the same bytes (a contest unit 12.4 → 7.0 ms "
    "CPU). Per-instance SQL is set-based for the big kinds: a precinct page's contests, "
    "published results and update times, a voter's precinct page's ballots and every contest "
    "table of an election are read once per publication and worker (precinct unit 12.1 → "
    "~5-6 ms, voter's precinct 7.1 → 4.0 ms). The open datasets are three units dispatched "
    "first, so that the largest files are not written one after another at the end. What "
    "remains per unit: Jinja for the rest of each page ×3 languages (~40%), the JSON twin "
    "(~15%: `json.dumps(indent=1)` has no C encoder) and a few ORM reads per instance (~25%). "
    "Scale 1 has ~3.6× the precinct pages of scale 0.05 (~23,000 units): at ~5 ms CPU per unit "
    "that is ~115 CPU-s, ~60 s on two idle cores; below it needs language-independent page "
    "fragments rendered once, a faster JSON writer, or more cores (`saylau publish --jobs`)."
)

TARGET_SECONDS = 60.0
CONCURRENCY = 16
LOAD_SECONDS = 10.0
WARM_UP_SECONDS = 2.0
SAMPLES_PER_KIND = 3


def kind_of(path: str) -> str:
    """A published path with its numbers and language generalised: one kind per view file."""
    general = re.sub(r"^/(kk|ru|en)/", "/{language}/", path)
    general = re.sub(r"/vote/[^/]+/\d+/", "/vote/{region}/{n}/", general)
    return re.sub(r"\d+", "{n}", general)


def url_of(path: str) -> str:
    """The URL Saylau serves a published file at (``…/index.html`` is the directory)."""
    return path.removesuffix("index.html") if path.endswith("/index.html") else path


def sample(paths: list[str]) -> list[str]:
    """Up to :data:`SAMPLES_PER_KIND` paths of every kind: the first, the middle and the last."""
    kinds: dict[str, list[str]] = defaultdict(list)
    for path in sorted(paths):
        kinds[kind_of(path)].append(path)
    chosen: list[str] = []
    for members in kinds.values():
        picks = {0, len(members) // 2, len(members) - 1}
        chosen += [members[i] for i in sorted(picks)][:SAMPLES_PER_KIND]
    return chosen


def published_files(root: Path) -> list[str]:
    """Every published file (URL paths), the manifest and lock excluded."""
    return [
        "/" + str(p.relative_to(root))
        for p in root.rglob("*")
        if p.is_file() and not p.name.startswith(".")
    ]


def floor_write(root: Path, paths: list[str], scratch: Path) -> float:
    """Seconds to write the same bytes at the same paths into an empty directory (read first)."""
    bodies = [(p, (root / p.lstrip("/")).read_bytes()) for p in paths]
    target = scratch / "floor"
    started = time.perf_counter()
    for path, body in bodies:
        file = target / path.lstrip("/")
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_bytes(body)
    os.sync()
    seconds = time.perf_counter() - started
    shutil.rmtree(target)
    return seconds


def contest_targets(url: str) -> tuple[str, str]:
    """The national Mazhilis party-list contest's results page (kk) and its JSON."""
    engine = make_engine(url)
    try:
        with session_factory(engine)() as session:
            row = session.execute(
                select(Contest.election_id, Contest.id)
                .join(Election, Election.id == Contest.election_id)
                .where(Contest.kind == ContestKind.MAZHILIS_LIST, Election.parent_id.is_(None))
                .order_by(Contest.id)
            ).first()
    finally:
        engine.dispose()
    if row is None:
        raise SystemExit("no Mazhilis list contest: is this a demo database?")
    e, c = row
    return f"/kk/elections/{e}/contests/{c}/", f"/data/elections/{e}/contests/{c}/index.json"


def compare(base: str, root: Path, paths: list[str]) -> None:
    """Every sampled published file equals Saylau's response at its URL."""
    with httpx.Client(base_url=base, timeout=120) as client:
        for path in paths:
            response = client.get(url_of(path))
            if response.status_code != 200:
                raise AssertionError(f"B4: Saylau answered {response.status_code} at {path}")
            if response.content != (root / path.lstrip("/")).read_bytes():
                raise AssertionError(f"B4: the published {path} differs from Saylau's response")


def measure(base: str, path: str, duration: float) -> Load:
    """A warm-up (caches, connections), then the measured load."""
    drive(base + path, concurrency=CONCURRENCY, seconds=WARM_UP_SECONDS)
    load = drive(base + path, concurrency=CONCURRENCY, seconds=duration)
    if load.requests == 0:
        raise AssertionError(f"B4: no request to {path} completed in {duration:g} s")
    return load


def run(config: dict[str, Any]) -> tuple[list[Figure], list[str], dict[str, Any]]:
    """Publish into an empty directory, write the floor, serve both, load both, compare."""
    if not NGINX.exists():
        raise SystemExit(f"B4 needs nginx at {NGINX} (Debian: apt install nginx-light)")
    duration = float(config.get("b4_seconds", LOAD_SECONDS))
    with (
        copy_of(str(config["url"])) as url,
        tempfile.TemporaryDirectory(prefix="b4-", dir=cache_dir()) as scratch_name,
    ):
        scratch = Path(scratch_name)
        out = scratch / "site"
        engine = make_engine(url)
        try:
            started = time.perf_counter()
            report = publish(session_factory(engine), out)
            os.sync()
            seconds = time.perf_counter() - started
        finally:
            engine.dispose()
        paths = published_files(out)
        if sorted(paths) != sorted(report.written) or report.unchanged or report.removed:
            raise AssertionError("B4: the files on disk are not the files the report wrote")
        total_bytes = sum((out / p.lstrip("/")).stat().st_size for p in paths)
        floor = floor_write(out, paths, scratch)
        page, document = contest_targets(url)
        checked = sample(paths)
        loads: dict[tuple[str, str], Load] = {}
        with saylau_server(url) as dynamic, serving(out) as static:
            compare(dynamic, out, [*checked, page + "index.html", document])
            with httpx.Client(timeout=120) as client:
                for path in (page, document):
                    if client.get(static + path).content != client.get(dynamic + path).content:
                        raise AssertionError(f"B4: nginx and Saylau differ at {path}")
            for label, path in (("page", page), ("JSON", document)):
                loads[("Saylau", label)] = measure(dynamic, path, duration)
                loads[("nginx", label)] = measure(static, path, duration)
        kinds = len({kind_of(p) for p in paths})
        page_bytes = (out / page.lstrip("/") / "index.html").stat().st_size
        json_bytes = (out / document.lstrip("/")).stat().st_size
    if any(load.errors for load in loads.values()):
        failed = {f"{s} {t}": load.errors for (s, t), load in loads.items() if load.errors}
        raise AssertionError(f"B4: errors under load: {failed}")
    tool = loads[("nginx", "page")].tool
    figures = [
        Figure(
            name="full publication into an empty directory (`publish`)",
            unit="s",
            value=seconds,
            floor=floor,
            floor_label="writing the same bytes at the same paths",
            target=f"≤ {TARGET_SECONDS:g} s (scale 1)",
            met=seconds <= TARGET_SECONDS,
            note=f"{len(paths):,} files, {total_bytes / 2**20:,.0f} MiB, "
            f"{os.cpu_count()} worker processes",
        )
    ]
    for label, size in (("page", page_bytes), ("JSON", json_bytes)):
        dyn, stat = loads[("Saylau", label)], loads[("nginx", label)]
        figures += [
            Figure(
                name=f"Mazhilis list results {label}: Saylau req/s",
                unit="req/s",
                value=dyn.rate,
                floor=stat.rate,
                floor_label="nginx serving the published file",
                target="—",
                met=None,
                higher_is_better=True,
                note=f"{size:,} bytes; {CONCURRENCY} connections × {duration:g} s, {tool}; "
                f"p50 {dyn.p50_ms:,.1f} ms (nginx {stat.p50_ms:,.1f} ms); "
                f"nginx/Saylau {stat.rate / dyn.rate if dyn.rate else float('inf'):,.0f}×",
            ),
            Figure(
                name=f"Mazhilis list results {label}: Saylau p99",
                unit="ms",
                value=dyn.p99_ms,
                floor=stat.p99_ms,
                floor_label="nginx p99",
                target="—",
                met=None,
            ),
        ]
    checks = [
        f"{len(checked)} published files ({kinds} kinds: every view's pages in each language, "
        "JSON and CSV twins, and every extra) equal Saylau's responses byte for byte",
        "nginx and Saylau give the same bytes for the loaded page and JSON",
        f"no errors in {sum(load.requests for load in loads.values()):,} loaded requests",
    ]
    details = {
        "publication_seconds": seconds,
        "floor_seconds": floor,
        "files": len(paths),
        "bytes": total_bytes,
        "kinds": kinds,
        "compared": len(checked) + 2,
        "targets": {"page": page, "json": document},
        "loads": {
            f"{server} {label}": {
                "tool": load.tool,
                "requests": load.requests,
                "seconds": load.seconds,
                "rate": load.rate,
                "p50_ms": load.p50_ms,
                "p99_ms": load.p99_ms,
                "errors": load.errors,
            }
            for (server, label), load in loads.items()
        },
    }
    return figures, checks, details
