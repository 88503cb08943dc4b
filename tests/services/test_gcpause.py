"""The cyclic garbage collector paused during bulk work (issue #8, B1/B2) and restored after."""

from __future__ import annotations

import gc
import threading

import pytest

from saylau.services.gcpause import paused
from saylau.services.protocols import ProtocolData


def test_paused_switches_the_collector_off_and_back_on_after_the_outermost_block() -> None:
    assert gc.isenabled()
    with paused():
        assert not gc.isenabled()
        with paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner block does not resume it
    assert gc.isenabled()


def test_paused_resumes_after_an_error_and_leaves_a_disabled_collector_disabled() -> None:
    with pytest.raises(RuntimeError), paused():
        raise RuntimeError("refused")
    assert gc.isenabled()
    gc.disable()
    try:
        with paused():
            pass
        assert not gc.isenabled()  # someone else's choice is kept
    finally:
        gc.enable()


def test_overlapping_blocks_in_threads_resume_the_collector_when_the_last_ends() -> None:
    inside, release = threading.Event(), threading.Event()

    def other() -> None:
        with paused():
            inside.set()
            release.wait(5)

    thread = threading.Thread(target=other)
    with paused():
        thread.start()
        assert inside.wait(5)
    assert not gc.isenabled()  # the other thread's block is still open
    release.set()
    thread.join(5)
    assert gc.isenabled()


def test_a_stored_entry_reads_back_as_the_figures_entered() -> None:
    data = ProtocolData(
        voters_on_list=900,
        ballots_received=900,
        ballots_issued=600,
        ballots_cancelled=300,
        ballots_in_boxes=600,
        portable_box_ballots=10,
        portable_box_requests=10,
        votes={12: 300, 7: 250},
        against_all=40,
        invalid=10,
        portable_box_invalidated=0,
        valid=590,
        extra={"absentee": 3},
    )
    document = data.as_json()
    assert ProtocolData.stored(document) == data
    assert ProtocolData.stored(document) == ProtocolData.from_json(document)
