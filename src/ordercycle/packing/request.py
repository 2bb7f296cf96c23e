"""``PackRequest``: one packing request, the single definition of what :func:`pack` takes.

:func:`~ordercycle.packing.pack` builds one from its arguments; a
:class:`~ordercycle.packing.PackingMemo` is handed one and keys its plans by it, so the
parameters, their order and their defaults are written once, here.

>>> from ordercycle.units import Q_
>>> from ordercycle.packing import Carton, Item, carriers, pack, pack_request
>>> mugs = [Item("MUG", Q_(12, "cm"), Q_(9, "cm"), Q_(10, "cm"), Q_(350, "g"), quantity=4)]
>>> boxes = [Carton("S", inner=(Q_(20, "cm"), Q_(20, "cm"), Q_(15, "cm")), tare=Q_(120, "g"))]
>>> request = PackRequest(mugs, boxes, carriers.UPS_DAILY)
>>> request.objective is None, request.effort
(True, 8)
>>> pack_request(request) == pack(mugs, boxes, carrier=carriers.UPS_DAILY)
True
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

import attrs

from ordercycle.model.clock import Clock
from ordercycle.packing.carriers import DimWeightRule
from ordercycle.packing.carton import Carton
from ordercycle.packing.item import Item
from ordercycle.packing.rates import RateModel

__all__ = ["DEFAULT_WORK_LIMIT", "PackRequest"]

#: The default work budget of one :func:`~ordercycle.packing.pack` call (see
#: :attr:`PackRequest.work_limit`): about 100 ms of CPU for the costliest orders, a
#: packing station's budget; most orders finish far below it.
DEFAULT_WORK_LIMIT: Final = 20_000


def _items(values: Iterable[Item]) -> tuple[Item, ...]:
    return tuple(values)


def _cartons(values: Iterable[Carton]) -> tuple[Carton, ...]:
    return tuple(values)


@attrs.frozen
class PackRequest:
    """What to pack, into which cartons, and how; checked when it is packed.

    Attributes:
        items: The items (each with its quantity and handling rules); any iterable,
            kept as a tuple.
        cartons: The carton catalogue; any iterable, kept as a tuple.
        carrier: The carrier's dimensional-weight rule (``carriers.UPS_DAILY``, ...).
            Without one, billable weight is the actual weight.
        objective: ``"billable_weight"`` (the default with a carrier), ``"cost"`` (carton
            cost plus ``rate``) or ``"cartons"`` (fewest cartons; the default without a
            carrier). Ties go to lower billable weight, then smaller cartons.
        rate: A rate model that prices the billable weight (needed for ``"cost"`` unless
            every carton has a cost).
        support: Share of each item's base that must rest on the floor or on items
            directly below (``Fraction(3, 4)``, ``"0.75"``), or ``None`` for no rule.
        on_unpackable: ``"raise"`` (default) raises
            :class:`~ordercycle.errors.UnpackableItemError`; ``"report"`` returns such
            units in :attr:`PackingPlan.unpacked`.
        effort: How many placement strategies to try per carton (deterministic; more is
            slower and sometimes better).
        work_limit: The search's budget in work units (one unit is one attempt to place a
            unit in a carton, one candidate carton of the exact search, or 64 positions of
            its complete placement search), or ``None`` for no budget. When it runs out
            the packer stops improving and returns the best valid plan found so far, with
            its lower bound and gap, and says so in :attr:`PackingPlan.notes`. The default,
            :data:`DEFAULT_WORK_LIMIT`, keeps every order within about 100 ms of CPU on a
            current machine. The same budget always gives the same plan.
        time_limit: Seconds (a number or a pint time) for a deeper search: every strategy
            and unit order is tried until the limit passes, and then the search stops with
            the best plan so far, cutting constructions short once a plan is in hand (the
            first complete plan is always finished, so a large order can overrun a short
            limit). Needs ``clock``. The result then depends on the
            machine's speed, so it is no longer deterministic; use ``work_limit`` and
            ``effort`` for reproducible results (``time_limit`` as an outer guard).
        clock: A :class:`~ordercycle.model.clock.Clock` (``SystemClock()`` in an
            application, a ``SteppableClock`` in tests) that measures ``time_limit``.
        exact: Search carton assignments exactly on small orders (the default), so the
            plan is optimal and says so (:attr:`PackingPlan.optimal`); ``False`` keeps
            only the heuristic (for comparison).
    """

    items: tuple[Item, ...] = attrs.field(converter=_items)
    cartons: tuple[Carton, ...] = attrs.field(converter=_cartons)
    carrier: DimWeightRule | None = None
    objective: str | None = attrs.field(default=None, kw_only=True)
    rate: RateModel | None = attrs.field(default=None, kw_only=True)
    support: Any = attrs.field(default=None, kw_only=True)
    on_unpackable: str = attrs.field(default="raise", kw_only=True)
    effort: int = attrs.field(default=8, kw_only=True)
    time_limit: Any = attrs.field(default=None, kw_only=True)
    work_limit: int | None = attrs.field(default=DEFAULT_WORK_LIMIT, kw_only=True)
    clock: Clock | None = attrs.field(default=None, kw_only=True)
    exact: bool = attrs.field(default=True, kw_only=True)
