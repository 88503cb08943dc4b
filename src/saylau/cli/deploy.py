"""``saylau deploy nginx-config``: the nginx configuration of the production topology (issue #8 §4,
``docs/deployment.md``): the site written by ``saylau publish`` served as files, everything else
proxied to several ``saylau serve`` processes."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

deploy_app = typer.Typer(help="Deployment helpers (docs/deployment.md).", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(deploy_app, name="deploy")


@deploy_app.command("nginx-config")
def nginx_config(
    site: Annotated[
        Path, typer.Option("--site", help="The directory `saylau publish --out` writes.")
    ],
    upstream: Annotated[
        list[str],
        typer.Option(
            "--upstream",
            help="host:port of one `saylau serve` process (repeat for each worker).",
        ),
    ],
    listen: Annotated[str, typer.Option(help="nginx's `listen` (port, or address:port).")] = "80",
    server_name: Annotated[str, typer.Option(help="nginx's `server_name`.")] = "_",
    access_log: Annotated[
        str, typer.Option(help="The access log (it names the worker of each proxied request).")
    ] = "/var/log/nginx/saylau.access.log",
    work: Annotated[
        Path | None,
        typer.Option(
            help="Write a whole unprivileged nginx.conf (pid, error log and temporary files in "
            "this directory) instead of a file for /etc/nginx/conf.d/.",
        ),
    ] = None,
) -> None:
    """Print the nginx configuration: the published site as static files with Saylau's headers,
    the precinct search, registration check and subscription forms, the API, sign-in, commission
    interface and portal proxied round-robin to the workers."""
    from saylau.publication.nginx import deployment_config, standalone

    for address in upstream:
        host, _, port = address.rpartition(":")
        if not host or not port.isdigit():
            typer.echo(f"error: --upstream={address!r}: expected host:port", err=True)
            raise typer.Exit(2)
    text = deployment_config(
        site, upstream, listen=listen, server_name=server_name, access_log=access_log
    )
    if work is not None:
        work.mkdir(parents=True, exist_ok=True)
        text = standalone(text, work.resolve())
    typer.echo(text, nl=False)
