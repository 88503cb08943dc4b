"""Rule sets: the electoral law as versioned data.

A :class:`RuleSet` carries every number the statute fixes and every parameter that
``decisions.md`` creates where the statute is silent or sources conflict. The rules in the other
modules of :mod:`saylau.law` take a rule set as input, so that the same votes can be replayed under
the 2023, 2021 or 2016 rules (issue: counterfactual analysis).

Sources: CL = Constitutional Law "On elections" No. 2464 of 28.09.1995, version in force on
19.03.2023; LSA = Law "On local state administration and self-government" No. 148-II; the numbered
decisions are those of ``docs/rules.md`` (copied from the specification's ``decisions.md``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from types import MappingProxyType

from saylau.law.errors import LawInputError


class Body(StrEnum):
    """Representative bodies elected on the same day (CL art. 9)."""

    MASLIKHAT = "maslikhat"
    MAZHILIS = "mazhilis"


class MaslikhatKind(StrEnum):
    """Kinds of maslikhat; the first three are "first level", the last two "second level".

    The seat caps of LSA art. 5 para 3 differ by kind, the electoral system by level (CL art. 9).
    """

    OBLAST = "oblast"
    REPUBLICAN_CITY = "republican_city"  # Almaty, Shymkent
    CAPITAL = "capital"  # Astana
    CITY = "city"  # city of oblast significance
    DISTRICT = "district"  # аудан

    @property
    def level(self) -> Level:
        if self in (MaslikhatKind.OBLAST, MaslikhatKind.REPUBLICAN_CITY, MaslikhatKind.CAPITAL):
            return Level.FIRST
        return Level.SECOND


class Level(StrEnum):
    """First level: oblast / city of republican significance / capital; second: district / city."""

    FIRST = "first"
    SECOND = "second"


class ElectoralSystem(StrEnum):
    """How a body's seats are filled."""

    PARTY_LIST = "party_list"
    SINGLE_MEMBER = "single_member"
    MIXED = "mixed"  # parallel: half list, half single-member, odd seat to single-member


class ThresholdBase(StrEnum):
    """What the list threshold is a share of (decision #1).

    ``VALID``: party votes + "against all" (invalid ballots excluded), the only base with which
    official 2023 results reproduce. ``TOOK_PART``: all ballots found in the boxes, invalid
    included (a literal reading of "the voters who took part"). ``PARTY_VOTES``: party votes only.
    """

    VALID = "valid"
    TOOK_PART = "took_part"
    PARTY_VOTES = "party_votes"


class NoPartyPassedPolicy(StrEnum):
    """What to do when no list reaches the threshold (decision #2): the law is silent."""

    REFUSE = "refuse"


class TwoCandidateTie(StrEnum):
    """Outcome of a first-place tie between exactly two candidates (decision #6)."""

    REPEAT_ELECTION = "repeat_election"
    RUNOFF = "runoff"


class SmdMajority(StrEnum):
    """Majority needed to win a single-member district.

    2023: relative majority (plurality), CL art. 9 paras 3–4. For 2016 and earlier the monograph
    contradicts itself (Table 2 "absolute", Table 3 "relative"); both are offered.
    """

    RELATIVE = "relative"
    ABSOLUTE = "absolute"


class SeatCapPolicy(StrEnum):
    """How the seat caps of LSA art. 5 para 3 are enforced (decision #10)."""

    WARN = "warn"
    ERROR = "error"


class AgeReference(StrEnum):
    """The day on which a candidate's minimum age is checked (decision #17).

    The statute says only "has reached 20 years" (Constitution art. 86 para 3); ``POLLING_DAY`` is
    our default, ``NOMINATION_DAY`` the stricter reading for comparison.
    """

    POLLING_DAY = "polling_day"
    NOMINATION_DAY = "nomination_day"


class RecallTurnoutBase(StrEnum):
    """Who "took part" in a recall vote (decision #16)."""

    BALLOTS_IN_BOXES = "ballots_in_boxes"
    VALID_BALLOTS = "valid_ballots"


def _frozen(mapping: Mapping[int, int]) -> Mapping[int, int]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class ListRules:
    """Party-list allocation parameters for one body (CL art. 111-1; art. 97-1 for the Mazhilis)."""

    threshold: Fraction
    """Share of the base a list needs; "5% and more" is inclusive (art. 111-1 para 1)."""
    threshold_base: ThresholdBase = ThresholdBase.VALID
    on_no_party_passed: NoPartyPassedPolicy = NoPartyPassedPolicy.REFUSE
    one_party_rule: bool = True
    """When only one list passes, the next list by votes is admitted (art. 111-1 para 2)."""
    second_list_factor: Fraction = Fraction(7, 10)
    """The admitted second list gets floor(votes / quota × factor) seats (art. 111-1 para 3)."""
    second_list_min_seats: int = 1
    """…but at least this many: 1 for maslikhats (111-1 p.3), 2 for the Mazhilis (97-1 p.3)."""
    second_list_min_votes: int = 1
    """Votes a list needs to be admitted under para 2. The law says "the next list by votes" and
    is silent on a list nobody voted for; by default such a list is not admitted (set 0 for the
    literal reading). With no list admissible, the passing list takes every seat."""
    passing_list_min_seats: int = 1
    """Seats the one list that passed keeps when the second list's minimum (para 3) would take
    them all, e.g. a 1-seat body (law silent): the second list's seats are cut to leave these."""
    article: str = "CL art. 111-1"


@dataclass(frozen=True)
class QuotaRules:
    """The combined list quota (CL art. 104 para 4 maslikhat; art. 89 para 4 Mazhilis)."""

    share: Fraction = Fraction(3, 10)
    youth_max_age: int = 35
    """Youth = age ≤ this on polling day (decision #7; Law on state youth policy art. 1)."""
    maslikhat_categories: tuple[str, ...] = ("women", "youth")
    mazhilis_categories: tuple[str, ...] = ("women", "youth", "disability")
    applies_to_mazhilis_mandates: bool = True
    """CL art. 97-1 para 5 part 3: the Mazhilis quota applies to a party's mandates too."""


@dataclass(frozen=True)
class DepositRules:
    """Election deposit (CL art. 104 paras 1, 1-1; art. 88 for the Mazhilis; decision #15)."""

    maslikhat_multiplier: int = 5
    mazhilis_multiplier: int = 15
    minimum_wage: Mapping[int, int] = field(
        default_factory=lambda: _frozen({2023: 70_000, 2024: 85_000, 2025: 85_000, 2026: 85_000})
    )
    """Monthly minimum wage (МЗП) by year, tenge, from the laws on the republican budget: 2023 —
    No. 163-VII of 01.12.2022; 2024 and 2025 — 85,000 (raised from 1 January 2024); 2026 — the law
    of 08.12.2025 on the 2026–2028 budget (unchanged). A by-election or recall in another year needs
    its figure added here; the deposit is refused rather than guessed."""
    refund_share: Fraction = Fraction(5, 100)
    """Refunded at ≥ 5% of the threshold base (decision #1's base)."""
    reduced_fee: tuple[tuple[Fraction, Fraction], ...] = (
        (Fraction(5, 100), Fraction(0)),
        (Fraction(3, 100), Fraction(1, 2)),
        (Fraction(1, 100), Fraction(7, 10)),
    )
    """(lower bound of previous result, share of the fee due), checked from the top:
    ≥ 5% exempt, [3%, 5%) pays 50%, [1%, 3%) pays 70% (art. 104 para 1)."""


class CallTiming(StrEnum):
    """Whether "three months before the term ends" is the exact call date or the latest one.

    The monograph says "three months before" [L212]; the statute text was not available and
    monograph-brief §12.A.7 leaves it open, so the reading is a parameter (default: exact).
    """

    EXACT = "exact"
    NO_LATER_THAN = "no_later_than"


@dataclass(frozen=True)
class CalendarRules:
    """Offsets of the election calendar (monograph-brief §2.2; decisions #12–#14)."""

    nomination_opens_days: int = 60
    nomination_closes_days: int = 30
    max_nomination_extension_days: int = 20
    registration_closes_days: int = 25
    registration_publication_days: int = 7
    platform_notice_days_before_campaign: int = 5
    districts_published_within_days: int = 10
    results_within_days: int = 7
    party_branch_decision_days: int = 5
    mazhilis_party_decision_days: int = 10
    deadline_hour: int = 18
    polling_opens_hour: int = 7
    polling_closes_hour: int = 20
    by_election_months: tuple[int, ...] = (3, 10)
    """By-elections on the last Sunday of March and/or October (CL art. 101 para 3-1)."""
    accreditation_review_days: int = 30
    accreditation_validity_years: int = 1
    accreditation_information_days: int = 20
    """State bodies answer a commission's accreditation check within 20 calendar days (monograph
    [L2399])."""
    regular_call_months_before_term_end: int = 3
    """Regular elections are called three months before the convocation's term ends ([L212])."""
    regular_call_timing: CallTiming = CallTiming.EXACT
    regular_polling_months_before_term_end: int = 1
    """…and held no later than one month before the term ends (monograph [L212])."""
    early_polling_months_after_termination: int = 2
    """Early elections: polling no later than two months after early termination ([L212])."""
    turnout_report_hours: tuple[int, ...] = (10, 16)
    """CEC turnout bulletins as of 10:00 and 16:00, then the final figure (monograph [L750])."""


@dataclass(frozen=True)
class RecallRules:
    """Recall of a single-member deputy (CL arts. 113-12 – 113-16; decision #16)."""

    application_review_days: int = 3
    signature_collection_days: int = 30
    signature_share: Fraction = Fraction(1, 10)
    """*More than* 10% of the district's voters (art. 113-14 para 2)."""
    verification_days: int = 10
    decision_days: int = 1
    notice_working_days: int = 3
    vote_within_months: int = 2
    campaign_days_maslikhat: int = 3
    campaign_days_mazhilis: int = 5
    turnout_share: Fraction = Fraction(1, 3)
    """Valid if *at least* one third of the district's voters took part (art. 113-16 para 3)."""
    recall_share: Fraction = Fraction(1, 2)
    """Recalled if *more than* half of those who took part vote for it (art. 113-16 para 4)."""
    turnout_base: RecallTurnoutBase = RecallTurnoutBase.BALLOTS_IN_BOXES
    protected_years_at_start: int = 1
    protected_years_at_end: int = 1
    repeat_wait_years: int = 1


@dataclass(frozen=True)
class RuleSet:
    """Every parameter of one version of the electoral law."""

    name: str
    description: str
    first_level_system: ElectoralSystem
    second_level_system: ElectoralSystem
    mazhilis_list_seats: int
    mazhilis_smd_seats: int
    maslikhat_list: ListRules
    mazhilis_list: ListRules
    quota: QuotaRules | None
    against_all_on_ballot: bool
    smd_majority: SmdMajority = SmdMajority.RELATIVE
    two_candidate_tie: TwoCandidateTie = TwoCandidateTie.REPEAT_ELECTION
    smd_majority_base: ThresholdBase = ThresholdBase.VALID
    """Base of the "more than half" test under ``SmdMajority.ABSOLUTE`` (monograph Table 2): valid
    votes = candidates + "against all", as for the list threshold (decision #1). ``PARTY_VOTES``
    reads "candidate votes only"; ``TOOK_PART`` adds the invalid ballots. Unused under RELATIVE."""
    seat_caps: Mapping[MaslikhatKind, int] = field(
        default_factory=lambda: MappingProxyType(
            {
                MaslikhatKind.OBLAST: 50,
                MaslikhatKind.REPUBLICAN_CITY: 50,
                MaslikhatKind.CAPITAL: 50,
                MaslikhatKind.CITY: 30,
                MaslikhatKind.DISTRICT: 25,
            }
        )
    )
    """LSA art. 5 para 3."""
    seat_cap_policy: SeatCapPolicy = SeatCapPolicy.WARN
    competence_share: Fraction = Fraction(3, 4)
    """A maslikhat is competent once ≥ 3/4 of its deputies are elected (LSA art. 5 para 4)."""
    term_years: int = 5
    """LSA art. 5 para 1."""
    maslikhat_min_age: int = 20
    """Constitution art. 86 para 3; LSA art. 5 para 2."""
    mazhilis_min_age: int = 25
    """Constitution art. 51 para 4."""
    age_reference: AgeReference = AgeReference.POLLING_DAY
    """The day on which the minimum age must be reached (decision #17)."""
    mazhilis_min_residence_years: int = 10
    """A Mazhilis deputy must have lived permanently in Kazakhstan for the last 10 years
    (Constitution art. 51 para 4); maslikhats have no residence requirement."""
    district_tolerance: Fraction = Fraction(15, 100)
    """Allowed deviation of a district's voters from the body's mean (decision #11)."""
    ballot_reserve: Fraction = Fraction(1, 100)
    """Print run = voters + 1% reserve, rounded up (CL art. 37 paras 2–3)."""
    max_precinct_voters: int = 3000
    """CL art. 23."""
    calendar: CalendarRules = field(default_factory=CalendarRules)
    deposit: DepositRules = field(default_factory=DepositRules)
    recall: RecallRules | None = field(default_factory=RecallRules)

    def system_for(self, kind: MaslikhatKind) -> ElectoralSystem:
        """The electoral system of a maslikhat of this kind (CL art. 9 paras 3–4)."""
        if kind.level is Level.FIRST:
            return self.first_level_system
        return self.second_level_system

    def list_rules(self, body: Body) -> ListRules:
        return self.maslikhat_list if body is Body.MASLIKHAT else self.mazhilis_list


RULES_2023 = RuleSet(
    name="2023",
    description=(
        "19 March 2023: first-level maslikhats mixed (half list, 5% threshold; "
        "half single-member), "
        "second-level maslikhats single-member, Mazhilis 69 list + 29 single-member; "
        "'against all' on every ballot (CL No. 156-VII of 05.11.2022)."
    ),
    first_level_system=ElectoralSystem.MIXED,
    second_level_system=ElectoralSystem.SINGLE_MEMBER,
    mazhilis_list_seats=69,
    mazhilis_smd_seats=29,
    maslikhat_list=ListRules(threshold=Fraction(5, 100)),
    mazhilis_list=ListRules(
        threshold=Fraction(5, 100), second_list_min_seats=2, article="CL art. 97-1"
    ),
    quota=QuotaRules(),
    against_all_on_ballot=True,
)

RULES_2021 = RuleSet(
    name="2021",
    description=(
        "10 January 2021: maslikhats of both levels and the Mazhilis (98 seats) all by party list "
        "with a 7% threshold; no 'against all'; women+youth quota with youth under 29 "
        "(CL No. 335-VI of 25.05.2020). Single-member districts did not exist."
    ),
    first_level_system=ElectoralSystem.PARTY_LIST,
    second_level_system=ElectoralSystem.PARTY_LIST,
    mazhilis_list_seats=98,
    mazhilis_smd_seats=0,
    maslikhat_list=ListRules(threshold=Fraction(7, 100)),
    mazhilis_list=ListRules(
        threshold=Fraction(7, 100), second_list_min_seats=2, article="CL art. 97-1"
    ),
    quota=QuotaRules(youth_max_age=28),
    against_all_on_ballot=False,
    recall=None,
)

RULES_2016 = RuleSet(
    name="2016",
    description=(
        "20 March 2016: maslikhats of both levels all single-member (relative majority per the "
        "monograph's Table 3), Mazhilis 98 seats by party list with a 7% threshold; "
        "no 'against all', no list quota, no recall."
    ),
    first_level_system=ElectoralSystem.SINGLE_MEMBER,
    second_level_system=ElectoralSystem.SINGLE_MEMBER,
    mazhilis_list_seats=98,
    mazhilis_smd_seats=0,
    maslikhat_list=ListRules(threshold=Fraction(7, 100)),
    mazhilis_list=ListRules(
        threshold=Fraction(7, 100), second_list_min_seats=2, article="CL art. 97-1"
    ),
    quota=None,
    against_all_on_ballot=False,
    recall=None,
)

RULE_SETS: Mapping[str, RuleSet] = MappingProxyType(
    {r.name: r for r in (RULES_2023, RULES_2021, RULES_2016)}
)
DEFAULT_RULES = RULES_2023


def rule_set(name: str) -> RuleSet:
    """Look a rule set up by name ("2023", "2021", "2016")."""
    try:
        return RULE_SETS[name]
    except KeyError:
        raise LawInputError(
            "rules", name, f"unknown rule set; known: {sorted(RULE_SETS)}"
        ) from None
