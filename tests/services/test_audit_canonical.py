"""The audit log's one-pass serialisation gives the chain the two-pass one gave (issue #8, B1).

An event's ``before``/``after`` used to be normalised (serialised and parsed back), then the whole
event serialised again for its hash, then each document serialised a third time by its column.
Now each document is serialised once (:func:`audit.canonical`) and that text is both hashed and
stored. These tests draw arbitrary documents — text and non-text keys (whose order changes when
they become text), enums, dates, fractions, decimals, nested lists and tuples, non-ASCII text — and
check that the new text and hash equal the old ones, and that a chain written by both ``append``
and ``append_many`` on the real database reads back as the old documents and verifies.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from saylau.domain.states import ProtocolState
from saylau.services import audit
from saylau.storage.models import AuditEvent

_KEYS = st.one_of(
    st.text(max_size=6),
    st.integers(-20, 20),
    st.sampled_from([True, False, None, 1.5]),
    st.sampled_from(list(ProtocolState)),
)
_LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**40), 2**40),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=8),
    st.sampled_from(list(ProtocolState)),
    st.datetimes(timezones=st.just(UTC)),
    st.dates(),
    st.fractions(max_denominator=50),
    st.decimals(allow_nan=False, allow_infinity=False, places=2),
)
_VALUES = st.recursive(
    _LEAVES,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=3).map(tuple),
        st.dictionaries(_KEYS, inner, max_size=4),
    ),
    max_leaves=20,
)
DOCUMENTS = st.one_of(
    st.none(),
    st.dictionaries(st.text(max_size=10), _VALUES, max_size=6),
    st.dictionaries(_KEYS, _VALUES, max_size=6),
)


def _old_text(data: dict[str, Any] | None) -> str:
    """The document's text inside the old canonical event: normalised, then sorted."""
    return json.dumps(
        audit.normalise(data), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )


def _old_hash(event: dict[str, Any], prev_hash: str) -> str:
    """The hash the old code path gave an event (normalise, then :func:`audit.event_hash`)."""
    fields = {
        **event,
        "at": event["at"].astimezone(UTC).isoformat(),
        "before": audit.normalise(event["before"]),
        "after": audit.normalise(event["after"]),
    }
    return audit.event_hash(fields, prev_hash)


def _event(rng: random.Random, entity_id: str, before: Any, after: Any) -> dict[str, Any]:
    return {
        "at": datetime(2023, 3, 19, 14, tzinfo=UTC) + timedelta(seconds=rng.randrange(10**6)),
        "user_id": rng.choice([None, rng.randrange(1, 10**6)]),
        "username": rng.choice(["tester", "Әбенов", 'quote"d', "x\\y"]),
        "role": rng.choice(["cec_admin", "tec_coordinator"]),
        "commission_id": rng.choice([None, rng.randrange(1, 500)]),
        "action": rng.choice(["enter_protocol", "tabulate"]),
        "entity": rng.choice(["protocol", "contest_result"]),
        "entity_id": entity_id,
        "outcome": rng.choice(["done", "refused"]),
        "before": before,
        "after": after,
    }


def _random_document(rng: random.Random, depth: int) -> dict[Any, Any] | None:
    """A document like those :data:`DOCUMENTS` draws, from a seeded generator (for the database
    test, which runs once per database rather than per example)."""
    if rng.random() < 0.15:
        return None
    keys: list[Any] = ["id", "state", "Сайлау", "votes", 3, 10, None, True, ProtocolState.EMPTY]
    leaves: list[Any] = [
        None,
        7,
        -2.5,
        'ә"b',
        ProtocolState.DEFINITIVE,
        datetime(2023, 3, 20, 6, tzinfo=UTC),
        date(2023, 3, 19),
        Fraction(2, 7),
        Decimal("0.10"),
    ]
    document: dict[Any, Any] = {}
    for _ in range(rng.randrange(5)):
        choice = rng.random()
        if depth and choice < 0.2:
            value: Any = _random_document(rng, depth - 1)
        elif depth and choice < 0.3:
            value = [rng.choice(leaves), _random_document(rng, depth - 1)]
        else:
            value = rng.choice(leaves)
        document[rng.choice(keys)] = value
    return document


@settings(max_examples=300, deadline=None)
@given(document=DOCUMENTS)
def test_one_pass_text_is_the_normalised_sorted_text(document: dict[str, Any] | None) -> None:
    assert audit.canonical(document) == _old_text(document)


@settings(max_examples=150, deadline=None)
@given(
    documents=st.lists(st.tuples(DOCUMENTS, DOCUMENTS), min_size=1, max_size=4),
    seed=st.integers(0, 2**32),
)
def test_one_pass_hashes_are_the_old_hashes(
    documents: list[tuple[dict[str, Any] | None, dict[str, Any] | None]], seed: int
) -> None:
    rng = random.Random(seed)
    template = _event(rng, "", None, None)
    changes = [(str(rng.randrange(10**9)), before, after) for before, after in documents]
    shared = {k: template[k] for k in template if k not in ("entity_id", "before", "after")}
    links = audit._links(changes=changes, prev_hash=audit.GENESIS, **shared)
    previous = audit.GENESIS
    for link, (entity_id, before, after) in zip(links, changes, strict=True):
        expected = _old_hash(
            {**shared, "entity_id": entity_id, "before": before, "after": after}, previous
        )
        linked_id, before_text, after_text, prev_hash, digest = link
        assert (linked_id, prev_hash, digest) == (entity_id, previous, expected)
        assert json.loads(before_text) == audit.normalise(before)
        assert json.loads(after_text) == audit.normalise(after)
        previous = expected


def test_a_chain_of_random_events_reads_back_and_verifies(
    factory: sessionmaker[Session],
) -> None:
    """``append`` and ``append_many`` interleaved on the real database: every stored document
    reads back as the old path stored it, every hash is the old path's, and the chain verifies."""
    rng = random.Random(8)

    def draw() -> dict[Any, Any] | None:
        return _random_document(rng, 3)

    expected: list[tuple[str, Any, Any]] = []
    previous = audit.GENESIS
    with factory() as session, session.begin():
        for batch in range(6):
            size = 1 if batch % 2 else rng.randrange(2, 6)
            changes = [(f"{batch}.{i}", draw(), draw()) for i in range(size)]
            shared = _event(rng, "", None, None)
            del shared["entity_id"], shared["before"], shared["after"]
            if size == 1:
                entity_id, before, after = changes[0]
                audit.append(session, entity_id=entity_id, before=before, after=after, **shared)
            else:
                audit.append_many(session, changes=changes, **shared)
            for entity_id, before, after in changes:
                event = {**shared, "entity_id": entity_id, "before": before, "after": after}
                previous = _old_hash(event, previous)
                expected.append((previous, audit.normalise(before), audit.normalise(after)))
    with factory() as session:
        stored = session.execute(
            select(AuditEvent.hash, AuditEvent.before, AuditEvent.after).order_by(AuditEvent.id)
        ).all()
        report = audit.verify_chain(session)
    assert [tuple(row) for row in stored] == expected
    assert report.intact and report.events == len(expected)


def test_documents_with_dates_and_fractions_are_stored_as_text() -> None:
    document = {"on": date(2023, 3, 19), "share": Fraction(1, 3), "sum": Decimal("1.50")}
    assert audit.canonical(document) == '{"on":"2023-03-19","share":"1/3","sum":"1.50"}'
    numbered: dict[Any, Any] = {2: "b", 10: "a"}
    assert audit.canonical(numbered) == '{"10":"a","2":"b"}'  # sorted as text
