"""Ballots: kinds and colours, order of the lines, paper size, print run and ballots per voter.

Sources: CL art. 37 paras 1–3 (content, order, languages, print run), art. 42 para 2 (a mark in the
box right of a name, a party or "against all"); the CEC decision of 27.02.2023 on colours and the
A5 format (law-2023.md §11; monograph-brief §5); decision #9 (auditable lot).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from types import MappingProxyType

from saylau.law.bodies import ContestKind, contests_for_precinct
from saylau.law.collation import candidate_sort_key
from saylau.law.errors import LawInputError, require, require_non_negative
from saylau.law.lot import Lot, draw_lot
from saylau.law.rules import MaslikhatKind, RuleSet

# --- kinds and colours ---------------------------------------------------------------------------


@dataclass(frozen=True)
class BallotColour:
    """The paper colour of one ballot kind, with its names and a suggested RGB for documents.

    ``rgb_hex`` is our suggestion for screens and printed specimens, not an official value: the
    CEC decision names colours, not shades.
    """

    id: str
    name_kk: str
    name_ru: str
    name_en: str
    rgb_hex: str


BALLOT_COLOURS_2023: Mapping[ContestKind, BallotColour] = MappingProxyType(
    {
        ContestKind.MAZHILIS_LIST: BallotColour("blue", "көк", "голубой", "blue", "#A9D4F5"),
        ContestKind.MAZHILIS_SMD: BallotColour("green", "жасыл", "зеленый", "green", "#B6E3B0"),
        ContestKind.FIRST_LEVEL_LIST: BallotColour(
            "purple", "күлгін", "пурпурный", "purple", "#D9B8E8"
        ),
        ContestKind.FIRST_LEVEL_SMD: BallotColour(
            "orange", "қызғылт сары", "оранжевый", "orange", "#FFC98F"
        ),
        ContestKind.SECOND_LEVEL_SMD: BallotColour("grey", "сұр", "серый", "grey", "#D3D3D3"),
    }
)
"""The five ballot colours of the CEC decision of 27.02.2023 (law-2023.md §11; monograph
[L306–L312]).

Kazakh names as printed in the monograph (orange = "қызғылт сары"; the press also writes
"қызылсары"). Other elections' colours were not recorded; the 2021 second-level list ballot has
none.
"""


def ballot_colour(contest: ContestKind) -> BallotColour | None:
    """The 2023 colour of a contest's ballot, or ``None`` where no colour is recorded."""
    return BALLOT_COLOURS_2023.get(contest)


def ballots_per_voter(region_kind: MaslikhatKind, rules: RuleSet) -> int:
    """How many ballots a voter gets: one per contest at the precinct (law-2023.md §11).

    2023: 5 in the oblasts, 4 in Astana, Almaty and Shymkent.
    """
    return len(contests_for_precinct(region_kind, rules))


# --- order of the lines --------------------------------------------------------------------------

AGAINST_ALL_ID = "against_all"
AGAINST_ALL_KK = "Бәріне қарсымын"
"""The line's wording in the Kazakh text of CL art. 37 para 1 and art. 42 para 2."""
AGAINST_ALL_RU = "Против всех"
AGAINST_ALL_EN = "Against all"

BALLOT_PAPER = "A5 148×210 mm"
"""Format of the 2023 ballots (CEC decision of 27.02.2023; law-2023.md §11)."""
STANDARD_BALLOT_MAX_CHOICES = 16
"""More candidates than this and the ballot is made longer, so all fit on one sheet
(monograph [L304]: "16-дан астам"); the "against all" line is not counted."""


@dataclass(frozen=True)
class Candidate:
    """A registered candidate as printed: surname, name, patronymic if in the identity document."""

    id: str
    surname: str
    name: str
    patronymic: str | None = None

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.surname, self.name, self.patronymic) if p)


class RowKind(StrEnum):
    CANDIDATE = "candidate"
    PARTY = "party"
    AGAINST_ALL = "against_all"


@dataclass(frozen=True)
class BallotRow:
    """One line of a ballot; the voter marks the empty box to its right (CL art. 42 para 2)."""

    position: int
    kind: RowKind
    choice_id: str
    label_kk: str
    label_ru: str


@dataclass(frozen=True)
class PartyOrder:
    """The order of parties on list ballots and where it comes from (CL art. 37 para 1).

    ``lot`` is the printable record when the order was drawn here (decision #9); otherwise
    ``source`` names the record of a draw held elsewhere (e.g. the CEC protocol of the draw).
    """

    parties: tuple[str, ...]
    source: str
    lot: Lot | None = None


def party_order_by_lot(parties: Sequence[str], seed: str, election: str) -> PartyOrder:
    """Draw the order of parties by an auditable lot (CL art. 37 para 1; decision #9).

    The purpose recorded in the lot is ``ballot-order:<election>``, so the same seed gives
    different, independent draws for different elections.
    """
    require(bool(election), "election", election, "the draw must name its election")
    require(len(parties) > 0, "parties", list(parties), "a list ballot needs at least one party")
    lot = draw_lot(seed, f"ballot-order:{election}", parties)
    return PartyOrder(parties=lot.order, source=f"lot {lot.method}, seed {seed!r}", lot=lot)


def recorded_party_order(parties: Sequence[str], source: str) -> PartyOrder:
    """An order drawn elsewhere (e.g. by the CEC in 2023) and copied from its record."""
    require(bool(source.strip()), "source", source, "a recorded order must cite its record")
    require(len(parties) > 0, "parties", list(parties), "a list ballot needs at least one party")
    require(
        len(set(parties)) == len(parties),
        "parties",
        list(parties),
        "a party appears once on a ballot",
    )
    return PartyOrder(parties=tuple(parties), source=source)


def order_candidates(candidates: Sequence[Candidate]) -> tuple[Candidate, ...]:
    """Candidates in Kazakh alphabetical order of surname, name, patronymic (CL art. 37 para 1).

    Two candidates with identical names (letter, separator and case alike) keep a fixed order by
    their ``id``, so the result never depends on input order.
    """
    return tuple(
        sorted(
            candidates,
            key=lambda c: (candidate_sort_key(c.surname, c.name, c.patronymic), c.id),
        )
    )


@dataclass(frozen=True)
class BallotLayout:
    """A ballot's lines in print order, its paper and colour.

    ``extended`` is true when there are more than 16 candidates or parties: the sheet is made
    longer so that all fit on one sheet (monograph [L304]).
    """

    contest: ContestKind
    rows: tuple[BallotRow, ...]
    choices: int
    extended: bool
    paper: str
    colour: BallotColour | None
    order_basis: str
    article: str = "CL art. 37 para 1; art. 42 para 2"

    @property
    def row_count(self) -> int:
        return len(self.rows)


def _against_all_row(position: int) -> BallotRow:
    return BallotRow(position, RowKind.AGAINST_ALL, AGAINST_ALL_ID, AGAINST_ALL_KK, AGAINST_ALL_RU)


def _require_distinct(field: str, ids: Sequence[str]) -> None:
    require(all(ids), field, list(ids), "every choice needs a non-empty id")
    require(len(set(ids)) == len(ids), field, list(ids), "a choice appears once on a ballot")
    require(
        AGAINST_ALL_ID not in ids,
        field,
        list(ids),
        f"{AGAINST_ALL_ID!r} is reserved for the 'against all' line",
    )


def ballot_layout(
    contest: ContestKind,
    rules: RuleSet,
    *,
    candidates: Sequence[Candidate] | None = None,
    party_order: PartyOrder | None = None,
    party_names: Mapping[str, tuple[str, str]] | None = None,
) -> BallotLayout:
    """Lay out the ballot of one contest (CL art. 37 para 1).

    A single-member ballot takes ``candidates`` and lists them in Kazakh alphabetical order; a list
    ballot takes a ``party_order`` (drawn by lot or recorded) and optional ``party_names``
    (party id → (Kazakh, Russian) name, printed in both languages per art. 37 para 2). The
    "against all" line comes last when ``rules.against_all_on_ballot``.
    """
    rows: list[BallotRow] = []
    if contest.is_list:
        if party_order is None or candidates is not None:
            raise LawInputError(
                "party_order",
                party_order,
                f"a {contest.value} ballot lists parties in a recorded order, not candidates",
            )
        _require_distinct("parties", party_order.parties)
        names = party_names or {}
        for position, party in enumerate(party_order.parties, start=1):
            kk, ru = names.get(party, (party, party))
            rows.append(BallotRow(position, RowKind.PARTY, party, kk, ru))
        basis = f"parties in the order of a lot ({party_order.source})"
    else:
        if candidates is None or party_order is not None:
            raise LawInputError(
                "candidates", candidates, f"a {contest.value} ballot lists candidates, not parties"
            )
        require(len(candidates) > 0, "candidates", [], "a ballot needs at least one candidate")
        _require_distinct("candidates", [c.id for c in candidates])
        for c in candidates:
            require(
                bool(c.surname.strip()) and bool(c.name.strip()),
                "candidates",
                c.id,
                "a candidate is printed with surname and name (CL art. 37 para 1)",
            )
        for position, c in enumerate(order_candidates(candidates), start=1):
            rows.append(BallotRow(position, RowKind.CANDIDATE, c.id, c.full_name, c.full_name))
        basis = "candidates in Kazakh alphabetical order of surname, name, patronymic"
    choices = len(rows)
    if rules.against_all_on_ballot:
        rows.append(_against_all_row(choices + 1))
    return BallotLayout(
        contest=contest,
        rows=tuple(rows),
        choices=choices,
        extended=choices > STANDARD_BALLOT_MAX_CHOICES,
        paper=BALLOT_PAPER,
        colour=ballot_colour(contest),
        order_basis=basis,
    )


# --- print run -----------------------------------------------------------------------------------


def with_reserve(voters: int, rules: RuleSet) -> int:
    """Voters plus the 1% reserve, rounded up: ``ceil(voters × 101/100)`` (CL art. 37 paras 2–3)."""
    require_non_negative("voters", voters)
    total = voters * (1 + rules.ballot_reserve)
    return -(-total.numerator // total.denominator)


@dataclass(frozen=True)
class PrintRun:
    """Ballots for one district: the print run and each precinct's delivery.

    ``district_print`` is art. 37 para 2 (the district's voters + 1%); ``precinct_delivery`` is
    para 3 (each precinct's voters + 1%), each rounded up. Rounding each precinct up can ask for a
    few more ballots than the district figure (fewer than one per precinct), so ``to_print`` is the
    larger of the two: every precinct gets its delivery and the statutory print is never undercut.
    """

    district_voters: int
    district_print: int
    precinct_delivery: Mapping[str, int]
    reserve: Fraction
    article: str = "CL art. 37 paras 2–3"

    @property
    def delivered_total(self) -> int:
        return sum(self.precinct_delivery.values())

    @property
    def to_print(self) -> int:
        return max(self.district_print, self.delivered_total)


def print_run(voters_by_precinct: Mapping[str, int], rules: RuleSet) -> PrintRun:
    """The print run of one contest's ballots in one district (CL art. 37 paras 2–3)."""
    require(
        len(voters_by_precinct) > 0,
        "voters_by_precinct",
        {},
        "a district has at least one precinct",
    )
    for precinct, voters in voters_by_precinct.items():
        require(bool(precinct), "precinct", precinct, "a precinct needs an id")
        require_non_negative(f"voters[{precinct}]", voters)
    district_voters = sum(voters_by_precinct.values())
    return PrintRun(
        district_voters=district_voters,
        district_print=with_reserve(district_voters, rules),
        precinct_delivery=MappingProxyType(
            {p: with_reserve(v, rules) for p, v in sorted(voters_by_precinct.items())}
        ),
        reserve=rules.ballot_reserve,
    )
