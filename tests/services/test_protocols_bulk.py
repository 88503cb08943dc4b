"""The bulk entry path against entering the same rows one by one (issue #8, B1), on both databases.

``enter_protocols`` decides a whole batch in memory and writes it in a few statements; its promise
is that the outcome is exactly that of :func:`enter_protocol` called for each row in order, in one
transaction: the same statuses or the same refusal (row-numbered), and the same protocols,
entries, definitive votes, tabulation marks, outbox rows and audit events (an intact chain).
Hypothesis draws sequences of batches by typists and coordinators over the count world — clean,
differing, erroneous, warned and malformed figures, precincts outside the contest, duplicates in a
batch, entries before counting — and both paths replay them on fresh copies of the same world.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from saylau.domain.roles import Role
from saylau.domain.states import ProtocolState
from saylau.services.audit import verify_chain
from saylau.services.context import Actor, Context, execute
from saylau.services.errors import Conflict, InvalidInput, ServiceError
from saylau.services.protocols import (
    ProtocolData,
    ProtocolStatus,
    Submission,
    enter_protocol,
    enter_protocols,
    status_document,
)
from saylau.storage.db import session_factory
from saylau.storage.models import (
    AuditEvent,
    Base,
    Delivery,
    Protocol,
    ProtocolEntry,
    ProtocolVote,
    Subscription,
    SubscriptionKind,
)
from saylau.storage.models.outcome import TabulationPending
from tests.services.count_world import (
    ELECTION_NIGHT,
    NEXT_DAY,
    CountWorld,
    build_count_world,
    figures,
)
from tests.world import CONTESTS, PRECINCTS

BEFORE_CLOSE = datetime(2023, 3, 19, 13, 59, tzinfo=UTC)  # 19:59 in Asia/Almaty
LISTS = {
    "mazhilis_list": tuple(PRECINCTS),
    "oblast_list": ("p1", "p2", "p3", "p4"),
    "capital_list": ("p5", "p6"),
}
TERRITORY = {
    name: LISTS.get(name, spec[4]) for name, spec in CONTESTS.items()
}  # contest → the precincts that vote in it
SUBSCRIBED = ("mazhilis_list", "oblast_o1", "capital_c1")
ACTORS = [f"typist_{p}_{w}" for p in PRECINCTS for w in "ab"] + [
    "oblast_coordinator",
    "capital_coordinator",
]


@dataclass(frozen=True)
class Row:
    contest: str
    precinct: str
    variant: int
    """0 and 1: clean figures that differ; 2: an error of the control relations; 3: a warning;
    4: a ballot line missing (refused)."""


@dataclass(frozen=True)
class Step:
    actor: str
    at: datetime
    rows: tuple[Row, ...]


def other_actor(actor: str) -> str:
    """Who makes the second entries of ``actor``'s batch: the other typist of the precinct, or
    the coordinator of the other region (whose batch then refuses the first outside rows)."""
    if actor.startswith("typist_"):
        return actor[:-1] + ("b" if actor.endswith("a") else "a")
    return "capital_coordinator" if actor.startswith("oblast") else "oblast_coordinator"


@st.composite
def steps(draw: st.DrawFn) -> list[Step]:
    """Batches of fresh rows, or the rows of an earlier batch again by another actor (second
    entries), mostly in the actor's territory and after counting has started."""
    result: list[Step] = []
    for _ in range(draw(st.integers(1, 8))):
        at = draw(st.sampled_from((NEXT_DAY,) * 4 + (ELECTION_NIGHT,) * 3 + (BEFORE_CLOSE,)))
        if result and draw(st.booleans()):
            earlier = draw(st.sampled_from(result))
            actor = draw(st.sampled_from((other_actor(earlier.actor),) * 3 + (earlier.actor,)))
            chosen = draw(st.permutations(earlier.rows))
            rows = [
                Row(r.contest, r.precinct, draw(st.sampled_from((r.variant,) * 4 + (0, 1, 3))))
                for r in chosen[: draw(st.integers(1, len(chosen)))]
            ]
            result.append(Step(actor, at, tuple(rows)))
            continue
        actor = draw(st.sampled_from(ACTORS))
        home = actor.split("_")[1] if actor.startswith("typist_") else None
        rows: list[Row] = []
        for _ in range(draw(st.integers(1, 6))):
            if home is not None and draw(st.integers(0, 19)) > 0:
                contest = draw(st.sampled_from([c for c, ps in TERRITORY.items() if home in ps]))
                precinct = home
            else:
                contest = draw(st.sampled_from(sorted(TERRITORY)))
                inside = draw(st.integers(0, 19)) > 0
                precinct = draw(st.sampled_from(TERRITORY[contest] if inside else tuple(PRECINCTS)))
            variant = draw(st.sampled_from((0,) * 12 + (1, 2, 3, 4)))
            taken = any((r.contest, r.precinct) == (contest, precinct) for r in rows)
            if not taken or draw(st.integers(0, 9)) == 0:  # now and then the same protocol twice
                rows.append(Row(contest, precinct, variant))
        result.append(Step(actor, at, tuple(rows)))
    return result


def data_of(cw: CountWorld, row: Row) -> ProtocolData:
    ids = list(cw.choices[row.contest].values())
    votes = {choice: 100 + 10 * i for i, choice in enumerate(ids)}
    if row.variant == 1:
        votes[ids[0]] += 1
    if row.variant == 4:
        del votes[ids[-1]]
    data = figures(votes, voters=2500 if row.variant == 3 else 1000, against_all=5, invalid=3)
    if row.variant == 2:
        data = ProtocolData(**{**data.__dict__, "ballots_in_boxes": data.ballots_in_boxes + 7})
    if row.variant == 3:
        data = ProtocolData(**{**data.__dict__, "voters_on_list": 3100})
    return data


def one_by_one(ctx: Context, submissions: Sequence[Submission]) -> list[ProtocolStatus]:
    """The reference: each row through ``enter_protocol`` in turn, in the same transaction."""
    results = []
    for row, submission in enumerate(submissions, start=1):
        try:
            results.append(
                enter_protocol(ctx, submission.contest_id, submission.precinct_id, submission.data)
            )
        except (InvalidInput, Conflict) as exc:
            raise type(exc)(
                exc.code, f"row {row}: {exc.message}", field=exc.field, row=row, **exc.params
            ) from None
    return results


one_by_one.__name__ = "enter_protocols"  # a refusal is logged under the operation's name


def reset(engine: Engine) -> None:
    """Empty every table, numbering from 1 again (a fresh copy of the same world follows)."""
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(Base.metadata.sorted_tables):
                connection.execute(table.delete())


def world(factory: sessionmaker[Session]) -> CountWorld:
    with factory() as session, session.begin():
        cw = build_count_world(session)
        for n, name in enumerate(SUBSCRIBED):
            session.add(
                Subscription(
                    contest_id=cw.contest(name),
                    kind=SubscriptionKind.WEBHOOK,
                    target=f"https://example.org/hook/{n}",
                    secret="s" * 64,
                    token=f"token-{n}",
                    confirmed=True,
                )
            )
        return cw


def replay(engine: Engine, scenario: list[Step], operation: Any) -> dict[str, Any]:
    """Replay ``scenario`` on a fresh world; return every call's outcome and the final state,
    with protocol ids replaced by their contest × precinct (PostgreSQL does not reuse the ids
    of rolled-back rows, so a refused batch may shift later ids between the two paths)."""
    reset(engine)
    factory = session_factory(engine)
    cw = world(factory)
    with factory() as session:
        actors = {
            name: Actor.load(
                session,
                name,
                Role.PEC_TYPIST if name.startswith("typist_") else Role.TEC_COORDINATOR,
                cw.world.commissions[
                    f"pec_{name.split('_')[1]}"
                    if name.startswith("typist_")
                    else f"tec_{name.split('_')[0]}"
                ],
            )
            for name in ACTORS
        }
    outcomes: list[Any] = []
    for step in scenario:
        submissions = [
            Submission(cw.contest(r.contest), cw.precinct(r.precinct), data_of(cw, r))
            for r in step.rows
        ]
        try:
            statuses = execute(
                factory, actors[step.actor], operation, submissions, clock=lambda at=step.at: at
            )
            outcomes.append([status_document(s) for s in statuses])
        except ServiceError as exc:
            outcomes.append((type(exc).__name__, exc.code, exc.field, exc.message, exc.params))
    with factory() as session:
        report = verify_chain(session)
        assert report.intact, report
        keys = {p.id: f"{p.contest_id}×{p.precinct_id}" for p in session.scalars(select(Protocol))}

        def key(protocol_id: Any) -> str:
            return keys.get(int(protocol_id), "?")

        def plain(value: Any) -> Any:
            if isinstance(value, dict):
                return {
                    k: key(v) if k in ("id", "protocol_id") and v is not None else plain(v)
                    for k, v in value.items()
                }
            if isinstance(value, list | tuple):
                return [plain(v) for v in value]
            if isinstance(value, str):
                return re.sub(r"protocol (\d+)", lambda m: f"protocol {key(m.group(1))}", value)
            return value

        protocols = {
            keys[p.id]: {c.key: getattr(p, c.key) for c in Protocol.__table__.columns}
            for p in session.scalars(select(Protocol))
        }
        for values in protocols.values():
            values.pop("id")
        state = {
            "outcomes": plain(outcomes),
            "protocols": protocols,
            "entries": sorted(
                (key(e.protocol_id), e.entry_no, e.typist_id, e.data, e.entered_at)
                for e in session.scalars(select(ProtocolEntry))
            ),
            "votes": sorted(
                (key(v.protocol_id), v.choice_id, v.contest_id, v.votes)
                for v in session.scalars(select(ProtocolVote))
            ),
            "pending": [
                (t.contest_id, t.precinct_id)
                for t in session.scalars(select(TabulationPending).order_by(TabulationPending.id))
            ],
            "outbox": [
                (d.subscription_id, d.event, d.updated_at, d.created_at, d.attempts, d.next_try)
                for d in session.scalars(select(Delivery).order_by(Delivery.id))
            ],
            "audit": [
                (
                    e.at,
                    e.user_id,
                    e.username,
                    e.role,
                    e.commission_id,
                    e.action,
                    e.entity,
                    key(e.entity_id) if e.entity == "protocol" else e.entity_id,
                    e.outcome,
                    plain(e.before),
                    plain(e.after),
                )
                for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))
            ],
        }
    return state


@given(scenario=steps())
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_a_batch_is_entered_exactly_as_its_rows_one_by_one(
    engine: Engine, scenario: list[Step]
) -> None:
    bulk = replay(engine, scenario, enter_protocols)
    reference = replay(engine, scenario, one_by_one)
    for part in reference:
        assert bulk[part] == reference[part], part


def test_a_national_batch_of_both_entries_makes_every_protocol_definitive(
    engine: Engine,
) -> None:
    """Every protocol of the world in one batch per typist pass (as ``protocol import`` and the
    B1 benchmark do): all definitive, each with its two entries, votes and audit events."""
    scenario = [
        Step(
            coordinator,
            NEXT_DAY,
            tuple(
                Row(contest, precinct, 0)
                for contest, precincts in TERRITORY.items()
                for precinct in precincts
                if PRECINCTS[precinct][0] == region
            ),
        )
        for region, coordinator in (
            ("oblast", "oblast_coordinator"),
            ("capital", "capital_coordinator"),
        )
    ]
    first = replay(engine, scenario, enter_protocols)
    assert all(s["state"] == ProtocolState.FIRST_ENTRY.value for s in first["outcomes"][0])
    second_pass = [
        Step(f"typist_{r.precinct}_a", NEXT_DAY, (r,)) for step in scenario for r in step.rows
    ]
    done = replay(engine, scenario + second_pass, enter_protocols)
    total = sum(len(ps) for ps in TERRITORY.values())
    assert len(done["protocols"]) == total
    assert {p["state"] for p in done["protocols"].values()} == {ProtocolState.DEFINITIVE}
    assert len(done["entries"]) == 2 * total
    assert sum(1 for e in done["audit"] if e[5] == "enter_protocol") == 2 * total
    assert len(done["pending"]) == total
