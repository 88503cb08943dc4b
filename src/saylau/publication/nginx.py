"""Serving a publication with nginx: a minimal configuration and a runner.

The configuration gives the published files the headers Saylau gives them (media types with
``charset=utf-8`` for text, ``ETag``, the public ``Cache-Control``), serves ``index.html`` for a
directory path, hides the manifest (dot files) and sends ``/`` to the Kazakh front page. The test
suite and the benchmark run it unprivileged on a free loopback port; a deployment can start from
it (and hand the routes of :data:`saylau.publication.sources.DYNAMIC` to a running Saylau).
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from saylau.web.pages.public.site import CACHE_CONTROL

NGINX = Path("/usr/sbin/nginx")
"""nginx from the system's packages (Debian: ``nginx-light``)."""

TYPES = {
    "text/html": "html",
    "application/json": "json",
    "text/csv": "csv",
    "text/calendar": "ics",
    "text/css": "css",
    "text/javascript": "js",
    "image/svg+xml": "svg",
}


def config(root: Path, port: int, work: Path, *, workers: int = 1) -> str:
    """nginx.conf serving ``root`` on ``127.0.0.1:port``; logs, pid and temporary files in
    ``work``."""
    types = "\n".join(f"        {media} {ext};" for media, ext in TYPES.items())
    texts = " ".join(m for m in TYPES if m.startswith("text/") and m != "text/html")
    temps = "\n".join(
        f"    {kind}_temp_path {work / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    # A master started by root hands the work to an unprivileged user by default, who could not
    # read a private directory: keep the invoking user.
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};\n" if os.geteuid() == 0 else ""
    return f"""{user}worker_processes {workers};
daemon off;
pid {work / "nginx.pid"};
error_log {work / "error.log"} warn;
events {{
    worker_connections 1024;
}}
http {{
    access_log off;
{temps}
    types {{
{types}
    }}
    default_type application/octet-stream;
    charset utf-8;
    charset_types {texts};
    sendfile on;
    etag on;
    server {{
        listen 127.0.0.1:{port};
        root {root};
        index index.html;
        add_header Cache-Control "{CACHE_CONTROL}";
        location = / {{
            return 303 /kk/;
        }}
        location ~ /\\. {{
            return 404;
        }}
    }}
}}
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def serving(root: Path, *, workers: int = 1, binary: Path = NGINX) -> Iterator[str]:
    """Run nginx over ``root`` until the block ends; yields its base URL."""
    work = Path(tempfile.mkdtemp(prefix="saylau-nginx-"))
    port = free_port()
    conf = work / "nginx.conf"
    conf.write_text(config(root.resolve(), port, work, workers=workers), encoding="utf-8")
    command = [str(binary), "-p", str(work), "-c", str(conf), "-e", str(work / "error.log")]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait(process, port, work)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(work, ignore_errors=True)


def _wait(process: subprocess.Popen[bytes], port: int, work: Path) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = (work / "error.log").read_text(encoding="utf-8", errors="replace")
            raise RuntimeError(f"nginx exited with {process.returncode}: {log}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nginx did not listen on 127.0.0.1:{port}")
