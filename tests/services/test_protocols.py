"""Double entry of precinct protocols (issue #3 §2.5; CL art. 43; decision #19), on both databases."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from saylau.domain.roles import Role
from saylau.domain.states import ProtocolState
from saylau.services.errors import Conflict, InvalidInput, PermissionDenied
from saylau.services.protocols import (
    ProtocolData,
    Submission,
    check_entry,
    correct_definitive,
    enter_protocol,
    enter_protocols,
    resolve_protocol,
    votes_of,
)
from saylau.storage.models import AuditEvent, Protocol, ProtocolEntry, ProtocolVote
from tests.security.dual import run_approved
from tests.services.count_world import (
    ELECTION_NIGHT,
    CountWorld,
    actor,
    double_entry,
    figures,
    run,
    setup,
    typist,
)

Factory = sessionmaker[Session]


@pytest.fixture
def cw(factory: Factory) -> CountWorld:
    return setup(factory)


def o1(cw: CountWorld, a: int, b: int, c: int, **kw: Any) -> ProtocolData:
    """Figures for oblast district 1 (precincts p1, p2) with votes for its three candidates."""
    ids = cw.choices["oblast_o1"]
    return figures({ids["Абаев"]: a, ids["Бекова"]: b, ids["Жұмабаев"]: c}, **kw)


def protocol_row(factory: Factory, cw: CountWorld, contest: str, precinct: str) -> Protocol | None:
    with factory() as session:
        return session.execute(
            select(Protocol).where(
                Protocol.contest_id == cw.contest(contest),
                Protocol.precinct_id == cw.precinct(precinct),
            )
        ).scalar_one_or_none()


def count(factory: Factory, model: Any, *where: Any) -> int:
    with factory() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def refusals(factory: Factory) -> list[AuditEvent]:
    with factory() as session:
        return list(
            session.scalars(select(AuditEvent).where(AuditEvent.outcome == "refused")).all()
        )


def coordinator(factory: Factory, cw: CountWorld) -> Any:
    return actor(
        factory, "oblast_coordinator", Role.TEC_COORDINATOR, cw.world.commissions["tec_oblast"]
    )


def test_two_identical_clean_entries_make_the_protocol_definitive(
    factory: Factory, cw: CountWorld
) -> None:
    data = o1(cw, 300, 200, 100, against_all=50, invalid=10)
    contest, precinct = cw.contest("oblast_o1"), cw.precinct("p1")
    first = run(factory, typist(factory, cw, "p1", "a"), enter_protocol, contest, precinct, data)
    assert (first.state, first.entry_no, first.violations) == (ProtocolState.FIRST_ENTRY, 1, ())
    second = run(factory, typist(factory, cw, "p1", "b"), enter_protocol, contest, precinct, data)
    assert second.state is ProtocolState.DEFINITIVE
    row = protocol_row(factory, cw, "oblast_o1", "p1")
    assert row is not None
    assert (row.ballots_in_boxes, row.against_all, row.invalid, row.version) == (660, 50, 10, 0)
    with factory() as session:
        votes = votes_of(session, row.id)
    assert votes == dict(data.votes)


def test_typist_of_another_precinct_is_refused_and_logged(factory: Factory, cw: CountWorld) -> None:
    data = o1(cw, 10, 20, 30)
    with pytest.raises(PermissionDenied) as refused:
        run(
            factory,
            typist(factory, cw, "p2", "a"),
            enter_protocol,
            cw.contest("oblast_o1"),
            cw.precinct("p1"),
            data,
        )
    assert refused.value.code == "outside_territory"
    logged = refusals(factory)
    assert [(e.username, e.action) for e in logged] == [("typist_p2_a", "enter_protocol")]
    assert count(factory, Protocol) == 0


def test_capital_coordinator_cannot_enter_an_oblast_protocol(
    factory: Factory, cw: CountWorld
) -> None:
    capital = actor(
        factory, "capital_coordinator", Role.TEC_COORDINATOR, cw.world.commissions["tec_capital"]
    )
    with pytest.raises(PermissionDenied):
        run(
            factory,
            capital,
            enter_protocol,
            cw.contest("oblast_o1"),
            cw.precinct("p1"),
            o1(cw, 1, 2, 3),
        )
    # … while the oblast's coordinator may enter within the oblast (CL art. 43 via the TEC)
    status = run(
        factory,
        coordinator(factory, cw),
        enter_protocol,
        cw.contest("oblast_o1"),
        cw.precinct("p1"),
        o1(cw, 1, 2, 3),
    )
    assert status.state is ProtocolState.FIRST_ENTRY


def test_same_typist_cannot_make_the_second_entry(factory: Factory, cw: CountWorld) -> None:
    data = o1(cw, 10, 20, 30)
    a = typist(factory, cw, "p1", "a")
    contest, precinct = cw.contest("oblast_o1"), cw.precinct("p1")
    run(factory, a, enter_protocol, contest, precinct, data)
    with pytest.raises(PermissionDenied) as refused:
        run(factory, a, enter_protocol, contest, precinct, data)
    assert refused.value.code == "same_typist"
    assert [e.entity_id for e in refusals(factory)] == ["same_typist"]
    row = protocol_row(factory, cw, "oblast_o1", "p1")
    assert row is not None and row.state is ProtocolState.FIRST_ENTRY
    assert count(factory, ProtocolEntry) == 1


def test_entries_differ_then_the_coordinator_keeps_one(factory: Factory, cw: CountWorld) -> None:
    contest, precinct = cw.contest("oblast_o1"), cw.precinct("p1")
    run(
        factory,
        typist(factory, cw, "p1", "a"),
        enter_protocol,
        contest,
        precinct,
        o1(cw, 300, 200, 100),
    )
    right = o1(cw, 300, 210, 90)
    status = run(factory, typist(factory, cw, "p1", "b"), enter_protocol, contest, precinct, right)
    ids = cw.choices["oblast_o1"]
    assert status.state is ProtocolState.ENTRIES_DIFFER
    assert status.differing_fields == (f"votes[{ids['Бекова']}]", f"votes[{ids['Жұмабаев']}]")
    # a typist may not resolve
    with pytest.raises(PermissionDenied):
        run(factory, typist(factory, cw, "p1", "a"), resolve_protocol, status.protocol_id, 2)
    resolved = run(factory, coordinator(factory, cw), resolve_protocol, status.protocol_id, 2)
    assert resolved.state is ProtocolState.DEFINITIVE
    with factory() as session:
        votes = votes_of(session, status.protocol_id)
        states = [
            (e.before or {}).get("state", "") + "→" + (e.after or {}).get("state", "")
            for e in session.scalars(
                select(AuditEvent).where(AuditEvent.outcome == "done").order_by(AuditEvent.id)
            )
        ]
    assert votes == dict(right.votes)
    assert states == [
        "empty→first_entry",
        "first_entry→entries_differ",
        "entries_differ→definitive",
    ]


def test_discarding_differing_entries_allows_a_fresh_double_entry(
    factory: Factory, cw: CountWorld
) -> None:
    contest, precinct = cw.contest("oblast_o1"), cw.precinct("p1")
    run(factory, typist(factory, cw, "p1", "a"), enter_protocol, contest, precinct, o1(cw, 1, 2, 3))
    status = run(
        factory, typist(factory, cw, "p1", "b"), enter_protocol, contest, precinct, o1(cw, 1, 2, 4)
    )
    discarded = run(factory, coordinator(factory, cw), resolve_protocol, status.protocol_id, None)
    assert discarded.state is ProtocolState.EMPTY
    assert count(factory, ProtocolEntry) == 0
    again = double_entry(factory, cw, "oblast_o1", "p1", o1(cw, 1, 2, 4))
    assert again.state is ProtocolState.DEFINITIVE


def test_a_control_relation_error_blocks_until_discarded(factory: Factory, cw: CountWorld) -> None:
    # 10 ballots received, 5 issued, 3 cancelled: received ≠ issued + cancelled (art. 43 para 4)
    bad = o1(cw, 2, 2, 1, ballots_received=10, cancelled=3)
    contest, precinct = cw.contest("oblast_o1"), cw.precinct("p1")
    first = run(factory, typist(factory, cw, "p1", "a"), enter_protocol, contest, precinct, bad)
    assert first.errors == ("received_equals_issued_plus_cancelled",)  # reported live
    second = run(factory, typist(factory, cw, "p1", "b"), enter_protocol, contest, precinct, bad)
    assert second.state is ProtocolState.SECOND_ENTRY
    assert second.errors == ("received_equals_issued_plus_cancelled",)
    with pytest.raises(Conflict) as blocked:
        run(factory, coordinator(factory, cw), resolve_protocol, second.protocol_id, 1)
    assert blocked.value.code == "control_relation_errors"
    row = protocol_row(factory, cw, "oblast_o1", "p1")
    assert row is not None and row.state is ProtocolState.SECOND_ENTRY
    assert count(factory, ProtocolVote) == 0
    emptied = run(factory, coordinator(factory, cw), resolve_protocol, second.protocol_id, None)
    assert emptied.state is ProtocolState.EMPTY


def test_warnings_need_the_coordinators_acknowledgement(factory: Factory, cw: CountWorld) -> None:
    data = o1(cw, 100, 50, 25, voters=3100)  # more than 3,000 voters on the list (art. 23)
    status = double_entry(factory, cw, "oblast_o1", "p1", data)
    assert status.state is ProtocolState.SECOND_ENTRY
    assert status.unacknowledged == ("voters_on_list_at_most_precinct_max",)
    with pytest.raises(Conflict) as pending:
        run(factory, coordinator(factory, cw), resolve_protocol, status.protocol_id, 1)
    assert pending.value.code == "warnings_not_acknowledged"
    with pytest.raises(InvalidInput):
        run(
            factory,
            coordinator(factory, cw),
            resolve_protocol,
            status.protocol_id,
            1,
            acknowledge_warnings=[
                "received_equals_issued_plus_cancelled"
            ],  # an error, not a warning
        )
    done = run(
        factory,
        coordinator(factory, cw),
        resolve_protocol,
        status.protocol_id,
        1,
        acknowledge_warnings=["voters_on_list_at_most_precinct_max"],
    )
    assert done.state is ProtocolState.DEFINITIVE
    row = protocol_row(factory, cw, "oblast_o1", "p1")
    assert row is not None and row.acknowledged_warnings == ["voters_on_list_at_most_precinct_max"]


@pytest.mark.parametrize("case", ["unknown", "missing"])
def test_choices_must_be_exactly_the_ballot_lines(
    factory: Factory, cw: CountWorld, case: str
) -> None:
    ids = cw.choices["oblast_o1"]
    votes = {ids["Абаев"]: 1, ids["Бекова"]: 2}
    if case == "unknown":
        votes[ids["Жұмабаев"]] = 3
        votes[cw.choices["oblast_o2"]["Абаев"]] = 4  # a line of another contest's ballot
    with pytest.raises(InvalidInput) as refused:
        run(
            factory,
            typist(factory, cw, "p1", "a"),
            enter_protocol,
            cw.contest("oblast_o1"),
            cw.precinct("p1"),
            figures(votes),
        )
    assert refused.value.code == f"{case}_choice"
    assert refused.value.field is not None and refused.value.field.startswith("votes[")
    assert count(factory, Protocol) == 0


def test_a_negative_count_is_refused_naming_the_field(factory: Factory, cw: CountWorld) -> None:
    with pytest.raises(InvalidInput) as refused:
        ProtocolData.from_json({**o1(cw, 1, 2, 3).as_json(), "invalid": -1})
    assert refused.value.field == "invalid"
    bad = o1(cw, 1, 2, 3, ballots_cancelled=-5)
    with pytest.raises(InvalidInput) as law:
        run(
            factory,
            typist(factory, cw, "p1", "a"),
            enter_protocol,
            cw.contest("oblast_o1"),
            cw.precinct("p1"),
            bad,
        )
    assert law.value.field == "ballots_cancelled"


def test_a_precinct_outside_the_district_is_refused(factory: Factory, cw: CountWorld) -> None:
    ids = cw.choices["district_d1"]  # district d1 is precinct p1 only
    with pytest.raises(InvalidInput) as refused:
        run(
            factory,
            typist(factory, cw, "p2", "a"),
            enter_protocol,
            cw.contest("district_d1"),
            cw.precinct("p2"),
            figures(dict.fromkeys(ids.values(), 1)),
        )
    assert refused.value.code == "precinct_outside_contest"


def test_no_protocol_before_counting_starts(factory: Factory, cw: CountWorld) -> None:
    from datetime import UTC, datetime

    before_close = datetime(2023, 3, 19, 13, 59, tzinfo=UTC)  # 19:59 in Asia/Almaty
    with pytest.raises(Conflict) as early:
        run(
            factory,
            typist(factory, cw, "p1", "a"),
            enter_protocol,
            cw.contest("oblast_o1"),
            cw.precinct("p1"),
            o1(cw, 1, 2, 3),
            at=before_close,
        )
    assert early.value.code == "counting_not_started"
    status = run(
        factory,
        typist(factory, cw, "p1", "a"),
        enter_protocol,
        cw.contest("oblast_o1"),
        cw.precinct("p1"),
        o1(cw, 1, 2, 3),
        at=ELECTION_NIGHT,
    )
    assert status.state is ProtocolState.FIRST_ENTRY


def test_entering_again_is_a_conflict_that_changes_nothing(
    factory: Factory, cw: CountWorld
) -> None:
    data = o1(cw, 5, 6, 7)
    double_entry(factory, cw, "oblast_o1", "p1", data)
    events = count(factory, AuditEvent)
    for which in ("a", "b"):
        with pytest.raises(Conflict) as again:
            run(
                factory,
                typist(factory, cw, "p1", which),
                enter_protocol,
                cw.contest("oblast_o1"),
                cw.precinct("p1"),
                data,
            )
        assert again.value.code == "protocol_definitive"
    assert count(factory, AuditEvent) == events
    assert count(factory, ProtocolEntry) == 2
    # identical second entry re-submitted while the entries differ: also a conflict
    run(
        factory,
        typist(factory, cw, "p2", "a"),
        enter_protocol,
        cw.contest("oblast_o1"),
        cw.precinct("p2"),
        data,
    )
    run(
        factory,
        typist(factory, cw, "p2", "b"),
        enter_protocol,
        cw.contest("oblast_o1"),
        cw.precinct("p2"),
        o1(cw, 5, 6, 8),
    )
    with pytest.raises(Conflict) as complete:
        run(
            factory,
            typist(factory, cw, "p2", "b"),
            enter_protocol,
            cw.contest("oblast_o1"),
            cw.precinct("p2"),
            o1(cw, 5, 6, 8),
        )
    assert complete.value.code == "entries_complete"


def test_a_definitive_correction_needs_a_decision_and_keeps_both_versions(
    factory: Factory, cw: CountWorld
) -> None:
    original = o1(cw, 300, 200, 100)
    status = double_entry(factory, cw, "oblast_o1", "p1", original)
    corrected = o1(cw, 300, 200, 110, cancelled=390)
    admin = actor(factory, "oblast_admin", Role.TEC_ADMIN, cw.world.commissions["tec_oblast"])
    with pytest.raises(PermissionDenied):  # the coordinator has no such right
        run(
            factory,
            coordinator(factory, cw),
            correct_definitive,
            status.protocol_id,
            corrected,
            "TEC decision 1",
        )
    with pytest.raises(InvalidInput) as no_decision:
        run_approved(factory, admin, correct_definitive, status.protocol_id, corrected, "  ")
    assert no_decision.value.code == "decision_required"
    broken = o1(cw, 300, 200, 110)  # in boxes no longer equals the votes
    broken = ProtocolData(**{**broken.__dict__, "ballots_in_boxes": 600})
    with pytest.raises(InvalidInput) as relation:
        run_approved(
            factory, admin, correct_definitive, status.protocol_id, broken, "TEC decision 1"
        )
    assert relation.value.code == "control_relation_errors"
    with pytest.raises(Conflict):
        run_approved(
            factory, admin, correct_definitive, status.protocol_id, original, "TEC decision 1"
        )
    done = run_approved(
        factory, admin, correct_definitive, status.protocol_id, corrected, "TEC decision 1"
    )
    assert (done.state, done.version) == (ProtocolState.DEFINITIVE, 1)
    with factory() as session:
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "correct_definitive_protocol")
        ).one()
        row = session.get(Protocol, status.protocol_id)
        assert row is not None
        assert (row.version, row.correction_decision) == (1, "TEC decision 1")
    zh = str(cw.choices["oblast_o1"]["Жұмабаев"])
    assert event.before is not None and event.after is not None
    assert (event.before["votes"][zh], event.after["votes"][zh]) == (100, 110)
    assert (event.before["version"], event.after["version"]) == (0, 1)


def test_bulk_entry_is_all_or_nothing(factory: Factory, cw: CountWorld) -> None:
    good = Submission(cw.contest("oblast_o1"), cw.precinct("p1"), o1(cw, 1, 2, 3))
    ids = cw.choices["oblast_o1"]
    bad = Submission(cw.contest("oblast_o1"), cw.precinct("p1"), figures({ids["Абаев"]: 1}))
    coord = coordinator(factory, cw)
    with pytest.raises(InvalidInput) as refused:
        run(factory, coord, enter_protocols, [good, bad])
    assert refused.value.message.startswith("row 2: ")
    assert count(factory, Protocol) == 0
    statuses = run(factory, coord, enter_protocols, [good])
    assert [s.state for s in statuses] == [ProtocolState.FIRST_ENTRY]


def test_the_live_check_reports_every_violation_and_saves_nothing(
    factory: Factory, cw: CountWorld
) -> None:
    bad = o1(cw, 2, 2, 1, ballots_received=10, cancelled=3, voters=3100)
    with factory() as session:
        found = check_entry(session, cw.contest("oblast_o1"), cw.precinct("p1"), bad)
    assert [(v.name, v.severity.value) for v in found] == [
        ("received_equals_issued_plus_cancelled", "error"),
        ("voters_on_list_at_most_precinct_max", "warning"),
    ]
    assert count(factory, Protocol) == 0
