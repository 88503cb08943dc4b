"""Representative bodies: how their seats split, their caps, competence, term, and contests.

Sources: CL art. 9 paras 3–4 and art. 21 para 4 (which seats are list seats and which are
single-member); LSA art. 5 paras 1–4 (term, one maslikhat per person, seat caps, competence);
Constitution art. 52 para 3 (a Parliament deputy may not sit in another representative body);
decision #10 (caps are a warning with an explicit override).
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from saylau.law.errors import LawInputError, require
from saylau.law.rules import (
    Body,
    ElectoralSystem,
    Level,
    MaslikhatKind,
    RuleSet,
    SeatCapPolicy,
)

_SPLIT_ARTICLE = "CL art. 9 paras 3–4; CL art. 21 para 4"


@dataclass(frozen=True)
class SeatSplit:
    """The seats of one body split into its party-list and single-member parts."""

    list_seats: int
    smd_seats: int
    system: ElectoralSystem
    article: str

    @property
    def total(self) -> int:
        return self.list_seats + self.smd_seats


def _require_seats(seats: int) -> None:
    require(
        isinstance(seats, int) and not isinstance(seats, bool),
        "seats",
        seats,
        "must be a whole number",
    )
    require(seats >= 1, "seats", seats, "a body has at least one seat")


def seat_split(kind: MaslikhatKind, seats: int, rules: RuleSet) -> SeatSplit:
    """Split a maslikhat's seats by the system of its level (CL art. 9 paras 3–4, art. 21 para 4).

    Mixed (first level, 2023): half by party list, half in single-member districts, and an odd
    seat goes to the single-member part. Party list (2021): all list. Single member (2016, and the
    second level in 2023): all single-member.
    """
    _require_seats(seats)
    system = rules.system_for(kind)
    if system is ElectoralSystem.MIXED:
        list_seats = seats // 2
        return SeatSplit(list_seats, seats - list_seats, system, _SPLIT_ARTICLE)
    if system is ElectoralSystem.PARTY_LIST:
        return SeatSplit(seats, 0, system, _SPLIT_ARTICLE)
    return SeatSplit(0, seats, system, _SPLIT_ARTICLE)


def mazhilis_seats(rules: RuleSet) -> SeatSplit:
    """The Mazhilis's seats elected by voters: 69 list + 29 single-member in 2023, 98 list before.

    CL art. 9 para 2 (2023: mixed system, one nationwide list district plus single-member
    districts); the 69 + 29 numbers are the rule set's (law-2023.md §1; monograph-brief §1.6). The
    9 deputies that the Assembly of the People of Kazakhstan elected in 2016 and 2021 were not
    elected by voters and are not counted.
    """
    if rules.mazhilis_smd_seats == 0:
        system = ElectoralSystem.PARTY_LIST
    elif rules.mazhilis_list_seats == 0:
        system = ElectoralSystem.SINGLE_MEMBER
    else:
        system = ElectoralSystem.MIXED
    return SeatSplit(
        rules.mazhilis_list_seats,
        rules.mazhilis_smd_seats,
        system,
        "CL art. 9 para 2",
    )


# --- seat caps -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeatCapCheck:
    """Outcome of checking a maslikhat's seat number against its cap (LSA art. 5 para 3).

    ``accepted`` is false only when the cap is exceeded and no override was given (decision #10).
    ``override_reason`` is the reason that made an excess acceptable, for the audit log.
    """

    kind: MaslikhatKind
    seats: int
    cap: int
    within_cap: bool
    accepted: bool
    warning: str | None
    override_reason: str | None
    article: str = "LSA art. 5 para 3; decision #10"


def check_seat_cap(
    kind: MaslikhatKind,
    seats: int,
    rules: RuleSet,
    override_reason: str | None = None,
) -> SeatCapCheck:
    """Check ``seats`` against the cap for ``kind``: 50 / 30 / 25 (LSA art. 5 para 3).

    Real 2023 bodies exceed the caps (Aktobe city 32, Karasay district 30), so under the default
    ``rules.seat_cap_policy = WARN`` (decision #10) an excess is a warning that is accepted only
    with an explicit, non-empty override reason. Under ``ERROR`` an excess is refused with a
    :class:`LawInputError` whatever the reason.
    """
    _require_seats(seats)
    cap = rules.seat_caps[kind]
    if seats <= cap:
        return SeatCapCheck(kind, seats, cap, True, True, None, None)
    warning = (
        f"{seats} seats exceed the cap of {cap} for a {kind.value} maslikhat (LSA art. 5 para 3)"
    )
    if rules.seat_cap_policy is SeatCapPolicy.ERROR:
        raise LawInputError("seats", seats, warning + "; the rule set refuses any excess")
    if override_reason is None:
        return SeatCapCheck(kind, seats, cap, False, False, warning, None)
    reason = override_reason.strip()
    require(
        bool(reason),
        "override_reason",
        override_reason,
        "an override of a seat cap needs a stated reason (decision #10)",
    )
    return SeatCapCheck(kind, seats, cap, False, True, warning, reason)


# --- competence ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Competence:
    """Whether enough deputies are elected for the maslikhat to be competent (LSA art. 5 para 4)."""

    seats_total: int
    seats_filled: int
    required: int
    competent: bool
    missing: int
    """How many more deputies must be elected; 0 when competent."""


def competence(seats_total: int, seats_filled: int, rules: RuleSet) -> Competence:
    """A maslikhat is competent once at least 3/4 of its deputies are elected (LSA art. 5 para 4).

    "At least" is inclusive and exact: ``filled ≥ ceil(total × 3/4)``, computed in integers.
    """
    _require_seats(seats_total)
    require(
        isinstance(seats_filled, int) and not isinstance(seats_filled, bool),
        "seats_filled",
        seats_filled,
        "must be a whole number",
    )
    require(
        0 <= seats_filled <= seats_total,
        "seats_filled",
        seats_filled,
        f"must lie between 0 and the number of seats ({seats_total})",
    )
    share = rules.competence_share
    required = -(-seats_total * share.numerator // share.denominator)
    return Competence(
        seats_total=seats_total,
        seats_filled=seats_filled,
        required=required,
        competent=seats_filled >= required,
        missing=max(0, required - seats_filled),
    )


def is_competent(seats_total: int, seats_filled: int, rules: RuleSet) -> bool:
    """``True`` when at least 3/4 of the seats are filled (LSA art. 5 para 4)."""
    return competence(seats_total, seats_filled, rules).competent


# --- term ----------------------------------------------------------------------------------------


def term_end(start: date, rules: RuleSet) -> date:
    """The nominal end of a maslikhat's five-year term begun on ``start`` (LSA art. 5 para 1).

    A period counted in years ends on the same month and day of its last year; if that month has
    no such day (a term begun on 29 February), on the month's last day, 28 February — the rule
    the CL itself states for periods that end in a month without the start's date (CL art. 85
    para 3 part 2). The powers themselves last until the first session of the next convocation
    (LSA art. 5 para 6).
    """
    year = start.year + rules.term_years
    last_day = calendar.monthrange(year, start.month)[1]
    return date(year, start.month, min(start.day, last_day))


# --- one seat per person -------------------------------------------------------------------------


@dataclass(frozen=True)
class SeatConflict:
    """A person holding more than one mandate, with every body concerned (sorted)."""

    person_id: str
    body_ids: tuple[str, ...]
    article: str = "LSA art. 5 para 2; Constitution art. 52 para 3"


def check_one_seat_per_person(mandates: Iterable[tuple[str, str]]) -> tuple[SeatConflict, ...]:
    """Every person who holds more than one mandate among ``(person_id, body_id)`` pairs.

    A citizen may be a deputy of only one maslikhat (LSA art. 5 para 2), and a Parliament deputy
    may not be a deputy of another representative body (Constitution art. 52 para 3). Two mandates
    in the same body (e.g. a list seat and a district seat) are a conflict too. Returns conflicts
    sorted by person; an empty tuple means the rule holds.
    """
    held: defaultdict[str, list[str]] = defaultdict(list)
    for person_id, body_id in mandates:
        require(bool(person_id), "person_id", person_id, "a mandate needs a person")
        require(bool(body_id), "body_id", body_id, "a mandate needs a body")
        held[person_id].append(body_id)
    return tuple(
        SeatConflict(person_id, tuple(sorted(bodies)))
        for person_id, bodies in sorted(held.items())
        if len(bodies) > 1
    )


# --- contests of an election ---------------------------------------------------------------------


class ContestKind(StrEnum):
    """A kind of contest, i.e. a kind of ballot: body, level and whether list or single-member.

    The five 2023 kinds (CL art. 9; law-2023.md §11) plus the second-level list contest that
    existed in 2021. Use :meth:`of` to build a kind from its parts.
    """

    MAZHILIS_LIST = "mazhilis_list"
    MAZHILIS_SMD = "mazhilis_smd"
    FIRST_LEVEL_LIST = "first_level_list"
    FIRST_LEVEL_SMD = "first_level_smd"
    SECOND_LEVEL_LIST = "second_level_list"
    SECOND_LEVEL_SMD = "second_level_smd"

    @property
    def body(self) -> Body:
        return Body.MAZHILIS if self.value.startswith("mazhilis") else Body.MASLIKHAT

    @property
    def level(self) -> Level | None:
        """The maslikhat level; ``None`` for the Mazhilis."""
        if self.body is Body.MAZHILIS:
            return None
        return Level.FIRST if self.value.startswith("first") else Level.SECOND

    @property
    def system(self) -> ElectoralSystem:
        """``PARTY_LIST`` or ``SINGLE_MEMBER``: one contest is never mixed."""
        if self.value.endswith("_list"):
            return ElectoralSystem.PARTY_LIST
        return ElectoralSystem.SINGLE_MEMBER

    @property
    def is_list(self) -> bool:
        return self.system is ElectoralSystem.PARTY_LIST

    @classmethod
    def of(cls, body: Body, level: Level | None, system: ElectoralSystem) -> ContestKind:
        """The contest kind of a body (and level, for maslikhats) and a one-part system."""
        require(
            system is not ElectoralSystem.MIXED,
            "system",
            system.value,
            "a contest is either party-list or single-member; a mixed body has two contests",
        )
        require(
            (body is Body.MAZHILIS) == (level is None),
            "level",
            level,
            "a maslikhat contest needs a level and a Mazhilis contest has none",
        )
        prefix = "mazhilis" if level is None else f"{level.value}_level"
        suffix = "list" if system is ElectoralSystem.PARTY_LIST else "smd"
        return cls(f"{prefix}_{suffix}")


def _contests_of(body: Body, level: Level | None, system: ElectoralSystem) -> list[ContestKind]:
    if system is ElectoralSystem.MIXED:
        parts = [ElectoralSystem.PARTY_LIST, ElectoralSystem.SINGLE_MEMBER]
    else:
        parts = [system]
    return [ContestKind.of(body, level, part) for part in parts]


def contests_for_precinct(region_kind: MaslikhatKind, rules: RuleSet) -> tuple[ContestKind, ...]:
    """The contests (ballots) a voter gets at a precinct in a region of ``region_kind``.

    ``region_kind`` is the first-level unit: an oblast, a city of republican significance or the
    capital. Everyone votes for the Mazhilis and the first-level maslikhat by the rule set's systems
    (CL art. 9); only oblasts contain second-level maslikhats (districts, cities of oblast
    significance), so Astana, Almaty and Shymkent have no second-level contest. 2023: 5 ballots in
    oblasts, 4 in the three cities (law-2023.md §11).
    """
    require(
        region_kind.level is Level.FIRST,
        "region_kind",
        region_kind.value,
        "a region is an oblast, a city of republican significance or the capital",
    )
    contests: list[ContestKind] = []
    if rules.mazhilis_list_seats > 0:
        contests.append(ContestKind.MAZHILIS_LIST)
    if rules.mazhilis_smd_seats > 0:
        contests.append(ContestKind.MAZHILIS_SMD)
    contests += _contests_of(Body.MASLIKHAT, Level.FIRST, rules.first_level_system)
    if region_kind is MaslikhatKind.OBLAST:
        contests += _contests_of(Body.MASLIKHAT, Level.SECOND, rules.second_level_system)
    return tuple(contests)
