"""nginx for the publication tests: the system's ``/usr/sbin/nginx`` (Debian ``nginx-light``),
unprivileged, on a free loopback port, over a fresh output directory.

Without nginx the tests that need it are skipped locally and fail in CI (``CI=true``), where
skipping them would hide a missing install step (``.ci/run`` installs it), as for PostgreSQL.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from saylau.publication.nginx import NGINX, serving


@dataclass(frozen=True)
class Served:
    """A directory being served by nginx at ``url``."""

    root: Path
    url: str


@pytest.fixture(scope="session")
def nginx_binary() -> Path:
    if NGINX.is_file() and os.access(NGINX, os.X_OK):
        return NGINX
    if os.environ.get("CI") == "true":
        pytest.fail(f"{NGINX} is missing: CI must serve the publication with nginx")
    pytest.skip(f"{NGINX} is missing (Debian: apt-get install nginx-light)")


@pytest.fixture
def nginx(nginx_binary: Path, tmp_path: Path) -> Iterator[Served]:
    root = tmp_path / "site"
    root.mkdir()
    with serving(root, binary=nginx_binary) as url:
        yield Served(root, url)
