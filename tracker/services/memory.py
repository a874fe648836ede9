"""What a worker keeps in memory: a small least-recently-used store for computed statuses, and
Python's cyclic garbage collector, paused while everyone's statuses are computed.

Computing a practice's statuses allocates hundreds of thousands of small objects that form no
reference cycles (records, statuses, their details), and keeps them until the page is drawn. Each
automatic collection walks every object still alive, so while they pile up the collector runs again
and again over a growing heap: at 2,000 staff it took about 40% of a cold matrix (3.1 s with it,
1.8 s without; benchmarks/bench_dashboard.py). Reference counting still frees everything as usual,
and the collector runs again as soon as the computation ends.
"""

from __future__ import annotations

import gc
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Generic, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Remembered(Generic[K, V]):
    """The last ``size`` values put, by key, per process; the least recently used is forgotten first."""

    def __init__(self, size: int):
        self.size, self.lock = size, threading.Lock()
        self.entries: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        with self.lock:
            value = self.entries.get(key)
            if value is not None:
                self.entries.move_to_end(key)
            return value

    def put(self, key: K, value: V) -> None:
        with self.lock:
            self.entries[key] = value
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)


@contextmanager
def collector_paused() -> Iterator[None]:
    """No automatic collection inside the block. Whoever found the collector on turns it back on, so two
    threads in such blocks at once leave it on when the last one that paused it is done."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def with_collector_paused(function: Callable[P, R]) -> Callable[P, R]:
    @wraps(function)
    def paused(*args: P.args, **kwargs: P.kwargs) -> R:
        with collector_paused():
            return function(*args, **kwargs)
    return paused
