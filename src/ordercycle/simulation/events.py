"""The event log of a run (its home is :mod:`ordercycle.service.cycle_log`, shared with the desk).

>>> event = SimEvent(time=9.5, kind="placed", order_id="O-1", quantity=3, measure=2.0)
>>> event.day
0
"""

from __future__ import annotations

from ordercycle.service.cycle_log import EVENT_KINDS, SimEvent

__all__ = ["EVENT_KINDS", "SimEvent"]
