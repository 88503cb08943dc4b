"""``tabulate --verify``: every result of an election recomputed from the stored protocols and
compared with what is stored and what was published (issue #9 §4).

Who it guards against: an operator with database access who edits a result row, a mandate or a
published file, and a stale result that was not re-tabulated after a protocol changed. The
recomputation is the tabulation itself (:func:`saylau.services.tabulation.tabulate_election`, the
code that made the stored results), run as the console operator in a transaction that is always
rolled back: nothing is written, and no audit event is added. It reads one snapshot (REPEATABLE
READ on PostgreSQL; an SQLite read transaction is one), so protocols entered meanwhile do not make
spurious differences.

A published result is never re-tabulated (:mod:`saylau.services.tabulation` refuses it); when the
recomputation differs from a published row, the rolled-back transaction first marks the rows
unpublished so that the recomputation can run, and the difference is reported.

Compared, per contest: the stored result (status final/provisional, precincts counted and total,
the totals and votes, the law's outcome with its seats, winners and trace) and the contest's
status; for a published contest, the mandates it created (the single-member winner; each party's
list seats, CL art. 9 paras 3–4, art. 111-1 para 5); and, when given, a published ``results.json``
(:func:`saylau.services.results.export_results`).
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from saylau.services.context import Actor, Context
from saylau.services.errors import Conflict
from saylau.services.tabulation import election_of, tabulate_election
from saylau.storage.models import Contest, ContestResult, Mandate, MandateSource

STORED = "stored"
MANDATES = "mandates"
PUBLISHED = "published"
_ABSENT = None


@dataclass(frozen=True)
class Difference:
    """One field of one contest whose stored (or published) value is not the recomputed one."""

    contest_id: int
    source: str
    """``stored`` (the database's result row), ``mandates`` or ``published`` (a results file)."""
    field: str
    """A path into the result: ``status``, ``totals.votes.12``, ``outcome.winner.person_id``…"""
    stored: Any
    recomputed: Any

    def document(self) -> dict[str, Any]:
        return {
            "contest_id": self.contest_id,
            "source": self.source,
            "field": self.field,
            "stored": self.stored,
            "recomputed": self.recomputed,
        }


@dataclass(frozen=True)
class Verification:
    """What :func:`verify_results` found."""

    election_id: int
    contests: int
    published_contests: int
    differences: tuple[Difference, ...]

    @property
    def equal(self) -> bool:
        return not self.differences

    def document(self) -> dict[str, Any]:
        return {
            "election_id": self.election_id,
            "contests": self.contests,
            "published_contests": self.published_contests,
            "equal": self.equal,
            "differences": [d.document() for d in self.differences],
        }


def _records(session: Session, election_id: int) -> dict[int, dict[str, Any]]:
    """Contest id → the comparable record of its result (None fields for no result yet)."""
    rows = session.execute(
        select(Contest.id, Contest.status, ContestResult)
        .outerjoin(ContestResult, ContestResult.contest_id == Contest.id)
        .where(Contest.election_id == election_id)
        .order_by(Contest.id)
    ).all()
    records: dict[int, dict[str, Any]] = {}
    for contest_id, status, result in rows:
        records[contest_id] = {
            "contest_status": status.value,
            "result": None
            if result is None
            else {
                "status": result.status,
                "precincts_counted": result.precincts_counted,
                "precincts_total": result.precincts_total,
                "totals": copy.deepcopy(result.totals),
                "outcome": copy.deepcopy(result.outcome),
            },
            "published": result is not None and result.published_at is not None,
        }
    return records


def _mandates(session: Session, election_id: int) -> dict[int, dict[str, Any]]:
    """Contest id → the seats its mandates give: ``winner`` (person ids of the single-member
    mandates) and ``seats`` (party id → list mandates)."""
    found: dict[int, dict[str, Any]] = {}
    rows = session.execute(
        select(Mandate.contest_id, Mandate.source, Mandate.party_id, Mandate.person_id)
        .join(Contest, Contest.id == Mandate.contest_id)
        .where(Contest.election_id == election_id)
    ).all()
    for contest_id, source, party_id, person_id in rows:
        entry = found.setdefault(contest_id, {"winner": [], "seats": Counter()})
        if source is MandateSource.SINGLE_MEMBER:
            entry["winner"].append(person_id)
        else:
            entry["seats"][party_id] += 1
    return found


def _leaves(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    """Every scalar of a JSON value with its dotted path (list items by index)."""
    if isinstance(value, Mapping):
        if not value:
            yield path, {}
        for key in value:
            yield from _leaves(value[key], f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        if not value:
            yield path, []
        for index, item in enumerate(value):
            yield from _leaves(item, f"{path}[{index}]")
    else:
        yield path, value


def diff(stored: Any, recomputed: Any, path: str = "") -> list[tuple[str, Any, Any]]:
    """The paths at which two JSON values differ, with both values (absent: None)."""
    if stored is None or recomputed is None:
        return [] if stored == recomputed else [(path or "result", stored, recomputed)]
    left, right = dict(_leaves(stored, path)), dict(_leaves(recomputed, path))
    return [
        (key, left.get(key, _ABSENT), right.get(key, _ABSENT))
        for key in sorted(left.keys() | right.keys())
        if left.get(key, _ABSENT) != right.get(key, _ABSENT) or (key in left) != (key in right)
    ]


def _nothing_counted(result: Mapping[str, Any] | None) -> bool:
    return result is None or (result.get("outcome") or {}).get("status") == "no_protocols"


def _expected_mandates(outcome: Mapping[str, Any]) -> dict[str, Any]:
    """The mandates a final outcome creates at publication (as ``results._create_mandates``)."""
    if outcome.get("status") == "elected":
        return {"winner": [outcome["winner"]["person_id"]], "seats": {}}
    if outcome.get("status") == "allocated":
        seats = {
            str(line["party_id"]): int(line["seats"])
            for line in outcome.get("lists", [])
            if int(line["seats"])
        }
        return {"winner": [], "seats": seats}
    return {"winner": [], "seats": {}}


def _recompute(
    factory: sessionmaker[Session], election_id: int, *, unpublish: bool
) -> tuple[dict[int, dict[str, Any]], dict[int, dict[str, Any]], dict[int, dict[str, Any]]]:
    """(stored records, mandates, recomputed records), read in one snapshot and rolled back."""
    with factory() as session:
        if session.get_bind().dialect.name == "postgresql":
            session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        try:
            election_of(session, election_id)
            stored = _records(session, election_id)
            mandates = _mandates(session, election_id)
            if unpublish:
                session.execute(
                    update(ContestResult)
                    .where(
                        ContestResult.contest_id.in_(
                            select(Contest.id).where(Contest.election_id == election_id)
                        )
                    )
                    .values(published_at=None)
                    .execution_options(synchronize_session=False)
                )
            # force: every contest recomputed, not skipped because its inputs digest is unchanged
            # (the digest is stored beside the result and could be edited with it).
            tabulate_election(Context(session, Actor.operator()), election_id, force=True)
            session.flush()
            session.expire_all()
            recomputed = _records(session, election_id)
        finally:
            session.rollback()
    return stored, mandates, recomputed


def verify_results(
    factory: sessionmaker[Session],
    election_id: int,
    *,
    published: Mapping[str, Any] | None = None,
) -> Verification:
    """Recompute every result of the election and list each difference (see the module
    docstring); ``published`` is a ``results.json`` document to compare as well. Writes nothing.

    Raises :class:`NotFound` for an unknown election and :class:`Conflict` for one without
    contests (there is nothing to verify).
    """
    try:
        stored, mandates, recomputed = _recompute(factory, election_id, unpublish=False)
    except Conflict as conflict:
        if conflict.code != "result_published":
            raise
        stored, mandates, recomputed = _recompute(factory, election_id, unpublish=True)
    differences: list[Difference] = []
    for contest_id, record in stored.items():
        again = recomputed.get(contest_id, {})
        if record["contest_status"] != again.get("contest_status"):
            differences.append(
                Difference(
                    contest_id,
                    STORED,
                    "contest_status",
                    record["contest_status"],
                    again.get("contest_status"),
                )
            )
        recomputed_result = again.get("result")
        if record["result"] is None and _nothing_counted(recomputed_result):
            continue  # never tabulated, and nothing to tabulate: nothing was stated about it
        for field, left, right in diff(record["result"], recomputed_result):
            differences.append(Difference(contest_id, STORED, field, left, right))
        result = (again.get("result") or {}) if record["published"] else {}
        if record["published"] and result.get("status") == "final":
            expected = _expected_mandates(result.get("outcome") or {})
            held = mandates.get(contest_id, {"winner": [], "seats": Counter()})
            actual = {
                "winner": sorted(held["winner"]),
                "seats": {str(k): v for k, v in held["seats"].items()},
            }
            for field, left, right in diff(actual, expected):
                differences.append(Difference(contest_id, MANDATES, field, left, right))
    if published is not None:
        differences.extend(_published_differences(published, election_id, recomputed))
    return Verification(
        election_id=election_id,
        contests=len(stored),
        published_contests=sum(r["published"] for r in stored.values()),
        differences=tuple(differences),
    )


def _published_differences(
    document: Mapping[str, Any], election_id: int, recomputed: Mapping[int, dict[str, Any]]
) -> list[Difference]:
    """Differences between a published ``results.json`` and the recomputation."""
    election = document.get("election")
    if not isinstance(election, Mapping) or election.get("id") != election_id:
        got = election.get("id") if isinstance(election, Mapping) else None
        return [Difference(0, PUBLISHED, "election.id", got, election_id)]
    found: list[Difference] = []
    seen: set[int] = set()
    for contest in document.get("contests") or []:
        contest_id = contest.get("contest_id")
        if not isinstance(contest_id, int) or contest_id not in recomputed:
            found.append(Difference(contest_id or 0, PUBLISHED, "contest", contest_id, None))
            continue
        seen.add(contest_id)
        again = recomputed[contest_id]
        shown = contest.get("result")
        left = None if shown is None else {k: shown.get(k) for k in _PUBLISHED_FIELDS}
        right = again["result"]
        if left is None and _nothing_counted(right):
            continue
        right = None if right is None else {k: right.get(k) for k in _PUBLISHED_FIELDS}
        for field, a, b in diff(left, right):
            found.append(Difference(contest_id, PUBLISHED, field, a, b))
        if contest.get("status") != again["contest_status"]:
            found.append(
                Difference(
                    contest_id,
                    PUBLISHED,
                    "contest_status",
                    contest.get("status"),
                    again["contest_status"],
                )
            )
    for contest_id in sorted(set(recomputed) - seen):
        found.append(Difference(contest_id, PUBLISHED, "contest", None, contest_id))
    return found


_PUBLISHED_FIELDS = ("status", "precincts_counted", "precincts_total", "totals", "outcome")
