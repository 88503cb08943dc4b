"""Voter services of the public site (issue #5 §5): where do I vote, my ballots, the registration
check and the election calendar.

- ``/{language}/vote/`` searches a precinct by region and settlement or street, or by region and
  precinct number (a GET form; results are bounded), and lists the calendars of the elections
  being held.
- ``/{language}/vote/{region_code}/{number}/`` is a precinct's page, a :class:`View` (so the static
  publication writes it, with its JSON and CSV twins): address, polling hours in the region's
  local time (07:00–20:00, monograph [L288, L1530]; decision #12; zone: decision #14), the areas
  it serves, and for each election being held the ballots its voters receive (one per contest, CL
  art. 9; law-2023 §11, with the CEC's colours) with the registered candidates and party lists in
  ballot order (CL art. 37 para 1).
- ``POST /{language}/vote/check`` answers, where the voter register is loaded, only "registered
  at precinct N (address)" or "not found" for one IIN. The IIN travels in the request body, never
  in a URL (so no access log holds it), is neither stored nor echoed, the session is not touched,
  and each client address may ask a few times a minute.
- ``/{language}/elections/{election_id}/calendar.ics`` is the election calendar as iCalendar
  (RFC 5545) with reminders before polling day.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import icalendar
from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from saylau.domain.states import CandidacyState
from saylau.law.ballots import ballot_colour
from saylau.law.bodies import ContestKind
from saylau.law.calendar import Calendar, Stage
from saylau.law.collation import candidate_sort_key
from saylau.services.ballots import BallotStatus, ballot_of
from saylau.services.context import Context, fetch
from saylau.services.deadlines import election_calendar_for
from saylau.services.elections import CONTEST_ORDER, contests_for_precinct
from saylau.services.errors import InvalidInput, NotFound
from saylau.services.public.common import memo, remembering
from saylau.services.voters import areas_of, check_registration, find_by_place, register_loaded
from saylau.storage.models import (
    Body,
    BodyKind,
    Contest,
    DistrictPrecinct,
    Election,
    ElectionStatus,
    LotRecord,
    Nomination,
    Party,
    PartyList,
    Precinct,
    Region,
)
from saylau.web.deps import PUBLIC, Sessions
from saylau.web.i18n import LANGUAGES, gettext
from saylau.web.pages.commission.labels import CONTEST_KINDS, N_, STAGES
from saylau.web.pages.public.site import HTML, Language, conditional, page_text, public_page
from saylau.web.pages.public.views import Params, Table, View, register
from saylau.web.register_key import register_key

router = APIRouter(include_in_schema=False)

MAX_RESULTS = 50
"""Search results shown at most; more asks the reader to be more precise."""
MAX_ELECTIONS = 3
"""Elections being held shown on a precinct page, newest first."""
CHECKS_PER_WINDOW = 10
CHECK_WINDOW_SECONDS = 60
ICS = "text/calendar; charset=utf-8"
HOURS_SOURCE = "monograph [L288, L1530]; decision #12"

MESSAGES = {
    "not_valid": N_("This is not a valid IIN: it has 12 digits and a check digit."),
    "too_many": N_("Too many checks from your address. Please wait a minute and try again."),
    "no_register": N_("The voter register is not loaded here: the check is not available."),
}


# --- the elections being held --------------------------------------------------------------------


def elections_held(session: Session) -> list[Election]:
    """Elections not yet closed, newest polling day first (at most :data:`MAX_ELECTIONS`)."""
    return list(
        session.scalars(
            select(Election)
            .where(Election.status != ElectionStatus.CLOSED)
            .order_by(Election.polling_day.desc(), Election.id.desc())
            .limit(MAX_ELECTIONS)
        )
    )


def _calendar_href(language: str, election_id: int, region_code: str | None = None) -> str:
    query = f"?region={region_code}" if region_code else ""
    return f"/{language}/elections/{election_id}/calendar.ics{query}"


# --- the precinct page ---------------------------------------------------------------------------


def _region_doc(region: Region) -> dict[str, Any]:
    return {
        "code": region.code,
        "name_kk": region.name_kk,
        "name_ru": region.name_ru,
        "name_en": region.name_en,
        "zone": region.iana_zone,
    }


def _registered_lines(session: Session, contest: Contest) -> tuple[str, list[dict[str, Any]], bool]:
    """The ballot's lines in print order: the stored (prepared or frozen) ballot when there is
    one, else the registered lists in the order of the election's lot, or the registered
    candidates in Kazakh alphabetical order (CL art. 37 para 1). Only registered ones are shown."""
    ballot = ballot_of(Context(session, PUBLIC), contest.id)
    if ballot.lines:
        status = "frozen" if ballot.status is BallotStatus.FROZEN else "prepared"
        lists = {
            pl.id: pl
            for pl in session.scalars(
                select(PartyList).where(
                    PartyList.id.in_([ln.party_list_id for ln in ballot.lines if ln.party_list_id])
                )
            )
        }
        nominations = {
            n.id: n
            for n in session.scalars(
                select(Nomination).where(
                    Nomination.id.in_([ln.nomination_id for ln in ballot.lines if ln.nomination_id])
                )
            )
        }
        lines = []
        for line in ballot.lines:
            if line.party_list_id is not None:
                party_list = lists.get(line.party_list_id)
                if party_list is None or party_list.state is not CandidacyState.REGISTERED:
                    continue
                lines.append(_party_line(line.position, party_list))
            elif line.nomination_id is not None:
                nomination = nominations.get(line.nomination_id)
                if nomination is None or nomination.state is not CandidacyState.REGISTERED:
                    continue
                lines.append(_candidate_line(line.position, nomination))
        return status, lines, ballot.against_all
    against_all = ballot.against_all
    if contest.kind.is_list:
        registered = list(
            session.scalars(
                select(PartyList).where(
                    PartyList.contest_id == contest.id,
                    PartyList.state == CandidacyState.REGISTERED,
                )
            )
        )
        lot = session.scalars(
            select(LotRecord)
            .where(
                LotRecord.election_id == contest.election_id,
                LotRecord.purpose == f"ballot-order:{contest.election_id}",
            )
            .order_by(LotRecord.id)
        ).first()
        order = {code: i for i, code in enumerate(lot.order if lot else [])}
        registered.sort(key=lambda pl: (order.get(pl.party.code, len(order)), pl.party.name_kk))
        status = "lot_drawn" if lot else "registered"
        lines = [_party_line(i, pl) for i, pl in enumerate(registered, start=1)]
        return status, lines, against_all
    candidates = list(
        session.scalars(
            select(Nomination).where(
                Nomination.contest_id == contest.id,
                Nomination.state == CandidacyState.REGISTERED,
            )
        )
    )
    candidates.sort(
        key=lambda n: candidate_sort_key(n.person.surname, n.person.name, n.person.patronymic)
    )
    lines = [_candidate_line(i, n) for i, n in enumerate(candidates, start=1)]
    return "registered", lines, against_all


def _party_line(position: int, party_list: PartyList) -> dict[str, Any]:
    party = party_list.party
    return {
        "position": position,
        "kind": "party",
        "party_code": party.code,
        "name_kk": party.name_kk,
        "name_ru": party.name_ru or party.name_kk,
        "name_en": party.name_en,
        "party_list_id": party_list.id,
        "nomination_id": None,
    }


def _candidate_line(position: int, nomination: Nomination) -> dict[str, Any]:
    name = nomination.person.full_name
    return {
        "position": position,
        "kind": "candidate",
        "party_code": _party_code(nomination),
        "name_kk": name,
        "name_ru": name,
        "name_en": name,
        "party_list_id": None,
        "nomination_id": nomination.id,
    }


def _party_code(nomination: Nomination) -> str | None:
    """The nominating party's code (None for a self-nominee or a public association)."""
    if nomination.party_id is None:
        return None
    party = object_session_get(nomination, nomination.party_id)
    return party.code if party is not None else None


def object_session_get(nomination: Nomination, party_id: int) -> Party | None:
    session = object_session(nomination)
    return session.get(Party, party_id) if session is not None else None


def _ballot_doc(session: Session, contest: Contest) -> dict[str, Any]:
    colour = ballot_colour(contest.kind)
    status, lines, against_all = _registered_lines(session, contest)
    district = contest.district
    return {
        "contest_id": contest.id,
        "kind": contest.kind.value,
        "kind_label": CONTEST_KINDS.get(contest.kind.value, contest.kind.value),
        "colour": None
        if colour is None
        else {
            "id": colour.id,
            "name_kk": colour.name_kk,
            "name_ru": colour.name_ru,
            "name_en": colour.name_en,
            "rgb": colour.rgb_hex,
        },
        "body": {
            "name_kk": contest.body.name_kk,
            "name_ru": contest.body.name_ru or contest.body.name_kk,
            "name_en": contest.body.name_en,
        },
        "district": None
        if district is None
        else {"number": district.number, "name": district.name},
        "ballot": status,
        "against_all": against_all,
        "lines": lines,
        "results": f"elections/{contest.election_id}/contests/{contest.id}/",
    }


def _hours(session: Session, election: Election, region_id: int) -> tuple[str, str]:
    """When polling opens and closes in the region (CL art. 41), in its zone, as ISO moments."""
    calendar = election_calendar_for(session, election, region_id)
    opens, closes = calendar.stage("polling_opens"), calendar.stage("polling_closes")
    return opens.at.isoformat(), closes.at.isoformat()


def _shared_ballot_doc(session: Session, contest: Contest) -> dict[str, Any]:
    """A contest's ballot, the same at every precinct that receives it: read once per
    publication (:func:`~saylau.services.public.common.memo`)."""
    return memo(session, ("voters.ballot", contest.id), lambda: _ballot_doc(session, contest))


def _contests_by_precinct(session: Session, election_id: int) -> dict[int, list[int]]:
    """Precinct id → the contests its voters receive, in ballot order: what
    :func:`~saylau.services.elections.contests_for_precinct` gives each precinct, for every
    precinct of the election from three reads (the publication writes every precinct's page)."""
    mazhilis: list[tuple[ContestKind, int, int]] = []
    by_region: dict[int, list[tuple[ContestKind, int, int]]] = {}
    by_unit: dict[int, list[tuple[ContestKind, int, int]]] = {}
    for cid, kind, body_id, body_kind, region_id, unit_id in session.execute(
        select(Contest.id, Contest.kind, Contest.body_id, Body.kind, Body.region_id, Body.unit_id)
        .join(Body, Body.id == Contest.body_id)
        .where(Contest.election_id == election_id, Contest.district_id.is_(None))
    ):
        line = (kind, int(body_id), int(cid))
        if body_kind == BodyKind.MAZHILIS:
            mazhilis.append(line)
        if region_id is not None and unit_id is None:
            by_region.setdefault(int(region_id), []).append(line)
        if unit_id is not None:
            by_unit.setdefault(int(unit_id), []).append(line)
    districted: dict[int, list[tuple[ContestKind, int, int]]] = {}
    for precinct_id, cid, kind, body_id in session.execute(
        select(DistrictPrecinct.precinct_id, Contest.id, Contest.kind, Contest.body_id)
        .join(Contest, Contest.district_id == DistrictPrecinct.district_id)
        .where(Contest.election_id == election_id)
    ):
        districted.setdefault(int(precinct_id), []).append((kind, int(body_id), int(cid)))
    out: dict[int, list[int]] = {}
    for precinct_id, region_id, unit_id in session.execute(
        select(Precinct.id, Precinct.region_id, Precinct.unit_id)
    ):
        lines = {
            line[2]: line
            for line in [
                *mazhilis,
                *by_region.get(region_id, []),
                *(by_unit.get(unit_id, []) if unit_id is not None else []),
                *districted.get(precinct_id, []),
            ]
        }
        ordered = sorted(lines.values(), key=lambda t: (CONTEST_ORDER.index(t[0]), t[1], t[2]))
        out[int(precinct_id)] = [cid for _, _, cid in ordered]
    return out


def _ballot_docs(session: Session, election: Election, precinct: Precinct) -> list[dict[str, Any]]:
    """The ballots of the precinct's voters in ``election``; in a publication, every precinct's
    contests from one read and each contest's ballot once."""
    if not remembering(session):
        contests = contests_for_precinct(session, election.id, precinct.id)
        return [_shared_ballot_doc(session, contest) for contest in contests]
    ids = memo(
        session,
        ("voters.contests", election.id),
        lambda: _contests_by_precinct(session, election.id),
    ).get(precinct.id, [])
    return [_ballot_of_contest(session, cid) for cid in ids]


def _ballot_of_contest(session: Session, contest_id: int) -> dict[str, Any]:
    """:func:`_shared_ballot_doc` by the contest's id (the contest read only when not yet
    remembered)."""
    return memo(
        session,
        ("voters.ballot", contest_id),
        lambda: _ballot_doc(session, fetch(session, Contest, contest_id, "contest")),
    )


def _election_doc(session: Session, election: Election, precinct: Precinct) -> dict[str, Any]:
    opened, closed = memo(
        session,
        ("voters.hours", election.id, precinct.region_id),
        lambda: _hours(session, election, precinct.region_id),
    )
    opens, closes = datetime.fromisoformat(opened), datetime.fromisoformat(closed)
    ballots = _ballot_docs(session, election, precinct)
    return {
        "id": election.id,
        "name": election.name,
        "polling_day": election.polling_day,
        "status": election.status.value,
        "polling_opens": opened,
        "polling_closes": closed,
        "hours": f"{opens:%H:%M}–{closes:%H:%M}",
        "hours_source": HOURS_SOURCE,
        "against_all_note": "CL art. 37 para 1",
        "ballots": ballots,
        "results": f"elections/{election.id}/precincts/{precinct.id}/",
    }


def precinct_document(session: Session, region_code: str, number: int) -> dict[str, Any]:
    """Everything a voter of the precinct needs (see the module docstring)."""
    row = session.execute(
        select(Precinct, Region)
        .join(Region, Region.id == Precinct.region_id)
        .where(Region.code == region_code, Precinct.number == number)
    ).first()
    if row is None:
        raise NotFound("not_found", f"no precinct No. {number} in {region_code}", field="precinct")
    precinct, region = row[0], row[1]
    elections = []
    for election in elections_held(session):
        document = _election_doc(session, election, precinct)
        if document["ballots"]:
            elections.append(document)
    return {
        "synthetic": precinct.synthetic,
        "region": _region_doc(region),
        "unit": None
        if precinct.unit is None
        else {
            "name_kk": precinct.unit.name_kk,
            "name_ru": precinct.unit.name_ru or precinct.unit.name_kk,
            "name_en": precinct.unit.name_en,
        },
        "number": precinct.number,
        "address": precinct.address,
        "voters": precinct.voters,
        "areas": [
            {
                "settlement": a.settlement,
                "street": a.street,
                "houses": a.houses,
                "synthetic": a.synthetic,
            }
            for a in areas_of(session, precinct.id)
        ],
        "register_loaded": register_loaded(session, region.id),
        "elections": elections,
    }


TABLE_HEADER = (
    "election_id",
    "contest_id",
    "contest_kind",
    "colour",
    "position",
    "kind",
    "party_code",
    "name_kk",
    "name_ru",
    "name_en",
)


def precinct_table(document: dict[str, Any]) -> Table:
    """The CSV twin: every line of every ballot the precinct's voters receive."""
    rows = [
        (
            election["id"],
            ballot["contest_id"],
            ballot["kind"],
            ballot["colour"]["id"] if ballot["colour"] else "",
            line["position"],
            line["kind"],
            line["party_code"] or "",
            line["name_kk"],
            line["name_ru"],
            line["name_en"],
        )
        for election in document["elections"]
        for ballot in election["ballots"]
        for line in ballot["lines"]
    ]
    return TABLE_HEADER, rows


def precinct_instances(session: Session) -> Iterable[Params]:
    for code, number in session.execute(
        select(Region.code, Precinct.number)
        .join(Region, Region.id == Precinct.region_id)
        .order_by(Region.code, Precinct.number)
    ):
        yield {"region_code": code, "number": number}


PRECINCT_VIEW = View(
    path="vote/{region_code}/{number}/",
    template="vote_precinct.html",
    document=precinct_document,
    table=precinct_table,
    instances=precinct_instances,
)


# --- the search page -----------------------------------------------------------------------------


def _regions(session: Session) -> list[dict[str, Any]]:
    return [_region_doc(r) for r in session.scalars(select(Region).order_by(Region.code))]


@router.get("/{language}/vote/")
def vote(
    request: Request,
    language: Language,
    sessions: Sessions,
    region: Annotated[str, Query(max_length=8)] = "",
    place: Annotated[str, Query(max_length=200)] = "",
    number: Annotated[str, Query(max_length=9)] = "",
) -> Response:
    """Find a precinct by region and settlement or street, or by region and number."""
    place, number = place.strip(), number.strip()
    searched = bool(region and (place or number))
    matches: list[Any] = []
    more = False
    problem = None
    with sessions() as session:
        regions = _regions(session)
        codes = {r["code"] for r in regions}
        if region and region not in codes:
            problem = N_("Choose a region from the list.")
        elif searched and number:
            if not number.isdigit():
                problem = N_("A precinct number is a whole number.")
            else:
                found = session.execute(
                    select(Precinct.number, Precinct.address, Precinct.synthetic)
                    .join(Region, Region.id == Precinct.region_id)
                    .where(Region.code == region, Precinct.number == int(number))
                ).first()
                if found is not None:
                    matches = [
                        {
                            "region_code": region,
                            "number": found[0],
                            "address": found[1],
                            "synthetic": found[2],
                            "settlement": "",
                            "street": "",
                            "houses": "",
                        }
                    ]
        elif searched:
            found_places, more = find_by_place(session, region, place, MAX_RESULTS)
            matches = [_match(m) for m in found_places]
        elections = [
            {"id": e.id, "name": e.name, "polling_day": e.polling_day}
            for e in elections_held(session)
        ]
        loaded = register_loaded(session)
    return public_page(
        request,
        language,
        "vote.html",
        regions=regions,
        region=region,
        place=place,
        number=number,
        searched=searched,
        matches=matches,
        more=more,
        limit=MAX_RESULTS,
        problem=problem,
        elections=elections,
        register_loaded=loaded,
        calendar_href=_calendar_href,
    )


def _match(match: Any) -> dict[str, Any]:
    return {
        "region_code": match.region_code,
        "number": match.number,
        "address": match.address,
        "synthetic": match.synthetic,
        "settlement": match.settlement,
        "street": match.street,
        "houses": match.houses,
    }


# --- the registration check ----------------------------------------------------------------------


class Throttle:
    """At most ``limit`` calls per client address in each fixed window of ``seconds``, in memory.

    A small fixed window is enough to stop a script from walking through IINs; the table of
    addresses is cleared at each new window, so it cannot grow without bound.
    """

    def __init__(
        self, limit: int, seconds: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.seconds = seconds
        self.clock = clock
        self._window = -1
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()

    def allow(self, address: str) -> bool:
        window = int(self.clock() // self.seconds)
        with self._lock:
            if window != self._window:
                self._window, self._counts = window, {}
            count = self._counts.get(address, 0) + 1
            self._counts[address] = count
            return count <= self.limit


def _throttle(request: Request) -> Throttle:
    state = request.app.state
    throttle = getattr(state, "voter_check_throttle", None)
    if throttle is None:
        throttle = Throttle(CHECKS_PER_WINDOW, CHECK_WINDOW_SECONDS)
        state.voter_check_throttle = throttle
    assert isinstance(throttle, Throttle)
    return throttle


def _key(request: Request) -> bytes:
    configured = getattr(request.app.state, "register_key", None)
    return configured if isinstance(configured, bytes) else register_key()


@router.post("/{language}/vote/check")
def check(
    request: Request,
    language: Language,
    sessions: Sessions,
    iin: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """Answer "registered at precinct N (address)" or "not found" for one IIN (never echoed)."""
    address = request.client.host if request.client else "unknown"
    status = 200
    answer: dict[str, Any] | None = None
    found = False
    message = None
    if not _throttle(request).allow(address):
        status, message = 429, MESSAGES["too_many"]
    else:
        with sessions() as session:
            if not register_loaded(session):
                status, message = 404, MESSAGES["no_register"]
            else:
                try:
                    registration = check_registration(session, _key(request), iin)
                except InvalidInput:
                    status, message = 422, MESSAGES["not_valid"]
                else:
                    if registration is not None:
                        found = True
                        answer = {
                            "region_code": registration.region_code,
                            "number": registration.number,
                            "address": registration.address,
                        }
    text = page_text(
        f"/{language}/vote/",
        language,
        "vote_check.html",
        found=found,
        answer=answer,
        message=message,
        throttled=status == 429,
    )
    headers = {"Cache-Control": "no-store"}
    if status == 429:
        headers["Retry-After"] = str(CHECK_WINDOW_SECONDS)
    return Response(text.encode("utf-8"), status_code=status, media_type=HTML, headers=headers)


# --- the calendar feed ---------------------------------------------------------------------------


def stage_explanation(stage: Stage, language: str) -> str:
    """What a stage means, for a calendar entry's description.

    The one place the law core's explanations are rendered: the core's notes are English, so
    other languages get the translated title and the article only until the law explanations are
    localised (then this becomes one call to that helper).
    """
    title = gettext(language, STAGES.get(stage.id, stage.id))
    source = gettext(language, N_("Source")) + f": {stage.article}"
    if language == "en":
        return f"{title}. {stage.note}\n{stage.actor}\n{source}"
    return f"{title}\n{source}"


def calendar_ics(
    election: Election, calendar: Calendar, language: str, region_code: str | None
) -> bytes:
    """The election calendar as iCalendar: one event per stage (moments in UTC), polling day
    from opening to closing with two reminders (the day before and an hour before)."""
    ics = icalendar.Calendar()
    ics.add("prodid", "-//Saylau//Election calendar//EN")
    ics.add("version", "2.0")
    ics.add("calscale", "GREGORIAN")
    ics.add("x-wr-calname", election.name)
    stamp = election.created_at.astimezone(UTC)
    where = region_code or "national"
    closes = calendar.stage("polling_closes")
    for stage in calendar.stages:
        event = icalendar.Event()
        event.add("uid", f"saylau-election-{election.id}-{where}-{stage.id}")
        event.add("dtstamp", stamp)
        event.add("dtstart", stage.at.astimezone(UTC))
        end = closes.at if stage.id == "polling_opens" else stage.until
        if end is not None and end > stage.at:
            event.add("dtend", end.astimezone(UTC))
        title = gettext(language, STAGES.get(stage.id, stage.id))
        if stage.id == "polling_opens":
            title = gettext(language, N_("Polling day: vote at your precinct"))
        event.add("summary", f"{title} — {election.name}")
        event.add("description", stage_explanation(stage, language))
        if stage.id == "polling_opens":
            for before, text in (
                (timedelta(days=1), N_("Tomorrow is polling day")),
                (timedelta(hours=1), N_("Polling opens in an hour")),
            ):
                alarm = icalendar.Alarm()
                alarm.add("action", "DISPLAY")
                alarm.add("description", gettext(language, text))
                alarm.add("trigger", -before)
                event.add_component(alarm)
        ics.add_component(event)
    return bytes(ics.to_ical())


@router.get("/{language}/elections/{election_id}/calendar.ics")
def calendar_feed(
    request: Request,
    language: Language,
    election_id: int,
    sessions: Sessions,
    region: Annotated[str, Query(max_length=8)] = "",
) -> Response:
    """The calendar in the region's local time (``?region=KZ-35``; default: the capital's)."""
    with sessions() as session:
        election = session.get(Election, election_id)
        if election is None:
            raise HTTPException(status_code=404)
        region_id = None
        if region:
            region_id = session.scalar(select(Region.id).where(Region.code == region))
            if region_id is None:
                raise HTTPException(status_code=404)
        calendar = election_calendar_for(session, election, region_id)
        body = calendar_ics(election, calendar, language, region or None)
    return conditional(request, body, ICS)


def calendar_files(session: Session) -> dict[str, bytes]:
    """Every election's calendar feed in each language (the capital's zone), as the static
    publication writes them: path → bytes, the same bytes :func:`calendar_feed` serves."""
    files: dict[str, bytes] = {}
    for election in session.scalars(select(Election).order_by(Election.id)):
        calendar = election_calendar_for(session, election, None)
        for language in LANGUAGES:
            path = _calendar_href(language, election.id)
            files[path] = calendar_ics(election, calendar, language, None)
    return files


VIEWS: tuple[View, ...] = (PRECINCT_VIEW,)
"""The voter services' views, for the static publication (with :func:`calendar_files`)."""

for _view in VIEWS:
    register(router, _view)
