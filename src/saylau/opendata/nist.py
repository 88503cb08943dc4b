"""An election as a NIST SP 1500-100 v2 Election Results Reporting document (JSON).

The common data format of the U.S. National Institute of Standards and Technology lets any results
tool read Saylau's figures without knowing Saylau. The mapping (one function per CDF object kind):

- ``GpUnit`` — ``ReportingUnit``\\ s: the country (``country``), the 20 first-level regions
  (``other``, ``OtherType`` the region's kind: ``oblast``, ``republican_city``, ``capital``), the
  second-level units (a city of oblast significance is a ``city``; an аудан is ``other`` /
  ``district``), the single-member districts of this election (``other`` /
  ``single-member-district``, with their ``Number``) and the polling precincts (``precinct``, with
  their ``Number`` and ``VotersRegistered``). Each unit lists what composes it
  (``ComposingGpUnitIds``), so a consumer can aggregate the precinct counts upwards.
- ``Party`` — every party on a ballot of the election; ``Person`` and ``Candidate`` — every
  single-member candidate on a ballot (no IIN, no birth date: published data only);
  ``Office`` — each body elected (a maslikhat or the Mazhilis) over its territory.
- ``Contest`` — a single-member district is a ``CandidateContest`` (``VotesAllowed`` 1,
  ``plurality``; CL art. 9 paras 3–4), a body's party-list part a ``PartyContest``
  (``proportional``; CL art. 111-1, Mazhilis art. 97-1), both over their ``ElectionDistrictId``.
- Ballot lines — a candidate is a ``CandidateSelection``, a party list a ``PartySelection``, in
  ballot order (``SequenceOrder``). **"Against all"** (CL art. 43, a line of every 2023 ballot) is
  a ``BallotMeasureSelection`` whose ``Selection`` reads "Against all" in Kazakh, Russian and
  English, last in ballot order: the CDF v2 has no "none of the above" kind, and this is the only
  selection kind that the schema allows in any contest *and* that carries its own label (a
  ``CandidateSelection`` without candidates would be nameless, a ``PartySelection`` needs a party).
- ``VoteCounts`` — per selection, one per precinct with a DEFINITIVE protocol: ``GpUnitId`` the
  precinct, ``Type`` ``total``. Protocols still being entered are never published.
- ``BallotCounts`` — each contest has its own paper ballot (CL art. 43), so the ballot figures are
  per contest and precinct: ``Type`` ``other`` with ``OtherType`` the contest's ``@id``,
  ``BallotsCast`` = ballots found in the boxes, ``BallotsRejected`` = invalid ballots.
- Counted status — per contest ``SubUnitsReported`` / ``TotalSubUnits`` (precincts with a
  definitive protocol / precincts whose voters get its ballot) and a ``CountStatus``; the report's
  ``Status`` is ``certified`` once the election's results are published, else
  ``unofficial-complete`` or ``unofficial-partial``. A candidate is a ``winner`` once the result
  is published, a ``projected-winner`` before.

Identifiers are the database ids with a kind prefix (``gpu-precinct-123``, ``cnt-45``,
``sel-678``, ``party-3``), so they stay the same across re-exports. ``GeneratedDate`` is the time
of the latest change the document reports (not the time of the request), so the same data gives
the same bytes and a reader polling with ``If-None-Match`` gets ``304``. Synthetic (demo) data is
marked: ``IsTest`` with ``TestType`` ``synthetic`` and a note.

Names stored in one language only (the election's name, ballot labels as printed) carry the
language tag ``und`` (BCP 47 "undetermined"): Saylau does not record in which language an official
typed them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, selectinload

from saylau import __version__
from saylau.domain.states import CandidacyState, ProtocolState
from saylau.law.rules import ElectoralSystem
from saylau.services.tabulation import FINAL, contest_progress, election_of
from saylau.storage.models import (
    BallotChoice,
    Body,
    BodyKind,
    Contest,
    ContestResult,
    District,
    DistrictPrecinct,
    Election,
    ElectionStatus,
    Nomination,
    Party,
    PartyList,
    Person,
    Precinct,
    Protocol,
    ProtocolVote,
    Region,
    Unit,
)

Json = dict[str, Any]

COUNTRY = "gpu-country"
AGAINST_ALL = {
    "kk": "Барлығына қарсы",
    "ru": "Против всех",
    "en": "Against all",
}
COUNTRY_NAME = {
    "kk": "Қазақстан Республикасы",
    "ru": "Республика Казахстан",
    "en": "Republic of Kazakhstan",
}
PRECINCT_NAME = {
    "kk": "№ {n} сайлау учаскесі",
    "ru": "Избирательный участок № {n}",
    "en": "Polling precinct No. {n}",
}
DISTRICT_NAME = {
    "kk": "{body}, № {n} сайлау округі",
    "ru": "{body}, избирательный округ № {n}",
    "en": "{body}, electoral district No. {n}",
}
ISSUER = "Saylau election administration system"
SYNTHETIC_NOTE = (
    "SYNTHETIC DEMONSTRATION DATA: the precincts, people and votes in this report were invented "
    "by the Saylau demo generator (calibrated on the 2023 figures); they are not official results."
)
NOTE = (
    "Only definitive precinct protocols are counted (CL art. 43). 'Against all' is a "
    "BallotMeasureSelection; ballot figures are per contest (BallotCounts with OtherType = the "
    "contest @id). Identifiers are stable across re-exports."
)
_NOT_STANDING = (CandidacyState.WITHDRAWN, CandidacyState.CANCELLED, CandidacyState.REFUSED)


# --- small CDF values ----------------------------------------------------------------------------


def text(values: Mapping[str, str]) -> Json:
    """An ``InternationalizedText`` from language → text (empty texts left out)."""
    strings = [
        {"@type": "ElectionResults.LanguageString", "Language": lang, "Content": content}
        for lang, content in values.items()
        if content
    ]
    if not strings:
        strings = [{"@type": "ElectionResults.LanguageString", "Language": "und", "Content": ""}]
    return {"@type": "ElectionResults.InternationalizedText", "Text": strings}


def names(item: Any) -> Json:
    """The ``name_kk`` / ``name_ru`` / ``name_en`` of a region, unit, body or party."""
    return text({lang: getattr(item, f"name_{lang}", "") for lang in ("kk", "ru", "en")})


def identifier(kind: str, value: str, other: str | None = None) -> Json:
    document: Json = {"@type": "ElectionResults.ExternalIdentifier", "Type": kind, "Value": value}
    if other is not None:
        document["OtherType"] = other
    return document


def moment(value: datetime) -> str:
    """A ``DateTimeWithZone`` in UTC, to the second."""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def vote_count(precinct_id: int, count: int) -> Json:
    return {
        "@type": "ElectionResults.VoteCounts",
        "GpUnitId": f"gpu-precinct-{precinct_id}",
        "Type": "total",
        "Count": count,
    }


# --- the report ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Counts:
    """The definitive figures of the election, read in two queries."""

    votes: dict[int, list[tuple[int, int]]]
    """Ballot choice id → (precinct id, votes), by precinct id."""
    protocols: dict[int, list[tuple[int, int, int, int]]]
    """Contest id → (precinct id, against all, ballots in boxes, invalid), by precinct id."""


def election_report(session: Session, election_id: int) -> Json:
    """The whole ``ElectionReport`` of one election (raises NotFound for an unknown id)."""
    election = election_of(session, election_id)
    synthetic = bool(session.scalar(select(exists().where(Precinct.synthetic.is_(True)))))
    contests = list(
        session.scalars(
            select(Contest)
            .where(Contest.election_id == election.id)
            .options(selectinload(Contest.district))
            .order_by(Contest.id)
        )
    )
    bodies = {b.id: b for b in session.scalars(select(Body))}
    progress = contest_progress(session, election.id)
    counts = _counts(session, election.id)
    report: Json = {
        "@type": "ElectionResults.ElectionReport",
        "Format": "precinct-level",
        "GeneratedDate": moment(_last_change(session, election)),
        "Issuer": ISSUER,
        "IssuerAbbreviation": "Saylau",
        "VendorApplicationId": f"Saylau {__version__}",
        "SequenceStart": 1,
        "SequenceEnd": 1,
        "Status": report_status(election, progress),
        "IsTest": synthetic,
        "Notes": f"{SYNTHETIC_NOTE} {NOTE}" if synthetic else NOTE,
    }
    if synthetic:
        report["TestType"] = "synthetic"
    report["GpUnit"] = gp_units(session, election.id, bodies)
    report["Party"] = parties(session, election.id)
    report["Person"] = persons(session, election.id)
    report["Office"] = offices(contests, bodies)
    report["Election"] = [
        election_object(session, election, contests, bodies, progress, counts),
    ]
    return report


def report_bytes(session: Session, election_id: int) -> bytes:
    """The report as compact UTF-8 JSON (a national election is tens of megabytes)."""
    document = election_report(session, election_id)
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def report_status(election: Election, progress: Mapping[int, tuple[int, int]]) -> str:
    """``certified`` once the results are published (the legal result), ``unofficial-complete``
    when every precinct of every contest is definitive, ``unofficial-partial`` before."""
    if election.status in (ElectionStatus.RESULTS_PUBLISHED, ElectionStatus.CLOSED):
        return "certified"
    if progress and all(total > 0 and counted == total for counted, total in progress.values()):
        return "unofficial-complete"
    return "unofficial-partial"


def _last_change(session: Session, election: Election) -> datetime:
    """The latest definitive protocol, tabulation or publication of the election."""
    moments: list[datetime | None] = [election.created_at]
    moments.append(
        session.scalar(
            select(func.max(Protocol.definitive_at))
            .join(Contest, Contest.id == Protocol.contest_id)
            .where(Contest.election_id == election.id)
        )
    )
    row = session.execute(
        select(func.max(ContestResult.computed_at), func.max(ContestResult.published_at))
        .join(Contest, Contest.id == ContestResult.contest_id)
        .where(Contest.election_id == election.id)
    ).one()
    moments.extend(row)
    return max(_aware(m) for m in moments if m is not None)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _counts(session: Session, election_id: int) -> _Counts:
    definitive = (Contest.election_id == election_id, Protocol.state == ProtocolState.DEFINITIVE)
    votes: dict[int, list[tuple[int, int]]] = {}
    for choice_id, precinct_id, count in session.execute(
        select(ProtocolVote.choice_id, Protocol.precinct_id, ProtocolVote.votes)
        .join(Protocol, Protocol.id == ProtocolVote.protocol_id)
        .join(Contest, Contest.id == Protocol.contest_id)
        .where(*definitive)
        .order_by(ProtocolVote.choice_id, Protocol.precinct_id)
    ):
        votes.setdefault(choice_id, []).append((precinct_id, count))
    protocols: dict[int, list[tuple[int, int, int, int]]] = {}
    for contest_id, precinct_id, against, boxes, invalid in session.execute(
        select(
            Protocol.contest_id,
            Protocol.precinct_id,
            Protocol.against_all,
            Protocol.ballots_in_boxes,
            Protocol.invalid,
        )
        .join(Contest, Contest.id == Protocol.contest_id)
        .where(*definitive)
        .order_by(Protocol.contest_id, Protocol.precinct_id)
    ):
        protocols.setdefault(contest_id, []).append(
            (precinct_id, against or 0, boxes or 0, invalid or 0)
        )
    return _Counts(votes, protocols)


# --- GpUnit ------------------------------------------------------------------------------------------


def territory_of(body: Body) -> str:
    """The reporting unit a body is elected over: its unit, its region, or the country."""
    if body.kind is BodyKind.MAZHILIS:
        return COUNTRY
    if body.unit_id is not None:
        return f"gpu-unit-{body.unit_id}"
    return f"gpu-region-{body.region_id}"


def gp_units(session: Session, election_id: int, bodies: Mapping[int, Body]) -> list[Json]:
    """The country, its regions and units, this election's districts and every precinct."""
    regions = list(session.scalars(select(Region).order_by(Region.code)))
    units = list(session.scalars(select(Unit).order_by(Unit.region_id, Unit.id)))
    precincts = list(
        session.scalars(select(Precinct).order_by(Precinct.region_id, Precinct.number))
    )
    codes = {r.id: r.code for r in regions}
    in_unit: dict[int, list[str]] = {}
    in_region: dict[int, list[str]] = {}
    for unit in units:
        in_region.setdefault(unit.region_id, []).append(f"gpu-unit-{unit.id}")
    for precinct in precincts:
        ref = f"gpu-precinct-{precinct.id}"
        if precinct.unit_id is not None:
            in_unit.setdefault(precinct.unit_id, []).append(ref)
        else:
            in_region.setdefault(precinct.region_id, []).append(ref)
    return [
        country_unit([f"gpu-region-{r.id}" for r in regions]),
        *(region_unit(r, in_region.get(r.id, [])) for r in regions),
        *(unit_unit(u, in_unit.get(u.id, [])) for u in units),
        *district_units(session, election_id, bodies),
        *(precinct_unit(p, codes[p.region_id]) for p in precincts),
    ]


def country_unit(regions: list[str]) -> Json:
    return {
        "@id": COUNTRY,
        "@type": "ElectionResults.ReportingUnit",
        "Type": "country",
        "Name": text(COUNTRY_NAME),
        "ExternalIdentifier": [identifier("other", "KZ", "iso-3166-1")],
        "ComposingGpUnitIds": regions,
    }


def region_unit(region: Region, composing: list[str]) -> Json:
    """A first-level region (oblast, city of republican significance, the capital)."""
    return {
        "@id": f"gpu-region-{region.id}",
        "@type": "ElectionResults.ReportingUnit",
        "Type": "other",
        "OtherType": region.kind.value,
        "Name": names(region),
        "ExternalIdentifier": [identifier("other", region.code, "iso-3166-2")],
        "ComposingGpUnitIds": composing,
    }


def unit_unit(unit: Unit, composing: list[str]) -> Json:
    """A second-level unit: a city of oblast significance, or an аудан (district)."""
    document: Json = {"@id": f"gpu-unit-{unit.id}", "@type": "ElectionResults.ReportingUnit"}
    if unit.kind.value == "city":
        document["Type"] = "city"
    else:
        document["Type"] = "other"
        document["OtherType"] = unit.kind.value
    document["Name"] = names(unit)
    document["ComposingGpUnitIds"] = composing
    return document


def district_units(session: Session, election_id: int, bodies: Mapping[int, Body]) -> list[Json]:
    """The single-member districts formed for this election (CL arts. 21–22) and their precincts."""
    members: dict[int, list[str]] = {}
    for district_id, precinct_id in session.execute(
        select(DistrictPrecinct.district_id, DistrictPrecinct.precinct_id)
        .join(District, District.id == DistrictPrecinct.district_id)
        .where(District.election_id == election_id)
        .order_by(DistrictPrecinct.district_id, DistrictPrecinct.precinct_id)
    ):
        members.setdefault(district_id, []).append(f"gpu-precinct-{precinct_id}")
    units = []
    for district in session.scalars(
        select(District).where(District.election_id == election_id).order_by(District.id)
    ):
        body = bodies[district.body_id]
        label = {
            lang: DISTRICT_NAME[lang].format(
                body=getattr(body, f"name_{lang}") or body.name_kk, n=district.number
            )
            for lang in ("kk", "ru", "en")
        }
        units.append(
            {
                "@id": f"gpu-district-{district.id}",
                "@type": "ElectionResults.ReportingUnit",
                "Type": "other",
                "OtherType": "single-member-district",
                "Number": str(district.number),
                "Name": text(label),
                "ComposingGpUnitIds": members.get(district.id, []),
            }
        )
    return units


def precinct_unit(precinct: Precinct, region_code: str) -> Json:
    """A polling precinct; its number is unique within its region (``KZ-35/123``)."""
    return {
        "@id": f"gpu-precinct-{precinct.id}",
        "@type": "ElectionResults.ReportingUnit",
        "Type": "precinct",
        "Number": str(precinct.number),
        "Name": text(
            {lang: PRECINCT_NAME[lang].format(n=precinct.number) for lang in PRECINCT_NAME}
        ),
        "ExternalIdentifier": [
            identifier("other", f"{region_code}/{precinct.number}", "region-and-precinct-number")
        ],
        "VotersRegistered": precinct.voters,
    }


# --- Party, Person, Office ---------------------------------------------------------------------------


def parties(session: Session, election_id: int) -> list[Json]:
    """Every party with a list or a nominated candidate on a ballot of the election."""
    on_lists = (
        select(PartyList.party_id)
        .join(BallotChoice, BallotChoice.party_list_id == PartyList.id)
        .join(Contest, Contest.id == BallotChoice.contest_id)
        .where(Contest.election_id == election_id)
    )
    nominating = (
        select(Nomination.party_id)
        .join(BallotChoice, BallotChoice.nomination_id == Nomination.id)
        .join(Contest, Contest.id == BallotChoice.contest_id)
        .where(Contest.election_id == election_id, Nomination.party_id.is_not(None))
    )
    rows = session.scalars(
        select(Party).where(Party.id.in_(on_lists) | Party.id.in_(nominating)).order_by(Party.id)
    )
    return [party_object(p) for p in rows]


def party_object(party: Party) -> Json:
    return {
        "@id": f"party-{party.id}",
        "@type": "ElectionResults.Party",
        "Name": names(party),
        "ExternalIdentifier": [identifier("other", party.code, "saylau-party-code")],
    }


def persons(session: Session, election_id: int) -> list[Json]:
    """The single-member candidates on the election's ballots (names only: no IIN, no birth date)."""
    rows = session.scalars(
        select(Person)
        .join(Nomination, Nomination.person_id == Person.id)
        .join(BallotChoice, BallotChoice.nomination_id == Nomination.id)
        .join(Contest, Contest.id == BallotChoice.contest_id)
        .where(Contest.election_id == election_id)
        .distinct()
        .order_by(Person.id)
    )
    return [person_object(p) for p in rows]


def person_object(person: Person) -> Json:
    russian = " ".join(p for p in (person.surname_ru, person.name_ru, person.patronymic_ru) if p)
    document: Json = {
        "@id": f"per-{person.id}",
        "@type": "ElectionResults.Person",
        "FirstName": person.name,
        "LastName": person.surname,
        "FullName": text({"kk": person.full_name, "ru": russian}),
        "Gender": person.sex.value,
    }
    if person.patronymic:
        document["MiddleName"] = [person.patronymic]
    return document


def offices(contests: Iterable[Contest], bodies: Mapping[int, Body]) -> list[Json]:
    """Each body elected: a maslikhat or the Mazhilis, over its territory."""
    body_ids = sorted({c.body_id for c in contests})
    return [office_object(bodies[i]) for i in body_ids]


def office_object(body: Body) -> Json:
    return {
        "@id": f"office-body-{body.id}",
        "@type": "ElectionResults.Office",
        "Name": names(body),
        "ElectionDistrictId": territory_of(body),
    }


# --- Election, Contest, selections -------------------------------------------------------------------


def election_type(election: Election) -> Json:
    """The CDF ``ElectionType`` of the election's purpose."""
    kinds = {
        "general": "general",
        "runoff": "runoff",
        "by_election": "special",
        "repeat": "special",
    }
    kind = kinds.get(election.purpose)
    if kind is None:
        return {"Type": "other", "OtherType": election.purpose}
    return {"Type": kind}


def election_object(
    session: Session,
    election: Election,
    contests: list[Contest],
    bodies: Mapping[int, Body],
    progress: Mapping[int, tuple[int, int]],
    counts: _Counts,
) -> Json:
    lines = _ballot_lines(session, election.id)
    results = {
        r.contest_id: r
        for r in session.scalars(
            select(ContestResult)
            .join(Contest, Contest.id == ContestResult.contest_id)
            .where(Contest.election_id == election.id)
        )
    }
    return {
        "@type": "ElectionResults.Election",
        "Name": text({"und": election.name}),
        **election_type(election),
        "StartDate": election.polling_day.isoformat(),
        "EndDate": election.polling_day.isoformat(),
        "ElectionScopeId": COUNTRY,
        "ExternalIdentifier": [identifier("other", str(election.id), "saylau-election-id")],
        "BallotCounts": ballot_counts(contests, counts),
        "Candidate": candidates(lines, results),
        "Contest": [
            contest_object(c, bodies[c.body_id], n, lines.get(c.id, []), progress, counts)
            for n, c in enumerate(contests, start=1)
        ],
        "CountStatus": [count_status(list(progress.values()))],
    }


def ballot_counts(contests: Iterable[Contest], counts: _Counts) -> list[Json]:
    """Ballots in the boxes and invalid ballots per contest and precinct (each contest has its own
    paper ballot, CL art. 43): ``OtherType`` names the contest."""
    return [
        {
            "@type": "ElectionResults.BallotCounts",
            "GpUnitId": f"gpu-precinct-{precinct_id}",
            "Type": "other",
            "OtherType": f"cnt-{contest.id}",
            "BallotsCast": boxes,
            "BallotsRejected": invalid,
        }
        for contest in contests
        for precinct_id, _against, boxes, invalid in counts.protocols.get(contest.id, [])
    ]


def count_status(progress: list[tuple[int, int]]) -> Json:
    """``completed`` when every precinct is definitive, ``not-processed`` before the first."""
    counted = sum(c for c, _ in progress)
    total = sum(t for _, t in progress)
    if total and counted == total:
        status = "completed"
    elif counted == 0:
        status = "not-processed"
    else:
        status = "in-process"
    return {"@type": "ElectionResults.CountStatus", "Type": "total", "Status": status}


@dataclass(frozen=True)
class _Line:
    """A ballot line with the party or candidate behind it."""

    choice_id: int
    contest_id: int
    position: int
    label: str
    party_id: int | None
    nomination_id: int | None
    person_id: int | None
    nomination_state: CandidacyState | None


def _ballot_lines(session: Session, election_id: int) -> dict[int, list[_Line]]:
    rows = session.execute(
        select(
            BallotChoice.id,
            BallotChoice.contest_id,
            BallotChoice.position,
            BallotChoice.label,
            func.coalesce(PartyList.party_id, Nomination.party_id),
            Nomination.id,
            Nomination.person_id,
            Nomination.state,
        )
        .join(Contest, Contest.id == BallotChoice.contest_id)
        .outerjoin(PartyList, PartyList.id == BallotChoice.party_list_id)
        .outerjoin(Nomination, Nomination.id == BallotChoice.nomination_id)
        .where(Contest.election_id == election_id)
        .order_by(BallotChoice.contest_id, BallotChoice.position)
    )
    lines: dict[int, list[_Line]] = {}
    for row in rows:
        line = _Line(*row)
        lines.setdefault(line.contest_id, []).append(line)
    return lines


def candidates(
    lines: Mapping[int, list[_Line]], results: Mapping[int, ContestResult]
) -> list[Json]:
    """Every single-member candidate on a ballot, with the status the result gives them."""
    return [
        candidate_object(line, results.get(line.contest_id))
        for contest_lines in lines.values()
        for line in contest_lines
        if line.nomination_id is not None
    ]


def candidate_object(line: _Line, result: ContestResult | None) -> Json:
    document: Json = {
        "@id": f"cand-{line.nomination_id}",
        "@type": "ElectionResults.Candidate",
        "BallotName": text({"und": line.label}),
        "PersonId": f"per-{line.person_id}",
    }
    if line.party_id is not None:
        document["PartyId"] = f"party-{line.party_id}"
    withdrawn = line.nomination_state in _NOT_STANDING
    document["PreElectionStatus"] = "withdrawn" if withdrawn else "qualified"
    post = post_election_status(line, result)
    if post is not None:
        document["PostElectionStatus"] = post
    return document


def post_election_status(line: _Line, result: ContestResult | None) -> str | None:
    """From the contest's final result: the winner (``projected-winner`` until the result is
    published), the two in a runoff (CL art. 109-1), the others defeated; nothing before."""
    if line.nomination_state in _NOT_STANDING:
        return "withdrawn"
    if result is None or result.status != FINAL:
        return None
    outcome = result.outcome or {}
    status = outcome.get("status")
    if status == "elected":
        if (outcome.get("winner") or {}).get("choice_id") != line.choice_id:
            return "defeated"
        return "winner" if result.published_at is not None else "projected-winner"
    if status == "runoff":
        runoff = {c.get("choice_id") for c in outcome.get("runoff") or []}
        return "advanced-to-runoff" if line.choice_id in runoff else "defeated"
    if status == "repeat_election":  # nobody elected (CL art. 110)
        return "defeated"
    return None  # e.g. a lot still to be drawn


def contest_object(
    contest: Contest,
    body: Body,
    sequence: int,
    lines: list[_Line],
    progress: Mapping[int, tuple[int, int]],
    counts: _Counts,
) -> Json:
    """A ``CandidateContest`` (a single-member district) or a ``PartyContest`` (a list part)."""
    counted, total = progress.get(contest.id, (0, 0))
    single = contest.kind.system is ElectoralSystem.SINGLE_MEMBER
    titles = {lang: getattr(body, f"name_{lang}") or body.name_kk for lang in ("kk", "ru", "en")}
    document: Json = {"@id": f"cnt-{contest.id}"}
    if single:
        number = contest.district.number if contest.district is not None else contest.id
        document["@type"] = "ElectionResults.CandidateContest"
        document["Name"] = f"{body.name_en or body.name_kk}, district No. {number}"
        document["ElectionDistrictId"] = (
            f"gpu-district-{contest.district_id}"
            if contest.district_id is not None
            else territory_of(body)
        )
        document["VotesAllowed"] = 1
        document["NumberElected"] = contest.seats
        document["VoteVariation"] = "plurality"
        document["OfficeIds"] = [f"office-body-{body.id}"]
    else:
        document["@type"] = "ElectionResults.PartyContest"
        document["Name"] = f"{body.name_en or body.name_kk}, party lists"
        document["ElectionDistrictId"] = territory_of(body)
        document["VoteVariation"] = "proportional"
    document["BallotTitle"] = text(titles)
    document["SequenceOrder"] = sequence
    document["SubUnitsReported"] = counted
    document["TotalSubUnits"] = total
    document["CountStatus"] = [count_status([(counted, total)])]
    document["ExternalIdentifier"] = [
        identifier("other", contest.kind.value, "saylau-contest-kind")
    ]
    document["ContestSelection"] = [
        *(selection(line, counts) for line in lines),
        against_all_selection(contest, len(lines) + 1, counts),
    ]
    return document


def selection(line: _Line, counts: _Counts) -> Json:
    """A candidate's or a party list's ballot line with its votes per precinct."""
    document: Json = {"@id": f"sel-{line.choice_id}"}
    if line.nomination_id is not None:
        document["@type"] = "ElectionResults.CandidateSelection"
        document["CandidateIds"] = [f"cand-{line.nomination_id}"]
        if line.party_id is not None:
            document["EndorsementPartyIds"] = [f"party-{line.party_id}"]
    else:
        document["@type"] = "ElectionResults.PartySelection"
        document["PartyIds"] = [f"party-{line.party_id}"]
    document["SequenceOrder"] = line.position
    document["VoteCounts"] = [vote_count(p, n) for p, n in counts.votes.get(line.choice_id, [])]
    return document


def against_all_selection(contest: Contest, sequence: int, counts: _Counts) -> Json:
    """The "against all" line (CL art. 43), last on the ballot: see the module docstring."""
    return {
        "@id": f"sel-cnt-{contest.id}-against-all",
        "@type": "ElectionResults.BallotMeasureSelection",
        "Selection": text(AGAINST_ALL),
        "SequenceOrder": sequence,
        "ExternalIdentifier": [identifier("other", "against_all", "saylau-ballot-line")],
        "VoteCounts": [
            vote_count(precinct_id, against)
            for precinct_id, against, _boxes, _invalid in counts.protocols.get(contest.id, [])
        ],
    }
