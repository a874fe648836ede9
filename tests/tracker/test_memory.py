"""The garbage collector pause around bulk status computations always ends, and never turns on a
collector that someone else had turned off."""

from __future__ import annotations

import gc

import pytest

from tracker.services.memory import collector_paused, with_collector_paused


@pytest.fixture(autouse=True)
def collector_restored():
    was_on = gc.isenabled()
    yield
    (gc.enable if was_on else gc.disable)()


def test_the_collector_is_paused_inside_and_back_on_after_even_after_an_error():
    gc.enable()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("a computation that fails")
    assert gc.isenabled()


def test_nested_pauses_and_a_collector_already_off():
    gc.enable()
    with collector_paused():
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner pause found it off: the outer one turns it back on
    assert gc.isenabled()
    gc.disable()
    with collector_paused():
        pass
    assert not gc.isenabled()  # whoever turned it off keeps it off


def test_the_decorator_pauses_around_the_call_and_returns_its_value():
    gc.enable()
    seen = with_collector_paused(lambda: gc.isenabled())()
    assert seen is False and gc.isenabled()
