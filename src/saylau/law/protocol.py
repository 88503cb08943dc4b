"""The precinct result protocol of one contest and its control relations (CL art. 43; decision #19).

A precinct commission draws up one protocol per contest (each contest has its own ballot). The
fields are those art. 43 makes the commission establish (paras 3-1, 4, 4-1); the control relations
are derived from them (law-2023.md §10), since the CEC's official form and control ratios were not
found. :func:`check_protocol` reports *every* violated relation by its stable name, so that a
commission or observer sees all discrepancies at once, not just the first.

Counts must be whole numbers ≥ 0: a negative or non-integer count is not a discrepancy in the
arithmetic but a malformed protocol, refused at construction with a :class:`LawInputError`
naming the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from fractions import Fraction
from types import MappingProxyType

from saylau.law.bodies import ContestKind
from saylau.law.errors import require, require_non_negative
from saylau.law.rules import DEFAULT_RULES, RuleSet

_EMPTY: Mapping[str, int] = MappingProxyType({})


@dataclass(frozen=True)
class PrecinctProtocol:
    """The figures of one contest's result protocol at one precinct (CL art. 43).

    ``votes`` maps each candidate or party id to its votes; ``extra`` holds lines the statute does
    not require but a form may carry (absentee certificates, voters added on the day, …;
    decision #19). ``valid`` is the number of valid ballots if the form has such a line; it is
    checked against the other lines but never needed (:func:`valid_ballots` derives it).
    """

    voters_on_list: int
    """Voters on the precinct's list, including those added on polling day (art. 43 para 4(1))."""
    ballots_received: int
    """Ballots the precinct commission received (art. 43 para 4-1(4))."""
    ballots_issued: int
    """Voters who received ballots (art. 43 paras 3-1, 4(2)), including those who voted outside
    the premises on a written request (para 4-1, last part: "issued on the basis of the voter
    lists and of the requests to vote outside")."""
    ballots_cancelled: int
    """Unused ballots, counted and cancelled before the boxes are opened (paras 4, 4-1(5))."""
    ballots_in_boxes: int
    """Ballots found in the boxes = voters who took part (art. 43 para 4-1(1))."""
    portable_box_ballots: int
    """Ballots found in the portable boxes (art. 43 para 3-1)."""
    portable_box_requests: int
    """Written requests to vote outside the premises (art. 41 para 6; art. 43 para 3-1)."""
    votes: Mapping[str, int]
    """Votes for each candidate or party (art. 43 para 4-1(2))."""
    against_all: int
    """Ballots marked "against all" (art. 43 para 4-1(2-1))."""
    invalid: int
    """Ballots declared invalid, including any portable box invalidated (para 4-1(3), para 5)."""
    portable_box_invalidated: int = 0
    """Ballots of portable boxes declared invalid because a box held more ballots than requests
    (art. 43 para 3-1); they are part of ``invalid``."""
    valid: int | None = None
    """Valid ballots, if the form carries this line (not required by art. 43)."""
    extra: Mapping[str, int] = field(default_factory=lambda: _EMPTY)
    precinct_id: str | None = None
    contest: ContestKind | None = None

    def __post_init__(self) -> None:
        for name in _COUNT_FIELDS:
            require_non_negative(name, getattr(self, name))
        if self.valid is not None:
            require_non_negative("valid", self.valid)
        for mapping_name in ("votes", "extra"):
            mapping = getattr(self, mapping_name)
            for key, value in mapping.items():
                if type(key) is str and key and type(value) is int and value >= 0:
                    continue  # a well-formed line: the checks below would all pass
                require(
                    isinstance(key, str) and bool(key),
                    mapping_name,
                    key,
                    "each line needs a non-empty id",
                )
                require_non_negative(f"{mapping_name}[{key}]", value)
            object.__setattr__(self, mapping_name, MappingProxyType(dict(mapping)))


_COUNT_FIELDS = (
    "voters_on_list",
    "ballots_received",
    "ballots_issued",
    "ballots_cancelled",
    "ballots_in_boxes",
    "portable_box_ballots",
    "portable_box_requests",
    "against_all",
    "invalid",
    "portable_box_invalidated",
)


def votes_total(p: PrecinctProtocol) -> int:
    """Sum of the votes for all candidates or parties."""
    return sum(p.votes.values())


def valid_ballots(p: PrecinctProtocol) -> int:
    """Valid ballots = votes for all choices + "against all" (art. 43 para 5, last sentence).

    This is the base of the 5% tests (decision #1): invalid ballots excluded, "against all" in.
    """
    return votes_total(p) + p.against_all


def turnout(p: PrecinctProtocol) -> Fraction:
    """Share of the voters on the list who took part: ballots in the boxes / voters on the list.

    "Took part" is counted by the ballots found in the boxes (art. 43 para 4-1(1)).
    """
    require(
        p.voters_on_list > 0,
        "voters_on_list",
        p.voters_on_list,
        "turnout needs at least one voter on the list",
    )
    return Fraction(p.ballots_in_boxes, p.voters_on_list)


# --- control relations ---------------------------------------------------------------------------


class Severity(StrEnum):
    """An ``ERROR`` means the figures cannot all be right; a ``WARNING`` asks for an explanation."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Relation:
    """A control relation of the protocol: a stable name, its text, article and severity."""

    name: str
    text: str
    article: str
    severity: Severity = Severity.ERROR


@dataclass(frozen=True)
class Violation:
    """A relation that does not hold, with the values of its two sides."""

    name: str
    relation: str
    left: int
    right: int
    article: str
    severity: Severity
    note: str = ""


RELATIONS: tuple[Relation, ...] = (
    Relation(
        "received_equals_issued_plus_cancelled",
        "ballots_received = ballots_issued + ballots_cancelled",
        "CL art. 43 paras 4, 4-1(4)–(5); decision #19",
    ),
    Relation(
        "in_boxes_equals_votes_plus_against_all_plus_invalid",
        "ballots_in_boxes = Σ votes + against_all + invalid",
        "CL art. 43 para 4-1(1)–(3); decision #19",
    ),
    Relation(
        "in_boxes_at_most_issued",
        "ballots_in_boxes ≤ ballots_issued",
        "CL art. 43 para 4-1, last part (if exceeded, count the ballots issued by each member)",
    ),
    Relation(
        "issued_at_most_voters_on_list",
        "ballots_issued ≤ voters_on_list",
        "CL art. 43 para 4(1)–(2)",
    ),
    Relation(
        "portable_at_most_requests",
        "portable_box_ballots − portable_box_invalidated ≤ portable_box_requests",
        "CL art. 43 para 3-1 (a box with more ballots than requests: all its ballots invalid)",
    ),
    Relation(
        "portable_at_most_in_boxes",
        "portable_box_ballots ≤ ballots_in_boxes",
        "CL art. 43 paras 3-1, 4-1(1)",
    ),
    Relation(
        "portable_invalidated_at_most_portable",
        "portable_box_invalidated ≤ portable_box_ballots",
        "CL art. 43 para 3-1",
    ),
    Relation(
        "portable_invalidated_at_most_invalid",
        "portable_box_invalidated ≤ invalid",
        "CL art. 43 paras 3-1, 4-1(3)",
    ),
    Relation(
        "valid_equals_in_boxes_minus_invalid",
        "valid = ballots_in_boxes − invalid",
        "CL art. 43 para 5, last sentence; decision #19 (checked when the form has a valid line)",
    ),
    Relation(
        "valid_equals_votes_plus_against_all",
        "valid = Σ votes + against_all",
        "CL art. 43 para 4-1(2)–(2-1); decision #1 (checked when the form has a valid line)",
    ),
    Relation(
        "against_all_only_if_on_ballot",
        "against_all = 0 when the ballot has no 'against all' line",
        "CL art. 37 para 1 (the line exists only under rule sets that print it)",
    ),
    Relation(
        "voters_on_list_at_most_precinct_max",
        "voters_on_list ≤ maximum voters of a precinct",
        "CL art. 23 (precincts of at most 3,000 voters; voters added on the day may exceed it)",
        Severity.WARNING,
    ),
)
RELATIONS_BY_NAME: Mapping[str, Relation] = MappingProxyType({r.name: r for r in RELATIONS})


def _violation(name: str, left: int, right: int, note: str = "") -> Violation:
    r = RELATIONS_BY_NAME[name]
    return Violation(r.name, r.text, left, right, r.article, r.severity, note)


def check_protocol(p: PrecinctProtocol, rules: RuleSet = DEFAULT_RULES) -> tuple[Violation, ...]:
    """Every control relation that ``p`` violates, in the order of :data:`RELATIONS`.

    An empty tuple means the protocol adds up. ``rules`` supplies the precinct maximum (art. 23)
    and whether the ballot has an "against all" line (art. 37 para 1).
    """
    found: list[Violation] = []
    choices = valid_ballots(p)

    def check(name: str, holds: bool, left: int, right: int, note: str = "") -> None:
        if not holds:
            found.append(_violation(name, left, right, note))

    issued_plus_cancelled = p.ballots_issued + p.ballots_cancelled
    check(
        "received_equals_issued_plus_cancelled",
        p.ballots_received == issued_plus_cancelled,
        p.ballots_received,
        issued_plus_cancelled,
    )
    counted = choices + p.invalid
    check(
        "in_boxes_equals_votes_plus_against_all_plus_invalid",
        p.ballots_in_boxes == counted,
        p.ballots_in_boxes,
        counted,
    )
    check(
        "in_boxes_at_most_issued",
        p.ballots_in_boxes <= p.ballots_issued,
        p.ballots_in_boxes,
        p.ballots_issued,
        "count the ballots issued by each commission member (art. 43 para 4-1)",
    )
    check(
        "issued_at_most_voters_on_list",
        p.ballots_issued <= p.voters_on_list,
        p.ballots_issued,
        p.voters_on_list,
    )
    portable_counted = p.portable_box_ballots - p.portable_box_invalidated
    check(
        "portable_at_most_requests",
        portable_counted <= p.portable_box_requests,
        portable_counted,
        p.portable_box_requests,
        "all ballots of a portable box holding more ballots than requests are invalid "
        "(art. 43 para 3-1); see apply_portable_box_rule",
    )
    check(
        "portable_at_most_in_boxes",
        p.portable_box_ballots <= p.ballots_in_boxes,
        p.portable_box_ballots,
        p.ballots_in_boxes,
    )
    check(
        "portable_invalidated_at_most_portable",
        p.portable_box_invalidated <= p.portable_box_ballots,
        p.portable_box_invalidated,
        p.portable_box_ballots,
    )
    check(
        "portable_invalidated_at_most_invalid",
        p.portable_box_invalidated <= p.invalid,
        p.portable_box_invalidated,
        p.invalid,
    )
    if p.valid is not None:
        in_boxes_minus_invalid = p.ballots_in_boxes - p.invalid
        check(
            "valid_equals_in_boxes_minus_invalid",
            p.valid == in_boxes_minus_invalid,
            p.valid,
            in_boxes_minus_invalid,
        )
        check("valid_equals_votes_plus_against_all", p.valid == choices, p.valid, choices)
    check(
        "against_all_only_if_on_ballot",
        rules.against_all_on_ballot or p.against_all == 0,
        p.against_all,
        0,
    )
    check(
        "voters_on_list_at_most_precinct_max",
        p.voters_on_list <= rules.max_precinct_voters,
        p.voters_on_list,
        rules.max_precinct_voters,
    )
    return tuple(found)


def errors(violations: tuple[Violation, ...]) -> tuple[Violation, ...]:
    """Only the violations of severity ``ERROR``."""
    return tuple(v for v in violations if v.severity is Severity.ERROR)


# --- portable boxes (art. 43 para 3-1) -----------------------------------------------------------


@dataclass(frozen=True)
class PortableBox:
    """The count of one portable box: requests it served and what its ballots say."""

    requests: int
    votes: Mapping[str, int]
    against_all: int
    invalid: int

    def __post_init__(self) -> None:
        require_non_negative("requests", self.requests)
        require_non_negative("against_all", self.against_all)
        require_non_negative("invalid", self.invalid)
        for key, value in self.votes.items():
            require(bool(key), "votes", key, "each line needs a non-empty id")
            require_non_negative(f"votes[{key}]", value)
        object.__setattr__(self, "votes", MappingProxyType(dict(self.votes)))

    @property
    def ballots(self) -> int:
        return sum(self.votes.values()) + self.against_all + self.invalid

    @property
    def overfull(self) -> bool:
        """More ballots than written requests: every ballot of the box is invalid (para 3-1)."""
        return self.ballots > self.requests


def apply_portable_box_rule(p: PrecinctProtocol, box: PortableBox) -> PrecinctProtocol:
    """Apply art. 43 para 3-1 to a portable box already counted into ``p``.

    If the box holds more ballots than written requests, all its ballots are declared invalid
    (an act is drawn up): its votes and "against all" marks are taken off ``p`` and added to
    ``invalid``, and ``portable_box_invalidated`` records them. A box that is not overfull leaves
    ``p`` unchanged. The ballots still count as ballots in the boxes (the voters took part).
    """
    if not box.overfull:
        return p
    votes = dict(p.votes)
    for choice, n in box.votes.items():
        require(
            votes.get(choice, 0) >= n,
            f"votes[{choice}]",
            votes.get(choice, 0),
            "the protocol must already include the portable box's votes",
        )
        votes[choice] -= n
    require(
        p.against_all >= box.against_all,
        "against_all",
        p.against_all,
        "the protocol must already include the portable box's 'against all' ballots",
    )
    require(
        p.invalid >= box.invalid,
        "invalid",
        p.invalid,
        "the protocol must already include the portable box's invalid ballots",
    )
    return replace(
        p,
        votes=votes,
        against_all=p.against_all - box.against_all,
        invalid=p.invalid - box.invalid + box.ballots,
        portable_box_invalidated=p.portable_box_invalidated + box.ballots,
    )


# --- the fields of the paper form ----------------------------------------------------------------


@dataclass(frozen=True)
class ProtocolField:
    """One line of the protocol form, for the UI and printed forms to share.

    The order follows art. 43 (list counts before the boxes are opened, then ballot counts); the
    CEC's official form and its line numbers were not found, so this order is ours. Figures are
    written in digits and repeated in words (art. 43 para 8).
    """

    id: str
    line: int
    label_kk: str
    label_ru: str
    label_en: str
    article: str
    per_choice: bool = False
    optional: bool = False


PROTOCOL_FIELDS: tuple[ProtocolField, ...] = (
    ProtocolField(
        "voters_on_list",
        1,
        "Учаскедегі сайлаушылардың жалпы саны",
        "Общее число избирателей на участке",
        "Voters on the precinct list",
        "CL art. 43 para 4(1)",
    ),
    ProtocolField(
        "ballots_received",
        2,
        "Учаскелік сайлау комиссиясы алған бюллетеньдер саны",
        "Число бюллетеней, полученных участковой избирательной комиссией",
        "Ballots received by the precinct commission",
        "CL art. 43 para 4-1(4)",
    ),
    ProtocolField(
        "ballots_issued",
        3,
        "Бюллетеньдер алған сайлаушылар саны",
        "Число избирателей, получивших бюллетени",
        "Voters who received ballots",
        "CL art. 43 paras 3-1, 4(2)",
    ),
    ProtocolField(
        "ballots_cancelled",
        4,
        "Жойылған (пайдаланылмаған) бюллетеньдер саны",
        "Число погашенных (неиспользованных) бюллетеней",
        "Unused ballots cancelled",
        "CL art. 43 paras 4, 4-1(5)",
    ),
    ProtocolField(
        "portable_box_requests",
        5,
        "Дауыс беруге арналған үй-жайдан тыс жерде дауыс беру туралы жазбаша өтініштер саны",
        "Число письменных заявлений о голосовании вне помещения для голосования",
        "Written requests to vote outside the premises",
        "CL art. 41 para 6; art. 43 para 3-1",
    ),
    ProtocolField(
        "portable_box_ballots",
        6,
        "Тасымалданатын сайлау жәшіктеріндегі бюллетеньдер саны",
        "Число бюллетеней в переносных избирательных урнах",
        "Ballots in portable boxes",
        "CL art. 43 para 3-1",
    ),
    ProtocolField(
        "portable_box_invalidated",
        7,
        "Жарамсыз деп танылған тасымалданатын жәшіктердегі бюллетеньдер саны",
        "Число бюллетеней из переносных урн, признанных недействительными",
        "Portable-box ballots declared invalid (more ballots than requests)",
        "CL art. 43 para 3-1",
        optional=True,
    ),
    ProtocolField(
        "ballots_in_boxes",
        8,
        "Дауыс беруге қатысқан сайлаушылардың жалпы саны",
        "Общее число избирателей, принявших участие в голосовании",
        "Voters who took part (ballots found in the boxes)",
        "CL art. 43 para 4-1(1)",
    ),
    ProtocolField(
        "votes",
        9,
        "Әрбір кандидат үшін, әрбір саяси партия үшін берілген дауыстар саны",
        "Число голосов, поданных за каждого кандидата, за каждую политическую партию",
        "Votes for each candidate or party",
        "CL art. 43 para 4-1(2)",
        per_choice=True,
    ),
    ProtocolField(
        "against_all",
        10,
        "«Бәріне қарсымын» деген жолда белгісі бар бюллетеньдер саны",
        "Число бюллетеней с отметкой в строке «Против всех»",
        "Ballots marked “Against all”",
        "CL art. 43 para 4-1(2-1)",
    ),
    ProtocolField(
        "invalid",
        11,
        "Жарамсыз деп танылған бюллетеньдер саны",
        "Число бюллетеней, признанных недействительными",
        "Ballots declared invalid",
        "CL art. 43 paras 4-1(3), 5",
    ),
    ProtocolField(
        "valid",
        12,
        "Жарамды бюллетеньдер саны",
        "Число действительных бюллетеней",
        "Valid ballots",
        "CL art. 43 para 5, last sentence; decision #19",
        optional=True,
    ),
)
"""The lines of the protocol form in order; ``extra`` lines follow them (decision #19)."""
