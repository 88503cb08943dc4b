"""``saylau deploy nginx-config``: the upstream of every worker, the dynamic public routes proxied
(their patterns match the real routes and nothing static), and a configuration nginx accepts."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from saylau.cli.main import app
from saylau.publication.nginx import NGINX, SUBSCRIBE, dynamic_pattern, free_port
from saylau.publication.sources import DYNAMIC

runner = CliRunner()


def _pcre(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern.replace("\\\\", "\\"))


def test_the_dynamic_patterns_match_the_routes_and_not_the_published_pages() -> None:
    patterns = [_pcre(dynamic_pattern(route)) for route in (*DYNAMIC, SUBSCRIBE)]
    for path in (
        "/kk/vote/",
        "/ru/vote/check",
        "/en/subscriptions/abc-DEF_1/confirm",
        "/kk/subscriptions/t0k/unsubscribe",
        "/ru/elections/1/contests/42/subscribe",
    ):
        assert any(p.match(path) for p in patterns), path
    for path in ("/kk/", "/kk/elections/1/contests/42/", "/de/vote/", "/kk/vote/x", "/api/health"):
        assert not any(p.match(path) for p in patterns), path


def test_the_command_writes_upstreams_headers_and_routes(tmp_path: Path) -> None:
    site = tmp_path / "site"
    result = runner.invoke(
        app,
        [
            *("deploy", "nginx-config", "--site", str(site)),
            *("--upstream", "127.0.0.1:8001", "--upstream", "127.0.0.1:8002"),
            *("--server-name", "saylau.example", "--listen", "8080"),
        ],
    )
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "server 127.0.0.1:8001 " in text and "server 127.0.0.1:8002 " in text
    assert f"root {site.resolve()};" in text and "listen 8080;" in text
    assert "server_name saylau.example;" in text
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in text
    assert "try_files $uri $uri/index.html @saylau;" in text
    assert "upstream=$upstream_addr" in text
    bad = runner.invoke(app, ["deploy", "nginx-config", "--site", "x", "--upstream", "8001"])
    assert bad.exit_code == 2 and "host:port" in bad.stderr


@pytest.mark.skipif(not NGINX.exists(), reason="nginx is not installed")
def test_nginx_accepts_the_standalone_configuration(tmp_path: Path) -> None:
    work = tmp_path / "nginx"
    (tmp_path / "site").mkdir()
    result = runner.invoke(
        app,
        [
            *("deploy", "nginx-config", "--site", str(tmp_path / "site")),
            *("--upstream", "127.0.0.1:8001", "--listen", f"127.0.0.1:{free_port()}"),
            *("--access-log", str(tmp_path / "access.log"), "--work", str(work)),
        ],
    )
    assert result.exit_code == 0, result.output
    conf = work / "nginx.conf"
    conf.write_text(result.stdout)
    checked = subprocess.run(
        [str(NGINX), "-t", "-p", str(work), "-c", str(conf), "-e", str(work / "error.log")],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stderr
