"""The seat chart (hemicycle) of a party-list result, for the results pages (issue #5 §1).

Shared by the maslikhat page and the election overview (the Mazhilis list result): the seats each
list won in the latest tabulation (CL art. 111-1; art. 97-1), in ballot order, one dot per seat
(:func:`saylau.web.charts.hemicycle`). The list table beside it gives the same figures.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from markupsafe import Markup, escape

from saylau.web.charts import LegendEntry, SeatGroup, hemicycle, legend, party_colours
from saylau.web.i18n import gettext


def seat_groups(choices: Sequence[Any]) -> list[SeatGroup]:
    """The lists with seats, in ballot order, coloured by party (``ChoiceRow``-like items with
    ``choice_id``, ``position``, ``label``, ``party`` and ``seats``)."""
    colours = party_colours([c.party or f"choice-{c.choice_id}" for c in choices])
    return [
        SeatGroup(
            key=c.party or f"choice-{c.choice_id}",
            label=str(c.label),
            seats=int(c.seats),
            colour=colours[c.party or f"choice-{c.choice_id}"],
        )
        for c in sorted(choices, key=lambda c: c.position)
        if c.seats
    ]


def figure(groups: Sequence[SeatGroup], *, ident: str, title: str, language: str) -> Markup:
    """A ``<figure>``: the seat chart, its colour key and a caption; empty without seats."""
    if not groups:
        return Markup("")
    total = sum(g.seats for g in groups)
    description = "; ".join(f"{g.label}: {g.seats}" for g in groups)
    caption = gettext(language, "{seats} seats, one dot per seat; the table gives the figures.")
    chart = hemicycle(
        groups,
        ident=ident,
        title=title,
        description=f"{description} ({caption.format(seats=total)})",
    )
    key = legend(
        [LegendEntry(g.colour, f"{g.label}: {g.seats}") for g in groups],
        label=gettext(language, "Colour key"),
    )
    return Markup(
        f'<figure class="seat-chart">{chart}{key}<figcaption>{escape(title)}. '
        f"{escape(caption.format(seats=total))}</figcaption></figure>"
    )


def seat_chart(language: str) -> Callable[[Any], Markup]:
    """The template helper ``seat_chart(list_result)`` in ``language`` (``ListResult``)."""

    def chart(result: Any) -> Markup:
        if result is None:
            return Markup("")
        return figure(
            seat_groups(result.choices),
            ident=f"seats-{result.contest_id}",
            title=gettext(language, "Seats won by the party lists"),
            language=language,
        )

    return chart
