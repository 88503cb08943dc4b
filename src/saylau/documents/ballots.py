"""Ballots and their print-run sheets as print-ready PDFs (issue #6 §1), from the frozen ballot.

Only a frozen ballot (``saylau.services.ballots.freeze_ballot``) is printed: its lines, in the
order the ballots service laid them out — parties in the order of the recorded lot, candidates in
Kazakh alphabetical order (CL art. 37 para 1) — with "against all" last (art. 37 para 1, art. 42
para 2). The text is in Kazakh and in Russian (art. 37 para 2). The paper is A5 portrait, made
longer when there are more than 16 lines (CEC decision of 27.02.2023; law-2023.md §11), and the
band at the top has the colour of the contest's kind (the same decision; the shades are
``saylau.law.ballots.BALLOT_COLOURS_2023``, defined once there).

The print-run sheet shows the print run the law core computes (``saylau.law.ballots.print_run``:
voters plus the 1% reserve, district and per precinct, art. 37 paras 2–3) and checks it against
the figures frozen with the ballot.

``jobs(session, election_id)`` is this kind's entry for the bulk generator
(``saylau.documents.bulk``): one ballot and one print-run sheet per frozen contest.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from saylau.documents.bulk import Job
from saylau.documents.engine import render_pdf
from saylau.law.ballots import (
    AGAINST_ALL_KK,
    AGAINST_ALL_RU,
    STANDARD_BALLOT_MAX_CHOICES,
    ballot_colour,
    print_run,
)
from saylau.law.bodies import ContestKind
from saylau.law.nomination import NominationRoute
from saylau.services.ballots import ContestBallot, ballot_of, contest_voters
from saylau.services.contests import describe_contest
from saylau.services.context import Actor, Context
from saylau.services.deadlines import election_rules
from saylau.services.errors import Conflict
from saylau.storage.models import (
    BallotDefinition,
    Contest,
    Election,
    Nomination,
    Party,
    PartyList,
    Precinct,
    Region,
)

BALLOT_TEMPLATE = "ballot"
PRINT_RUN_TEMPLATE = "print_run"

BALLOT_WIDTH_MM = 148
BALLOT_HEIGHT_MM = 210
"""A5 portrait, the 2023 ballot paper (CEC decision of 27.02.2023; law-2023.md §11;
``saylau.law.ballots.BALLOT_PAPER``)."""
ROW_HEIGHT_MM = 7
"""The height of one line of the ballot (a name or a party and the box to its right); ours."""
EXTENSION_PER_EXTRA_LINE_MM = ROW_HEIGHT_MM
"""How much longer the ballot grows for each line beyond the 16 an A5 sheet holds.

The CEC decision of 27.02.2023 says only that ballots with more than 16 candidates are made
longer (law-2023.md §11; monograph [L304], ``STANDARD_BALLOT_MAX_CHOICES``), not by how much: we
add exactly one line's height per extra line, so every line keeps the size it has on an A5 ballot
and all of them stay on one sheet."""

KIND_TITLES: Mapping[ContestKind, tuple[str, str]] = {
    ContestKind.MAZHILIS_LIST: (
        "Қазақстан Республикасы Парламенті Мәжілісінің депутаттарын партиялық тізімдер "
        "бойынша сайлау",
        "Выборы депутатов Мажилиса Парламента Республики Казахстан по партийным спискам",
    ),
    ContestKind.MAZHILIS_SMD: (
        "Қазақстан Республикасы Парламенті Мәжілісінің депутаттарын бір мандатты аумақтық "
        "сайлау округтері бойынша сайлау",
        "Выборы депутатов Мажилиса Парламента Республики Казахстан по одномандатным "
        "территориальным избирательным округам",
    ),
    ContestKind.FIRST_LEVEL_LIST: (
        "Мәслихат депутаттарын партиялық тізімдер бойынша сайлау",
        "Выборы депутатов маслихата по партийным спискам",
    ),
    ContestKind.SECOND_LEVEL_LIST: (
        "Мәслихат депутаттарын партиялық тізімдер бойынша сайлау",
        "Выборы депутатов маслихата по партийным спискам",
    ),
    ContestKind.FIRST_LEVEL_SMD: (
        "Мәслихат депутаттарын бір мандатты аумақтық сайлау округтері бойынша сайлау",
        "Выборы депутатов маслихата по одномандатным территориальным избирательным округам",
    ),
    ContestKind.SECOND_LEVEL_SMD: (
        "Мәслихат депутаттарын бір мандатты аумақтық сайлау округтері бойынша сайлау",
        "Выборы депутатов маслихата по одномандатным территориальным избирательным округам",
    ),
}
"""The election a ballot is for, by contest kind (CL art. 37 para 1: the ballot names the
election; art. 9: the party-list and single-member contests)."""

PURPOSE_TITLES: Mapping[str, tuple[str, str]] = {
    "runoff": ("Қайта дауыс беру", "Повторное голосование"),
    "repeat": ("Қайталама сайлау", "Повторные выборы"),
}
"""A runoff (CL art. 109-1) and a repeat election are printed as such."""

MONTHS_KK = (
    "қаңтар", "ақпан", "наурыз", "сәуір", "мамыр", "маусым",
    "шілде", "тамыз", "қыркүйек", "қазан", "қараша", "желтоқсан",
)  # fmt: skip
MONTHS_RU = (
    "января", "февраля", "марта", "апреля", "мая", "июня",
    "июля", "августа", "сентября", "октября", "ноября", "декабря",
)  # fmt: skip

SELF_NOMINATED = ("Өзін-өзі ұсынған", "Самовыдвижение")


def day_kk(day: date) -> str:
    """``2023 жылғы 19 наурыз``."""
    return f"{day.year} жылғы {day.day} {MONTHS_KK[day.month - 1]}"


def day_ru(day: date) -> str:
    """``19 марта 2023 года``."""
    return f"{day.day} {MONTHS_RU[day.month - 1]} {day.year} года"


def ballot_height_mm(lines: int) -> int:
    """The sheet's length for ``lines`` candidates or parties ("against all" not counted): A5 up
    to 16, then one line's height more for each extra line (see
    ``EXTENSION_PER_EXTRA_LINE_MM``)."""
    extra = max(0, lines - STANDARD_BALLOT_MAX_CHOICES)
    return BALLOT_HEIGHT_MM + extra * EXTENSION_PER_EXTRA_LINE_MM


def _reader(session: Session) -> Context:
    """A read-only context: the documents read what the services stored, and change nothing."""
    return Context(session, Actor.operator())


def _frozen(session: Session, contest_id: int) -> tuple[Contest, ContestBallot]:
    """The contest and its frozen ballot; refuses a ballot that is not frozen (only a frozen
    ballot is printed)."""
    ctx = _reader(session)
    ballot = ballot_of(ctx, contest_id)
    contest = ctx.get(Contest, contest_id, "contest")
    if ballot.frozen_at is None:
        raise Conflict(
            "not_frozen",
            f"{describe_contest(contest)}: the ballot is not frozen; only a frozen ballot is "
            "printed (freeze it first)",
            field="contest_id",
        )
    return contest, ballot


def _header(contest: Contest) -> dict[str, Any]:
    election: Election = contest.election
    title_kk, title_ru = KIND_TITLES[contest.kind]
    purpose = PURPOSE_TITLES.get(election.purpose)
    body = contest.body
    district = contest.district
    return {
        "election_kk": title_kk,
        "election_ru": title_ru,
        "purpose_kk": purpose[0] if purpose else None,
        "purpose_ru": purpose[1] if purpose else None,
        "day_kk": day_kk(election.polling_day),
        "day_ru": day_ru(election.polling_day),
        "body_kk": body.name_kk,
        "body_ru": body.name_ru or body.name_kk,
        "district_kk": (
            f"№ {district.number} бір мандатты аумақтық сайлау округі" if district else None
        ),
        "district_ru": (
            f"Одномандатный территориальный избирательный округ № {district.number}"
            if district
            else None
        ),
        "synthetic": election.name.startswith("SYNTHETIC"),
    }


def _party_line(party: Party) -> dict[str, str]:
    return {"title": party.name_kk, "detail": party.name_ru or party.name_kk}


def _candidate_line(nomination: Nomination, parties: Mapping[int, Party]) -> dict[str, str]:
    person = nomination.person
    name = " ".join(p for p in (person.surname, person.name, person.patronymic) if p)
    if nomination.route is NominationRoute.SELF_NOMINATED_SMD:
        by_kk, by_ru = SELF_NOMINATED
    elif nomination.party_id is not None:
        party = parties[nomination.party_id]
        by_kk = f"Ұсынған: {party.name_kk}"
        by_ru = f"Выдвинут: {party.name_ru or party.name_kk}"
    else:
        by_kk, by_ru = f"Ұсынған: {nomination.association}", f"Выдвинут: {nomination.association}"
    year = person.birth_date.year
    return {"title": name, "detail": f"{year} ж. т. / г. р. · {by_kk} / {by_ru}"}


def ballot_data(session: Session, contest_id: int) -> dict[str, Any]:
    """What the ballot of one contest shows, from its frozen definition (CL art. 37 paras 1–2)."""
    contest, ballot = _frozen(session, contest_id)
    parties = {p.id: p for p in session.scalars(select(Party))}
    lines: list[dict[str, str]] = []
    for line in ballot.lines:
        if line.party_list_id is not None:
            party_list = session.get(PartyList, line.party_list_id)
            assert party_list is not None
            lines.append(_party_line(parties[party_list.party_id]))
        elif line.nomination_id is not None:
            nomination = session.get(Nomination, line.nomination_id)
            assert nomination is not None
            lines.append(_candidate_line(nomination, parties))
    colour = ballot_colour(contest.kind)
    return {
        "contest_id": contest.id,
        "kind": contest.kind.value,
        "header": _header(contest),
        "lines": lines,
        "against_all": (
            {"title": AGAINST_ALL_KK, "detail": AGAINST_ALL_RU} if ballot.against_all else None
        ),
        "colour": colour.rgb_hex if colour else None,
        "colour_name": f"{colour.name_kk} / {colour.name_ru}" if colour else None,
        "width_mm": BALLOT_WIDTH_MM,
        "height_mm": ballot_height_mm(len(lines)),
        "row_mm": ROW_HEIGHT_MM,
    }


def print_run_data(session: Session, contest_id: int) -> dict[str, Any]:
    """The print-run sheet of one contest's frozen ballot: the district's and each precinct's
    voters and ballots with the 1% reserve, as the law core computes them (CL art. 37 paras 2–3),
    the precincts grouped by region with the region's subtotal.

    Refuses when the figures frozen with the ballot are no longer what the voter lists call for:
    the sheet must show what is printed, and a frozen ballot changes only by a recorded decision.
    """
    contest, ballot = _frozen(session, contest_id)
    rules = election_rules(contest.election)
    voters = contest_voters(_reader(session), contest)
    run = print_run({str(p): v for p, v in voters.items()}, rules)
    frozen = {str(k): v for k, v in ballot.precinct_delivery.items()}
    if dict(run.precinct_delivery) != frozen or run.to_print != ballot.print_run:
        raise Conflict(
            "ballot_outdated",
            f"{describe_contest(contest)}: the voter lists changed since the ballot was frozen "
            f"(print run {ballot.print_run} frozen, {run.to_print} now); a recorded decision "
            "must prepare it again before its print-run sheet is issued",
            field="contest_id",
        )
    precincts = session.execute(
        select(Precinct, Region.code, Region.name_kk, Region.name_ru)
        .join(Region, Region.id == Precinct.region_id)
        .where(Precinct.id.in_(voters))
    ).all()
    regions: dict[str, dict[str, Any]] = {}
    for precinct, code, name_kk, name_ru in sorted(
        precincts, key=lambda r: (r[1], r[0].number, r[0].id)
    ):
        region = regions.setdefault(
            code,
            {"code": code, "name": f"{name_kk} / {name_ru}", "voters": 0, "ballots": 0, "rows": []},
        )
        ballots = run.precinct_delivery[str(precinct.id)]
        region["voters"] += voters[precinct.id]
        region["ballots"] += ballots
        region["rows"].append(
            {
                "number": precinct.number,
                "address": precinct.address,
                "voters": voters[precinct.id],
                "ballots": ballots,
            }
        )
    reserve = run.reserve
    return {
        "contest_id": contest.id,
        "header": _header(contest),
        "reserve_percent": f"{reserve * 100}",
        "district_voters": run.district_voters,
        "district_print": run.district_print,
        "delivered_total": run.delivered_total,
        "to_print": run.to_print,
        "regions": list(regions.values()),
        "article": run.article,
        "annex": None,
    }


def print_run_parts(data: dict[str, Any]) -> list[tuple[str | None, dict[str, Any]]]:
    """A print-run sheet as it is issued: one document when its precincts lie in one region;
    otherwise (a list contest: the national Mazhilis list has ~10,000 precincts) a summary of the
    regions' subtotals and one annex per region with its precincts, each going to the commission
    that distributes it — and each small enough to typeset in bounded memory. Pairs of the region
    code (``None`` for the summary or the single sheet) and the document's data."""
    regions = data["regions"]
    if len(regions) <= 1:
        return [(None, data)]
    summary = {**data, "regions": [{**r, "rows": []} for r in regions]}
    return [(None, summary)] + [
        (r["code"], {**data, "regions": [r], "annex": r["code"]}) for r in regions
    ]


def ballot_pdf(session: Session, contest_id: int, *, generated_at: datetime | None = None) -> bytes:
    """The PDF of one contest's frozen ballot."""
    return render_pdf(BALLOT_TEMPLATE, ballot_data(session, contest_id), generated_at=generated_at)


def print_run_pdf(
    session: Session, contest_id: int, *, generated_at: datetime | None = None
) -> bytes:
    """The PDF of one contest's print-run sheet (its summary, when it has annexes per region)."""
    _, data = print_run_parts(print_run_data(session, contest_id))[0]
    return render_pdf(PRINT_RUN_TEMPLATE, data, generated_at=generated_at)


def _stem(contest: Contest) -> str:
    district = f"-district-{contest.district.number:03d}" if contest.district else ""
    return f"{contest.id:05d}-{contest.kind.value}{district}"


def jobs(session: Session, election_id: int) -> Iterator[Job]:
    """The ballots kind for the bulk generator: a ballot and a print-run sheet for every frozen
    contest of the election, built one contest at a time as the generator asks for them."""
    _reader(session).get(Election, election_id, "election")
    contest_ids = session.scalars(
        select(Contest.id)
        .join(BallotDefinition, BallotDefinition.contest_id == Contest.id)
        .where(Contest.election_id == election_id, BallotDefinition.frozen_at.is_not(None))
        .order_by(Contest.id)
    ).all()
    for contest_id in contest_ids:
        contest = session.get(Contest, contest_id)
        assert contest is not None
        stem = _stem(contest)
        yield Job(f"ballots/{stem}.pdf", BALLOT_TEMPLATE, ballot_data(session, contest_id))
        for region, data in print_run_parts(print_run_data(session, contest_id)):
            name = stem if region is None else f"{stem}-{region}"
            yield Job(f"print-runs/{name}.pdf", PRINT_RUN_TEMPLATE, data)
