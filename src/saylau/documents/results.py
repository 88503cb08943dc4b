"""The result protocol of a territorial commission for one body (issue #6 §3).

For a maslikhat (or the Mazhilis, by the CEC) and one election, the protocol states what the
commission established from the precincts' definitive protocols (CL art. 43; art. 111-1 for the
list seats, art. 97-1 for the Mazhilis; arts. 9, 109-1 and 110 for the districts):

- the totals of each of the body's contests (protocols counted, voters on the lists, ballots found
  in the boxes, valid, "against all", invalid, turnout);
- the list threshold test for each party (its share as an exact fraction and a percentage, passed
  or not, and the base the share is of);
- the whole list-allocation trace: the quota as a fraction, each list's quotient, whole seats and
  remainder, and who got each remaining seat and why (ties, registration order, lots), each step
  with its article, in Kazakh and in Russian;
- the winner of each single-member district, and the runoffs and repeat elections it calls;
- the signature block of the commission's serving members.

Everything comes from the stored tabulation (``ContestResult``; :mod:`saylau.services.tabulation`)
— the protocol restates the decision, it never recomputes it — and the figures are exact.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from saylau.documents.bulk import Job
from saylau.documents.engine import render_pdf
from saylau.documents.language import LANGUAGES, both, day, decimal, exact, number, percent
from saylau.domain.roles import CommissionLevel
from saylau.services.commissions import list_members
from saylau.services.context import Actor, Context, fetch
from saylau.services.deadlines import region_zone
from saylau.services.tabulation import FINAL
from saylau.storage.models import (
    Body,
    BodyKind,
    Commission,
    Contest,
    ContestResult,
    District,
    Election,
    Party,
)
from saylau.storage.models.organisation import CommissionPosition

TEMPLATE = "result_protocol"

STATUS: Mapping[str, tuple[str, str]] = {
    "allocated": ("мандаттар бөлінді", "мандаты распределены"),
    "no_party_passed": (
        "бірде-бір партия өту шегінен өтпеді",
        "ни одна партия не преодолела барьер",
    ),
    "elected": ("сайланды", "избран(а)"),
    "runoff": ("қайта дауыс беру тағайындалды", "назначено повторное голосование"),
    "repeat_election": ("қайта сайлау тағайындалды", "назначены повторные выборы"),
    "lot_required": ("жеребе күтілуде", "ожидается жеребьевка"),
    "no_protocols": ("хаттамалар жоқ", "протоколов нет"),
}
"""The outcome of a contest as the protocol names it (Kazakh, Russian)."""

POSITION: Mapping[CommissionPosition, tuple[str, str]] = {
    CommissionPosition.CHAIR: ("Төраға", "Председатель"),
    CommissionPosition.DEPUTY_CHAIR: ("Төрағаның орынбасары", "Заместитель председателя"),
    CommissionPosition.SECRETARY: ("Хатшы", "Секретарь"),
    CommissionPosition.MEMBER: ("Комиссия мүшесі", "Член комиссии"),
}


def _pair(kk: str, ru: str) -> dict[str, str]:
    return {"kk": kk, "ru": ru or kk}


def body_contests(session: Session, election_id: int, body_id: int) -> list[Contest]:
    """The body's contests of the election: the list contest first, then districts by number."""
    contests = list(
        session.scalars(
            select(Contest)
            .where(Contest.election_id == election_id, Contest.body_id == body_id)
            .options(selectinload(Contest.district), selectinload(Contest.body))
        )
    )
    return sorted(
        contests,
        key=lambda c: (c.district is not None, c.district.number if c.district else 0, c.id),
    )


def result_protocol_bodies(session: Session, election_id: int) -> list[int]:
    """Every body with a contest in the election (one result protocol each), by id."""
    fetch(session, Election, election_id, "election")
    return sorted(
        {
            int(b)
            for b in session.scalars(
                select(Contest.body_id).where(Contest.election_id == election_id)
            )
        }
    )


def tabulating_commission(session: Session, body: Body) -> Commission | None:
    """The commission that establishes the body's results: the CEC for the Mazhilis, else the
    territorial commission of the body's unit or region (CL arts. 12, 14)."""
    query = select(Commission)
    if body.kind is BodyKind.MAZHILIS:
        query = query.where(Commission.level == CommissionLevel.CEC)
    elif body.unit_id is not None:
        query = query.where(
            Commission.level == CommissionLevel.TEC_UNIT, Commission.unit_id == body.unit_id
        )
    else:
        query = query.where(
            Commission.level == CommissionLevel.TEC_REGION, Commission.region_id == body.region_id
        )
    return session.scalars(query.order_by(Commission.id).limit(1)).first()


def signature_block(session: Session, commission: Commission | None) -> list[dict[str, Any]]:
    """The serving members who sign (chair, deputy chair, secretary, members), as recorded with
    :mod:`saylau.services.commissions`; with none recorded, the chair's and the secretary's lines
    are left for the names to be written in."""
    members = []
    if commission is not None:
        ctx = Context(session, Actor.operator(), lambda: datetime.now(UTC))
        members = list_members(ctx, commission.id, include_released=False)
    if not members:
        return [
            {"position": _pair(*POSITION[p]), "name": ""}
            for p in (CommissionPosition.CHAIR, CommissionPosition.SECRETARY)
        ]
    return [{"position": _pair(*POSITION[m.position]), "name": m.full_name} for m in members]


def _party_names(session: Session) -> dict[str, dict[str, str]]:
    """Language → party code → the party's name in that language (for the trace's values)."""
    names: dict[str, dict[str, str]] = {lang: {} for lang in LANGUAGES}
    for party in session.scalars(select(Party)):
        names["kk"][party.code] = party.name_kk
        names["ru"][party.code] = party.name_ru or party.name_kk
    return names


def _contest_label(contest: Contest) -> dict[str, str]:
    district: District | None = contest.district
    if district is None:
        return _pair("Партиялық тізімдер бойынша", "По партийным спискам")
    return _pair(f"№ {district.number} сайлау округі", f"Избирательный округ № {district.number}")


def _totals_row(contest: Contest, result: ContestResult | None) -> dict[str, Any]:
    totals: Mapping[str, Any] = result.totals if result is not None else {}
    turnout = totals.get("turnout")
    return {
        "contest_id": contest.id,
        "label": _contest_label(contest),
        "protocols": number(result.precincts_counted if result else 0),
        "precincts": number(result.precincts_total if result else 0),
        "voters": number(totals.get("voters_on_list", 0)),
        "ballots": number(totals.get("ballots_in_boxes", 0)),
        "valid": number(totals.get("valid", 0)),
        "against_all": number(totals.get("against_all", 0)),
        "invalid": number(totals.get("invalid", 0)),
        "turnout": exact(turnout) if turnout else "",
        "turnout_percent": percent(turnout) if turnout else "",
        "final": result is not None and result.status == FINAL,
    }


def _status(code: str) -> dict[str, str]:
    kk, ru = STATUS.get(code, (code, code))
    return _pair(kk, ru)


def _lot_text(lot: Mapping[str, Any] | None) -> str:
    if not lot:
        return ""
    order = ", ".join(str(x) for x in lot.get("order") or ())
    return f"{lot.get('method', '')}: seed «{lot.get('seed', '')}» → {order}"


def list_section(
    session: Session, contest: Contest, result: ContestResult | None
) -> dict[str, Any] | None:
    """The list part of the protocol: threshold tests, quotients, remainder seats and every step
    of the allocation trace in Kazakh and Russian (CL art. 111-1; art. 97-1 for the Mazhilis)."""
    if result is None:
        return None
    outcome: Mapping[str, Any] = result.outcome or {}
    allocation: Mapping[str, Any] = outcome.get("allocation") or {}
    names = _party_names(session)
    labels = {
        str(line.get("party")): (line.get("label") or line.get("party"))
        for line in outcome.get("lists") or ()
    }

    def party(code: str) -> dict[str, str]:
        return {lang: names[lang].get(code) or str(labels.get(code) or code) for lang in LANGUAGES}

    seats_of = {str(line.get("party")): line.get("seats", 0) for line in outcome.get("lists") or ()}
    tests = [
        {
            "party": party(str(t["party"])),
            "votes": number(t["votes"]),
            "share": exact(t["share"]) if t.get("share") is not None else "",
            "percent": percent(t.get("share")),
            "passed": bool(t.get("passed")),
            "admission": t.get("admission", ""),
            "reason": both(t.get("explanation") or t.get("reason"), names),
            "article": t.get("article", ""),
        }
        for t in allocation.get("tests") or ()
    ]
    rows = [
        {
            "party": party(str(r["party"])),
            "votes": number(r["votes"]),
            "quotient": exact(r["quotient"]),
            "quotient_decimal": decimal(r["quotient"], 6),
            "whole": number(r["quota_seats"]),
            "remainder": exact(r["remainder"]),
            "remainder_decimal": decimal(r["remainder"], 6),
            "seats": number(r["seats"]),
        }
        for r in allocation.get("rows") or ()
    ]
    steps: Sequence[Mapping[str, Any]] = allocation.get("steps") or ()
    by_number = {
        int(s["values"]["number"]): s
        for s in steps
        if isinstance(s.get("values"), Mapping) and "number" in s["values"]
    }
    awards = [
        {
            "number": number(a["number"]),
            "party": party(str(a["party"])),
            "value": exact(a["value"]) if a.get("value") is not None else "",
            "reason": both(by_number.get(int(a["number"])), names),
            "tied_with": [party(str(t)) for t in a.get("tied_with") or ()],
            "lot": _lot_text(a.get("lot")),
            "article": a.get("article", ""),
        }
        for a in allocation.get("awards") or ()
    ]
    quota = allocation.get("quota")
    threshold = allocation.get("threshold")
    return {
        "contest_id": contest.id,
        "status": _status(str(outcome.get("status", result.status))),
        "status_code": outcome.get("status", result.status),
        "article": outcome.get("article", ""),
        "seats": number(contest.seats),
        "base": number(allocation["base"]) if "base" in allocation else "",
        "base_definition": both(allocation.get("base_definition")),
        "threshold": exact(threshold) if threshold else "",
        "threshold_percent": percent(threshold) if threshold else "",
        "quota": exact(quota) if quota else "",
        "quota_decimal": decimal(quota, 6) if quota else "",
        "tests": tests,
        "rows": rows,
        "awards": awards,
        "seats_won": [
            {"party": party(code), "seats": number(seats)} for code, seats in seats_of.items()
        ],
        "steps": [{"article": s.get("article", ""), "text": both(s, names)} for s in steps],
        "lot_needed": bool(outcome.get("lot_needed")),
    }


def district_line(
    session: Session, contest: Contest, result: ContestResult | None
) -> dict[str, Any]:
    """One district's line: the winner (or the runoff pair), the votes, the decision and its
    reason in both languages, and the runoff or repeat election called (CL arts. 9, 109-1, 110)."""
    district: District | None = contest.district
    outcome: Mapping[str, Any] = result.outcome if result is not None else {}
    status = str(outcome.get("status", "no_protocols"))
    candidates: Sequence[Mapping[str, Any]] = outcome.get("candidates") or ()
    winner: Mapping[str, Any] | None = outcome.get("winner")
    top = next(
        (c for c in candidates if winner and c.get("choice_id") == winner["choice_id"]), None
    )
    decision: Mapping[str, Any] = outcome.get("decision") or {}
    follow_up = None
    follow_id = outcome.get("follow_up_contest_id")
    if follow_id:
        follower = session.get(Contest, int(follow_id))
        if follower is not None:
            follow_up = {
                "contest_id": follower.id,
                "polling_day": day(follower.election.polling_day),
                "kind": _status(status),
            }
    return {
        "contest_id": contest.id,
        "number": number(district.number) if district else "",
        "name": district.name if district else "",
        "status": _status(status),
        "status_code": status,
        "winner": str(winner["name"]) if winner else "",
        "votes": number(top["votes"]) if top else "",
        "share": exact(top["share"]) if top and top.get("share") else "",
        "percent": percent(top.get("share")) if top else "",
        "runoff": [str(c["name"]) for c in outcome.get("runoff") or ()],
        "candidates": [
            {
                "name": str(c["name"]),
                "votes": number(c["votes"]),
                "percent": percent(c.get("share")),
            }
            for c in candidates
        ],
        "reason": both(decision.get("explanation") or decision.get("reason")),
        "articles": ", ".join(decision.get("articles") or ()),
        "lot": _lot_text(decision.get("lot")),
        "follow_up": follow_up,
    }


def result_protocol_data(session: Session, election_id: int, body_id: int) -> dict[str, Any]:
    """The JSON-ready content of the body's result protocol for the election."""
    election = fetch(session, Election, election_id, "election")
    body = fetch(session, Body, body_id, "body")
    contests = body_contests(session, election.id, body.id)
    results = {
        r.contest_id: r
        for r in session.scalars(
            select(ContestResult).where(ContestResult.contest_id.in_([c.id for c in contests]))
        )
    }
    commission = tabulating_commission(session, body)
    zone = region_zone(session, body.region_id)
    lists = [c for c in contests if c.district_id is None]
    districts = [c for c in contests if c.district_id is not None]
    computed = [r.computed_at for r in results.values()]
    return {
        "election": {
            "id": election.id,
            "name": election.name,
            "polling_day": day(election.polling_day),
        },
        "body": {
            "id": body.id,
            "name": _pair(body.name_kk, body.name_ru),
            "seats": number(body.seats),
        },
        "commission": commission.name if commission is not None else "",
        "final": bool(contests)
        and all(c.id in results and results[c.id].status == FINAL for c in contests),
        "computed_on": day(max(computed), zone) if computed else "",
        "totals": [_totals_row(c, results.get(c.id)) for c in contests],
        "lists": [
            section
            for c in lists
            if (section := list_section(session, c, results.get(c.id))) is not None
        ],
        "districts": [district_line(session, c, results.get(c.id)) for c in districts],
        "signatures": signature_block(session, commission),
    }


def render_result_protocol(
    session: Session, election_id: int, body_id: int, *, generated_at: datetime | None = None
) -> bytes:
    """The result protocol of the body as a PDF (Kazakh, with Russian beside it)."""
    data = result_protocol_data(session, election_id, body_id)
    return render_pdf(TEMPLATE, data, generated_at=generated_at)


def jobs(session: Session, election_id: int) -> Iterator[Job]:
    """One result protocol per body of the election, for ``saylau documents results`` (the data
    of each is built when the bulk run asks for it)."""
    for body_id in result_protocol_bodies(session, election_id):
        yield Job(
            f"results/body-{body_id:05d}.pdf",
            TEMPLATE,
            result_protocol_data(session, election_id, body_id),
        )
