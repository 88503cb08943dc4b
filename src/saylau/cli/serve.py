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
        demo: Annotated[
            bool,
            typer.Option(
                "--demo",
                help="Serve the SYNTHETIC demo election (built first if it does not exist yet).",
            ),
        ] = False,
        secure_cookies: Annotated[
            bool | None,
            typer.Option(
                help="Send the session cookie over HTTPS only (behind TLS). Default: "
                "SAYLAU_SECURE_COOKIES, else on unless listening on loopback."
            ),
        ] = None,
        notify: Annotated[
            bool,
            typer.Option(
                help="Deliver the contest subscriptions' webhooks and e-mails in a background "
                "thread (otherwise run `saylau notify run`)."
            ),
        ] = True,
    ) -> None:
        """Serve the web interface and the JSON API (OpenAPI at /openapi.json)."""
        import uvicorn

        from saylau.storage.db import make_engine, migrate, session_factory
        from saylau.web.app import create_app
        from saylau.web.config import secure_cookies_default

        sessions = None
        if demo:
            from saylau.cli.demo import (
                DEFAULT_SCALE,
                build_into,
                demo_is_current,
                demo_path,
                fresh_sqlite,
            )
            from saylau.cli.demo_accounts import demo_sign_ins

            path = demo_path()
            if not demo_is_current(path):  # missing, or built by an earlier schema
                build_into(fresh_sqlite(path), scale=DEFAULT_SCALE, seed=2023, quiet=False)
            engine = make_engine(f"sqlite:///{path}")
            migrate(engine)
            sessions = session_factory(engine)
            typer.echo(f"Serving the SYNTHETIC demo election from {path}")
            typer.echo("Demo sign-in (new passwords on every start):")
            for username, role, password in demo_sign_ins(sessions):
                typer.echo(f"  {role.value:<16} {username:<40} {password}")
            typer.echo(
                "Commission accounts also give a one-time code: at their first sign-in after "
                "this start the page shows a key and a QR code for an authenticator app."
            )
        typer.echo(f"Saylau listening on http://{host}:{port}/ (API: /openapi.json)")
        if secure_cookies is None:
            secure_cookies = secure_cookies_default(host)
        application = create_app(sessions, secure_cookies=secure_cookies)
        dispatcher = None
        if notify:
            from saylau.web.pages.public.subscriptions import Dispatcher

            dispatcher = Dispatcher(application.state.factory).start()
        try:
            uvicorn.run(application, host=host, port=port, log_level="info")
        finally:
            if dispatcher is not None:
                dispatcher.stop()
