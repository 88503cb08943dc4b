"""Issue #3 acceptance: a complete small election through every workflow, on SQLite and PostgreSQL.

The story (data in :mod:`tests.acceptance.scenario`), each phase at its moment of the calendar of
the 19 March 2023 elections (Asia/Almaty, UTC+6 in 2023):

 1. territory imported from JSON and CSV: a bad row imports nothing; a re-run changes nothing;
 2. commissions, users and their roles (a TEC administrator cannot staff the other region);
 3. the election called, its districts imported and published;
 4. parties admitted; party lists and district nominations with their documents;
 5. deposits and registration: a refusal with its reason, a list failing the 30% quota;
 6. ballots: party order by lot, candidates in Kazakh order, print runs, frozen;
 7. observers accredited, credentialed, assigned; coverage;
 8. polling day: turnout at 10:00, 16:00 and the close;
 9. protocols entered twice, one pair differing and resolved by the coordinator;
10. tabulation: list seats by Hare quota and largest remainders, district winners, a first-place
    tie of three → lot → runoff contest; deposits settled;
11. results published, list seats assigned by the parties, deputies registered, competence;
12. the runoff counted and its winner registered;
13. a list seat vacated and filled from the list; a district seat vacated → by-election day;
14. the by-election run from nomination to its winner;
15. a recall case from application to a vote that recalls the deputy and calls a new election;
16. every refusal logged; ``saylau audit verify`` intact, then broken at an event edited in SQL.

Every expected value is worked out by hand in the comments (or re-run independently, for lots);
no law-core function is called to compute what the services should have produced.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime
from fractions import Fraction
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from saylau.cli.main import app
from saylau.domain.roles import CommissionLevel, Role
from saylau.domain.states import CandidacyState, ProtocolState, RecallState
from saylau.law.bodies import ContestKind
from saylau.law.calendar import ElectionKind
from saylau.law.nomination import NominationRoute, Nominator, RefusalReason
from saylau.services.audit import verify_chain
from saylau.services.ballots import (
    BallotStatus,
    ballot_of,
    freeze_ballot,
    prepare_ballots,
    prepare_contest_ballot,
)
from saylau.services.candidacy import CandidacyKind, CandidacyRef
from saylau.services.context import Actor
from saylau.services.districts import (
    DistrictPlan,
    districting_report,
    import_districts,
    publish_districts,
)
from saylau.services.documents import check_nomination_documents
from saylau.services.elections import (
    CallElection,
    OverrideInput,
    call_election,
    contests_for_precinct,
)
from saylau.services.errors import InvalidInput, PermissionDenied
from saylau.services.mandates import assign_list_mandates, competence, register_deputy
from saylau.services.nomination import (
    PartyListInput,
    SmdNominationInput,
    submit_nomination,
    submit_party_list,
)
from saylau.services.observers import (
    AccreditationApplication,
    ObserverKind,
    accredit_organisation,
    apply_for_accreditation,
    assign_observer,
    coverage_report,
    issue_credentials,
)
from saylau.services.parties import admit_party
from saylau.services.persons import PersonInput
from saylau.services.protocols import (
    ProtocolData,
    Submission,
    enter_protocol,
    enter_protocols,
    resolve_protocol,
)
from saylau.services.recall import (
    apply_for_recall,
    call_recall_vote,
    notify_deputy,
    record_recall_result,
    register_recall,
    submit_signature_lists,
    verify_signatures,
)
from saylau.services.registration import (
    DepositOutcome,
    record_deposit,
    refuse,
    register,
    settle_deposits,
)
from saylau.services.results import publish_results
from saylau.services.tabulation import (
    contest_progress,
    election_totals,
    record_lot,
    tabulate_contest,
    tabulate_election,
)
from saylau.services.territory import ensure_commissions, import_territory, read_territory
from saylau.services.turnout import report_turnout, turnout_summary
from saylau.services.users import NewUser, RoleGrant, assign_role, create_user
from saylau.services.vacancies import choose_list_successor, terminate_mandate
from saylau.storage.models import (
    AuditEvent,
    BallotChoice,
    BallotDefinition,
    Body,
    BodyKind,
    Commission,
    Contest,
    ContestResult,
    DepositKind,
    District,
    Election,
    LotRecord,
    Mandate,
    MandateSource,
    MandateState,
    Person,
    Precinct,
    Protocol,
    Region,
    Unit,
    Vacancy,
    VacancyOutcome,
)
from tests.acceptance import scenario as sc
from tests.acceptance.independent import hare_largest_remainders, lot_order
from tests.acceptance.people import People
from tests.acceptance.registry import register_parties
from tests.acceptance.story import Story, noon, utc

ALMATY = ZoneInfo("Asia/Almaty")
POLLING_DAY = date(2023, 3, 19)
SETUP = utc(2023, 1, 20)  # the day after the call
DISTRICTS_PUBLISHED = utc(2023, 1, 25)  # due by 29 January 18:00 (10 days after the call)
NOMINATING = utc(2023, 2, 1)  # nomination open 20 January (override) – 17 February 18:00
REGISTERING = utc(2023, 2, 20)  # registration closes 22 February 18:00 (E−25)
BALLOTS = utc(2023, 2, 23)
TURNOUT_AT = {"10:00": utc(2023, 3, 19, 4), "16:00": utc(2023, 3, 19, 10)}
TURNOUT_AT["final"] = utc(2023, 3, 19, 14, 30)  # polls close at 20:00 local = 14:00 UTC
COUNTING = utc(2023, 3, 19, 16, 30)  # 22:30 local, counting started at 20:00
TABULATING = utc(2023, 3, 20)
PUBLISHING = utc(2023, 3, 21)  # results due by 26 March 18:00 (E+7)
ASSIGNING = utc(2023, 3, 27)  # list seats: party decision by 31 March 18:00 (results + 5 days)
DEPUTIES = utc(2023, 3, 29)
TERM_START = date(2023, 3, 29)
BALLOT_SEED = "CEC sitting of 23 February 2023"
RUNOFF_SEED = "Testcapital TEC sitting of 20 March 2023"
VACANCY_DAY = date(2023, 6, 1)
TIED_IN_C2 = ["Ғалымова Әйгерім", "Жақсылықов Нұрлан", "Ізбасаров Серік"]
"""The three candidates of capital district 2, as printed, in Kazakh order (Ғ < Ж < І)."""


def test_a_complete_small_election(
    factory: sessionmaker[Session], engine: Engine, tmp_path: Path
) -> None:
    started = time.monotonic()
    s = Story(factory)
    people = People()
    phase_1_territory(s, tmp_path)
    phase_2_commissions_and_users(s)
    phase_3_call_and_districts(s, tmp_path)
    phase_4_parties_and_nomination(s, people)
    phase_5_registration(s)
    phase_6_ballots(s)
    phase_7_observers(s)
    phase_8_turnout(s)
    phase_9_protocols(s)
    phase_10_tabulation(s)
    phase_11_results_mandates_deputies(s)
    phase_12_runoff(s)
    by_election = phase_13_vacancies(s)
    phase_14_by_election(s, people, by_election)
    phase_15_recall(s)
    phase_16_refusals_and_audit(s, engine)
    assert time.monotonic() - started < 60, "the acceptance story must stay under a minute"


# --- small helpers ---------------------------------------------------------------------------------


def cec(s: Story) -> Actor:
    return s.actor("cec_admin", Role.CEC_ADMIN, "cec")


def admin(s: Story, region: str) -> Actor:
    """The TEC administrator of ``oblast`` or ``capital``."""
    return s.actor(f"{region}_admin", Role.TEC_ADMIN, f"tec_{region}")


def typist(s: Story, precinct: str, which: str) -> Actor:
    return s.actor(f"typist_{precinct}_{which}", Role.PEC_TYPIST, f"pec_{precinct}")


def agent(s: Story, party: str) -> Actor:
    return s.actor(f"{party}_agent", Role.PARTY_AGENT)


def region_of_contest(contest: str) -> str:
    """Who administers a contest: the CEC for the Mazhilis, else the region's TEC."""
    if contest.startswith("M") or contest == "mazhilis_list":
        return "cec"
    return "capital" if contest.startswith("C") or contest == "capital_list" else "oblast"


def commission_admin(s: Story, contest: str) -> Actor:
    where = region_of_contest(contest)
    return cec(s) if where == "cec" else admin(s, where)


def result_of(s: Story, contest_id: int) -> dict[str, Any]:
    def query(session: Session) -> dict[str, Any]:
        result = session.scalars(
            select(ContestResult).where(ContestResult.contest_id == contest_id)
        ).one()
        return dict(result.outcome)

    return s.read(query)


def runoff_pair_in_kazakh_order() -> list[str]:
    """The two of C2's tied candidates the lot sends to the runoff, as a runoff ballot lists them
    (re-run from the published seed, independently of the law core)."""
    drawn = lot_order(RUNOFF_SEED, "smd-runoff-places", TIED_IN_C2)[:2]
    return [name for name in TIED_IN_C2 if name in drawn]


def seats_of(outcome: Mapping[str, Any]) -> dict[str, int]:
    return {line["party"]: line["seats"] for line in outcome["lists"]}


def mandates(s: Story, contest_id: int) -> list[Mandate]:
    return s.read(
        lambda session: list(
            session.scalars(
                select(Mandate).where(Mandate.contest_id == contest_id).order_by(Mandate.id)
            )
        )
    )


def held_by(s: Story, contest_id: int, person: str) -> Mandate:
    [found] = [m for m in mandates(s, contest_id) if m.person_id == s.persons[person]]
    return found


def competence_of(s: Story, body: str) -> tuple[int, int, int, bool]:
    """(seats, filled, required, competent) of a body."""
    c = s.read(lambda session: competence(session, s.bodies[body]))
    return (c.seats_total, c.seats_filled, c.required, c.competent)


def figures(
    voters: int, delivered: int, votes: Mapping[int, int], against: int, invalid: int
) -> ProtocolData:
    """A protocol that adds up: every ballot received is issued or cancelled, every one issued is
    in the boxes, and the boxes hold the votes, "against all" and the invalid ballots."""
    in_boxes = sum(votes.values()) + against + invalid
    return ProtocolData(
        voters_on_list=voters,
        ballots_received=delivered,
        ballots_issued=in_boxes,
        ballots_cancelled=delivered - in_boxes,
        ballots_in_boxes=in_boxes,
        portable_box_ballots=0,
        portable_box_requests=0,
        votes=dict(votes),
        against_all=against,
        invalid=invalid,
    )


def protocol_of(s: Story, contest: str, precinct: str, **change: int) -> ProtocolData:
    """The scenario's protocol of ``contest`` at ``precinct``; ``change`` mistypes the votes of a
    party or candidate, every other line being copied correctly from the paper."""
    counted = dict(sc.VOTES[contest][precinct])
    against = counted.pop(sc.AGAINST)
    votes = {s.choices[contest][key]: n for key, n in counted.items()}
    voters = sc.PRECINCTS[precinct][2]
    delivered = s.read(
        lambda session: ballot_delivery(session, s.contests[contest], s.precincts[precinct])
    )
    data = figures(voters, delivered, votes, against, sc.INVALID)
    typos = {s.choices[contest][key]: n for key, n in change.items()}
    return replace(data, votes={**data.votes, **typos}) if typos else data


def ballot_delivery(session: Session, contest_id: int, precinct_id: int) -> int:
    definition = session.scalars(
        select(BallotDefinition).where(BallotDefinition.contest_id == contest_id)
    ).one()
    return int(definition.precinct_delivery[str(precinct_id)])


def summed(contest: str) -> dict[str, int]:
    """The scenario's votes of a contest over its precincts (and "against all")."""
    totals: dict[str, int] = {}
    for counted in sc.VOTES[contest].values():
        for key, n in counted.items():
            totals[key] = totals.get(key, 0) + n
    return totals


def contests_at(precinct: str) -> list[str]:
    """The scenario's contests voted at a precinct."""
    return [contest for contest, by_precinct in sc.VOTES.items() if precinct in by_precinct]


def protocol_id(s: Story, contest: str, precinct: str) -> int:
    return s.read(
        lambda session: session.scalars(
            select(Protocol.id).where(
                Protocol.contest_id == s.contests[contest],
                Protocol.precinct_id == s.precincts[precinct],
            )
        ).one()
    )


# --- 1. territory --------------------------------------------------------------------------------


def phase_1_territory(s: Story, tmp_path: Path) -> None:
    """Regions, units and bodies from a JSON document, precincts from CSV; all-or-nothing and
    idempotent (issue #3 acceptance)."""
    operator = Actor.operator()
    document = tmp_path / "territory.json"
    document.write_text(sc.TERRITORY_JSON, encoding="utf-8")
    report = s.run(operator, import_territory, read_territory(document), at=SETUP)
    assert {k: t.created for k, t in report.tallies.items()} == {"region": 2, "unit": 2, "body": 5}

    # One bad row (3,100 voters > 3,000, CL art. 23) refuses the whole file, naming row and field.
    precincts = tmp_path / "precincts.csv"
    precincts.write_text(sc.BAD_PRECINCTS_CSV, encoding="utf-8")
    events = s.events()
    error = s.rejected(operator, import_territory, read_territory(precincts), at=SETUP)
    assert isinstance(error, InvalidInput) and error.field == "voters"
    assert (
        "nothing imported, 1 error(s): precincts row 3 (line 4), field voters=3100" in error.message
    )
    assert (s.count(Precinct), s.events()) == (0, events)

    precincts.write_text(sc.PRECINCTS_CSV, encoding="utf-8")
    report = s.run(operator, import_territory, read_territory(precincts), at=SETUP)
    assert report.tally("precinct").created == 6

    # Re-running both imports: nothing changes, no row and no audit event is added.
    counts = [s.count(m) for m in (Region, Unit, Precinct, Body)]
    events = s.events()
    for path in (document, precincts):
        again = s.run(operator, import_territory, read_territory(path), at=SETUP)
        assert again.changed == 0
    assert [s.count(m) for m in (Region, Unit, Precinct, Body)] == counts == [2, 2, 6, 5]
    assert s.events() == events

    def ids(session: Session) -> None:
        s.regions = {r.code: r.id for r in session.scalars(select(Region))}
        by_number = {(p.region_id, p.number): p.id for p in session.scalars(select(Precinct))}
        for key, (code, number, _voters) in sc.PRECINCTS.items():
            s.precincts[key] = by_number[(s.regions[code], number)]
        names = {
            BodyKind.MAZHILIS: "mazhilis",
            BodyKind.OBLAST: "oblast",
            BodyKind.CAPITAL: "capital",
            BodyKind.DISTRICT: "raion",
            BodyKind.CITY: "town",
        }
        s.bodies = {names[b.kind]: b.id for b in session.scalars(select(Body))}

    s.read(ids)


# --- 2. commissions, users, roles ----------------------------------------------------------------


def staff(
    s: Story,
    by: Actor,
    username: str,
    role: Role,
    commission: str | None,
    party: str | None = None,
) -> None:
    user = s.run(by, create_user, NewUser(username, full_name=username), at=SETUP)
    s.users[username] = user.id
    grant = RoleGrant(
        user.id,
        role,
        s.commissions[commission] if commission else None,
        s.parties[party] if party else None,
    )
    s.run(by, assign_role, grant, at=SETUP)


def phase_2_commissions_and_users(s: Story) -> None:
    """The commission tree follows the territory: 1 CEC + 2 regional TECs + 2 unit TECs + 6 PECs
    = 11. The CEC staffs the TECs; each TEC staffs its own precincts, and only those."""
    operator = Actor.operator()
    report = s.run(operator, ensure_commissions, at=SETUP)
    assert report.tally("commission").created == 11

    def ids(session: Session) -> None:
        region_key = {s.regions["KZ-35"]: "oblast", s.regions["KZ-71"]: "capital"}
        unit_key = {u.id: u.name_en.lower() for u in session.scalars(select(Unit))}
        precinct_key = {v: k for k, v in s.precincts.items()}
        for c in session.scalars(select(Commission)):
            if c.level is CommissionLevel.CEC:
                s.commissions["cec"] = c.id
            elif c.level is CommissionLevel.TEC_REGION:
                s.commissions[f"tec_{region_key[c.region_id or 0]}"] = c.id
            elif c.level is CommissionLevel.TEC_UNIT:
                s.commissions[f"tec_{unit_key[c.unit_id or 0]}"] = c.id
            else:
                s.commissions[f"pec_{precinct_key[c.precinct_id or 0]}"] = c.id

    s.read(ids)
    assert len(s.commissions) == 11

    staff(s, operator, "cec_admin", Role.CEC_ADMIN, "cec")
    for region in ("oblast", "capital"):
        staff(s, cec(s), f"{region}_admin", Role.TEC_ADMIN, f"tec_{region}")
    for region, precincts in (("oblast", sc.OBLAST_PRECINCTS), ("capital", sc.CAPITAL_PRECINCTS)):
        tec_admin = admin(s, region)
        staff(s, tec_admin, f"{region}_coordinator", Role.TEC_COORDINATOR, f"tec_{region}")
        for precinct in precincts:
            for which in ("a", "b"):
                staff(
                    s, tec_admin, f"typist_{precinct}_{which}", Role.PEC_TYPIST, f"pec_{precinct}"
                )

    # The oblast's administrator may not make its typist a typist of a capital precinct.
    grant = RoleGrant(s.users["typist_o1_a"], Role.PEC_TYPIST, s.commissions["pec_c1"])
    s.refused(admin(s, "oblast"), assign_role, grant, at=SETUP)
    with pytest.raises(PermissionDenied):  # nothing was granted
        s.actor("typist_o1_a", Role.PEC_TYPIST, "pec_c1")


# --- 3. the call and the districts ------------------------------------------------------------


def phase_3_call_and_districts(s: Story, tmp_path: Path) -> None:
    """The call creates one list contest per body with list seats: the Mazhilis 69 (CL art. 9
    para 2), the oblast 6 // 2 = 3, the capital 4 // 2 = 2; the second-level maslikhats are all
    single-member (0 list seats, no list contest). By the offsets nomination would open on
    18 January (E−60), before the call of 19 January: the calling decision sets 20 January."""
    call = CallElection(
        polling_day=POLLING_DAY,
        called_on=date(2023, 1, 19),
        kind=ElectionKind.EARLY,
        name="Test elections of 19 March 2023",
        overrides=(
            OverrideInput(
                "nomination_opens",
                datetime(2023, 1, 20, tzinfo=ALMATY),
                "set by the calling decision: nomination opens the day after the call",
            ),
        ),
    )
    called = s.run(cec(s), call_election, call, at=SETUP)
    assert called.problems == ()
    s.election = called.election.id
    body_key = {v: k for k, v in s.bodies.items()}
    lists = {body_key[c.body_id]: c for c in called.contests}
    assert {k: c.seats for k, c in lists.items()} == {"mazhilis": 69, "oblast": 3, "capital": 2}
    for key, contest in lists.items():
        s.contests[f"{key}_list"] = contest.id

    plan = tmp_path / "districts.csv"
    plan.write_text(sc.DISTRICTS_CSV, encoding="utf-8")
    report = s.run(cec(s), import_districts, s.election, DistrictPlan.read(plan), at=SETUP)
    assert (report.tally("district").created, report.tally("contest").created) == (11, 11)

    def contest_ids(session: Session) -> None:
        rows = session.execute(
            select(Contest.id, District.body_id, District.number)
            .join(District, District.id == Contest.district_id)
            .where(Contest.election_id == s.election)
        )
        for contest_id, body_id, number in rows:
            key, _ = sc.DISTRICT_CONTESTS[(body_key[body_id], number)]
            s.contests[key] = contest_id

    s.read(contest_ids)
    assert len(s.contests) == 3 + 11

    # The ballots a voter receives: o1 (oblast, Raion) five, c1 (capital) four.
    def kinds(precinct: str) -> list[ContestKind]:
        return s.read(
            lambda session: [
                c.kind for c in contests_for_precinct(session, s.election, s.precincts[precinct])
            ]
        )

    assert kinds("o1") == [
        ContestKind.MAZHILIS_LIST,
        ContestKind.MAZHILIS_SMD,
        ContestKind.FIRST_LEVEL_LIST,
        ContestKind.FIRST_LEVEL_SMD,
        ContestKind.SECOND_LEVEL_SMD,
    ]
    assert kinds("c1") == [
        ContestKind.MAZHILIS_LIST,
        ContestKind.MAZHILIS_SMD,
        ContestKind.FIRST_LEVEL_LIST,
        ContestKind.FIRST_LEVEL_SMD,
    ]

    # Capital districts: 2,050 and 1,950 voters, mean 2,000: deviations +1/40 and −1/40 (±2.5%),
    # within the ±15% of decision #11.
    capital = s.read(lambda session: districting_report(session, s.election, s.bodies["capital"]))
    assert [(d.voters, d.deviation) for d in capital.districts] == [
        (2050, Fraction(1, 40)),
        (1950, Fraction(-1, 40)),
    ]
    assert capital.acceptable

    # Each TEC publishes its own bodies' districts, not the other region's.
    s.refused(
        admin(s, "oblast"),
        publish_districts,
        s.election,
        s.bodies["capital"],
        at=DISTRICTS_PUBLISHED,
    )
    for body, region in (
        ("oblast", "oblast"),
        ("raion", "oblast"),
        ("town", "oblast"),
        ("capital", "capital"),
    ):
        published = s.run(
            admin(s, region), publish_districts, s.election, s.bodies[body], at=DISTRICTS_PUBLISHED
        )
        assert not published.late and not published.already_published
    # The Mazhilis needs all 29 districts of the country before its list can be published; two
    # regions hold only 2 of them, so it is (rightly) refused here.
    refused = s.rejected(
        cec(s), publish_districts, s.election, s.bodies["mazhilis"], at=DISTRICTS_PUBLISHED
    )
    assert refused.code == "districts_not_ready" and "29 single-member seats" in refused.message


# --- 4. parties and nomination ----------------------------------------------------------------


def phase_4_parties_and_nomination(s: Story, people: People) -> None:
    """Four parties are admitted; each submits lists (persons in order, documents per person) and
    district nominations. Delta has no branch in the capital and its oblast list has no woman and
    no one under 36: accepted with the shortfall reported, refused at registration."""
    s.parties = register_parties(
        s.factory,
        sc.PARTIES,
        {code: [s.regions[r] for r in regions] for code, regions in sc.BRANCHES.items()},
    )
    for party in ("alpha", "beta"):
        staff(s, cec(s), f"{party}_agent", Role.PARTY_AGENT, None, party)
    for party_id in s.parties.values():
        assert s.run(cec(s), admit_party, s.election, party_id, at=SETUP).created

    inputs: dict[str, PersonInput] = {}
    for (contest, party), persons in sc.LISTS.items():
        members = tuple(
            people.person(
                name,
                sex,
                birth,
                party_id=s.parties[party],
                mazhilis=contest == "mazhilis_list",
                on_list=True,
            )
            for name, sex, birth in persons
        )
        inputs.update({p.surname + " " + p.name: p for p in members})
        data = PartyListInput(
            contest_id=s.contests[contest],
            party_id=s.parties[party],
            persons=members,
            documents=sc.LIST_DOCUMENTS,
        )
        by = agent(s, "alpha") if party == "alpha" else commission_admin(s, contest)
        submitted = s.run(by, submit_party_list, data, at=NOMINATING)
        s.lists[(contest, party)] = submitted.party_list_id
        assert submitted.documents.complete
        assert submitted.state is CandidacyState.DOCUMENTS_COMPLETE
        # Deposit per person: 5 × 70,000 (maslikhat) or 15 × 70,000 (Mazhilis) tenge, 3 persons.
        per_person = 15 * 70_000 if contest == "mazhilis_list" else 5 * 70_000
        assert submitted.deposit.amount == 3 * per_person
        assert submitted.quota is not None
        # 30% of 3 persons = 0.9: at least one woman or young person.
        assert (submitted.quota.met, submitted.quota.count) == (
            (False, 0) if party == "delta" else (True, 1)
        )

    # Delta has no branch in the capital: it cannot nominate there (monograph [L224]).
    delta = PartyListInput(
        contest_id=s.contests["capital_list"],
        party_id=s.parties["delta"],
        persons=(people.person("Сұлтанов Ерлан", sc.M, date(1980, 1, 1), on_list=True),),
        documents=sc.LIST_DOCUMENTS,
    )
    assert (
        s.rejected(admin(s, "capital"), submit_party_list, delta, at=NOMINATING).code == "no_branch"
    )

    for contest, name, sex, birth, nominator in sc.SMD_CANDIDATES:
        person = people.person(
            name,
            sex,
            birth,
            party_id=s.parties.get(nominator),
            mazhilis=contest.startswith("M"),
        )
        inputs[name] = person
        nominated = s.run(
            commission_admin(s, contest),
            submit_nomination,
            smd_input(s, contest, person, nominator),
            at=NOMINATING,
        )
        s.nominations[name] = nominated.nomination_id
        assert nominated.state is CandidacyState.DOCUMENTS_COMPLETE, name

    # The self-nominee of T1 lacks the asset declaration certificate: the checklist says so before
    # the file is handed in (CL art. 104 para 3-1), and the file is received incomplete.
    contest, name, sex, birth, _ = sc.REFUSED_CANDIDATE
    short = tuple(d for d in sc.SELF_DOCUMENTS if d != "asset_declaration_certificate")
    check = check_nomination_documents(NominationRoute.SELF_NOMINATED_SMD, short)
    assert [m.document for m in check.missing] == ["asset_declaration_certificate"]
    person = people.person(name, sex, birth)
    nominee = SmdNominationInput(
        contest_id=s.contests[contest],
        nominator=Nominator.CITIZEN,
        person=person,
        documents=short,
    )
    nominated = s.run(admin(s, "oblast"), submit_nomination, nominee, at=NOMINATING)
    s.nominations[name] = nominated.nomination_id
    assert nominated.state is CandidacyState.NOMINATED

    # One maslikhat per person (LSA art. 5 para 2): alpha's first on the oblast list cannot also
    # stand in a Town district.
    twice = smd_input(s, "T1", replace(inputs["Айтбаева Гүлмира"], documents=()), "alpha")
    error = s.rejected(admin(s, "oblast"), submit_nomination, twice, at=NOMINATING)
    assert error.code == "one_maslikhat", error.message

    s.read(
        lambda session: s.persons.update(
            {f"{p.surname} {p.name}": p.id for p in session.scalars(select(Person))}
        )
    )


def smd_input(s: Story, contest: str, person: PersonInput, nominator: str) -> SmdNominationInput:
    if nominator == sc.SELF:
        return SmdNominationInput(
            contest_id=s.contests[contest],
            nominator=Nominator.CITIZEN,
            person=person,
            documents=sc.SELF_DOCUMENTS,
        )
    if nominator == sc.ASSOCIATION:
        return SmdNominationInput(
            contest_id=s.contests[contest],
            nominator=Nominator.PUBLIC_ASSOCIATION,
            person=person,
            association=sc.ASSOCIATION,
            documents=sc.SMD_DOCUMENTS,
        )
    return SmdNominationInput(
        contest_id=s.contests[contest],
        nominator=Nominator.POLITICAL_PARTY,
        person=person,
        party_id=s.parties[nominator],
        documents=sc.SMD_DOCUMENTS,
    )


# --- 5. registration ---------------------------------------------------------------------------


def phase_5_registration(s: Story) -> None:
    """Deposits paid in full, then registration; lists get their registration order (1, 2, 3 in
    the order registered). Delta's list is refused for the quota; the T1 self-nominee is refused
    for incomplete documents, with the article."""
    for (contest, party), list_id in s.lists.items():
        ref = CandidacyRef(CandidacyKind.LIST, list_id)
        by = commission_admin(s, contest)
        due = (15 if contest == "mazhilis_list" else 5) * 70_000 * 3
        paid = s.run(by, record_deposit, ref, due, at=REGISTERING)
        assert (paid.outstanding, paid.state) == (0, CandidacyState.DEPOSIT_PAID)
        decision = s.run(by, register, ref, at=REGISTERING)
        if party == "delta":
            assert decision.state is CandidacyState.REFUSED
            assert decision.reason is RefusalReason.NOMINATION_PROCEDURE_BROKEN
            assert decision.note.startswith("quota not met: 0 of 3 persons count")
        else:
            assert decision.state is CandidacyState.REGISTERED
            assert decision.registration_order == ("alpha", "beta", "gamma").index(party) + 1

    # The oblast's administrator cannot register a capital candidate.
    capital_ref = CandidacyRef(CandidacyKind.SMD, s.nominations["Қасымов Арман"])
    s.refused(admin(s, "oblast"), register, capital_ref, at=REGISTERING)

    for contest, name, *_ in sc.SMD_CANDIDATES:
        ref = CandidacyRef(CandidacyKind.SMD, s.nominations[name])
        by = commission_admin(s, contest)
        deposit = (15 if contest.startswith("M") else 5) * 70_000
        s.run(by, record_deposit, ref, deposit, at=REGISTERING)
        assert s.run(by, register, ref, at=REGISTERING).state is CandidacyState.REGISTERED

    name = sc.REFUSED_CANDIDATE[1]
    ref = CandidacyRef(CandidacyKind.SMD, s.nominations[name])
    not_ready = s.rejected(admin(s, "oblast"), register, ref, at=REGISTERING)
    assert not_ready.code == "not_ready" and "asset_declaration_certificate" in not_ready.message
    refused = s.run(
        admin(s, "oblast"), refuse, ref, RefusalReason.INCOMPLETE_DOCUMENTS, at=REGISTERING
    )
    assert refused.state is CandidacyState.REFUSED
    assert refused.article == "CL art. 104 para 6 subpara 3, para 6-1 subpara 3"
    assert refused.note == "missing: asset_declaration_certificate"


# --- 6. ballots ----------------------------------------------------------------------------------


def phase_6_ballots(s: Story) -> None:
    """One lot orders the parties on every list ballot (those with a registered list: delta's was
    refused); candidates stand in Kazakh alphabetical order; print runs are voters + 1% rounded
    up, per precinct, and never less than the district's own figure; then every ballot is
    frozen."""
    prepared = s.run(cec(s), prepare_ballots, s.election, BALLOT_SEED, at=BALLOTS)
    assert prepared.party_order is not None
    expected_order = lot_order(
        BALLOT_SEED, f"ballot-order:{s.election}", ["alpha", "beta", "gamma"]
    )
    assert list(prepared.party_order.parties) == expected_order
    names_kk = {code: name_kk for code, name_kk, _ in sc.PARTIES}
    by_contest = {b.contest_id: b for b in prepared.contests}
    list_of_party = {v: party for (_, party), v in s.lists.items()}
    nomination_name = {v: k for k, v in s.nominations.items()}
    for contest, contest_id in s.contests.items():
        ballot = by_contest[contest_id]
        assert ballot.status is BallotStatus.PREPARED
        if contest.endswith("_list"):
            assert [line.label for line in ballot.lines] == [names_kk[p] for p in expected_order]
            s.choices[contest] = {
                list_of_party[line.party_list_id or 0]: choice_id(s, contest_id, line.position)
                for line in ballot.lines
            }
        else:
            s.choices[contest] = {
                nomination_name[line.nomination_id or 0]: choice_id(s, contest_id, line.position)
                for line in ballot.lines
            }

    # Kazakh order: А Ә Б … Ғ … Ж … Ы І … (code points would put Б before Ә and І before Ж, Ғ).
    def labels(contest: str) -> list[str]:
        return [line.label for line in by_contest[s.contests[contest]].lines]

    assert labels("O1") == ["Әлиева Дана", "Бекова Сәуле"]
    assert labels("C2") == TIED_IN_C2
    assert labels("T1") == [
        "Бақытов Ерболат",
        "Кенжебаева Айнұр",
    ]  # the refused self-nominee is not on it
    assert labels("R2") == ["Дәулетов Руслан", "Серікова Мадина"]

    # Capital list: c1 2,050 → ⌈2,070.5⌉ = 2,071; c2 1,950 → ⌈1,969.5⌉ = 1,970; the district's
    # 4,000 → 4,040, fewer than the 4,041 delivered, so 4,041 are printed.
    capital = by_contest[s.contests["capital_list"]]
    assert capital.precinct_delivery == {s.precincts["c1"]: 2071, s.precincts["c2"]: 1970}
    assert capital.print_run == 4041
    # Mazhilis list: 1,010 + 1,010 + 2,020 + 2,020 + 2,071 + 1,970 = 10,101 > 10,000 × 1.01.
    assert by_contest[s.contests["mazhilis_list"]].print_run == 10101
    assert by_contest[s.contests["O1"]].print_run == 2020  # 1,000 + 1,000 voters, + 1%

    for contest_id in s.contests.values():
        assert s.run(cec(s), freeze_ballot, contest_id, at=BALLOTS).status is BallotStatus.FROZEN


def choice_id(s: Story, contest_id: int, position: int) -> int:
    return s.read(
        lambda session: session.scalars(
            select(BallotChoice.id).where(
                BallotChoice.contest_id == contest_id, BallotChoice.position == position
            )
        ).one()
    )


# --- 7. observers --------------------------------------------------------------------------------


def phase_7_observers(s: Story) -> None:
    """Accreditation within the 30-day review, valid one year; credentials; assignments; coverage
    per region and nationally as exact shares."""
    applied, granted, assigning = utc(2023, 2, 1), utc(2023, 2, 10), utc(2023, 3, 1)
    organisations = {
        "mission": (cec(s), "International test mission", ObserverKind.INTERNATIONAL, "cec", None),
        "ngo": (admin(s, "oblast"), "Таза сайлау", ObserverKind.NGO, "tec_oblast", None),
        "party": (
            admin(s, "capital"),
            "Alpha observers",
            ObserverKind.PARTY,
            "tec_capital",
            "alpha",
        ),
    }
    ids: dict[str, int] = {}
    for key, (by, name, kind, commission, party) in organisations.items():
        application = AccreditationApplication(
            name, kind, s.commissions[commission], s.parties[party] if party else None
        )
        organisation = s.run(by, apply_for_accreditation, application, at=applied)
        # Review due 30 days after 1 February: 3 March (February 2023 has 28 days).
        assert organisation.review_due == date(2023, 3, 3)
        ids[key] = organisation.id
    # The capital's TEC cannot decide on an organisation that applied to the oblast's.
    s.refused(admin(s, "capital"), accredit_organisation, ids["ngo"], at=granted)
    observers: dict[str, list[int]] = {}
    names = {"mission": ["M. Observer", "N. Observer"], "ngo": ["Айгерім Б.", "Ержан К."]}
    names["party"] = ["Нұрлан Т."]
    for key, (by, *_rest) in organisations.items():
        accredited = s.run(by, accredit_organisation, ids[key], at=granted)
        assert (accredited.accredited_on, accredited.valid_until) == (
            date(2023, 2, 10),
            date(2024, 2, 10),
        )
        issued = s.run(by, issue_credentials, ids[key], names[key], at=granted)
        observers[key] = [o.id for o in issued]

    plan = {
        ("mission", 0): ["c1", "o3"],
        ("ngo", 0): ["o1", "o2"],
        ("ngo", 1): ["o3"],
        ("party", 0): ["c1"],
    }
    for (key, index), precincts in plan.items():
        by = organisations[key][0]
        observer = observers[key][index]
        ids_ = [s.precincts[p] for p in precincts]
        assert len(s.run(by, assign_observer, observer, s.election, ids_, at=assigning)) == len(
            ids_
        )
    # An oblast-accredited observer cannot be sent to a capital precinct.
    outside = s.rejected(
        admin(s, "oblast"),
        assign_observer,
        observers["ngo"][0],
        s.election,
        [s.precincts["c2"]],
        at=assigning,
    )
    assert outside.code == "outside_accreditation"

    # Covered: o1, o2, o3 (3 of 4 in the oblast) and c1 (1 of 2 in the capital): 4 of 6 = 2/3.
    # Assignments: mission 2, NGO 3, party 1 = 6.
    report = s.read(lambda session: coverage_report(session, s.election))
    assert (report.total_precincts, report.covered, report.share) == (6, 4, Fraction(2, 3))
    assert report.categories == {"international": 2, "ngo": 3, "party": 1}
    regions = {r.code: (r.covered, r.precincts, r.share, r.categories) for r in report.regions}
    assert regions == {
        "KZ-35": (3, 4, Fraction(3, 4), {"international": 1, "ngo": 3}),
        "KZ-71": (1, 2, Fraction(1, 2), {"international": 1, "party": 1}),
    }


# --- 8. turnout ------------------------------------------------------------------------------------


def phase_8_turnout(s: Story) -> None:
    """Each PEC reports at 10:00, 16:00 and after the close; the shares are exact fractions."""
    early = s.rejected(
        typist(s, "o1", "a"),
        report_turnout,
        s.election,
        s.precincts["o1"],
        "final",
        400,
        at=TURNOUT_AT["16:00"],
    )
    assert early.code == "turnout_too_early"
    for mark, index in (("10:00", 0), ("16:00", 1), ("final", 2)):
        for precinct, figures_ in sc.TURNOUT.items():
            s.run(
                typist(s, precinct, "a"),
                report_turnout,
                s.election,
                s.precincts[precinct],
                mark,
                figures_[index],
                at=TURNOUT_AT[mark],
            )

    def summary(mark: str) -> tuple[int, int, Fraction]:
        line = s.read(lambda session: turnout_summary(session, s.election, mark)).national
        return (line.voted, line.voters, line.share)

    # 10:00: 150 + 180 + 300 + 250 + 200 + 400 = 1,480 of 10,000.
    assert summary("10:00") == (1480, 10000, Fraction(37, 250))
    # 16:00: 400 + 450 + 800 + 700 + 650 + 1,100 = 4,100.
    assert summary("16:00") == (4100, 10000, Fraction(41, 100))
    # Final: oblast 600 + 700 + 1,200 + 1,000 = 3,500 of 6,000 = 7/12; capital 1,000 + 1,560 =
    # 2,560 of 4,000 = 16/25; the country 6,060 of 10,000.
    final = s.read(lambda session: turnout_summary(session, s.election, "final"))
    assert final.national.share == Fraction(6060, 10000)
    assert {line.name: line.share for line in final.regions} == {
        "Testoblast": Fraction(7, 12),
        "Testcapital": Fraction(16, 25),
    }


# --- 9. protocols --------------------------------------------------------------------------------


def phase_9_protocols(s: Story) -> None:
    """Two typists of each PEC enter every protocol of their precinct (a batch each); identical
    entries become definitive. The second typist at c1 mistypes alpha's capital-list votes: the
    coordinator keeps the first entry. Typists act only at their own precinct, never twice on one
    protocol, and cannot resolve."""
    o1_a = typist(s, "o1", "a")
    s.refused(
        o1_a,
        enter_protocol,
        s.contests["oblast_list"],
        s.precincts["o2"],
        protocol_of(s, "oblast_list", "o2"),
        at=COUNTING,
    )

    def batch(precinct: str, **typo: int) -> list[Submission]:
        return [
            Submission(
                s.contests[contest],
                s.precincts[precinct],
                protocol_of(s, contest, precinct, **(typo if contest == "capital_list" else {})),
            )
            for contest in contests_at(precinct)
        ]

    for precinct in sc.PRECINCTS:
        first = s.run(typist(s, precinct, "a"), enter_protocols, batch(precinct), at=COUNTING)
        assert {st.state for st in first} == {ProtocolState.FIRST_ENTRY}
        assert len(first) == (5 if precinct.startswith("o") else 4)
        if precinct == "o1":
            # The first typist cannot confirm their own entry as the second one (four eyes) …
            s.refused(
                o1_a,
                enter_protocol,
                s.contests["mazhilis_list"],
                s.precincts["o1"],
                protocol_of(s, "mazhilis_list", "o1"),
                at=COUNTING,
            )
            # … nor resolve a protocol (the coordinator's task).
            s.refused(o1_a, resolve_protocol, protocol_id(s, "mazhilis_list", "o1"), 1, at=COUNTING)

    contest, precinct, party, mistyped = sc.DIFFERING_PROTOCOL
    for precinct_ in sc.PRECINCTS:
        typo = {party: mistyped} if precinct_ == precinct else {}
        second = s.run(
            typist(s, precinct_, "b"), enter_protocols, batch(precinct_, **typo), at=COUNTING
        )
        for status in second:
            if precinct_ == precinct and status.contest_id == s.contests[contest]:
                assert status.state is ProtocolState.ENTRIES_DIFFER
                assert status.differing_fields == (f"votes[{s.choices[contest][party]}]",)
            else:
                assert status.state is ProtocolState.DEFINITIVE, (precinct_, status)

    progress = s.read(lambda session: contest_progress(session, s.election))
    assert progress[s.contests[contest]] == (1, 2)  # c2 definitive, c1 waiting
    coordinator = s.actor("capital_coordinator", Role.TEC_COORDINATOR, "tec_capital")
    kept = s.run(coordinator, resolve_protocol, protocol_id(s, contest, precinct), 1, at=COUNTING)
    assert kept.state is ProtocolState.DEFINITIVE
    progress = s.read(lambda session: contest_progress(session, s.election))
    # Every contest is complete: the Mazhilis list 6 of 6, the oblast list 4 of 4, M1 4 of 4 …
    expected = {
        s.contests[c]: (len(by_precinct), len(by_precinct)) for c, by_precinct in sc.VOTES.items()
    }
    assert progress == expected


# --- 10. tabulation -------------------------------------------------------------------------------


def phase_10_tabulation(s: Story) -> None:
    """Each TEC tabulates its territory, the CEC the Mazhilis. Expected seats, by hand:

    Mazhilis list, 69 seats. Valid = 6,060 − 60 invalid = 6,000; threshold 5% = 300. Alpha 3,400,
    beta 2,000, gamma 300 (exactly 5%: "5% and more" passes), against all 300. Hare quota =
    5,700 / 69. Quotients: alpha 3,400 × 69 / 5,700 = 41.158, beta 24.211, gamma 3.632 → whole
    seats 41 + 24 + 3 = 68; the last seat to the largest remainder, gamma (0.632) → 41/24/4.

    Oblast list, 3 seats. Valid 3,460 (alpha 2,200, beta 950, gamma 150, against 160); gamma has
    150 / 3,460 = 4.3% < 5% and is out. Quota = 3,150 / 3 = 1,050: alpha 2.095 → 2, beta 0.905
    → 0; the third seat to the larger remainder, beta (0.905 > 0.095) → 2/1/0.

    Capital list, 2 seats. Valid 2,540 (alpha 1,100, beta 900, gamma 400, against 140); all pass.
    Quota = 2,400 / 2 = 1,200: 0.917, 0.750, 0.333 — no whole seat; remainders give one seat
    each to alpha and beta → 1/1/0.

    Districts (plurality; "against all" never wins): O1 Әлиева 650 : 550; O2 Нұрланов 600 : 500;
    O3 Оспанов 600 : 320; C1 Қасымов 520 : 400; R1 Мұратов 300 : 250; R2 Серікова 330 : 320;
    T1 Бақытов 700 : 400; T2 Исаева 470 : 450; M1 Төлеуов 1,770 : 1,480; M2 Уәлиева 1,210 :
    1,200. C2: three candidates with 500 each tie for first place → a lot draws the two runoff
    candidates (CL art. 109-1 para 1; decision #6)."""
    oblast = s.run(admin(s, "oblast"), tabulate_election, s.election, at=TABULATING)
    assert {t.contest_id: (t.final, t.status) for t in oblast} == {
        s.contests[c]: (True, "allocated" if c.endswith("_list") else "elected")
        for c in ("oblast_list", "O1", "O2", "O3", "R1", "R2", "T1", "T2")
    }
    s.refused(admin(s, "oblast"), tabulate_contest, s.contests["C1"], at=TABULATING)
    capital = s.run(admin(s, "capital"), tabulate_election, s.election, at=TABULATING)
    assert {t.contest_id: t.status for t in capital} == {
        s.contests["capital_list"]: "allocated",
        s.contests["C1"]: "elected",
        s.contests["C2"]: "lot_required",
    }
    for contest in ("mazhilis_list", "M1", "M2"):
        tally = s.run(cec(s), tabulate_contest, s.contests[contest], at=TABULATING)
        assert (tally.final, tally.progress) == (
            True,
            f"{len(sc.VOTES[contest])} of {len(sc.VOTES[contest])} precincts definitive",
        )

    by_hand = {  # contest: (seats, seats won by party)
        "mazhilis_list": (69, {"alpha": 41, "beta": 24, "gamma": 4}),
        "oblast_list": (3, {"alpha": 2, "beta": 1, "gamma": 0}),
        "capital_list": (2, {"alpha": 1, "beta": 1, "gamma": 0}),
    }
    for contest, (seats, expected) in by_hand.items():
        totals = summed(contest)
        against = totals.pop(sc.AGAINST)
        assert hare_largest_remainders(totals, against, seats, Fraction(5, 100)) == expected
        outcome = result_of(s, s.contests[contest])
        assert seats_of(outcome) == expected, contest
        # The votes are the scenario's (at c1 the coordinator kept the correct entry: 430).
        assert {line["party"]: line["votes"] for line in outcome["lists"]} == totals
    winners = {
        "O1": "Әлиева Дана",
        "O2": "Нұрланов Талғат",
        "O3": "Оспанов Бауыржан",
        "C1": "Қасымов Арман",
        "R1": "Мұратов Асқар",
        "R2": "Серікова Мадина",
        "T1": "Бақытов Ерболат",
        "T2": "Исаева Жанар",
        "M1": "Төлеуов Қайрат",
        "M2": "Уәлиева Арай",
    }
    for contest, winner in winners.items():
        outcome = result_of(s, s.contests[contest])
        assert (outcome["status"], outcome["winner"]["name"]) == ("elected", winner), contest

    # Totals of the Mazhilis list: 10,000 voters, 6,060 ballots, 6,000 valid, 300 against all.
    [national] = [
        line
        for line in s.read(lambda session: election_totals(session, s.election))
        if line.scope == "national" and line.kind is ContestKind.MAZHILIS_LIST
    ]
    assert (national.protocols, national.voters_on_list, national.ballots_in_boxes) == (
        6,
        10000,
        6060,
    )
    assert (national.valid, national.against_all, national.invalid) == (6000, 300, 60)

    # The lot: the capital TEC publishes its seed; the draw over the three tied names (as printed)
    # is re-run here from the published method; the first two drawn go to the runoff.
    drawn = lot_order(RUNOFF_SEED, "smd-runoff-places", TIED_IN_C2)
    tally = s.run(admin(s, "capital"), record_lot, s.contests["C2"], RUNOFF_SEED, at=TABULATING)
    assert (tally.final, tally.status) == (True, "runoff") and tally.follow_up_contest_id
    outcome = result_of(s, s.contests["C2"])
    assert [line["name"] for line in outcome["runoff"]] == drawn[:2]
    [lot] = s.read(
        lambda session: list(
            session.scalars(
                select(LotRecord).where(LotRecord.purpose.like(f"contest {s.contests['C2']}:%"))
            )
        )
    )
    assert (lot.seed, list(lot.order)) == (RUNOFF_SEED, drawn)

    # The runoff: a new election record (purpose runoff) on the last Sunday within a month of
    # 19 March: 19 April 2023 is a Wednesday → Sunday 16 April (CL art. 109-1).
    s.contests["C2 runoff"] = tally.follow_up_contest_id

    def runoff(session: Session) -> tuple[str, date, int | None]:
        contest = session.get(Contest, tally.follow_up_contest_id)
        assert contest is not None and contest.follows_contest_id == s.contests["C2"]
        election = session.get(Election, contest.election_id)
        assert election is not None
        return (election.purpose, election.polling_day, election.parent_id)

    assert s.read(runoff) == ("runoff", date(2023, 4, 16), s.election)
    runoff_ballot = s.run(cec(s), ballot_of, tally.follow_up_contest_id, at=TABULATING)
    assert [line.label for line in runoff_ballot.lines] == runoff_pair_in_kazakh_order()

    # Deposits of the oblast list contest: a list's deposit is refunded at ≥ 5% of the valid votes
    # (CL art. 104 para 1 part 6), otherwise forfeited: alpha 2,200 and beta 950 of 3,460 are
    # refunded, gamma's 150 / 3,460 = 4.3% is forfeited; 3 persons × 350,000 tenge each.
    outcomes = [
        DepositOutcome(CandidacyRef(CandidacyKind.LIST, s.lists[("oblast_list", party)]), votes)
        for party, votes in (("alpha", 2200), ("beta", 950), ("gamma", 150))
    ]
    settled = s.run(
        admin(s, "oblast"),
        settle_deposits,
        s.contests["oblast_list"],
        3460,
        outcomes,
        at=TABULATING,
    )
    assert [(x.kind, x.amount) for x in settled] == [
        (DepositKind.REFUNDED, 1_050_000),
        (DepositKind.REFUNDED, 1_050_000),
        (DepositKind.FORFEITED, 1_050_000),
    ]


# --- 11. results, mandates, deputies ---------------------------------------------------------------


def phase_11_results_mandates_deputies(s: Story) -> None:
    """Publication creates the mandates won: oblast 3 list + 7 districts (O1–O3, R1, R2, T1, T2);
    capital 2 list + C1 (C2 waits for its runoff); the Mazhilis 69 list + 2 districts = 84.
    Parties give their list seats to listed persons; every holder is registered as a deputy."""
    published = {
        region: s.approved(by, publish_results, s.election, at=PUBLISHING)
        for region, by in (
            ("oblast", admin(s, "oblast")),
            ("capital", admin(s, "capital")),
            ("cec", cec(s)),
        )
    }
    assert {k: p.mandates for k, p in published.items()} == {"oblast": 10, "capital": 3, "cec": 71}
    assert not any(p.late for p in published.values())
    assert published["cec"].election_status.value == "results_published"

    assignments = {
        ("oblast_list", "alpha"): ["Айтбаева Гүлмира", "Балтабаев Нұржан"],
        ("oblast_list", "beta"): ["Есенова Самал"],
        ("capital_list", "alpha"): ["Сәрсенова Әсел"],
        ("capital_list", "beta"): ["Фазылова Камила"],
        # 3 of alpha's 41 Mazhilis seats: its list has 3 persons (the rest stay unassigned).
        ("mazhilis_list", "alpha"): ["Ахметова Алия", "Бекенов Асқар", "Жұмабаев Ержан"],
    }
    for (contest, party), names in assignments.items():
        given = s.run(
            agent(s, party),
            assign_list_mandates,
            s.contests[contest],
            s.parties[party],
            [s.persons[n] for n in names],
            at=ASSIGNING,
        )
        assert [m.state for m in given] == [MandateState.ASSIGNED] * len(names)

    deputies = 0
    for contest, contest_id in s.contests.items():
        if contest == "C2 runoff":
            continue
        for mandate in mandates(s, contest_id):
            if mandate.person_id is None:
                continue
            deputies += 1
            registered = s.run(
                commission_admin(s, contest),
                register_deputy,
                mandate.id,
                date(2023, 3, 28),
                TERM_START,
                at=DEPUTIES,
            )
            assert registered.state is MandateState.REGISTERED
    # Oblast 3 + 7, capital 2 + 1, Mazhilis 3 of the list + 2 districts.
    assert deputies == 18
    # Competence: at least 3/4 of the seats, ⌈3/4 × seats⌉: oblast ⌈4.5⌉ = 5 of 6, capital 3 of
    # 4 (C2 still open, 3 registered: competent), Raion and Town ⌈1.5⌉ = 2 of 2.
    assert competence_of(s, "oblast") == (6, 6, 5, True)
    assert competence_of(s, "capital") == (4, 3, 3, True)
    assert competence_of(s, "raion") == (2, 2, 2, True)
    assert competence_of(s, "town") == (2, 2, 2, True)


# --- 12. the runoff ------------------------------------------------------------------------------


def phase_12_runoff(s: Story) -> None:
    """The runoff's ballot is laid out once its registration stage has passed (E−25 of 16 April:
    22 March) and frozen: c2's 1,950 voters + 1% = ⌈1,969.5⌉ = 1,970 ballots. 16 April: c2's
    typists enter the runoff protocol; the candidate first in Kazakh order gets 800 votes, the
    other 600 (+ 50 against all, 10 invalid = 1,460 of 1,950); plurality elects the first; the
    capital maslikhat is then complete."""
    contest_id = s.contests["C2 runoff"]
    capital = admin(s, "capital")
    laid_out = s.run(capital, prepare_contest_ballot, contest_id, at=utc(2023, 4, 1))
    pair = [line.label for line in laid_out.lines]
    assert pair == runoff_pair_in_kazakh_order()
    assert (laid_out.print_run, laid_out.precinct_delivery) == (1970, {s.precincts["c2"]: 1970})
    assert (
        s.run(capital, freeze_ballot, contest_id, at=utc(2023, 4, 1)).status is BallotStatus.FROZEN
    )
    s.choices["C2 runoff"] = {
        line.label: choice_id(s, contest_id, line.position) for line in laid_out.lines
    }
    first, second = pair
    votes = {s.choices["C2 runoff"][first]: 800, s.choices["C2 runoff"][second]: 600}
    data = figures(1950, 1970, votes, 50, 10)
    count = utc(2023, 4, 16, 16, 30)
    for which in ("a", "b"):
        s.run(typist(s, "c2", which), enter_protocol, contest_id, s.precincts["c2"], data, at=count)
    runoff_election = s.read(
        lambda session: session.scalars(
            select(Contest.election_id).where(Contest.id == contest_id)
        ).one()
    )
    [tally] = s.run(admin(s, "capital"), tabulate_election, runoff_election, at=utc(2023, 4, 17))
    assert (tally.final, tally.status) == (True, "elected")
    assert result_of(s, contest_id)["winner"]["name"] == first
    assert (
        s.approved(
            admin(s, "capital"), publish_results, runoff_election, at=utc(2023, 4, 18)
        ).mandates
        == 1
    )
    [won] = mandates(s, contest_id)
    assert won.person_id == s.persons[first]
    s.run(
        admin(s, "capital"),
        register_deputy,
        won.id,
        date(2023, 4, 19),
        date(2023, 4, 20),
        at=utc(2023, 4, 20),
    )
    assert competence_of(s, "capital") == (4, 4, 3, True)


# --- 13. vacancies ---------------------------------------------------------------------------------


def phase_13_vacancies(s: Story) -> int:
    """1 June 2023. A list deputy of alpha resigns: the party chooses the next person remaining on
    its list. The Raion district-1 deputy leaves: a by-election on the next last Sunday of March
    or October after the vacancy — 31 October 2023 is a Tuesday, so Sunday 29 October (CL
    art. 101 para 3-1); the term (29 March 2023 – 2028) is far from its final year. Returns the
    by-election contest."""
    at = noon(VACANCY_DAY)
    leaving = held_by(s, s.contests["oblast_list"], "Балтабаев Нұржан")
    vacancy = s.run(
        admin(s, "oblast"),
        terminate_mandate,
        leaving.id,
        VACANCY_DAY,
        "resigned on his own application",
        at=at,
    )
    assert vacancy.outcome is VacancyOutcome.AWAITING_PARTY_DECISION
    assert competence_of(s, "oblast") == (6, 5, 5, True)
    filled = s.run(
        agent(s, "alpha"), choose_list_successor, vacancy.id, s.persons["Дүйсенов Ғабит"], at=at
    )
    assert filled.outcome is VacancyOutcome.FILLED_FROM_LIST and filled.successor_mandate_id
    successor = s.read(lambda session: session.get(Mandate, filled.successor_mandate_id))
    assert successor is not None and successor.person_id == s.persons["Дүйсенов Ғабит"]
    assert successor.state is MandateState.ASSIGNED
    s.run(
        admin(s, "oblast"),
        register_deputy,
        successor.id,
        VACANCY_DAY,
        date(2023, 6, 5),
        at=utc(2023, 6, 5),
    )
    assert competence_of(s, "oblast") == (6, 6, 5, True)

    district_deputy = held_by(s, s.contests["R1"], "Мұратов Асқар")
    vacancy = s.run(
        admin(s, "oblast"),
        terminate_mandate,
        district_deputy.id,
        VACANCY_DAY,
        "appointed akim of the Raion: incompatible office",
        at=at,
    )
    assert (vacancy.outcome, vacancy.by_election_day) == (
        VacancyOutcome.BY_ELECTION,
        date(2023, 10, 29),
    )
    # The Raion maslikhat has 1 of 2 deputies: fewer than ⌈1.5⌉ = 2, not competent.
    assert competence_of(s, "raion") == (2, 1, 2, False)
    assert vacancy.by_election_contest_id is not None
    return vacancy.by_election_contest_id


# --- 14. the by-election --------------------------------------------------------------------------


def phase_14_by_election(s: Story, people: People, contest_id: int) -> None:
    """29 October 2023 (called 1 June): nomination E−60 … E−30 = 30 August … 29 September 18:00,
    registration until 4 October 18:00, results by 5 November. Precinct o1 only: 400 of 1,000
    vote; Аманов 230, Ысқақова 150, against all 15, invalid 5."""

    def follow_up(session: Session) -> tuple[int, str, date, int | None, int | None, list[int]]:
        contest = session.get(Contest, contest_id)
        assert contest is not None and contest.district_id is not None
        election = session.get(Election, contest.election_id)
        district = session.get(District, contest.district_id)
        assert election is not None and district is not None
        return (
            election.id,
            election.purpose,
            election.polling_day,
            election.parent_id,
            contest.follows_contest_id,
            [link.precinct_id for link in district.precincts],
        )

    election, purpose, day, parent, follows, precincts = s.read(follow_up)
    assert (purpose, day, parent, follows) == (
        "by_election",
        date(2023, 10, 29),
        s.election,
        s.contests["R1"],
    )
    assert precincts == [s.precincts["o1"]]
    oblast = admin(s, "oblast")
    for party in ("alpha", "beta"):
        s.run(cec(s), admit_party, election, s.parties[party], at=utc(2023, 8, 31))

    nominations: dict[str, int] = {}
    persons: dict[str, int] = {}
    for name, sex, birth, party in sc.BY_ELECTION_CANDIDATES:
        person = people.person(name, sex, birth, party_id=s.parties[party])
        data = SmdNominationInput(
            contest_id=contest_id,
            nominator=Nominator.POLITICAL_PARTY,
            person=person,
            party_id=s.parties[party],
            documents=sc.SMD_DOCUMENTS,
        )
        if party == "alpha":  # before 30 August the window is not open yet
            early = s.rejected(oblast, submit_nomination, data, at=utc(2023, 8, 1))
            assert early.code == "not_yet_open"
        submitted = s.run(oblast, submit_nomination, data, at=utc(2023, 9, 1))
        nominations[name], persons[name] = submitted.nomination_id, submitted.person_id
    for nomination_id in nominations.values():
        ref = CandidacyRef(CandidacyKind.SMD, nomination_id)
        s.run(oblast, record_deposit, ref, 350_000, at=utc(2023, 10, 2))
        assert s.run(oblast, register, ref, at=utc(2023, 10, 2)).state is CandidacyState.REGISTERED
    ballot = s.run(oblast, prepare_contest_ballot, contest_id, at=utc(2023, 10, 5))
    assert [line.label for line in ballot.lines] == ["Аманов Қанат", "Ысқақова Гаухар"]
    assert (
        s.run(oblast, freeze_ballot, contest_id, at=utc(2023, 10, 5)).status is BallotStatus.FROZEN
    )
    s.run(
        typist(s, "o1", "a"),
        report_turnout,
        election,
        s.precincts["o1"],
        "final",
        400,
        at=utc(2023, 10, 29, 15),
    )

    by_label = {line.label: choice_id(s, contest_id, line.position) for line in ballot.lines}
    counted = figures(
        1000, 1010, {by_label["Аманов Қанат"]: 230, by_label["Ысқақова Гаухар"]: 150}, 15, 5
    )
    for which in ("a", "b"):
        s.run(
            typist(s, "o1", which),
            enter_protocol,
            contest_id,
            s.precincts["o1"],
            counted,
            at=utc(2023, 10, 29, 16, 30),
        )
    [tally] = s.run(oblast, tabulate_election, election, at=utc(2023, 10, 30))
    assert (tally.final, tally.status) == (True, "elected")
    assert result_of(s, contest_id)["winner"]["name"] == "Аманов Қанат"
    assert s.approved(oblast, publish_results, election, at=utc(2023, 10, 31)).mandates == 1
    [won] = mandates(s, contest_id)
    assert won.person_id == persons["Аманов Қанат"]
    s.run(
        oblast, register_deputy, won.id, date(2023, 10, 31), date(2023, 11, 1), at=utc(2023, 11, 1)
    )
    assert competence_of(s, "raion") == (2, 2, 2, True)


# --- 15. recall -----------------------------------------------------------------------------------


def phase_15_recall(s: Story) -> None:
    """The voters of oblast district 3 (precinct o4, 2,000 voters) recall Оспанов, who started on
    29 March 2023: a recall may be initiated from 29 March 2024 (not in the first year).
    Applied 1 April → registered 4 April (within 3 days) → lists 4 May (30 days of collection)
    → verified 14 May: 201 signatures, more than 10% of 2,000 = 200 → vote decided 15 May for
    14 July (within 2 months) → deputy notified 20 May → result 17 July: 800 took part (≥ ⌈2,000
    / 3⌉ = 667), 450 for (> 400, half of 800): recalled. The seat is vacant on 17 July 2024 and
    the next last Sunday of March/October is 27 October 2024 (31 October 2024 is a Thursday)."""
    deputy = held_by(s, s.contests["O3"], "Оспанов Бауыржан")
    assert (deputy.source, deputy.state) == (MandateSource.SINGLE_MEMBER, MandateState.REGISTERED)
    oblast = admin(s, "oblast")
    s.refused(
        admin(s, "capital"),
        apply_for_recall,
        deputy.id,
        "voters of district 3",
        at=noon(date(2024, 4, 1)),
    )
    case = s.run(
        oblast,
        apply_for_recall,
        deputy.id,
        "initiative group of district 3",
        at=noon(date(2024, 4, 1)),
    )
    assert case.state is RecallState.APPLIED
    steps: Sequence[tuple[date, Any, tuple[Any, ...]]] = (
        (date(2024, 4, 4), register_recall, ()),
        (date(2024, 5, 4), submit_signature_lists, ()),
        (date(2024, 5, 14), verify_signatures, (201,)),
        (date(2024, 5, 15), call_recall_vote, (date(2024, 7, 14),)),
        (date(2024, 5, 20), notify_deputy, ()),
        (date(2024, 7, 17), record_recall_result, (800, 450)),
    )
    for day, step, args in steps:
        case = s.run(oblast, step, case.id, *args, at=noon(day))
        if step is verify_signatures:
            assert case.timeline["petition"]["signatures_needed"] == 201
            assert case.timeline["petition"]["sufficient"] is True
    assert case.state is RecallState.RECALLED
    assert (case.timeline["vote"]["turnout_needed"], case.timeline["vote"]["recalled"]) == (
        667,
        True,
    )

    def after(
        session: Session,
    ) -> tuple[MandateState, date | None, VacancyOutcome, date | None, str, date, int | None]:
        mandate = session.get(Mandate, deputy.id)
        vacancy = session.scalars(select(Vacancy).where(Vacancy.mandate_id == deputy.id)).one()
        new = session.get(Election, case.follow_up_election_id)
        contest = session.get(Contest, vacancy.by_election_contest_id)
        assert mandate is not None and new is not None and contest is not None
        return (
            mandate.state,
            mandate.terminated_on,
            vacancy.outcome,
            vacancy.by_election_day,
            new.purpose,
            new.polling_day,
            contest.follows_contest_id,
        )

    assert s.read(after) == (
        MandateState.TERMINATED,
        date(2024, 7, 17),
        VacancyOutcome.BY_ELECTION,
        date(2024, 10, 27),
        "by_election",
        date(2024, 10, 27),
        s.contests["O3"],
    )
    # 5 of 6 oblast deputies remain: still ⌈4.5⌉ = 5, competent.
    assert competence_of(s, "oblast") == (6, 5, 5, True)


# --- 16. refusals and the audit chain ---------------------------------------------------------------


def phase_16_refusals_and_audit(s: Story, engine: Engine) -> None:
    """Every refused action is in the audit log (outcome ``refused``, the refusal's code), in the
    order the story provoked them; ``saylau audit verify`` passes, then fails naming the event
    whose row was edited directly in SQL (here: who resolved the differing protocol)."""
    refused = s.read(
        lambda session: [
            (e.username, e.action, e.entity_id)
            for e in session.scalars(
                select(AuditEvent).where(AuditEvent.outcome == "refused").order_by(AuditEvent.id)
            )
        ]
    )
    assert refused == s.refusals
    assert s.refusals == [
        ("oblast_admin", "assign_role", "outside_territory"),
        ("oblast_admin", "publish_districts", "outside_territory"),
        ("oblast_admin", "register", "outside_territory"),
        ("capital_admin", "accredit_organisation", "outside_territory"),
        ("typist_o1_a", "enter_protocol", "outside_territory"),
        ("typist_o1_a", "enter_protocol", "same_typist"),
        ("typist_o1_a", "resolve_protocol", "role_forbids"),
        ("oblast_admin", "tabulate_contest", "outside_territory"),
        ("capital_admin", "apply_for_recall", "outside_territory"),
    ]

    url = engine.url.render_as_string(hide_password=False)
    runner = CliRunner()
    events = s.events()
    result = runner.invoke(app, ["audit", "verify"], env={"SAYLAU_DATABASE_URL": url})
    assert (result.exit_code, result.stdout.strip()) == (0, f"intact: {events} events"), (
        result.stderr
    )

    forged = s.read(
        lambda session: session.scalars(
            select(AuditEvent.id).where(
                AuditEvent.action == "resolve_protocol", AuditEvent.outcome == "done"
            )
        ).one()
    )
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE audit_event SET username = 'typist_c1_b' WHERE id = :id"), {"id": forged}
        )
    result = runner.invoke(app, ["audit", "verify"], env={"SAYLAU_DATABASE_URL": url})
    assert result.exit_code == 1
    assert f"broken: event {forged}: content does not match its hash" in result.stderr
    report = s.read(verify_chain)
    assert (report.intact, report.first_broken_id) == (False, forged)
