"""The production topology of docs/deployment.md, tried on this machine (issue #8 §4):
``scripts/try-deployment`` starts a throwaway PostgreSQL, loads and publishes a small election,
runs two ``saylau serve`` workers and nginx in front on loopback, checks through nginx that the
public page is the published file and that the API, sign-in and precinct search reach both
workers, and stops everything. It needs PostgreSQL's server and nginx, which ``.ci/run``
installs: in CI their absence fails the test instead of skipping it."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _missing() -> str | None:
    if not Path(os.environ.get("NGINX", "/usr/sbin/nginx")).exists():
        return "nginx is not installed"
    if not glob.glob("/usr/lib/postgresql/*/bin/initdb") and shutil.which("initdb") is None:
        return "PostgreSQL's server binaries are not installed"
    return None


def test_the_deployment_script_serves_static_and_dynamic_through_nginx() -> None:
    missing = _missing()
    if missing is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(missing)
        pytest.skip(missing)
    env = {k: v for k, v in os.environ.items() if k != "SAYLAU_TEST_POSTGRES_URL"}
    done = subprocess.run(
        [str(ROOT / "scripts" / "try-deployment")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    assert "both workers answered" in done.stderr
    assert "GET /kk/ was served by nginx alone" in done.stderr
