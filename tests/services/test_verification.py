"""``tabulate --verify`` as a service (issue #9 §4): every result recomputed from the stored
protocols, nothing written, and each difference named — a result row or a mandate edited directly
in the database (an operator with database access), a published file edited, a stale result."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from saylau.domain.roles import Role
from saylau.services.results import export_results, publish_results
from saylau.services.tabulation import tabulate_election
from saylau.services.verification import diff, verify_results
from saylau.storage.models import AuditEvent, ContestResult, Mandate, MandateSource
from tests.security.dual import run_approved
from tests.services.count_world import CountWorld, actor, double_entry, figures, run, setup
from tests.services.test_results import CAPITAL, IN_TIME, count_everything
from tests.world import CONTESTS

Factory = sessionmaker[Session]


@pytest.fixture
def cw(factory: Factory) -> CountWorld:
    """The count world with every contest counted, tabulated and published by the CEC."""
    world = setup(factory)
    count_everything(factory, world, list(CONTESTS))
    cec = actor(factory, "cec_admin", Role.CEC_ADMIN, world.world.commissions["cec"])
    run(factory, cec, tabulate_election, world.world.election, at=IN_TIME)
    run_approved(factory, cec, publish_results, world.world.election, at=IN_TIME)
    return world


def election(cw: CountWorld) -> int:
    assert cw.world.election is not None
    return cw.world.election


def fingerprint(factory: Factory) -> tuple[Any, ...]:
    """What a verification must not change: audit events, results, mandates."""
    with factory() as session:
        return (
            session.scalar(select(func.count()).select_from(AuditEvent)),
            sorted(
                (r.contest_id, json.dumps(r.outcome, sort_keys=True), r.published_at)
                for r in session.scalars(select(ContestResult))
            ),
            session.scalar(select(func.count()).select_from(Mandate)),
        )


def result_of(session: Session, contest_id: int) -> ContestResult:
    return session.scalars(
        select(ContestResult).where(ContestResult.contest_id == contest_id)
    ).one()


def test_equal_results_verify_and_nothing_is_written(factory: Factory, cw: CountWorld) -> None:
    before = fingerprint(factory)
    report = verify_results(factory, election(cw))
    assert report.equal, report.differences
    assert report.contests == len(CONTESTS) == report.published_contests
    assert fingerprint(factory) == before
    with factory() as session:
        document = json.loads(json.dumps(export_results(session, election(cw))))
    assert verify_results(factory, election(cw), published=document).equal


def test_a_result_edited_in_the_database_is_reported(factory: Factory, cw: CountWorld) -> None:
    smd, party_list = cw.contest("capital_c1"), cw.contest("capital_list")
    with factory() as session, session.begin():  # an operator edits rows, bypassing the services
        row = result_of(session, smd)
        winner = row.outcome["winner"]["person_id"]
        totals = dict(row.totals)
        totals["votes"] = {
            k: v + (7 if i == 0 else 0) for i, (k, v) in enumerate(totals["votes"].items())
        }
        session.execute(
            update(ContestResult).where(ContestResult.id == row.id).values(totals=totals)
        )
        listed = result_of(session, party_list)
        outcome = json.loads(json.dumps(listed.outcome))
        outcome["lists"][0]["seats"] += 1
        session.execute(
            update(ContestResult).where(ContestResult.id == listed.id).values(outcome=outcome)
        )
    before = fingerprint(factory)
    report = verify_results(factory, election(cw))
    assert not report.equal
    assert fingerprint(factory) == before  # the rolled-back recomputation wrote nothing
    found = {(d.contest_id, d.source, d.field) for d in report.differences}
    first_choice = next(iter(totals["votes"]))
    assert (smd, "stored", f"totals.votes.{first_choice}") in found
    assert (party_list, "stored", "outcome.lists[0].seats") in found
    assert {d.contest_id for d in report.differences} == {smd, party_list}
    edited = next(d for d in report.differences if d.field == f"totals.votes.{first_choice}")
    assert edited.stored == edited.recomputed + 7
    assert winner is not None


def test_a_mandate_edited_in_the_database_is_reported(factory: Factory, cw: CountWorld) -> None:
    smd = cw.contest("capital_c2")
    with factory() as session, session.begin():
        mandate = session.scalars(
            select(Mandate).where(
                Mandate.contest_id == smd, Mandate.source == MandateSource.SINGLE_MEMBER
            )
        ).one()
        winner = mandate.person_id
        intruder = cw.persons["capital_c2"]["Бекова"]
        assert intruder != winner
        mandate.person_id = intruder
    report = verify_results(factory, election(cw))
    assert [(d.contest_id, d.source, d.field) for d in report.differences] == [
        (smd, "mandates", "winner[0]")
    ]
    assert (report.differences[0].stored, report.differences[0].recomputed) == (intruder, winner)


def test_a_published_file_edited_is_reported(factory: Factory, cw: CountWorld) -> None:
    with factory() as session:
        document = json.loads(json.dumps(export_results(session, election(cw))))
    contest = next(c for c in document["contests"] if c["contest_id"] == cw.contest("oblast_o1"))
    contest["result"]["outcome"]["winner"]["person_id"] += 1000
    report = verify_results(factory, election(cw), published=document)
    assert [(d.source, d.field) for d in report.differences] == [
        ("published", "outcome.winner.person_id")
    ]
    document["contests"].pop()
    report = verify_results(factory, election(cw), published=document)
    assert len(report.differences) == 2 and report.differences[-1].field == "contest"


def test_a_stale_result_is_reported(factory: Factory) -> None:
    """A protocol made definitive after the last tabulation: the stored result lags."""
    cw = setup(factory)
    count_everything(factory, cw, CAPITAL)
    cec = actor(factory, "cec_admin", Role.CEC_ADMIN, cw.world.commissions["cec"])
    run(factory, cec, tabulate_election, election(cw), at=IN_TIME)
    assert verify_results(factory, election(cw)).equal
    ids = cw.choices["oblast_o1"]
    votes = {ids["Абаев"]: 5, ids["Бекова"]: 3, ids["Жұмабаев"]: 1}
    double_entry(factory, cw, "oblast_o1", "p1", figures(votes))
    report = verify_results(factory, election(cw))
    assert {d.contest_id for d in report.differences} == {cw.contest("oblast_o1")}
    fields = {d.field: (d.stored, d.recomputed) for d in report.differences}
    assert fields["precincts_counted"] == (0, 1)
    assert fields["outcome.status"] == ("no_protocols", "elected")  # provisional


def test_the_difference_of_two_documents_names_each_leaf() -> None:
    assert diff({"a": 1, "b": {"c": [1, 2]}}, {"a": 1, "b": {"c": [1, 3]}}) == [("b.c[1]", 2, 3)]
    assert diff({"a": 1}, {"a": 1, "x": None}) == [("x", None, None)]
    assert diff(None, {"a": 1}) == [("result", None, {"a": 1})]
