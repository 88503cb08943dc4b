"""The filled precinct result protocol, once definitive, with a signed QR code (issue #6 §2).

Every figure is printed in digits and in words, in Kazakh and in Russian (CL art. 43 para 8); the
control relations (decision #19) are shown with the line numbers, with the figures put in, and as
checked — a definitive protocol satisfies all of them, or its warnings were acknowledged by the
coordinator, which the protocol then says. The signature block names the commission's serving
members.

The QR code carries the protocol's data as compact JSON — election, contest, precinct, version,
every line and every ballot line's votes — signed with the commission server's Ed25519 key
(:mod:`saylau.documents.signing`), so that a higher commission scans it and checks it without
retyping (``saylau protocol verify``). The ``protocol`` member has the shape of a protocol entry
(:meth:`saylau.services.protocols.ProtocolData.from_json`), so a verified payload can be imported.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from typing import Any

import segno
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from saylau.documents.bulk import Job
from saylau.documents.engine import render_pdf
from saylau.documents.numwords import both
from saylau.documents.protocol_forms import FORMULAS, header, line_rows
from saylau.documents.signing import fingerprint, sign_payload, signing_key
from saylau.domain.states import ProtocolState
from saylau.law.protocol import check_protocol, valid_ballots
from saylau.services.deadlines import election_rules
from saylau.services.errors import Conflict, NotFound
from saylau.services.protocols import COUNT_FIELDS, definitive_data, law_protocol
from saylau.storage.models import Contest, Precinct, Protocol

TEMPLATE = "protocol"
PAYLOAD_TYPE = "saylau-protocol/1"
"""The ``t`` member of a payload: what it is and the version of its format."""
QR_ERROR = "m"
"""QR error correction level M (15 %): survives a fold or a stain on a printed page."""


def _definitive(session: Session, protocol_id: int) -> Protocol:
    protocol = session.get(Protocol, protocol_id)
    if protocol is None:
        raise NotFound("not_found", f"protocol {protocol_id} does not exist", field="protocol_id")
    if protocol.state is not ProtocolState.DEFINITIVE:
        raise Conflict(
            "not_definitive",
            f"protocol {protocol.id} is {protocol.state.value}: a result protocol is printed "
            "once it is definitive",
            field="protocol_id",
        )
    return protocol


def payload_document(session: Session, protocol_id: int) -> dict[str, Any]:
    """The data the QR code carries, before signing: ids, version, every line and vote."""
    protocol = _definitive(session, protocol_id)
    figures = definitive_data(session, protocol)
    assert figures is not None  # definitive
    contest = session.get(Contest, protocol.contest_id)
    precinct = session.get(Precinct, protocol.precinct_id)
    assert contest is not None and precinct is not None  # foreign keys
    entry = figures.as_json()
    entry.pop("valid")
    entry.pop("extra")
    return {
        "t": PAYLOAD_TYPE,
        "election": contest.election_id,
        "contest": contest.id,
        "kind": contest.kind.value,
        "district": contest.district.number if contest.district is not None else None,
        "region": precinct.region.code,
        "precinct": precinct.number,
        "precinct_id": precinct.id,
        "protocol_id": protocol.id,
        "version": protocol.version,
        "protocol": entry,
    }


def qr_code(text: str) -> segno.QRCode:
    """The QR code of a payload (byte mode, level M); also what tests regenerate to compare."""
    return segno.make_qr(text, error=QR_ERROR, boost_error=False)


def qr_svg(text: str) -> str:
    """The QR code as an SVG document (vector: sharp at any print resolution)."""
    buffer = io.BytesIO()
    qr_code(text).save(buffer, kind="svg", scale=1, border=4, xmldecl=False, svgns=True)
    return buffer.getvalue().decode("ascii")


def _values(figures: dict[str, int]) -> dict[str, str]:
    return {name: f"{value:,}".replace(",", "\u00a0") for name, value in figures.items()}


def protocol_data(
    session: Session, protocol_id: int, key: Ed25519PrivateKey | None = None
) -> dict[str, Any]:
    """The filled result protocol as JSON-ready data, with its signed QR payload and QR SVG."""
    protocol = _definitive(session, protocol_id)
    contest = session.get(Contest, protocol.contest_id)
    precinct = session.get(Precinct, protocol.precinct_id)
    assert contest is not None and precinct is not None  # foreign keys
    rules = election_rules(contest.election)
    figures = definitive_data(session, protocol)
    assert figures is not None
    data = header(session, contest, precinct, rules)
    # Valid ballots are not stored: they are the votes plus "against all" (art. 43 para 5).
    law = law_protocol(figures, precinct.id, contest.kind)
    valid = valid_ballots(law)
    law = replace(law, valid=valid)
    values: dict[str, int] = {name: getattr(figures, name) for name in COUNT_FIELDS}
    values["valid"] = valid
    lines = line_rows(rules, data["choices"])
    for row in lines:
        if row["id"] == "votes":
            row["value"] = None
        elif row["id"].startswith("votes["):
            choice = int(row["id"][len("votes[") : -1])
            row["value"] = both(figures.votes[choice])
        else:
            row["value"] = both(values[row["id"]])
    violations = {v.name for v in check_protocol(law, rules)}
    acknowledged = set(protocol.acknowledged_warnings or [])
    numbers = _values({**values, "votes_total": sum(figures.votes.values())})
    numbers["max_voters"] = f"{rules.max_precinct_voters:,}".replace(",", "\u00a0")
    for relation in data["relations"]:
        relation["with_values"] = FORMULAS[relation["name"]].format(**numbers)
        if relation["name"] not in violations:
            relation["status"] = "holds"
        elif relation["name"] in acknowledged:
            relation["status"] = "acknowledged"
        else:  # cannot happen for a definitive protocol; shown rather than hidden
            relation["status"] = "violated"
    signer = key if key is not None else signing_key()
    payload = sign_payload(payload_document(session, protocol.id), signer)
    data.update(
        {
            "protocol_id": protocol.id,
            "version": protocol.version,
            "correction_decision": protocol.correction_decision or "",
            "definitive_at": protocol.definitive_at.strftime("%Y-%m-%d %H:%M UTC")
            if protocol.definitive_at
            else "",
            "lines": lines,
            "payload": payload,
            "qr_svg": qr_svg(payload),
            "key_id": fingerprint(signer),
        }
    )
    return data


def render_protocol(
    session: Session,
    protocol_id: int,
    *,
    key: Ed25519PrivateKey | None = None,
    generated_at: datetime | None = None,
) -> bytes:
    """The PDF of the definitive result protocol (A4, Kazakh with Russian beside it)."""
    return render_pdf(TEMPLATE, protocol_data(session, protocol_id, key), generated_at=generated_at)


def definitive_protocol_ids(session: Session, election_id: int) -> Iterator[int]:
    """The definitive protocols of an election, by contest then precinct."""
    yield from session.scalars(
        select(Protocol.id)
        .join(Contest, Contest.id == Protocol.contest_id)
        .join(Precinct, Precinct.id == Protocol.precinct_id)
        .where(Contest.election_id == election_id, Protocol.state == ProtocolState.DEFINITIVE)
        .order_by(Contest.id, Precinct.region_id, Precinct.number)
    )


def jobs(session: Session, election_id: int) -> Iterator[Job]:
    """Every definitive result protocol of the election, signed with the server's key, for
    ``saylau documents protocols`` (each protocol's data is built when the bulk run asks)."""
    key = signing_key()
    for protocol_id in definitive_protocol_ids(session, election_id):
        data = protocol_data(session, protocol_id, key)
        yield Job(
            f"protocols/{data['region']['code']}/precinct-{data['precinct']['number']:04d}/"
            f"contest-{data['contest']['id']:05d}.pdf",
            TEMPLATE,
            data,
        )


__all__ = [
    "PAYLOAD_TYPE",
    "definitive_protocol_ids",
    "jobs",
    "payload_document",
    "protocol_data",
    "qr_code",
    "qr_svg",
    "render_protocol",
]
