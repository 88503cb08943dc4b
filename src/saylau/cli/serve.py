"""``saylau serve``: the web application (API and pages) on the configured database."""

from __future__ import annotations

from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(
        host: Annotated[
            str, typer.Option(help="Address to listen on (loopback by default).")
        ] = "127.0.0.1",
        port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
        secure_cookies: Annotated[
            bool, typer.Option(help="Send the session cookie over HTTPS only (behind TLS).")
        ] = False,
    ) -> None:
        """Serve the web interface and the JSON API (OpenAPI at /openapi.json)."""
        import uvicorn

        from saylau.web.app import create_app

        typer.echo(f"Saylau listening on http://{host}:{port}/ (API: /openapi.json)")
        uvicorn.run(
            create_app(secure_cookies=secure_cookies), host=host, port=port, log_level="info"
        )
