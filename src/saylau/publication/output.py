"""The output directory of a publication: incremental and atomic.

A manifest (:data:`MANIFEST`, path → SHA-256 of the bytes) in the directory remembers the last
publication. Re-publishing writes only the files whose bytes changed and removes the files that are
no longer produced, so after a batch of protocols a CDN or ``rsync`` moves only what changed. Each
file is written to a temporary file beside it and renamed over the old one (``rename`` is atomic on
POSIX): a web server serving the directory meanwhile gives the old bytes or the new, never half a
file. The manifest is replaced last; a publication interrupted before it only leaves files that the
next publication recognises as changed and writes again.

A publication of some contests only (:class:`Patch`, election night: one more protocol, issue #8 B3)
writes a handful of files; reading and rewriting the whole manifest (~150,000 entries at national
scale) would cost more than the files. It compares with the bytes on disk instead and appends the
entries it changed to a journal (:data:`JOURNAL`, one ``sha256 path`` line each) that
:func:`read_manifest` replays over the manifest; the next full publication folds the journal into
the manifest and removes it. A line torn by a crash is ignored: its file is then seen as changed and
written again.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from saylau.publication.sources import election_of

MANIFEST = ".manifest.json"
"""The manifest's file name in the output directory."""
JOURNAL = ".manifest.journal"
"""Entries written by publications of some contests since the manifest (see the module)."""
FORMAT = "saylau-publication/1"


@dataclass
class Report:
    """What a publication did."""

    written: list[str] = field(default_factory=list)
    """Paths written: new files and files whose bytes changed."""
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    """Paths removed: produced by the previous publication, not by this one."""

    @property
    def files(self) -> int:
        """Files this publication produced."""
        return len(self.written) + self.unchanged

    def summary(self) -> dict[str, int]:
        return {
            "files": self.files,
            "written": len(self.written),
            "unchanged": self.unchanged,
            "removed": len(self.removed),
        }


def digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def read_manifest(root: Path) -> dict[str, str]:
    """The previous publication's files (path → SHA-256); empty for a new directory."""
    path = root / MANIFEST
    if not path.is_file():
        return {}
    document: Any = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ValueError(f"{path} is not a Saylau publication manifest")
    files = document.get("files")
    if not isinstance(files, dict):
        raise ValueError(f"{path} has no files")
    return {str(k): str(v) for k, v in files.items()} | read_journal(root)


def read_journal(root: Path) -> dict[str, str]:
    """The journal's entries (path → SHA-256), later lines winning; torn lines skipped."""
    try:
        text = (root / JOURNAL).read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return {}
    entries = {}
    for line in text.split("\n"):
        sha, _, path = line.partition(" ")
        if len(sha) == 64 and path.startswith("/"):
            entries[path] = sha
    return entries


class Output:
    """Writes one publication into ``root`` (see the module docstring).

    ``scope``: the elections being published (None: all); the files of other elections are
    neither written nor removed and keep their manifest entries.
    """

    def __init__(self, root: Path, scope: frozenset[int] | None = None) -> None:
        self.root = root
        self.scope = scope
        self.previous = read_manifest(root)
        self.current: dict[str, str] = {}
        self.report = Report()

    def in_scope(self, path: str) -> bool:
        election = election_of(path)
        return self.scope is None or election is None or election in self.scope

    def target(self, path: str) -> Path:
        """The file for URL ``path`` (``/kk/elections/1/index.html`` → ``root/kk/…``)."""
        parts = path.removeprefix("/").split("/")
        if not path.startswith("/") or any(p in ("", ".", "..") for p in parts):
            raise ValueError(f"not a publishable path: {path!r}")
        if path == "/" + MANIFEST:
            raise ValueError(f"{path!r} is the manifest's name")
        return self.root.joinpath(*parts)

    def put(self, path: str, body: bytes) -> None:
        """Publish ``body`` at ``path`` unless the same bytes are already there."""
        stored = self.store(path, body)
        if stored is not None:
            self.record(path, *stored)

    def store(self, path: str, body: bytes) -> tuple[str, bool] | None:
        """Write ``body`` at ``path`` if its bytes changed: (SHA-256, written), or None for a
        file outside the scope. Safe in a worker process; the parent :meth:`record` s it."""
        if not self.in_scope(path):
            return None
        sha = digest(body)
        target = self.target(path)
        if self.previous.get(path) == sha and _same_size(target, len(body)):
            return sha, False
        write_atomically(target, body)
        return sha, True

    def record(self, path: str, sha: str, written: bool) -> None:
        if path in self.current:
            raise ValueError(f"{path} is produced twice")
        self.current[path] = sha
        if written:
            self.report.written.append(path)
        else:
            self.report.unchanged += 1

    def finish(self) -> Report:
        """Remove what is no longer produced and record the manifest."""
        for path in sorted(self.previous):
            if path in self.current:
                continue
            if not self.in_scope(path):
                self.current[path] = self.previous[path]  # another election's: kept as is
                continue
            target = self.target(path)
            target.unlink(missing_ok=True)
            _prune(target.parent, self.root)
            self.report.removed.append(path)
        manifest = {"format": FORMAT, "files": dict(sorted(self.current.items()))}
        body = json.dumps(manifest, indent=0, ensure_ascii=False).encode("utf-8")
        write_atomically(self.root / MANIFEST, body)
        (self.root / JOURNAL).unlink(missing_ok=True)  # folded into the manifest
        return self.report


class Patch(Output):
    """The output of a publication of some contests' files only (see the module): nothing is
    removed, the manifest is neither read nor rewritten, changed entries go to the journal."""

    def __init__(self, root: Path, scope: frozenset[int] | None = None) -> None:
        self.root = root
        self.scope = scope
        self.previous = {}
        self.current = {}
        self.report = Report()

    def store(self, path: str, body: bytes) -> tuple[str, bool] | None:
        if not self.in_scope(path):
            return None
        target = self.target(path)
        if _same_size(target, len(body)) and target.read_bytes() == body:
            return digest(body), False
        write_atomically(target, body)
        return digest(body), True

    def finish(self) -> Report:
        lines = "".join(f"{self.current[path]} {path}\n" for path in self.report.written)
        if lines:
            with open(self.root / JOURNAL, "a", encoding="utf-8") as journal:
                journal.write(lines)
                journal.flush()
                os.fsync(journal.fileno())
        return self.report


def write_atomically(target: Path, body: bytes) -> None:
    """Write ``body`` to a temporary file beside ``target`` and rename it over ``target``;
    readable by a web server running as another user (mode 0644 under the umask)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(body)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _same_size(target: Path, size: int) -> bool:
    try:
        return target.stat().st_size == size
    except FileNotFoundError:
        return False


def _prune(folder: Path, root: Path) -> None:
    """Remove directories left empty by a removal, up to (not including) ``root``."""
    while folder != root and root in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent
