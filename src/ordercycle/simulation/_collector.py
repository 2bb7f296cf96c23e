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

Spacing the young collections out is not enough on its own: a run's live objects grow by
the orders in flight (a month of payment terms holds thousands of orders, a couple of
hundred objects each), and every young collection traverses all those it finds, only to
promote them (measured at 2,000 orders: two collections of 200,000 objects or more, 0.2 s,
5 % of the run). So once a simulated day the run calls :func:`settle`, which freezes what
the process tracks then (:func:`gc.freeze`, constant time: the collector's lists are moved
to the permanent generation and the young count starts over), and the last run to leave
unfreezes it with what it made since (into the oldest generation, where it would have
gone, without a young collection traversing the rest of the day first). The young
collections then only see what a day made, and a run of 60 orders a day makes none.

What a frozen object holds is still freed by reference counting as before; only cyclic
garbage waits, for the run to leave and then for a full collection. A run makes a few
cyclic objects a simulated day, not an order's, and a run that reached its horizon is no
cycle itself (its processes still waiting are closed then), so its desk is freed as soon
as it is dropped (tested); a run dropped before its horizon waits for a full collection.
A process that froze objects itself (a pre-forking server) is left as it is: no run
freezes while anything is frozen when the first run enters; but objects a caller freezes
during a run are unfrozen with the run's when it leaves.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Final

__all__ = ["YOUNG_THRESHOLD", "settle", "spaced_collections"]

#: Net allocations between young collections during a run (Python's default is 700).
YOUNG_THRESHOLD: Final = 200_000

_lock = threading.Lock()
_inside = 0
_saved: tuple[int, int, int] | None = None
# Whether settle() may freeze while the runs are inside, and whether it did (then the last
# run to leave unfreezes).
_may_freeze = False
_frozen = False


@contextmanager
def spaced_collections() -> Iterator[None]:
    """Raise the young collection threshold for the block; see the module docstring."""
    global _inside, _saved, _may_freeze, _frozen
    with _lock:
        if _inside == 0:
            before = gc.get_threshold()
            if 0 < before[0] < YOUNG_THRESHOLD:
                _saved = before
                gc.set_threshold(YOUNG_THRESHOLD, before[1], before[2])
                _may_freeze = gc.isenabled() and gc.get_freeze_count() == 0
        _inside += 1
    try:
        yield
    finally:
        with _lock:
            _inside -= 1
            if _inside == 0 and _saved is not None:
                gc.set_threshold(*_saved)
                _saved = None
                if _frozen:
                    # What the run made since its last settle() goes to the oldest
                    # generation with the rest, not through a young collection at the
                    # first allocation under the restored threshold.
                    gc.freeze()
                    gc.unfreeze()
                _may_freeze = _frozen = False


def settle() -> None:
    """Freeze every object the process tracks now, until the last run leaves
    :func:`spaced_collections` (see the module docstring); nothing outside a run, or in a
    run that left the collector as it was."""
    global _frozen
    with _lock:
        if _inside and _may_freeze:
            gc.freeze()
            _frozen = True
