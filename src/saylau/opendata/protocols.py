"""Every definitive protocol of an election as one CSV table, one row per ballot line.

The national election has ~49,000 protocols and ~200,000 ballot lines: the table is read with ONE
query and written by a generator in chunks (:func:`csv_chunks`), so neither the server nor the
reader holds it whole. Only definitive protocols are published (CL art. 43). The protocol's
figures repeat on each of its lines, so a protocol is complete in every row; "against all" is one
of the figures (``against_all``), not a row.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, aliased

from saylau.domain.cells import CsvWriter, spreadsheet_safe
from saylau.domain.states import ProtocolState
from saylau.storage.models import (
    BallotChoice,
    Body,
    Contest,
    District,
    Nomination,
    Party,
    PartyList,
    Precinct,
    Protocol,
    ProtocolVote,
    Region,
)

FIGURES = (
    "voters_on_list",
    "ballots_received",
    "ballots_issued",
    "ballots_cancelled",
    "ballots_in_boxes",
    "portable_box_ballots",
    "portable_box_requests",
    "portable_box_invalidated",
    "against_all",
    "invalid",
)
"""The count lines of the protocol form (CL art. 43), as in :mod:`saylau.services.protocols`."""

HEADER = (
    "election_id",
    "region_code",
    "precinct_number",
    "precinct_id",
    "synthetic",
    "contest_id",
    "contest_kind",
    "body_id",
    "body_name_kk",
    "body_name_ru",
    "body_name_en",
    "district_number",
    "protocol_id",
    "protocol_version",
    "definitive_at",
    *FIGURES,
    "choice_id",
    "choice_position",
    "choice_label",
    "party_code",
    "votes",
)

CHUNK_ROWS = 2000
"""Rows per chunk written and fetched from the database at a time."""


def protocol_lines(election_id: int) -> Select[*tuple[Any, ...]]:
    """The one query: every ballot line of every definitive protocol of the election, ordered by
    region, precinct number, contest and ballot position."""
    party = aliased(Party)
    return (
        select(
            Contest.election_id,
            Region.code,
            Precinct.number,
            Precinct.id,
            Precinct.synthetic,
            Contest.id,
            Contest.kind,
            Body.id,
            Body.name_kk,
            Body.name_ru,
            Body.name_en,
            District.number,
            Protocol.id,
            Protocol.version,
            Protocol.definitive_at,
            *(getattr(Protocol, name) for name in FIGURES),
            BallotChoice.id,
            BallotChoice.position,
            BallotChoice.label,
            party.code,
            ProtocolVote.votes,
        )
        .select_from(ProtocolVote)
        .join(Protocol, Protocol.id == ProtocolVote.protocol_id)
        .join(Contest, Contest.id == Protocol.contest_id)
        .join(Body, Body.id == Contest.body_id)
        .outerjoin(District, District.id == Contest.district_id)
        .join(Precinct, Precinct.id == Protocol.precinct_id)
        .join(Region, Region.id == Precinct.region_id)
        .join(BallotChoice, BallotChoice.id == ProtocolVote.choice_id)
        .outerjoin(PartyList, PartyList.id == BallotChoice.party_list_id)
        .outerjoin(Nomination, Nomination.id == BallotChoice.nomination_id)
        .outerjoin(party, party.id == func.coalesce(PartyList.party_id, Nomination.party_id))
        .where(Contest.election_id == election_id, Protocol.state == ProtocolState.DEFINITIVE)
        .order_by(Region.code, Precinct.number, Contest.id, BallotChoice.position)
    )


def _cell(value: Any) -> Any:
    if hasattr(value, "value"):  # an enum
        return value.value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if value is None:
        return ""
    return spreadsheet_safe(value)


def csv_chunks(session: Session, election_id: int) -> Iterator[bytes]:
    """The table as UTF-8 CSV, header first, in chunks of :data:`CHUNK_ROWS` rows."""
    out = io.StringIO()
    writer = CsvWriter(out)
    writer.writerow(HEADER)
    result = session.execute(
        protocol_lines(election_id), execution_options={"yield_per": CHUNK_ROWS}
    )
    for rows in result.partitions(CHUNK_ROWS):
        for row in rows:
            writer.writerow([_cell(v) for v in row])
        yield out.getvalue().encode("utf-8")
        out.seek(0)
        out.truncate()
    yield out.getvalue().encode("utf-8")


def fingerprint(session: Session, election_id: int) -> str:
    """An entity tag of the table without building it: the definitive protocols' count, latest
    time and summed versions change with every protocol that becomes definitive or is corrected."""
    row: Sequence[Any] = session.execute(
        select(
            func.count(Protocol.id),
            func.max(Protocol.definitive_at),
            func.coalesce(func.sum(Protocol.version), 0),
            func.coalesce(func.sum(Protocol.id), 0),
        )
        .join(Contest, Contest.id == Protocol.contest_id)
        .where(Contest.election_id == election_id, Protocol.state == ProtocolState.DEFINITIVE)
    ).one()
    basis = "|".join(str(_cell(v)) for v in (election_id, *row, len(HEADER)))
    return 'W/"' + hashlib.sha256(basis.encode("utf-8")).hexdigest()[:32] + '"'
