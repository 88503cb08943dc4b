"""State machines of the administration, as transition tables (issue #3 §2).

A service changes a state only through :func:`require_transition`, so that an illegal step (registering a
refused candidate, confirming a protocol twice) is refused with the same message everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import TypeVar


class InvalidTransition(Exception):
    """A state change the state machine does not allow."""

    def __init__(self, machine: str, current: str, target: str) -> None:
        super().__init__(f"{machine}: cannot go from {current!r} to {target!r}")
        self.machine = machine
        self.current = current
        self.target = target


class CandidacyState(StrEnum):
    """A nomination (SMD candidate or party list) on its way to registration (CL arts. 103–105)."""

    NOMINATED = "nominated"
    DOCUMENTS_COMPLETE = "documents_complete"
    DEPOSIT_PAID = "deposit_paid"
    REGISTERED = "registered"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"
    CANCELLED = "cancelled"


CANDIDACY_TRANSITIONS: Mapping[CandidacyState, frozenset[CandidacyState]] = MappingProxyType(
    {
        CandidacyState.NOMINATED: frozenset(
            {CandidacyState.DOCUMENTS_COMPLETE, CandidacyState.REFUSED, CandidacyState.WITHDRAWN}
        ),
        CandidacyState.DOCUMENTS_COMPLETE: frozenset(
            {CandidacyState.DEPOSIT_PAID, CandidacyState.REFUSED, CandidacyState.WITHDRAWN}
        ),
        CandidacyState.DEPOSIT_PAID: frozenset(
            {CandidacyState.REGISTERED, CandidacyState.REFUSED, CandidacyState.WITHDRAWN}
        ),
        CandidacyState.REGISTERED: frozenset({CandidacyState.WITHDRAWN, CandidacyState.CANCELLED}),
        CandidacyState.REFUSED: frozenset(),
        CandidacyState.WITHDRAWN: frozenset(),
        CandidacyState.CANCELLED: frozenset(),
    }
)


class ProtocolState(StrEnum):
    """Double entry of a precinct protocol, the four-eyes flow (issue #3 §2.5)."""

    EMPTY = "empty"
    FIRST_ENTRY = "first_entry"
    SECOND_ENTRY = "second_entry"
    ENTRIES_DIFFER = "entries_differ"
    RESOLVED = "resolved"
    DEFINITIVE = "definitive"


PROTOCOL_TRANSITIONS: Mapping[ProtocolState, frozenset[ProtocolState]] = MappingProxyType(
    {
        ProtocolState.EMPTY: frozenset({ProtocolState.FIRST_ENTRY}),
        ProtocolState.FIRST_ENTRY: frozenset(
            {ProtocolState.SECOND_ENTRY, ProtocolState.EMPTY}  # discard by the coordinator
        ),
        ProtocolState.SECOND_ENTRY: frozenset(
            # identical entries: definitive, or (errors) discarded by the coordinator
            {ProtocolState.DEFINITIVE, ProtocolState.ENTRIES_DIFFER, ProtocolState.EMPTY}
        ),
        ProtocolState.ENTRIES_DIFFER: frozenset(
            {ProtocolState.RESOLVED, ProtocolState.EMPTY}  # keep one entry, or discard both
        ),
        ProtocolState.RESOLVED: frozenset({ProtocolState.DEFINITIVE}),
        ProtocolState.DEFINITIVE: frozenset({ProtocolState.DEFINITIVE}),  # corrected by decision
    }
)


class RecallState(StrEnum):
    """A recall case (CL arts. 113-12 – 113-16)."""

    APPLIED = "applied"
    REGISTERED = "registered"
    REFUSED = "refused"
    COLLECTING = "collecting"
    INSUFFICIENT = "insufficient"
    VOTE_CALLED = "vote_called"
    KEPT = "kept"
    RECALLED = "recalled"


RECALL_TRANSITIONS: Mapping[RecallState, frozenset[RecallState]] = MappingProxyType(
    {
        RecallState.APPLIED: frozenset({RecallState.REGISTERED, RecallState.REFUSED}),
        RecallState.REGISTERED: frozenset({RecallState.COLLECTING}),
        RecallState.COLLECTING: frozenset({RecallState.VOTE_CALLED, RecallState.INSUFFICIENT}),
        RecallState.VOTE_CALLED: frozenset({RecallState.KEPT, RecallState.RECALLED}),
        RecallState.REFUSED: frozenset(),
        RecallState.INSUFFICIENT: frozenset(),
        RecallState.KEPT: frozenset(),
        RecallState.RECALLED: frozenset(),
    }
)

S = TypeVar("S", bound=StrEnum)


def require_transition(
    machine: str, table: Mapping[S, frozenset[S]], current: S, target: S
) -> None:
    """Raise :class:`InvalidTransition` unless ``current → target`` is in ``table``."""
    if target not in table[current]:
        raise InvalidTransition(machine, current.value, target.value)
