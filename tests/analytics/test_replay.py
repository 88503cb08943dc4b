"""``saylau replay``: a stored election's list votes allocated again under other rules (issue #7 §4).

On the count world (SQLite and PostgreSQL): the replay under the election's own rules reproduces
every stored seat (a differential check of the reader against tabulation), a lower threshold and
the 2021 all-list rules move seats computed by hand (CL art. 111-1, art. 97-1), 2016 is refused.
Pure cases: D'Hondt, Sainte-Laguë and Droop against the statute's Hare quota on a hand-computed
case, the indices computed by hand, and Hypothesis properties (seats add up, a list below the
threshold gets nothing, divisor methods are monotonic in votes). The CLI's JSON and table.
"""

from __future__ import annotations

import json
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from saylau.analytics.replay import (
    INDEPENDENT,
    BodyReplay,
    ReplayOptions,
    Scope,
    Skipped,
    StoredContest,
    parse_method,
    parse_rules,
    parse_threshold,
    read_stored,
    replay,
    replay_contest,
)
from saylau.cli.main import app
from saylau.domain.roles import Role
from saylau.law.errors import LawInputError
from saylau.law.methods import Method, PartyList
from saylau.law.rules import RULES_2021, RULES_2023
from saylau.services.tabulation import tabulate_election
from tests.services.count_world import CountWorld, actor, double_entry, figures, run, setup

Factory = sessionmaker[Session]
runner = CliRunner()
Figures = dict[str, tuple[int, int, int, int, int]]
"""precinct → (alpha, beta, gamma, against all, invalid)."""

OBLAST: Figures = {  # precinct: (alpha, beta, gamma, against all, invalid) — as in test_tabulation
    "p1": (300, 200, 10, 30, 0),
    "p2": (250, 150, 10, 20, 0),
    "p3": (250, 150, 10, 30, 7),
    "p4": (200, 100, 10, 20, 0),
}
MAZHILIS: Figures = {
    p: (100, 50, 10 if p == "p1" else 6, 10, 0) for p in ("p1", "p2", "p3", "p4", "p5")
}
MAZHILIS["p6"] = (100, 50, 6, 10, 0)
CAPITAL: Figures = {"p5": (150, 120, 30, 10, 0), "p6": (140, 110, 20, 5, 0)}
SMD = {"oblast_o1": ("p1", "p2"), "oblast_o2": ("p3",), "oblast_o3": ("p4",)}


def _count_list(factory: Factory, cw: CountWorld, contest: str, votes: Figures) -> None:
    ids = cw.choices[contest]
    for precinct, (alpha, beta, gamma, against, invalid) in votes.items():
        data = figures(
            {ids["alpha"]: alpha, ids["beta"]: beta, ids["gamma"]: gamma},
            voters=2000,
            against_all=against,
            invalid=invalid,
        )
        assert double_entry(factory, cw, contest, precinct, data).state.value == "definitive"


def _count_smd(factory: Factory, cw: CountWorld, contest: str, precincts: tuple[str, ...]) -> None:
    ids = cw.choices[contest]
    for precinct in precincts:
        data = figures({ids["Абаев"]: 200, ids["Бекова"]: 120, ids["Жұмабаев"]: 30}, voters=2000)
        assert double_entry(factory, cw, contest, precinct, data).state.value == "definitive"


@pytest.fixture
def counted(factory: Factory) -> CountWorld:
    """The count world with every list contest and the oblast's districts counted and tabulated."""
    cw = setup(factory)
    _count_list(factory, cw, "oblast_list", OBLAST)
    _count_list(factory, cw, "mazhilis_list", MAZHILIS)
    _count_list(factory, cw, "capital_list", CAPITAL)
    for contest, precincts in SMD.items():
        _count_smd(factory, cw, contest, precincts)
    cec = actor(factory, "cec_admin", Role.CEC_ADMIN, cw.world.commissions["cec"])
    run(factory, cec, tabulate_election, cw.world.election)
    return cw


def _replay(factory: Factory, cw: CountWorld, options: ReplayOptions) -> dict[int, BodyReplay]:
    assert cw.world.election is not None
    with factory() as session:
        election, contests = read_stored(session, cw.world.election)
    result = replay(election.id, election.name, election.rules, contests, options)
    assert result.skipped == ()
    return {b.contest.contest_id: b for b in result.bodies}


def _seats(body: BodyReplay) -> dict[str, tuple[int, int | None]]:
    return {r.party: (r.actual, r.replayed) for r in body.rows}


# --- the stored election -------------------------------------------------------------------------


def test_the_same_rules_reproduce_every_stored_seat(factory: Factory, counted: CountWorld) -> None:
    """Differential check: read back and allocated again under 2023, Hare, 5%, the seats are the
    ones tabulation stored (CL art. 111-1, art. 97-1)."""
    bodies = _replay(factory, counted, ReplayOptions(RULES_2023))
    assert set(bodies) == {
        counted.contest(c) for c in ("oblast_list", "mazhilis_list", "capital_list")
    }
    for body in bodies.values():
        assert body.scope is Scope.LIST and body.status == body.contest.status == "allocated"
        assert body.contest.final
        assert all(r.replayed == r.actual and r.change == 0 for r in body.rows), body.rows
        assert body.replayed == body.actual
        assert body.seats_replayed == body.seats_actual == body.contest.list_seats
    # By hand (test_tabulation): alpha 1000, beta 600, gamma 40 of 1740 → 2, 1, 0 of 3 seats.
    oblast = bodies[counted.contest("oblast_list")]
    assert _seats(oblast) == {"alpha": (2, 2), "beta": (1, 1), "gamma": (0, 0)}
    assert (oblast.contest.against_all, oblast.contest.invalid) == (100, 7)
    # Mazhilis: 600 / 300 / 40 with 60 against all; gamma is below 5% of 1000 → exactly 46 and 23.
    mazhilis = bodies[counted.contest("mazhilis_list")]
    assert _seats(mazhilis) == {"alpha": (46, 46), "beta": (23, 23), "gamma": (0, 0)}


def test_a_lower_threshold_moves_seats_computed_by_hand(
    factory: Factory, counted: CountWorld
) -> None:
    """3% instead of 5%: gamma's 40 of 1000 valid ballots pass (art. 97-1 para 1). Hare quota
    940/69: alpha 44.04, beta 22.02, gamma 2.94 → 44 + 22 + 2 whole, the last seat to gamma's
    remainder 0.94: alpha −2, beta −1, gamma +3."""
    bodies = _replay(factory, counted, ReplayOptions(RULES_2023, threshold=Fraction(3, 100)))
    mazhilis = bodies[counted.contest("mazhilis_list")]
    assert _seats(mazhilis) == {"alpha": (46, 44), "beta": (23, 22), "gamma": (0, 3)}
    assert [r.change for r in mazhilis.rows] == [-2, -1, 3]
    assert mazhilis.threshold == Fraction(3, 100)
    assert mazhilis.allocation is not None and mazhilis.allocation.quota == Fraction(940, 69)
    # Fewer wasted votes: the disproportionality falls and the seats fragment more.
    assert mazhilis.replayed is not None
    assert mazhilis.replayed.loosemore_hanby is not None and mazhilis.actual.loosemore_hanby
    assert mazhilis.replayed.loosemore_hanby < mazhilis.actual.loosemore_hanby
    assert mazhilis.actual.loosemore_hanby == Fraction(40, 940)  # only gamma's share is lost
    assert mazhilis.replayed.enp_seats is not None and mazhilis.actual.enp_seats is not None
    assert mazhilis.replayed.enp_seats > mazhilis.actual.enp_seats


def test_the_2021_rules_allocate_the_list_votes_onto_every_seat(
    factory: Factory, counted: CountWorld
) -> None:
    """2021: all-list maslikhats and a 98-seat list Mazhilis, 7% (CL art. 9 as of 2021). The
    single-member seats become list seats; the seats held include the districts' winners."""
    bodies = _replay(factory, counted, ReplayOptions(RULES_2021))
    oblast = bodies[counted.contest("oblast_list")]
    # All 6 seats; 7% of 1740 = 121.8 → gamma out; quota 1600/6: alpha 3.75, beta 2.25 → 3 + 2,
    # the sixth to alpha (0.75). Held: 2 + 1 list seats, and alpha's nominee won all 3 districts.
    assert (oblast.scope, oblast.seats_replayed, oblast.seats_actual) == (Scope.BODY, 6, 6)
    assert _seats(oblast) == {"alpha": (5, 4), "beta": (1, 2), "gamma": (0, 0)}
    # Mazhilis: 98 seats, quota 900/98: alpha 65.33, beta 32.67 → 65 + 32, the last to beta.
    # Held: 46 + 23 list seats (no district of the Mazhilis was counted here).
    mazhilis = bodies[counted.contest("mazhilis_list")]
    assert (mazhilis.scope, mazhilis.seats_replayed) == (Scope.BODY, 98)
    assert _seats(mazhilis) == {"alpha": (46, 65), "beta": (23, 33), "gamma": (0, 0)}
    assert oblast.contest.smd_seats_won == {"alpha": 3}


def test_2016_and_unknown_options_are_refused() -> None:
    with pytest.raises(LawInputError) as refused:
        parse_rules("2016")
    assert refused.value.field == "rules" and "single-member" in refused.value.rule
    for bad, parse in (("7", parse_threshold), ("x", parse_threshold), ("borda", parse_method)):
        with pytest.raises(LawInputError):
            parse(bad)
    assert parse_threshold("7/100") == parse_threshold("0.07") == Fraction(7, 100)
    assert parse_method("sainte-lague") is Method.SAINTE_LAGUE


# --- pure cases ----------------------------------------------------------------------------------


def contest(
    votes: dict[str, int], seats: int, *, against_all: int = 0, body_kind: str = "capital"
) -> StoredContest:
    lists = tuple(PartyList(p, v, i) for i, (p, v) in enumerate(votes.items(), start=1))
    return StoredContest(
        contest_id=1,
        body_id=1,
        body_name="Test maslikhat",
        body_kind=body_kind,
        body_seats=2 * seats,
        list_seats=seats,
        lists=lists,
        against_all=against_all,
        invalid=0,
        status="allocated",
        final=True,
        list_seats_won=dict.fromkeys(votes, 0),
        smd_seats_won={},
    )


HAND = {"A": 520, "B": 310, "C": 130}


@pytest.mark.parametrize(
    ("method", "seats"),
    [
        # Hare quota 960/5 = 192: A 2.71, B 1.61, C 0.68 → 2 + 1 + 0, remainders A .71, C .68.
        (Method.HARE_LR, {"A": 3, "B": 1, "C": 1}),
        # D'Hondt: 520 A, 310 B, 260 A, 173⅓ A, 155 B.
        (Method.DHONDT, {"A": 3, "B": 2, "C": 0}),
        # Sainte-Laguë: 520 A, 310 B, 173⅓ A, 130 C, 104 A.
        (Method.SAINTE_LAGUE, {"A": 3, "B": 1, "C": 1}),
        # Droop quota floor(960/6) + 1 = 161: A 3.23, B 1.93, C 0.81 → 3 + 1, then B's .93.
        (Method.DROOP_LR, {"A": 3, "B": 2, "C": 0}),
    ],
)
def test_methods_on_a_hand_computed_case(method: Method, seats: dict[str, int]) -> None:
    body = replay_contest(
        contest(HAND, 5, against_all=40), RULES_2023, ReplayOptions(RULES_2023, method=method)
    )
    assert isinstance(body, BodyReplay)
    assert {r.party: r.replayed for r in body.rows} == seats


def test_indices_computed_by_hand() -> None:
    """Hare 3/1/1 of 5 on 520/310/130: Loosemore–Hanby ½(7/120 + 59/480 + 31/480) = 59/480,
    effective number of parties by seats 1/(9/25 + 1/25 + 1/25) = 25/11, Gallagher √(½ Σ (vᵢ − sᵢ)²) = 0.1065."""
    stored = contest(HAND, 5, against_all=40)
    body = replay_contest(stored, RULES_2023, ReplayOptions(RULES_2023))
    assert isinstance(body, BodyReplay) and body.replayed is not None
    assert body.replayed.loosemore_hanby == Fraction(59, 480)
    assert body.replayed.enp_seats == Fraction(25, 11)
    assert body.replayed.enp_votes == Fraction(960**2, 520**2 + 310**2 + 130**2)
    assert str(body.replayed.gallagher) == "0.1065"
    # Nothing held yet: the indices of the actual outcome that need seats are undefined.
    assert body.actual.gallagher is None and body.actual.enp_seats is None


def test_a_body_without_list_seats_under_the_target_rules_is_skipped() -> None:
    """A second-level maslikhat's list contest (2021) has no list seats under 2023 (CL art. 9)."""
    stored = contest(HAND, 5, body_kind="district")
    outcome = replay_contest(stored, RULES_2021, ReplayOptions(RULES_2023))
    assert isinstance(outcome, Skipped) and "single-member" in outcome.reason


def test_self_nominated_district_winners_are_a_row_of_their_own() -> None:
    stored = contest(HAND, 5)
    stored = StoredContest(
        **{**stored.__dict__, "smd_seats_won": {"A": 2, INDEPENDENT: 1}, "body_seats": 8}
    )
    body = replay_contest(stored, RULES_2023, ReplayOptions(RULES_2021))
    assert isinstance(body, BodyReplay) and body.scope is Scope.BODY
    rows = {r.party: (r.votes, r.actual, r.replayed) for r in body.rows}
    assert rows[INDEPENDENT] == (0, 1, 0)
    assert sum(r.replayed or 0 for r in body.rows) == 8


# --- properties ----------------------------------------------------------------------------------

votes_st = st.lists(st.integers(0, 100_000), min_size=2, max_size=6)
methods_st = st.sampled_from(list(Method))
thresholds_st = st.sampled_from([Fraction(0), Fraction(1, 20), Fraction(7, 100), Fraction(1, 10)])


def _named(votes: list[int]) -> dict[str, int]:
    return {f"P{i}": v for i, v in enumerate(votes, start=1)}


@settings(max_examples=300, deadline=None)
@given(votes_st, st.integers(1, 60), st.integers(0, 5_000), thresholds_st, methods_st)
def test_seats_add_up_and_lists_below_the_threshold_get_none(
    votes: list[int], seats: int, against: int, threshold: Fraction, method: Method
) -> None:
    named = _named(votes)
    if not any(votes):
        return
    body = replay_contest(
        contest(named, seats, against_all=against),
        RULES_2023,
        ReplayOptions(RULES_2023, threshold=threshold, method=method),
    )
    assert isinstance(body, BodyReplay) and body.allocation is not None
    won = {r.party: r.replayed or 0 for r in body.rows}
    base = sum(votes) + against
    passing = {
        p
        for p, v in named.items()
        if v > 0 and v * threshold.denominator >= threshold.numerator * base
    }
    if not passing:
        assert body.status == "no_party_passed" and sum(won.values()) == 0
        return
    assert sum(won.values()) == seats
    second = body.allocation.one_party.second if body.allocation.one_party else None
    for party, n in won.items():
        if party not in passing and party != second:
            assert n == 0, (party, named, won)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.integers(1, 50_000), min_size=2, max_size=6),
    st.integers(1, 60),
    st.sampled_from([Method.DHONDT, Method.SAINTE_LAGUE]),
    st.data(),
)
def test_divisor_methods_are_monotonic_in_votes(
    votes: list[int], seats: int, method: Method, data: st.DataObject
) -> None:
    """More votes for one list, the others unchanged, never cost it a seat (every list passing:
    threshold 0, so the one-party rule, which is not monotonic, does not apply)."""
    who = data.draw(st.integers(0, len(votes) - 1))
    more = data.draw(st.integers(1, 50_000))
    options = ReplayOptions(RULES_2023, threshold=Fraction(0), method=method)
    before = replay_contest(contest(_named(votes), seats), RULES_2023, options)
    increased = list(votes)
    increased[who] += more
    after = replay_contest(contest(_named(increased), seats), RULES_2023, options)
    assert isinstance(before, BodyReplay) and isinstance(after, BodyReplay)
    party = f"P{who + 1}"
    seats_before = {r.party: r.replayed or 0 for r in before.rows}[party]
    seats_after = {r.party: r.replayed or 0 for r in after.rows}[party]
    assert seats_after >= seats_before


# --- the command ---------------------------------------------------------------------------------


@pytest.fixture
def cli_db(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAYLAU_DATABASE_URL", engine.url.render_as_string(hide_password=False))


def test_cli_json(factory: Factory, counted: CountWorld, cli_db: None) -> None:
    election = str(counted.world.election)
    result = runner.invoke(
        app, ["replay", "--election", election, "--threshold", "3/100", "--format", "json"]
    )
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["replay"] == {"rules": "2023", "threshold": "3/100", "method": "hare_lr"}
    assert document["election"]["rules"] == "2023" and document["skipped"] == []
    bodies = {b["contest_id"]: b for b in document["bodies"]}
    mazhilis = bodies[counted.contest("mazhilis_list")]
    assert mazhilis["parties"] == [
        {"party": "alpha", "votes": 600, "actual": 46, "replayed": 44, "change": -2},
        {"party": "beta", "votes": 300, "actual": 23, "replayed": 22, "change": -1},
        {"party": "gamma", "votes": 40, "actual": 0, "replayed": 3, "change": 3},
    ]
    assert mazhilis["indices"]["actual"]["loosemore_hanby"] == "2/47"
    assert mazhilis["threshold"] == "3/100" and mazhilis["scope"] == "list"
    assert len(document["assumptions"]) >= 3


def test_cli_table_and_refusals(factory: Factory, counted: CountWorld, cli_db: None) -> None:
    election = str(counted.world.election)
    result = runner.invoke(app, ["replay", "--election", election, "--rules", "2021"])
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "replayed under the 2021 rules" in out
    assert "body seats: 6 actual, 6 replayed" in out
    assert "Gallagher (pp)" in out and "ENP by seats" in out
    lines = [line.split() for line in out.splitlines()]
    assert ["alpha", "1000", "5", "4", "-1"] in lines and ["beta", "600", "1", "2", "+1"] in lines
    for args, field in (
        (["--rules", "2016"], "rules=2016"),
        (["--threshold", "7"], "threshold=7"),
        (["--method", "borda"], "method=borda"),
        (["--election", "999999"], "election=999999"),
    ):
        argv = (
            ["replay", "--election", election, *args]
            if args[0] != "--election"
            else ["replay", *args]
        )
        refused = runner.invoke(app, argv)
        assert refused.exit_code == 2, (args, refused.stdout)
        assert refused.stderr.startswith(f"error: invalid input: {field.split('=')[0]}=")
        assert field.split("=")[1] in refused.stderr
    assert (
        "single-member"
        in runner.invoke(app, ["replay", "--election", election, "--rules", "2016"]).stderr
    )
