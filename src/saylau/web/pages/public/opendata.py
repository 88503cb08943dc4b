"""Open data (issue #5 §4): whole-election datasets, the NIST SP 1500-100 export and the data
dictionary page that describes every dataset of the public site.

Routes:

- ``/data/elections/{election_id}/nist-1500-100.json`` — the election in the NIST SP 1500-100 v2
  Election Results Reporting common data format (:mod:`saylau.opendata.nist`), with an ``ETag``;
- ``/data/elections/{election_id}/protocols.csv`` — every definitive protocol, one row per ballot
  line, streamed (:mod:`saylau.opendata.protocols`), with a weak ``ETag`` computed without
  building the table;
- ``/data/elections/{election_id}/results.json`` — every contest's result, the totals and the
  mandates (:func:`saylau.services.results.export_results`);
- ``/{language}/open-data/`` — the data dictionary: each dataset with each field's name, type,
  meaning and unit, the licence and provenance note, and the datasets of each election.

Only definitive protocols are published (CL art. 43); synthetic demo data is marked as such.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, HTTPException, Path, Request
from fastapi.responses import Response, StreamingResponse
from sqlalchemy import exists, select
from sqlalchemy.orm import Session, sessionmaker

from saylau.opendata import nist, protocols
from saylau.services.errors import NotFound
from saylau.services.results import export_results
from saylau.services.tabulation import election_of
from saylau.storage.models import Election, Precinct
from saylau.web.deps import Sessions
from saylau.web.pages.public.site import (
    CACHE_CONTROL,
    CSV,
    HTML,
    JSON,
    Language,
    conditional,
    json_bytes,
    page_text,
)

router = APIRouter(include_in_schema=False)
T = TypeVar("T")

ElectionId = Annotated[int, Path(description="The election's id.")]


def N_(message: str) -> str:
    """Marks a message for the catalogue; it is translated where it is shown."""
    return message


# --- the datasets ------------------------------------------------------------------------------------


def nist_path(election_id: int) -> str:
    return f"/data/elections/{election_id}/nist-1500-100.json"


def protocols_path(election_id: int) -> str:
    return f"/data/elections/{election_id}/protocols.csv"


def results_path(election_id: int) -> str:
    return f"/data/elections/{election_id}/results.json"


def _read(
    sessions: sessionmaker[Session], query: Callable[[Session, int], T], election_id: int
) -> T:
    with sessions() as session:
        try:
            return query(session, election_id)
        except NotFound as exc:
            raise HTTPException(status_code=404, detail=str(exc)) from exc


@router.get("/data/elections/{election_id}/nist-1500-100.json")
def nist_export(request: Request, election_id: ElectionId, sessions: Sessions) -> Response:
    """The NIST SP 1500-100 v2 export; the same data gives the same bytes, so readers who poll
    with ``If-None-Match`` get ``304``."""
    body = _read(sessions, nist.report_bytes, election_id)
    return conditional(request, body, JSON)


@router.get("/data/elections/{election_id}/results.json")
def results_json(request: Request, election_id: ElectionId, sessions: Sessions) -> Response:
    document = _read(sessions, export_results, election_id)
    return conditional(request, json_bytes(document), JSON)


@router.get("/data/elections/{election_id}/protocols.csv")
def protocols_csv(request: Request, election_id: ElectionId, sessions: Sessions) -> Response:
    """Every definitive protocol line, streamed from one query (~200,000 rows nationally)."""

    def tag(session: Session, election: int) -> str:
        election_of(session, election)
        return protocols.fingerprint(session, election)

    etag = _read(sessions, tag, election_id)
    headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL}
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)

    def chunks() -> Any:
        with sessions() as session:
            yield from protocols.csv_chunks(session, election_id)

    return StreamingResponse(chunks(), media_type=CSV, headers=headers)


# --- the data dictionary -------------------------------------------------------------------------------

TEXT = N_("text")
INTEGER = N_("whole number")
DATE = N_("date (YYYY-MM-DD)")
MOMENT = N_("date and time (ISO 8601, UTC)")
BOOLEAN = N_("true or false")
FRACTION = N_("exact fraction “n/d”")
OBJECT = N_("object")
LIST = N_("list")
VOTERS = N_("voters")
BALLOTS = N_("ballots")
VOTES = N_("votes")


@dataclass(frozen=True)
class Field:
    """One field of a dataset: its name as written, type, meaning and unit (msgids)."""

    name: str
    type: str
    meaning: str
    unit: str = ""


@dataclass(frozen=True)
class Dataset:
    """A dataset of the public site, described for the data dictionary."""

    key: str
    title: str
    description: str
    formats: str
    paths: tuple[str, ...]
    fields: tuple[Field, ...]


PROTOCOL_FIGURES = (
    Field("voters_on_list", INTEGER, N_("Voters on the precinct's list"), VOTERS),
    Field("ballots_received", INTEGER, N_("Ballots the precinct commission received"), BALLOTS),
    Field("ballots_issued", INTEGER, N_("Ballots issued to voters"), BALLOTS),
    Field("ballots_cancelled", INTEGER, N_("Unused ballots cancelled"), BALLOTS),
    Field("ballots_in_boxes", INTEGER, N_("Ballots found in the ballot boxes"), BALLOTS),
    Field("portable_box_ballots", INTEGER, N_("Ballots found in the portable boxes"), BALLOTS),
    Field("portable_box_requests", INTEGER, N_("Requests to vote outside the polling station"), ""),
    Field(
        "portable_box_invalidated",
        INTEGER,
        N_("Portable-box ballots declared invalid (more ballots than requests)"),
        BALLOTS,
    ),
    Field("against_all", INTEGER, N_("Votes “against all”"), VOTES),
    Field("invalid", INTEGER, N_("Invalid ballots"), BALLOTS),
)

DATASETS: tuple[Dataset, ...] = (
    Dataset(
        "elections",
        N_("Elections archive"),
        N_("Every election held with Saylau, newest first."),
        "JSON, CSV",
        ("/data/elections.json", "/data/elections.csv"),
        (
            Field("synthetic", BOOLEAN, N_("True when the data are a generated demonstration")),
            *(
                Field(name, kind, meaning)
                for name, kind, meaning in (
                    ("id", INTEGER, N_("The election's identifier")),
                    ("name", TEXT, N_("The election's name")),
                    ("kind", TEXT, N_("regular or early")),
                    ("purpose", TEXT, N_("general, by_election, runoff, repeat or recall")),
                    ("rules", TEXT, N_("The rule set applied (2023, 2021 or 2016)")),
                    ("polling_day", DATE, N_("Polling day")),
                    ("status", TEXT, N_("called, results_published or closed")),
                    ("parent_id", INTEGER, N_("The election this one follows (runoff, repeat)")),
                )
            ),
        ),
    ),
    Dataset(
        "views",
        N_("Data twins of every results page"),
        N_(
            "Every results page at /{language}/<path> has the same figures as JSON at "
            "/data/<path>index.json and its main table as CSV at /data/<path>index.csv; the "
            "links are at the foot of each page. Names are given in every language."
        ),
        "JSON, CSV",
        ("/data/<path>index.json", "/data/<path>index.csv"),
        (
            Field(
                N_("(the page's table columns)"),
                TEXT,
                N_("The CSV repeats the page's main table, one row per line of the table"),
            ),
            Field(
                N_("(exact shares)"),
                FRACTION,
                N_("Shares and quotas are exact fractions, never rounded"),
            ),
        ),
    ),
    Dataset(
        "protocols",
        N_("Precinct protocols"),
        N_(
            "Every definitive precinct protocol of an election, one row per ballot line; the "
            "protocol's figures repeat on each of its lines."
        ),
        "CSV",
        ("/data/elections/{election_id}/protocols.csv",),
        (
            Field("election_id", INTEGER, N_("The election's identifier")),
            Field("region_code", TEXT, N_("The region's code (KZ-10 … KZ-79)")),
            Field("precinct_number", INTEGER, N_("The precinct's number within its region")),
            Field("precinct_id", INTEGER, N_("The precinct's identifier")),
            Field("synthetic", BOOLEAN, N_("True when the data are a generated demonstration")),
            Field("contest_id", INTEGER, N_("The contest's identifier")),
            Field(
                "contest_kind",
                TEXT,
                N_(
                    "mazhilis_list, mazhilis_smd, first_level_list, first_level_smd, second_level_smd"
                ),
            ),
            Field("body_id", INTEGER, N_("The body elected (a maslikhat or the Mazhilis)")),
            Field("body_name_kk", TEXT, N_("The body's name in Kazakh")),
            Field("body_name_ru", TEXT, N_("The body's name in Russian")),
            Field("body_name_en", TEXT, N_("The body's name in English")),
            Field(
                "district_number",
                INTEGER,
                N_("The single-member district's number (empty for a party-list contest)"),
            ),
            Field("protocol_id", INTEGER, N_("The protocol's identifier")),
            Field(
                "protocol_version",
                INTEGER,
                N_("0, or the number of corrections by the higher commission"),
            ),
            Field("definitive_at", MOMENT, N_("When the protocol became definitive")),
            *PROTOCOL_FIGURES,
            Field("choice_id", INTEGER, N_("The ballot line's identifier")),
            Field("choice_position", INTEGER, N_("The line's position on the ballot")),
            Field("choice_label", TEXT, N_("The line as printed: a party or a candidate")),
            Field("party_code", TEXT, N_("The party's code (empty for a self-nominee)")),
            Field("votes", INTEGER, N_("Votes for the line at this precinct"), VOTES),
        ),
    ),
    Dataset(
        "results",
        N_("Results"),
        N_(
            "Every contest's result with its totals, the law's outcome and its full trace, the "
            "totals per body, region and country, and the mandates won."
        ),
        "JSON",
        ("/data/elections/{election_id}/results.json",),
        (
            Field("election", OBJECT, N_("The election (as in the archive)")),
            Field("synthetic", BOOLEAN, N_("True when the data are a generated demonstration")),
            Field("contests[].contest_id", INTEGER, N_("The contest's identifier")),
            Field("contests[].kind", TEXT, N_("The contest's kind (as in the protocols)")),
            Field("contests[].seats", INTEGER, N_("Seats elected in the contest"), N_("seats")),
            Field("contests[].status", TEXT, N_("open, decided, runoff, repeat_election, …")),
            Field("contests[].body", OBJECT, N_("The body elected, with its names")),
            Field("contests[].district", OBJECT, N_("The single-member district, if any")),
            Field(
                "contests[].result.final",
                BOOLEAN,
                N_("True when every precinct's protocol is definitive"),
            ),
            Field(
                "contests[].result.precincts_counted",
                INTEGER,
                N_("Precincts with a definitive protocol"),
                N_("precincts"),
            ),
            Field(
                "contests[].result.precincts_total",
                INTEGER,
                N_("Precincts whose voters receive the contest's ballot"),
                N_("precincts"),
            ),
            Field(
                "contests[].result.totals",
                OBJECT,
                N_("Summed definitive protocols; votes per ballot line id"),
                VOTES,
            ),
            Field(
                "contests[].result.outcome",
                OBJECT,
                N_("The law's outcome (seats, winner, runoff) with its trace and articles"),
            ),
            Field(
                "contests[].result.published_at",
                MOMENT,
                N_("When the result was published (official); empty while preliminary"),
            ),
            Field("totals[]", LIST, N_("Turnout and votes per contest kind and territory")),
            Field("totals[].turnout", FRACTION, N_("Ballots in the boxes / voters on the lists")),
            Field("mandates[]", LIST, N_("Each seat won, its party, holder and state")),
        ),
    ),
    Dataset(
        "nist",
        N_("NIST SP 1500-100 export"),
        N_(
            "The election in the NIST SP 1500-100 version 2 Election Results Reporting common "
            "data format (JSON), readable by any tool that knows the standard. Identifiers are "
            "stable across exports."
        ),
        "JSON",
        ("/data/elections/{election_id}/nist-1500-100.json",),
        (
            Field("GpUnit", LIST, N_("Country, regions, units, districts and precincts")),
            Field("Party", LIST, N_("The parties on the ballots")),
            Field("Person / Candidate", LIST, N_("The single-member candidates on the ballots")),
            Field("Office", LIST, N_("Each body elected")),
            Field(
                "CandidateContest / PartyContest",
                OBJECT,
                N_("A single-member district contest / a party-list contest"),
            ),
            Field(
                "BallotMeasureSelection",
                OBJECT,
                N_("The “against all” line (the standard has no “none of the above”)"),
            ),
            Field(
                "VoteCounts",
                OBJECT,
                N_("Votes per ballot line and precinct (definitive protocols only)"),
                VOTES,
            ),
            Field(
                "BallotCounts",
                OBJECT,
                N_("Ballots in the boxes and invalid ballots per contest and precinct"),
                BALLOTS,
            ),
            Field(
                "SubUnitsReported / TotalSubUnits",
                INTEGER,
                N_("Precincts counted / precincts of the contest"),
                N_("precincts"),
            ),
            Field(
                "Status",
                TEXT,
                N_("certified once published; unofficial-complete or unofficial-partial before"),
            ),
            Field("IsTest / TestType", BOOLEAN, N_("Marks synthetic demonstration data")),
        ),
    ),
)


@dataclass(frozen=True)
class ElectionLinks:
    id: int
    name: str
    polling_day: Any
    links: tuple[tuple[str, str], ...]
    """(dataset title msgid, path)."""


def election_links(session: Session) -> list[ElectionLinks]:
    """Each election (newest first) with the paths of its datasets."""
    rows = session.scalars(select(Election).order_by(Election.polling_day.desc(), Election.id))
    return [
        ElectionLinks(
            e.id,
            e.name,
            e.polling_day,
            (
                (N_("Results"), results_path(e.id)),
                (N_("Precinct protocols"), protocols_path(e.id)),
                (N_("NIST SP 1500-100 export"), nist_path(e.id)),
            ),
        )
        for e in rows
    ]


def open_data_text(session: Session, language: str) -> str:
    """The data dictionary page in ``language`` (no request: the static publication writes it)."""
    synthetic = bool(session.scalar(select(exists().where(Precinct.synthetic.is_(True)))))
    return page_text(
        f"/{language}/open-data/",
        language,
        "open_data.html",
        datasets=DATASETS,
        elections=election_links(session),
        synthetic=synthetic,
    )


@router.get("/{language}/open-data/")
def open_data(request: Request, language: Language, sessions: Sessions) -> Response:
    with sessions() as session:
        body = open_data_text(session, language).encode("utf-8")
    return conditional(request, body, HTML)
