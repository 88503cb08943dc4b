"""``saylau notify run``: deliver the subscriptions' outbox (webhooks and e-mails, issue #5 §2).

``saylau serve`` already runs the dispatcher in a background thread; this command runs it alone
(for a separate worker process, or ``--once`` from cron).
"""

from __future__ import annotations

from typing import Annotated

import typer

notify_app = typer.Typer(
    help="Notifications to the subscribers of a contest.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    app.add_typer(notify_app, name="notify")


@notify_app.command("run")
def run(
    once: Annotated[bool, typer.Option("--once", help="Send what is due now, then exit.")] = False,
    interval: Annotated[
        float, typer.Option(min=0.5, help="Seconds between two looks at the outbox.")
    ] = 5.0,
    database: Annotated[
        str | None,
        typer.Option(help="Database URL (default: SAYLAU_DATABASE_URL or the local file)."),
    ] = None,
) -> None:
    """Send the due webhooks and e-mails, retrying failures with backoff."""
    from saylau.storage.db import make_engine, migrate, session_factory
    from saylau.web.pages.public.subscriptions import Dispatcher, dispatch_once, transport

    engine = make_engine(database)
    migrate(engine)
    sessions = session_factory(engine)
    if once:
        send = transport()
        try:
            total = dispatch_once(sessions, send)
            while total.delivered + total.retried + total.failed + total.skipped:
                typer.echo(
                    f"delivered {total.delivered}, to retry {total.retried}, "
                    f"failed {total.failed}, skipped {total.skipped}"
                )
                total = dispatch_once(sessions, send)
        finally:
            send.close()
        return
    typer.echo(f"Delivering notifications every {interval:g} s (Ctrl+C stops)")
    dispatcher = Dispatcher(sessions, interval).start()
    try:
        while dispatcher.alive():
            dispatcher.join(1.0)
    except KeyboardInterrupt:
        pass
    finally:
        dispatcher.stop()
