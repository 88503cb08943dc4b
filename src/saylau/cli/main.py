"""The ``saylau`` command: one Typer application with a sub-command group per area."""

from __future__ import annotations

import typer

from saylau.cli import (
    admin,
    approvals,
    backup,
    candidates,
    count,
    demo,
    deploy,
    documents,
    export,
    law_allocate,
    law_calendar,
    law_district,
    law_recall,
    law_showcase,
    mandates,
    notify,
    protocol_signing,
    publish,
    replay,
    report,
    serve,
    voters,
)

app = typer.Typer(
    name="saylau",
    help="Saylau: Kazakhstan's maslikhat elections end to end.",
    no_args_is_help=True,
    add_completion=False,
)
law_app = typer.Typer(
    help="The electoral law as machine-readable commands (JSON in, JSON out).",
    no_args_is_help=True,
)
app.add_typer(law_app, name="law")

for module in (law_allocate, law_district, law_recall, law_calendar, law_showcase):
    module.register(law_app)
demo.register(app)
admin.register(app)
candidates.register(app)
mandates.register(app)
count.register(app)
protocol_signing.register(count.protocol_app)
serve.register(app)
export.register(app)
voters.register(app)
report.register(app)
notify.register(app)
publish.register(app)
replay.register(app)
documents.register(app)
backup.register(app)
deploy.register(app)
approvals.register(app)
