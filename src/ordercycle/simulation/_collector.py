"""Python's cyclic garbage collector, spaced out while a simulation runs.

A run keeps everything its in-memory desk stored (events, orders, records) alive until it
ends, millions of objects that reference counting never frees and that are never garbage.
At Python's default thresholds (a young collection every 700 net allocations, a full one
every hundred young ones once a quarter of the heap is new), the collector traverses them
again and again: measured on the default scenario at 2,000 orders, a sixth of the run's
CPU time (1.9 s of full collections and 0.6 s of young ones in 14 s).

Inside :func:`spaced_collections` the young threshold is raised to
:data:`YOUNG_THRESHOLD`: the same garbage is collected (reference counting frees almost
everything at once; only cycles wait a little longer) and full collections become rare.
The library's own commands make no reference cycles (units of work and the packing search
are freed by reference counting; tests hold them to it), so nothing waits on the collector
but what a caller's own code makes, and the threshold can be high: measured at 8,000
orders, the collector took 5.9 % of the run's time every 20,000 allocations and 0.6 %
every 200,000.
The previous thresholds come back when the last run in the process leaves (runs on threads
share the setting). A collector switched off (threshold 0) or already spaced wider is left
as it is.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Final

__all__ = ["YOUNG_THRESHOLD", "spaced_collections"]

#: Net allocations between young collections during a run (Python's default is 700).
YOUNG_THRESHOLD: Final = 200_000

_lock = threading.Lock()
_inside = 0
_saved: tuple[int, int, int] | None = None


@contextmanager
def spaced_collections() -> Iterator[None]:
    """Raise the young collection threshold for the block; see the module docstring."""
    global _inside, _saved
    with _lock:
        if _inside == 0:
            before = gc.get_threshold()
            if 0 < before[0] < YOUNG_THRESHOLD:
                _saved = before
                gc.set_threshold(YOUNG_THRESHOLD, before[1], before[2])
        _inside += 1
    try:
        yield
    finally:
        with _lock:
            _inside -= 1
            if _inside == 0 and _saved is not None:
                gc.set_threshold(*_saved)
                _saved = None
