"""The analytical report in the structure of the monograph's chapter 2, as plain data (issue #7 §3).

:func:`build_report` turns one election's figures (either source, :mod:`saylau.analytics.figures`)
into sections of tables and figures: the electorate, turnout by region and time of day, competition
for a seat at each level, registration refusals, women, party and non-party winners, seats by party,
the competitiveness distribution and observation — the monograph's §§2.1–2.6. Every computed cell
comes from :mod:`saylau.analytics.indicators` and stays exact (``Fraction``) until a renderer rounds
it half-up to its column's precision. Titles, headers and fixed row labels are message ids (English
msgids of the ``analytics`` catalogue, marked with :func:`N_`); region and party names come in the
three languages (:class:`~saylau.analytics.figures.Names`). Nothing here formats or translates:
:mod:`saylau.analytics.render` does, for HTML, PDF, XLSX and CSV alike.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from saylau.analytics import indicators as ind
from saylau.analytics.figures import (
    ElectionFigures,
    Level,
    LevelFigures,
    Names,
    RegionFigures,
)
from saylau.law.competitiveness import CompetitivenessBand
from saylau.law.nomination import RefusalReason


def N_(message: str) -> str:
    """Mark a message id for the ``analytics`` catalogue (translated by the renderer)."""
    return message


class Kind(StrEnum):
    """How a column's values are typed and shown."""

    TEXT = "text"
    COUNT = "count"
    """An ``int``."""
    PERCENT = "percent"
    """A share of 1 (``Fraction``), shown × 100."""
    POINTS = "points"
    """A difference of shares of 1, shown × 100 as percentage points."""
    RATIO = "ratio"
    """A plain ratio (candidates per seat, observers per station, mean age, KB)."""


@dataclass(frozen=True)
class Column:
    """A column: its key (stable, for CSV/XLSX), header msgid, kind and printed decimals."""

    key: str
    title: str
    kind: Kind
    places: int = 1


Cell = int | Fraction | str | None
"""A typed cell: ``int`` counts, exact ``Fraction`` shares and ratios, ``str`` msgids of a TEXT
column, ``None`` where the source has no figure (shown as a dash)."""


@dataclass(frozen=True)
class Row:
    """A row: its label (a name in three languages, or a msgid) and one cell per column."""

    label: Names | str
    cells: tuple[Cell, ...]
    total: bool = False
    key: str = ""
    """A stable key of the row (region code, party code, band …) for CSV/XLSX and tests."""


@dataclass(frozen=True)
class Table:
    """A numbered table of the report."""

    id: str
    title: str
    label_title: str
    """Header msgid of the label column."""
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    note: str | None = None
    subtitle: str | None = None
    """A msgid qualifying the title (the maslikhat level)."""

    def column(self, key: str) -> int:
        """The index of a column by key."""
        return next(i for i, c in enumerate(self.columns) if c.key == key)

    def cell(self, row_key: str, column_key: str) -> Cell:
        """One cell by row key and column key."""
        row = next(r for r in self.rows if r.key == row_key)
        return row.cells[self.column(column_key)]


class FigureKind(StrEnum):
    """The charts of the report."""

    BARS = "bars"
    """One bar per row of a table column."""
    TURNOUT = "turnout"
    """Turnout by time of day: three bars (10:00, 16:00, final) per region."""
    DISTRIBUTION = "distribution"
    """Maslikhats per competitiveness band."""
    MAP = "map"
    """The regional grid map coloured by final turnout."""


@dataclass(frozen=True)
class Figure:
    """A chart drawn from a table's columns (the table is its text alternative, WCAG 1.1.1)."""

    id: str
    kind: FigureKind
    title: str
    table: str
    columns: tuple[str, ...]


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    tables: tuple[Table, ...]
    figures: tuple[Figure, ...]


@dataclass(frozen=True)
class Report:
    """The whole report over one election."""

    election: ElectionFigures
    sections: tuple[Section, ...]

    def tables(self) -> tuple[Table, ...]:
        """Every table in order."""
        return tuple(t for s in self.sections for t in s.tables)

    def table(self, table_id: str) -> Table:
        """A table by id."""
        return next(t for t in self.tables() if t.id == table_id)


REPORT_TITLE = N_("Maslikhat elections: analytical report")
SOURCE_TITLES = {
    "seed": N_(
        "Source: the tables of the monograph “Maslikhat deputies’ elections 2023” "
        "(source figures only; every derived figure recomputed)"
    ),
    "stored": N_("Source: the election as stored in Saylau (definitive protocols only)"),
}
SYNTHETIC_NOTE = N_("SYNTHETIC: invented data for demonstration, not real election results")
TOTAL = N_("Total")
REGION = N_("Region")
LEVEL_TITLES = {
    Level.FIRST: N_("first-level maslikhats"),
    Level.SECOND: N_("second-level maslikhats"),
}

BAND_LABELS = {
    CompetitivenessBand.LOW: N_("Low (KB 0–0.3)"),
    CompetitivenessBand.MEDIUM: N_("Medium (KB 0.4–0.6)"),
    CompetitivenessBand.HIGH: N_("High (KB 0.7–1)"),
}
OBSERVER_CATEGORIES = {
    "party": N_("From political parties"),
    "proxy": N_("Candidates’ proxies"),
    "ngo": N_("From public associations and non-profit organisations"),
    "international": N_("Foreign observers and observers of international organisations"),
    "media": N_("Mass media"),
}
REFUSAL_LABELS = {
    RefusalReason.NOMINATION_PROCEDURE_BROKEN: N_("Nomination procedure broken"),
    RefusalReason.INCOMPLETE_DOCUMENTS: N_("Documents incomplete"),
    RefusalReason.EARLY_CAMPAIGNING: N_("Campaigning before the campaign period"),
    RefusalReason.DEFAMATION: N_("Defamation"),
    RefusalReason.BRIBERY: N_("Bribery of voters"),
    RefusalReason.REQUIREMENTS_NOT_MET: N_("Requirements for candidates not met"),
    RefusalReason.ABUSE_OF_OFFICE: N_("Abuse of office"),
    RefusalReason.CONCEALED_ASSETS: N_("Income or assets concealed"),
    RefusalReason.LIST_MAJORITY_WITHDREW: N_("Most of the list withdrew"),
    RefusalReason.FILED_AFTER_REGISTRATION_CLOSED: N_("Filed after registration closed"),
    RefusalReason.WITHDRAWN_BY_OWN_APPLICATION: N_("Withdrawn by own application"),
}


def _ratio(numerator: int | None, denominator: int | None) -> Fraction | None:
    if numerator is None or not denominator:
        return None
    return ind.ratio(numerator, denominator)


def _sum(values: Sequence[int | None]) -> int | None:
    present = [v for v in values if v is not None]
    return sum(present) if present else None


def _total_row(cells: Sequence[Cell]) -> Row:
    return Row(TOTAL, tuple(cells), total=True, key="total")


def _region_row(region: RegionFigures, cells: Sequence[Cell]) -> Row:
    return Row(region.names, tuple(cells), key=region.code)


# --- §2.1 electorate ---------------------------------------------------------------------------


def electorate(figures: ElectionFigures) -> Section:
    """Voters and polling stations by region (monograph Tables 6 and 26)."""
    regions = figures.regions
    national = sum(r.voters for r in regions)
    columns = (
        Column("voters", N_("Registered voters"), Kind.COUNT),
        Column("voters_share", N_("Share of the country’s voters, %"), Kind.PERCENT),
        Column("stations", N_("Polling stations"), Kind.COUNT),
        Column("voters_per_station", N_("Voters per polling station"), Kind.RATIO, 0),
    )
    rows = [
        _region_row(
            r,
            (
                r.voters,
                ind.share(r.voters, national) if national else None,
                r.stations,
                _ratio(r.voters, r.stations),
            ),
        )
        for r in regions
    ]
    stations = _sum([r.stations for r in regions])
    rows.append(
        _total_row(
            (national, Fraction(1) if national else None, stations, _ratio(national, stations))
        )
    )
    table = Table(
        "electorate", N_("Voters and polling stations by region"), REGION, columns, tuple(rows)
    )
    figure = Figure(
        "electorate-bars",
        FigureKind.BARS,
        N_("Share of the country’s voters by region"),
        "electorate",
        ("voters_share",),
    )
    return Section("electorate", N_("The electorate"), (table,), (figure,))


# --- §2.2 turnout ------------------------------------------------------------------------------


def turnout(figures: ElectionFigures) -> Section:
    """Turnout at 10:00, 16:00 and final by region, and the evening increment (Table 13)."""
    columns = (
        Column("at_1000", N_("Turnout at 10:00, %"), Kind.PERCENT, 2),
        Column("at_1600", N_("Turnout at 16:00, %"), Kind.PERCENT, 2),
        Column("final", N_("Final turnout, %"), Kind.PERCENT, 2),
        Column("evening", N_("Evening increment, percentage points"), Kind.POINTS, 2),
    )
    rows = []
    for r in figures.regions:
        evening = (
            ind.evening_increment(r.turnout_1600, r.turnout_final)
            if r.turnout_1600 is not None and r.turnout_final is not None
            else None
        )
        rows.append(_region_row(r, (r.turnout_1000, r.turnout_1600, r.turnout_final, evening)))

    def national(pick: Callable[[RegionFigures], Fraction | None]) -> Fraction | None:
        pairs = [(value, r.voters) for r in figures.regions if (value := pick(r)) is not None]
        return ind.national_turnout(pairs) if pairs and sum(v for _, v in pairs) else None

    at_1600, final = national(lambda r: r.turnout_1600), national(lambda r: r.turnout_final)
    rows.append(
        _total_row(
            (
                national(lambda r: r.turnout_1000),
                at_1600,
                final,
                ind.evening_increment(at_1600, final)
                if at_1600 is not None and final is not None
                else None,
            )
        )
    )
    table = Table(
        "turnout",
        N_("Turnout by region and time of day"),
        REGION,
        columns,
        tuple(rows),
        N_("The national figure is the voter-weighted mean of the regional figures."),
    )
    return Section(
        "turnout",
        N_("Turnout"),
        (table,),
        (
            Figure(
                "turnout-time",
                FigureKind.TURNOUT,
                N_("Turnout by time of day"),
                "turnout",
                ("at_1000", "at_1600", "final"),
            ),
            Figure(
                "turnout-map",
                FigureKind.MAP,
                N_("Final turnout on the regional map"),
                "turnout",
                ("final",),
            ),
        ),
    )


# --- §2.3 nomination, registration, women ------------------------------------------------------


def _level(figures: ElectionFigures, level: Level) -> list[tuple[RegionFigures, LevelFigures]]:
    out = []
    for r in figures.regions:
        value = r.first if level is Level.FIRST else r.second
        if value is not None and value.seats:
            out.append((r, value))
    return out


def _summed(values: Sequence[LevelFigures]) -> LevelFigures:
    def add(name: str) -> int | None:
        return _sum([getattr(v, name) for v in values])

    return LevelFigures(
        seats=sum(v.seats for v in values),
        nominated=add("nominated"),
        nominated_party=add("nominated_party"),
        nominated_nonparty=add("nominated_nonparty"),
        registered=add("registered"),
        women_nominated=add("women_nominated"),
        women_registered=add("women_registered"),
        winners_party=add("winners_party"),
        winners_nonparty=add("winners_nonparty"),
        women_elected=add("women_elected"),
        mean_age=_mean_age(values),
    )


def _mean_age(values: Sequence[LevelFigures]) -> Fraction | None:
    """Mean age of all winners: the mean of the regional means weighted by winners (Table 28)."""
    pairs = [
        (v.mean_age, (v.winners_party or 0) + (v.winners_nonparty or 0))
        for v in values
        if v.mean_age is not None
    ]
    pairs = [(a, n) for a, n in pairs if n]
    return ind.weighted_mean(pairs) if pairs else None


def _refusal(nominated: int | None, registered: int | None) -> Fraction | None:
    if nominated is None or registered is None or nominated == 0:
        return None
    return ind.refusal_rate(nominated, registered)


def competition(figures: ElectionFigures, level: Level) -> Table:
    """Candidates per seat at nomination and after registration, and refusals (Tables 14-21)."""
    columns = (
        Column("seats", N_("Single-member seats"), Kind.COUNT),
        Column("nominated", N_("Nominated"), Kind.COUNT),
        Column("per_seat", N_("Candidates per seat at nomination"), Kind.RATIO),
        Column("party_per_seat", N_("Party nominees per seat"), Kind.RATIO),
        Column("nonparty_per_seat", N_("Self-nominees and others per seat"), Kind.RATIO),
        Column("registered", N_("Registered"), Kind.COUNT),
        Column("registered_per_seat", N_("Candidates per seat after registration"), Kind.RATIO),
        Column("refused", N_("Refusal rate, %"), Kind.PERCENT),
    )

    def cells(v: LevelFigures) -> tuple[Cell, ...]:
        return (
            v.seats,
            v.nominated,
            _ratio(v.nominated, v.seats),
            _ratio(v.nominated_party, v.seats),
            _ratio(v.nominated_nonparty, v.seats),
            v.registered,
            _ratio(v.registered, v.seats),
            _refusal(v.nominated, v.registered),
        )

    pairs = _level(figures, level)
    rows = [_region_row(r, cells(v)) for r, v in pairs]
    if pairs:
        rows.append(_total_row(cells(_summed([v for _, v in pairs]))))
    return Table(
        f"competition-{level.value}",
        N_("Competition for a seat"),
        REGION,
        columns,
        tuple(rows),
        subtitle=LEVEL_TITLES[level],
    )


def women(figures: ElectionFigures, level: Level) -> Table:
    """Women among candidates and deputies, and their refusal rate (Tables 23, 25, 28, 29)."""
    columns = (
        Column("women_nominated", N_("Women nominated"), Kind.COUNT),
        Column("women_registered", N_("Women registered"), Kind.COUNT),
        Column("women_refused", N_("Refusal rate of women, %"), Kind.PERCENT),
        Column("women_candidates_share", N_("Women among registered candidates, %"), Kind.PERCENT),
        Column("women_elected", N_("Women elected"), Kind.COUNT),
        Column("women_deputies_share", N_("Women among deputies, %"), Kind.PERCENT),
    )

    def cells(v: LevelFigures) -> tuple[Cell, ...]:
        won = _sum([v.winners_party, v.winners_nonparty])
        return (
            v.women_nominated,
            v.women_registered,
            _refusal(v.women_nominated, v.women_registered),
            ind.women_share(v.women_registered, v.registered)
            if v.women_registered is not None and v.registered
            else None,
            v.women_elected,
            ind.women_share(v.women_elected, won) if v.women_elected is not None and won else None,
        )

    pairs = _level(figures, level)
    rows = [_region_row(r, cells(v)) for r, v in pairs]
    if pairs:
        rows.append(_total_row(cells(_summed([v for _, v in pairs]))))
    return Table(
        f"women-{level.value}",
        N_("Women among candidates and deputies"),
        REGION,
        columns,
        tuple(rows),
        subtitle=LEVEL_TITLES[level],
    )


def refusal_reasons(figures: ElectionFigures) -> Table:
    """Refusals and drop-outs by reason (monograph §2.3; CL art. 104 paras 6, 6-1, art. 105)."""
    columns = (
        Column("candidacies", N_("Candidacies"), Kind.COUNT),
        Column("share", N_("Share, %"), Kind.PERCENT),
    )
    reasons = figures.refusals or ()
    total = sum(n for _, n in reasons)
    rows = [
        Row(REFUSAL_LABELS[RefusalReason(reason)], (n, ind.share(n, total)), key=reason)
        for reason, n in reasons
    ]
    if rows:
        rows.append(_total_row((total, Fraction(1))))
    note = (
        N_("The monograph publishes no table of refusal reasons.")
        if figures.refusals is None
        else None
    )
    return Table(
        "refusal-reasons",
        N_("Refusals and withdrawals by reason"),
        N_("Reason"),
        columns,
        tuple(rows),
        note,
    )


def nomination(figures: ElectionFigures) -> Section:
    tables = (
        competition(figures, Level.FIRST),
        competition(figures, Level.SECOND),
        refusal_reasons(figures),
        women(figures, Level.FIRST),
        women(figures, Level.SECOND),
    )
    chart = Figure(
        "competition-bars",
        FigureKind.BARS,
        N_("Candidates per seat after registration, first-level maslikhats"),
        "competition-first",
        ("registered_per_seat",),
    )
    return Section("nomination", N_("Nomination and registration of candidates"), tables, (chart,))


# --- §2.4 results ------------------------------------------------------------------------------


def winners(figures: ElectionFigures, level: Level) -> Table:
    """Party and non-party winners, women and mean age of the deputies (Tables 28, 29)."""
    columns = (
        Column("seats_won", N_("Deputies elected"), Kind.COUNT),
        Column("party", N_("Nominated by parties"), Kind.COUNT),
        Column("party_share", N_("Nominated by parties, %"), Kind.PERCENT),
        Column("nonparty", N_("Self-nominated and others"), Kind.COUNT),
        Column("nonparty_share", N_("Self-nominated and others, %"), Kind.PERCENT),
        Column("mean_age", N_("Mean age, years"), Kind.RATIO),
    )

    def cells(v: LevelFigures) -> tuple[Cell, ...]:
        won = _sum([v.winners_party, v.winners_nonparty])
        return (
            won,
            v.winners_party,
            ind.party_winner_share(v.winners_party, won)
            if v.winners_party is not None and won
            else None,
            v.winners_nonparty,
            ind.share(v.winners_nonparty, won) if v.winners_nonparty is not None and won else None,
            v.mean_age,
        )

    pairs = _level(figures, level)
    rows = [_region_row(r, cells(v)) for r, v in pairs]
    if pairs:
        rows.append(_total_row(cells(_summed([v for _, v in pairs]))))
    return Table(
        f"winners-{level.value}",
        N_("Party and non-party deputies"),
        REGION,
        columns,
        tuple(rows),
        subtitle=LEVEL_TITLES[level],
    )


def party_seats(figures: ElectionFigures) -> Table:
    """Seats by party: list seats (Table 27) and single-member seats (Table 32, second level)."""
    columns = (
        Column("list_seats", N_("Party-list seats"), Kind.COUNT),
        Column("list_share", N_("Share of list seats, %"), Kind.PERCENT),
        Column("smd_seats", N_("Single-member seats won by its nominees"), Kind.COUNT),
    )
    total_list = sum(p.list_seats for p in figures.seats_by_party)
    rows = [
        Row(
            Names(*(figures.party_name(p.party, lang) for lang in ("kk", "ru", "en"))),
            (
                p.list_seats,
                ind.seat_share(p.list_seats, total_list) if total_list else None,
                p.smd_seats,
            ),
            key=p.party,
        )
        for p in figures.seats_by_party
    ]
    if rows:
        smd = _sum([p.smd_seats for p in figures.seats_by_party])
        rows.append(_total_row((total_list, Fraction(1) if total_list else None, smd)))
    note = (
        N_("Single-member seats by party: second-level maslikhats only (Table 32).")
        if figures.source.value == "seed"
        else None
    )
    return Table("party-seats", N_("Seats by party"), N_("Party"), columns, tuple(rows), note)


def results(figures: ElectionFigures) -> Section:
    tables = (winners(figures, Level.FIRST), winners(figures, Level.SECOND), party_seats(figures))
    chart = Figure(
        "party-seats-bars",
        FigureKind.BARS,
        N_("Share of list seats by party"),
        "party-seats",
        ("list_share",),
    )
    return Section("results", N_("Results"), tables, (chart,))


# --- §2.5 competitiveness ----------------------------------------------------------------------


def competitiveness(figures: ElectionFigures) -> Section:
    """Maslikhats by competitiveness band and mean KB per level (Tables 33-51, Figure 8)."""
    columns = (
        Column("first", N_("First-level maslikhats"), Kind.COUNT),
        Column("second", N_("Second-level maslikhats"), Kind.COUNT),
        Column("all", N_("All maslikhats"), Kind.COUNT),
        Column("all_share", N_("Share of maslikhats, %"), Kind.PERCENT),
    )
    by_level = {
        level: ind.band_distribution(
            ind.classify(m.index) for m in figures.maslikhats if m.level is level
        )
        for level in Level
    }
    count = len(figures.maslikhats)
    rows = []
    for band in CompetitivenessBand:
        first, second = by_level[Level.FIRST][band], by_level[Level.SECOND][band]
        rows.append(
            Row(
                BAND_LABELS[band],
                (
                    first,
                    second,
                    first + second,
                    ind.share(first + second, count) if count else None,
                ),
                key=band.value,
            )
        )
    firsts = sum(by_level[Level.FIRST].values())
    rows.append(_total_row((firsts, count - firsts, count, Fraction(1) if count else None)))
    distribution = Table(
        "competitiveness-bands",
        N_("Maslikhats by competitiveness band"),
        N_("Band"),
        columns,
        tuple(rows),
        N_(
            "KB = the runner-up’s vote share / the winner’s, averaged over a maslikhat’s districts."
        ),
    )
    mean_columns = (
        Column("first_kb", N_("Mean KB, first level"), Kind.RATIO, 2),
        Column("second_kb", N_("Mean KB, second level"), Kind.RATIO, 2),
        Column("second_count", N_("Second-level maslikhats"), Kind.COUNT),
    )

    def mean_kb(region: str | None, level: Level) -> Fraction | None:
        parts = [
            (m.index, m.districts)
            for m in figures.maslikhats
            if m.level is level and (region is None or m.region == region) and m.districts
        ]
        return ind.mean_competitiveness(parts).index if parts else None

    mean_rows = [
        _region_row(
            r,
            (
                mean_kb(r.code, Level.FIRST),
                mean_kb(r.code, Level.SECOND),
                sum(
                    1 for m in figures.maslikhats if m.region == r.code and m.level is Level.SECOND
                ),
            ),
        )
        for r in figures.regions
    ]
    mean_rows.append(
        _total_row(
            (
                mean_kb(None, Level.FIRST),
                mean_kb(None, Level.SECOND),
                sum(by_level[Level.SECOND].values()),
            )
        )
    )
    means = Table(
        "competitiveness-regions",
        N_("Mean competitiveness index by region"),
        REGION,
        mean_columns,
        tuple(mean_rows),
        N_("Means are weighted by the number of districts (decision #18)."),
    )
    chart = Figure(
        "competitiveness-distribution",
        FigureKind.DISTRIBUTION,
        N_("Distribution of maslikhats by competitiveness band"),
        "competitiveness-bands",
        ("first", "second"),
    )
    return Section("competitiveness", N_("Competitiveness"), (distribution, means), (chart,))


# --- §2.6 observation --------------------------------------------------------------------------


def observation(figures: ElectionFigures) -> Section:
    """Observers by category and per polling station by region (Tables 52-58)."""
    categories = Table(
        "observers-categories",
        N_("Observers by category"),
        N_("Category"),
        (
            Column("observers", N_("Observers"), Kind.COUNT),
            Column("share", N_("Share, %"), Kind.PERCENT),
        ),
        tuple(
            Row(
                OBSERVER_CATEGORIES.get(key, key),
                (
                    n,
                    ind.share(n, total)
                    if (total := sum(c for _, c in figures.observer_categories))
                    else None,
                ),
                key=key,
            )
            for key, n in figures.observer_categories
        ),
    )
    columns = (
        Column("stations", N_("Polling stations"), Kind.COUNT),
        Column("observers", N_("Observers"), Kind.COUNT),
        Column("per_station", N_("Observers per polling station"), Kind.RATIO, 2),
    )
    rows = [
        _region_row(r, (r.stations, r.observers, _ratio(r.observers, r.stations)))
        for r in figures.regions
    ]
    stations = _sum([r.stations for r in figures.regions])
    observers = _sum([r.observers for r in figures.regions])
    rows.append(_total_row((stations, observers, _ratio(observers, stations))))
    note = (
        N_("Observers from parties (Table 56) and public associations (Table 58).")
        if figures.source.value == "seed"
        else None
    )
    coverage = Table(
        "observation", N_("Observation coverage by region"), REGION, columns, tuple(rows), note
    )
    chart = Figure(
        "observation-bars",
        FigureKind.BARS,
        N_("Observers per polling station"),
        "observation",
        ("per_station",),
    )
    return Section("observation", N_("Observation"), (categories, coverage), (chart,))


def build_report(figures: ElectionFigures) -> Report:
    """The chapter-2 report of one election (issue #7 §3)."""
    return Report(
        figures,
        (
            electorate(figures),
            turnout(figures),
            nomination(figures),
            results(figures),
            competitiveness(figures),
            observation(figures),
        ),
    )
