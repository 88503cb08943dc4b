"""Serving a publication with nginx: a minimal configuration and a runner.

The configuration gives the published files the headers Saylau gives them (media types with
``charset=utf-8`` for text, ``ETag``, the public ``Cache-Control``), serves ``index.html`` for a
directory path, hides the manifest (dot files) and sends ``/`` to the Kazakh front page. The test
suite and the benchmark run it unprivileged on a free loopback port; a deployment can start from
it (and hand the routes of :data:`saylau.publication.sources.DYNAMIC` to a running Saylau).

:func:`deployment_config` is the production topology (``docs/deployment.md``, ``saylau deploy
nginx-config``): the published directory served by nginx, everything it does not hold — the
precinct search and registration check, the subscription forms, the API, the sign-in and the
commission interface and portal — proxied to several ``saylau serve`` processes.
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

from saylau.publication.sources import DYNAMIC
from saylau.web.i18n import LANGUAGES
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


SUBSCRIBE = "/{language}/elections/{election}/contests/{contest}/subscribe"
"""The subscription form's target (``saylau.web.pages.public.subscriptions``): a static contest
page posts to it, so it is proxied with :data:`DYNAMIC`."""

PROXY_HEADERS = (
    ("Host", "$host"),
    ("X-Real-IP", "$remote_addr"),
    ("X-Forwarded-For", "$proxy_add_x_forwarded_for"),
    ("X-Forwarded-Proto", "$scheme"),
    ("Connection", '""'),
)
"""What a worker needs to know of the reader: uvicorn trusts ``X-Forwarded-For``/``-Proto`` from
the addresses in ``FORWARDED_ALLOW_IPS`` (loopback by default), so the client address the rate
limits and audit see is the reader's, not nginx's. ``Connection ""`` keeps upstream connections
alive."""


def dynamic_pattern(route: str) -> str:
    """An anchored nginx regex for a route template of :data:`DYNAMIC` (or :data:`SUBSCRIBE`)."""
    languages = "|".join(LANGUAGES)
    pattern = route.replace(".", "\\.")
    for name, part in (
        ("language", f"(?:{languages})"),
        ("token", "[^/]+"),
        ("election", "[0-9]+"),
        ("contest", "[0-9]+"),
    ):
        pattern = pattern.replace("{" + name + "}", part)
    return f"^{pattern}$"


def deployment_config(
    site: Path,
    upstreams: list[str],
    *,
    listen: str = "80",
    server_name: str = "_",
    access_log: str = "/var/log/nginx/saylau.access.log",
) -> str:
    """The ``http``-level configuration (a file for ``/etc/nginx/conf.d/``) of the production
    topology: ``site`` (written by ``saylau publish``) served as files with Saylau's headers, the
    rest proxied round-robin to ``upstreams`` (``host:port`` of each ``saylau serve``).

    The access log names the worker that answered (``upstream=``) for each proxied request.
    """
    if not upstreams:
        raise ValueError("upstreams: at least one `saylau serve` address is needed")
    servers = "\n".join(f"    server {u} max_fails=3 fail_timeout=10s;" for u in upstreams)
    headers = "\n".join(f"        proxy_set_header {k} {v};" for k, v in PROXY_HEADERS)
    proxy = f"""        proxy_pass http://saylau_workers;
        proxy_http_version 1.1;
{headers}
        proxy_read_timeout 120s;"""
    dynamic = "\n".join(
        f"    location ~ {dynamic_pattern(route)} {{\n{proxy}\n    }}"
        for route in (*DYNAMIC, SUBSCRIBE)
    )
    return f"""upstream saylau_workers {{
{servers}
    keepalive 16;
}}
log_format saylau '$remote_addr [$time_local] "$request" $status $body_bytes_sent '
                  'upstream=$upstream_addr time=$request_time';
server {{
    listen {listen};
    server_name {server_name};
    access_log {access_log} saylau;
    root {site.resolve()};
    index index.html;
    charset utf-8;
    client_max_body_size 20m;
    location = / {{
        return 303 /kk/;
    }}
    location ~ /\\. {{
        return 404;
    }}
    # Public routes that answer a reader's query or act: always a worker.
{dynamic}
    # The published site when the file exists; anything else (API, /login, commission
    # interface, portal, a page not published yet) is a worker's.
    location / {{
        add_header Cache-Control "{CACHE_CONTROL}";
        try_files $uri $uri/index.html @saylau;
    }}
    location @saylau {{
{proxy}
    }}
}}
"""


def standalone(http: str, work: Path) -> str:
    """A whole ``nginx.conf`` around an ``http``-level configuration, run unprivileged in the
    foreground with its pid, error log and temporary files in ``work`` (tests, trials)."""
    temps = "\n".join(
        f"    {kind}_temp_path {work / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    types = "\n".join(f"        {media} {ext};" for media, ext in TYPES.items())
    texts = " ".join(m for m in TYPES if m.startswith("text/") and m != "text/html")
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};\n" if os.geteuid() == 0 else ""
    body = "\n".join(f"    {line}" if line else "" for line in http.splitlines())
    return f"""{user}worker_processes 1;
daemon off;
pid {work / "nginx.pid"};
error_log {work / "error.log"} warn;
events {{
    worker_connections 1024;
}}
http {{
{temps}
    types {{
{types}
    }}
    default_type application/octet-stream;
    charset_types {texts};
    sendfile on;
    etag on;
{body}
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
