"""Protocol entry documents under hostile input: ``ProtocolData.from_json`` (the API, the CLI, the
commission form and stored entries all read through it) and the CLI's entry files.

Contract: a document is read into whole, non-negative counts that a column can store, or refused
with :class:`InvalidInput` naming the line; an entry file is read or the command exits 2 with a
message — never another exception.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import typer
from hypothesis import given
from hypothesis import strategies as st

from saylau.cli.count import _submissions
from saylau.services.errors import InvalidInput
from saylau.services.protocols import MAX_COUNT, ProtocolData
from tests.fuzz.hostile import bounded, count, hostile_bytes, json_values, mutated

VALID: dict[str, Any] = {
    "voters_on_list": 1000,
    "ballots_received": 900,
    "ballots_issued": 700,
    "ballots_cancelled": 200,
    "ballots_in_boxes": 700,
    "portable_box_ballots": 10,
    "portable_box_requests": 10,
    "against_all": 5,
    "invalid": 5,
    "votes": {"1": 400, "2": 290},
}


@st.composite
def entries(draw: st.DrawFn) -> Any:
    """A valid entry mutated at its top or in its votes, or any JSON value at all."""
    choice = draw(st.integers(0, 4))
    if choice == 0:
        return draw(json_values)
    document = draw(mutated(VALID))
    if choice >= 3 and isinstance(document.get("votes"), dict):
        document["votes"] = draw(mutated(document["votes"]))
    return document


def _within(data: ProtocolData) -> None:
    counts = [getattr(data, name) for name in VALID if name != "votes"]
    counts += [*data.votes.values(), *data.extra.values()]
    assert all(isinstance(c, int) and not isinstance(c, bool) for c in counts)
    assert all(0 <= c <= MAX_COUNT for c in counts)
    assert all(1 <= choice <= MAX_COUNT for choice in data.votes)


@bounded(300)
@given(document=entries())
def test_an_entry_document_is_read_within_range_or_refused_by_line(document: Any) -> None:
    count("protocol: ProtocolData.from_json")
    try:
        data = ProtocolData.from_json(document)
    except InvalidInput as error:
        assert error.field is not None  # an unknown line is named as given, even ""
        return
    _within(data)
    assert ProtocolData.from_json(data.as_json()) == data  # what is stored reads back the same


def test_a_choice_given_twice_is_refused() -> None:
    """Regression: ``{"1": 5, "01": 7}`` silently kept 7 votes for choice 1."""
    document = dict(VALID, votes={"1": 5, "01": 7})
    try:
        ProtocolData.from_json(document)
    except InvalidInput as error:
        assert error.field == "votes[01]"
    else:
        raise AssertionError("a choice given twice was read")


@bounded(150)
@given(
    content=st.one_of(
        hostile_bytes,
        st.builds(
            lambda rows: ("\n".join(",".join(r) for r in rows)).encode(),
            st.lists(
                st.lists(st.sampled_from(("contest", "precinct", "1", "", "-1", "x", "9" * 40)))
            ),
        ),
    ),
    suffix=st.sampled_from((".csv", ".json")),
)
def test_an_entry_file_is_read_or_the_command_exits_2(content: bytes, suffix: str) -> None:
    count("protocol: saylau count entry files")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"entries{suffix}"
        path.write_bytes(content)
        try:
            submissions = _submissions(path)
        except typer.Exit as stop:
            assert stop.exit_code == 2
            return
    for submission in submissions:
        _within(submission.data)
