"""Publication of results and mandates (monograph [L292]; CL arts. 9, 111-1), and the export."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from saylau.domain.roles import Role
from saylau.services.errors import Conflict, PermissionDenied
from saylau.services.results import export_results, publish_results
from saylau.services.tabulation import tabulate_election
from saylau.storage.models import (
    AuditEvent,
    ContestResult,
    Election,
    ElectionStatus,
    Mandate,
    MandateSource,
    MandateState,
)
from tests.security.dual import run_approved
from tests.services.count_world import CountWorld, actor, double_entry, figures, run, setup
from tests.world import CONTESTS

Factory = sessionmaker[Session]
IN_TIME = datetime(2023, 3, 22, 6, 0, tzinfo=UTC)
LATE = datetime(2023, 3, 26, 12, 1, tzinfo=UTC)  # 18:01 in Asia/Almaty on E+7

# Votes per precinct: parties (alpha, beta, gamma) and candidates (Абаев, Бекова, Жұмабаев).
LIST_VOTES = {"alpha": 300, "beta": 150, "gamma": 50}
SMD_VOTES = {"Абаев": 200, "Бекова": 120, "Жұмабаев": 30}


@pytest.fixture
def cw(factory: Factory) -> CountWorld:
    return setup(factory)


def election_id(cw: CountWorld) -> int:
    assert cw.world.election is not None
    return cw.world.election


def count_everything(factory: Factory, cw: CountWorld, contests: list[str]) -> None:
    for name in contests:
        _body, _kind, _seats, _number, precincts = CONTESTS[name]
        if not precincts:  # list contests: the body's territory
            precincts = {
                "mazhilis_list": ("p1", "p2", "p3", "p4", "p5", "p6"),
                "oblast_list": ("p1", "p2", "p3", "p4"),
                "capital_list": ("p5", "p6"),
            }[name]
        votes = LIST_VOTES if name.endswith("_list") else SMD_VOTES
        ids = cw.choices[name]
        for precinct in precincts:
            data = figures({ids[k]: v for k, v in votes.items()}, against_all=10, invalid=2)
            double_entry(factory, cw, name, precinct, data)


def capital_admin(factory: Factory, cw: CountWorld) -> Any:
    return actor(factory, "capital_admin", Role.TEC_ADMIN, cw.world.commissions["tec_capital"])


CAPITAL = ["capital_list", "capital_c1", "capital_c2"]


def test_publication_creates_the_mandates_won(factory: Factory, cw: CountWorld) -> None:
    count_everything(factory, cw, CAPITAL)
    admin = capital_admin(factory, cw)
    run(factory, admin, tabulate_election, election_id(cw), at=IN_TIME)
    published = run_approved(factory, admin, publish_results, election_id(cw), at=IN_TIME)
    assert sorted(published.contests) == sorted(cw.contest(n) for n in CAPITAL)
    assert published.late is False and published.mandates == 4
    # The Mazhilis and the oblast are not published yet: the election stays "called".
    assert published.election_status is ElectionStatus.CALLED
    with factory() as session:
        mandates = session.scalars(select(Mandate).order_by(Mandate.id)).all()
    # Capital list, 2 seats: alpha 600, beta 300, gamma 100 (+20 against all): all pass 5%.
    # Hare quota 1000 / 2 = 500: alpha 1.2 → 1 (remainder 0.2), beta 0.6, gamma 0.2;
    # the second seat goes to beta's remainder 0.6 (CL art. 111-1 paras 3–4).
    lists = sorted(
        (m.party_id, m.person_id) for m in mandates if m.source is MandateSource.PARTY_LIST
    )
    assert lists == sorted([(cw.world.parties["alpha"], None), (cw.world.parties["beta"], None)])
    winners = sorted(m.person_id for m in mandates if m.source is MandateSource.SINGLE_MEMBER)
    assert winners == sorted([cw.persons["capital_c1"]["Абаев"], cw.persons["capital_c2"]["Абаев"]])
    assert {m.state for m in mandates} == {MandateState.WON}
    with pytest.raises(Conflict) as again:
        run_approved(factory, admin, publish_results, election_id(cw), at=IN_TIME)
    assert again.value.code == "already_published"
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(Mandate)) == 4


def test_not_final_contests_block_publication(factory: Factory, cw: CountWorld) -> None:
    count_everything(factory, cw, ["capital_list", "capital_c1"])
    admin = capital_admin(factory, cw)
    run(factory, admin, tabulate_election, election_id(cw), at=IN_TIME)
    with pytest.raises(Conflict) as pending:
        run_approved(factory, admin, publish_results, election_id(cw), at=IN_TIME)
    assert pending.value.code == "results_not_final"
    assert pending.value.params["contests"] == [cw.contest("capital_c2")]
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(Mandate)) == 0
        assert (
            session.scalar(
                select(func.count())
                .select_from(ContestResult)
                .where(ContestResult.published_at.is_not(None))
            )
            == 0
        )


def test_late_publication_needs_a_reason(factory: Factory, cw: CountWorld) -> None:
    count_everything(factory, cw, CAPITAL)
    admin = capital_admin(factory, cw)
    run(factory, admin, tabulate_election, election_id(cw), at=IN_TIME)
    with pytest.raises(Conflict) as late:
        run_approved(factory, admin, publish_results, election_id(cw), at=LATE)
    assert late.value.code == "results_deadline_passed"
    assert late.value.params["deadline"] == "2023-03-26T18:00:00+06:00"
    published = run_approved(
        factory, admin, publish_results, election_id(cw), at=LATE, late_reason="court order 12"
    )
    assert published.late is True
    with factory() as session:
        reasons = {
            (e.after or {}).get("late_reason")
            for e in session.scalars(
                select(AuditEvent).where(AuditEvent.action == "publish_results")
            )
        }
    assert reasons == {"court order 12"}


def test_only_administrators_publish(factory: Factory, cw: CountWorld) -> None:
    count_everything(factory, cw, CAPITAL)
    coordinator = actor(
        factory, "capital_coordinator", Role.TEC_COORDINATOR, cw.world.commissions["tec_capital"]
    )
    run(factory, coordinator, tabulate_election, election_id(cw), at=IN_TIME)
    with pytest.raises(PermissionDenied):
        run(factory, coordinator, publish_results, election_id(cw), at=IN_TIME)
    with factory() as session:
        refused = session.scalars(select(AuditEvent).where(AuditEvent.outcome == "refused")).all()
    assert [(e.username, e.action) for e in refused] == [("capital_coordinator", "publish_results")]


def test_the_whole_election_published_and_exported(factory: Factory, cw: CountWorld) -> None:
    count_everything(factory, cw, list(CONTESTS))
    cec = actor(factory, "cec_admin", Role.CEC_ADMIN, cw.world.commissions["cec"])
    tallies = run(factory, cec, tabulate_election, election_id(cw), at=IN_TIME)
    assert all(t.final for t in tallies)
    published = run_approved(factory, cec, publish_results, election_id(cw), at=IN_TIME)
    assert published.election_status is ElectionStatus.RESULTS_PUBLISHED
    # 10 single-member winners + list seats: Mazhilis 69, oblast 3, capital 2
    assert published.mandates == 10 + 69 + 3 + 2
    with factory() as session:
        election = session.get(Election, election_id(cw))
        assert election is not None and election.status is ElectionStatus.RESULTS_PUBLISHED
        document = export_results(session, election_id(cw))
    text = json.dumps(document, ensure_ascii=False)
    assert json.loads(text) == document
    assert len(document["contests"]) == len(CONTESTS)
    assert len(document["mandates"]) == 84
    mazhilis = next(
        c for c in document["contests"] if c["contest_id"] == cw.contest("mazhilis_list")
    )
    assert mazhilis["result"]["progress"] == "6 of 6 precincts definitive"
    # Mazhilis list, 69 seats: alpha 1800, beta 900, gamma 300; quota 3000/69 (CL art. 97-1).
    # alpha 41.4 → 41, beta 20.7 → 20, gamma 6.9 → 6: 67 by whole quotas; the two remaining
    # seats go to the largest remainders, gamma 0.9 and beta 0.7: 41, 21, 7.
    seats = {line["party"]: line["seats"] for line in mazhilis["result"]["outcome"]["lists"]}
    assert seats == {"alpha": 41, "beta": 21, "gamma": 7}
    national = next(
        t for t in document["totals"] if t["scope"] == "national" and t["kind"] == "mazhilis_list"
    )
    assert (national["valid"], national["against_all"]) == (6 * 510, 60)
