"""The public site's front page: every election held with Saylau (the archive), newest first."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from saylau.storage.models import Election, Precinct
from saylau.web.deps import Sessions
from saylau.web.pages.public.site import Language, csv_twin, json_twin, public_page

router = APIRouter(include_in_schema=False)

HEADER = ("id", "name", "kind", "purpose", "rules", "polling_day", "status", "parent_id")


def elections_document(session: Session) -> dict[str, Any]:
    """The archive as data: every election, newest polling day first."""
    rows = session.scalars(select(Election).order_by(Election.polling_day.desc(), Election.id))
    return {
        "synthetic": bool(session.scalar(select(exists().where(Precinct.synthetic.is_(True))))),
        "elections": [dict(zip(HEADER, _row(e), strict=True)) for e in rows],
    }


def _row(election: Election) -> tuple[Any, ...]:
    return (
        election.id,
        election.name,
        election.kind,
        election.purpose,
        election.rules,
        election.polling_day,
        election.status,
        election.parent_id,
    )


@router.get("/{language}/")
def home(request: Request, language: Language, sessions: Sessions) -> Response:
    with sessions() as session:
        document = elections_document(session)
    return public_page(request, language, "home.html", **document)


@router.get("/data/elections.json")
def elections_json(request: Request, sessions: Sessions) -> Response:
    with sessions() as session:
        return json_twin(request, elections_document(session))


@router.get("/data/elections.csv")
def elections_csv(request: Request, sessions: Sessions) -> Response:
    with sessions() as session:
        document = elections_document(session)
    return csv_twin(request, HEADER, ([row[k] for k in HEADER] for row in document["elections"]))
