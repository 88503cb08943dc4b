"""Every document of one kind for a whole election, rendered in parallel to a directory (issue #6 §6).

**Adding a kind is one line** in :data:`KINDS`: ``"name": "module.path"``. The module exposes
``jobs(session, election_id) -> Iterable[Job]``: one :class:`Job` per file (its path relative to
the output directory, the template, the data mapping built from the database). Return a list, or
better a generator that builds each job's data when it is asked for: the generator is consumed a
batch at a time, so the data of a national election is never in memory at once. The command
``saylau documents <name> --election ID --out DIR`` exists for every entry (``saylau.cli.documents``).

How a run goes (:func:`generate`):

- the data are built in the parent process (it holds the database session), in batches of
  ``batch`` jobs; the PDFs are rendered by a pool of ``workers`` processes (all the machine's
  cores by default), each of which writes its file itself, so a PDF never travels back and is never
  held by the parent: memory is bounded by the batch, not by the election;
- each file is written to a temporary name in its directory and renamed into place (atomic: an
  interrupted run leaves no half-written PDF under a final name);
- ``manifest.json`` in the output directory records, per file, the hash of its content (the
  engine's ``content_hash`` of the data, plus the template's source) and the SHA-256 of the file
  written. A run **skips** a file whose manifest entry has the expected content hash and whose bytes
  on disk still have the recorded SHA-256, so a run that was interrupted, or repeated, renders only
  what is missing or changed. The manifest itself is rewritten atomically after every batch.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from multiprocessing import get_context
from pathlib import Path, PurePosixPath
from typing import Any, Protocol

from sqlalchemy.orm import Session

from saylau.documents.engine import TEMPLATES, content_hash, render_pdf

KINDS: dict[str, str] = {
    "ballots": "saylau.documents.ballots",
    "results": "saylau.documents.results",
    "certificates": "saylau.documents.certificates",
    "protocol-forms": "saylau.documents.protocol_forms",
    "protocols": "saylau.documents.protocols",
}
"""Document kind (the command's name) → the module exposing ``jobs(session, election_id)``."""

MANIFEST = "manifest.json"
MANIFEST_VERSION = 1
DEFAULT_BATCH = 64
"""Jobs built ahead of the renderers (enough to keep every worker busy, few enough to bound the
memory), and files rendered between two saves of the manifest."""


@dataclass(frozen=True)
class Job:
    """One file to produce: ``path`` (relative, POSIX, under the output directory), the
    ``template`` (``templates/<template>.typ``) and the ``data`` it shows (JSON-ready)."""

    path: str
    template: str
    data: Mapping[str, Any]


class JobSource(Protocol):
    def __call__(self, session: Session, election_id: int) -> Iterable[Job]: ...


def kind_jobs(kind: str) -> JobSource:
    """The ``jobs`` function of a registered kind; ``KeyError`` naming the kinds if unknown."""
    if kind not in KINDS:
        raise KeyError(f"unknown document kind {kind!r}: one of {', '.join(sorted(KINDS))}")
    source: JobSource = importlib.import_module(KINDS[kind]).jobs
    return source


@cache
def template_hash(template: str) -> str:
    """SHA-256 of the template's source and of every other template (the shared parts it imports,
    ``common.typ``, ``protocol_parts.typ`` …): a changed template makes its documents stale."""
    digest = hashlib.sha256((TEMPLATES / f"{template}.typ").read_bytes())
    for entry in sorted(TEMPLATES.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".typ"):
            digest.update(entry.name.encode() + b"\0" + entry.read_bytes())
    return digest.hexdigest()


def expected_hash(job: Job) -> str:
    """What a file must have been made from to be kept: the data's hash and the template's."""
    return hashlib.sha256(
        f"{job.template}:{template_hash(job.template)}:{content_hash(job.data)}".encode()
    ).hexdigest()


def _target(out: Path, relative: str) -> Path:
    parts = PurePosixPath(relative)
    if parts.is_absolute() or ".." in parts.parts or not parts.parts:
        raise ValueError(f"a job's path stays inside the output directory: {relative!r}")
    return out.joinpath(*parts.parts)


def write_atomically(path: Path, body: bytes) -> None:
    """Write ``body`` to a temporary file beside ``path`` and rename it into place.

    No ``fsync``: the rename already makes an interrupted run leave whole files only, and a file
    damaged by a power cut fails its SHA-256 check in the manifest and is rendered again."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(body)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def file_sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return None


_PAGES = re.compile(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)")


def count_pages(pdf: bytes) -> int:
    """The number of pages, from the root page tree's ``/Count`` (Typst writes one page tree,
    uncompressed)."""
    match = _PAGES.search(pdf)
    return int(match.group(1)) if match else 0


@dataclass(frozen=True)
class Rendered:
    path: str
    sha256: str
    pages: int
    size: int


def render_job(
    out: str, path: str, template: str, data: Mapping[str, Any], generated_at: datetime
) -> Rendered:
    """Render one job and write its file (runs in a worker process)."""
    pdf = render_pdf(template, data, generated_at=generated_at)
    write_atomically(_target(Path(out), path), pdf)
    return Rendered(path, hashlib.sha256(pdf).hexdigest(), count_pages(pdf), len(pdf))


@dataclass
class Summary:
    """What a run did, for the command's JSON output."""

    kind: str
    election_id: int
    out: str
    workers: int
    documents: int = 0
    rendered: int = 0
    skipped: int = 0
    pages: int = 0
    bytes: int = 0
    seconds: float = 0.0
    files: list[str] = field(default_factory=list, repr=False)

    @property
    def pages_per_second(self) -> float:
        return round(self.pages / self.seconds, 2) if self.seconds else 0.0

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "election_id": self.election_id,
            "out": self.out,
            "workers": self.workers,
            "documents": self.documents,
            "rendered": self.rendered,
            "skipped": self.skipped,
            "pages": self.pages,
            "bytes": self.bytes,
            "seconds": round(self.seconds, 2),
            "pages_per_second": self.pages_per_second,
        }


class Manifest:
    """``manifest.json``: file → {content, sha256, pages}; rewritten atomically."""

    def __init__(self, out: Path) -> None:
        self.path = out / MANIFEST
        self.entries: dict[str, dict[str, Any]] = {}
        try:
            loaded = json.loads(self.path.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            loaded = {}
        if isinstance(loaded, dict) and loaded.get("version") == MANIFEST_VERSION:
            files = loaded.get("files")
            if isinstance(files, dict):
                self.entries = files

    def current(self, out: Path, job: Job, expected: str) -> dict[str, Any] | None:
        """The entry of a file that needs no rendering: made from the same content, intact."""
        entry = self.entries.get(job.path)
        if entry is None or entry.get("content") != expected:
            return None
        if file_sha256(_target(out, job.path)) != entry.get("sha256"):
            return None
        return entry

    def save(self) -> None:
        body = {"version": MANIFEST_VERSION, "files": dict(sorted(self.entries.items()))}
        write_atomically(self.path, json.dumps(body, indent=1, ensure_ascii=False).encode())


def default_workers() -> int:
    """Every core this process may use (both, on the reference 2-core machine)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


Progress = Callable[[int, int | None], None]
"""Called with (documents done, total if known) after each document."""


def generate(
    session: Session,
    kind: str,
    election_id: int,
    out: Path,
    *,
    workers: int | None = None,
    batch: int = DEFAULT_BATCH,
    generated_at: datetime | None = None,
    progress: Progress | None = None,
) -> Summary:
    """Produce every document of ``kind`` for the election into ``out`` (see the module's doc).

    ``workers=1`` renders in this process (no pool); ``generated_at`` (default: now) is the time
    printed on every document of the run.
    """
    source = kind_jobs(kind)
    count = workers or default_workers()
    moment = (generated_at or datetime.now(UTC)).astimezone(UTC)
    out.mkdir(parents=True, exist_ok=True)
    manifest = Manifest(out)
    summary = Summary(kind, election_id, str(out), count)
    window = max(count, batch)
    unsaved = [0]
    started = time.perf_counter()

    def record(job: Job, expected: str, rendered: Rendered) -> None:
        manifest.entries[job.path] = {
            "content": expected,
            "sha256": rendered.sha256,
            "pages": rendered.pages,
            "template": job.template,
        }
        summary.rendered += 1
        unsaved[0] += 1
        summary.pages += rendered.pages
        summary.bytes += rendered.size

    def done() -> None:
        summary.documents += 1
        if progress is not None:
            progress(summary.documents, None)

    pool = (
        ProcessPoolExecutor(max_workers=count, mp_context=get_context("spawn"))
        if count > 1
        else None
    )
    pending: dict[Future[Rendered], tuple[Job, str]] = {}

    def collect(block: bool) -> None:
        if not pending:
            return
        finished, _ = wait(pending, timeout=None if block else 0, return_when=FIRST_COMPLETED)
        for future in finished:
            job, expected = pending.pop(future)
            record(job, expected, future.result())
            done()

    try:
        for job in source(session, election_id):
            expected = expected_hash(job)
            summary.files.append(job.path)
            kept = manifest.current(out, job, expected)
            if kept is not None:
                summary.skipped += 1
                summary.pages += int(kept.get("pages", 0))
                done()
                continue
            arguments = (str(out), job.path, job.template, job.data, moment)
            if pool is None:
                record(job, expected, render_job(*arguments))
                done()
            else:
                pending[pool.submit(render_job, *arguments)] = (job, expected)
                while len(pending) >= window:  # the data built ahead stay bounded
                    collect(block=True)
            if unsaved[0] >= window:
                manifest.save()
                unsaved[0] = 0
        while pending:
            collect(block=True)
    finally:
        manifest.save()
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    summary.seconds = time.perf_counter() - started
    return summary
