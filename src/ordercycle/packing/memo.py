"""``PackingMemo``: remember packing plans by their exact request, in a bounded cache.

:func:`~ordercycle.packing.pack` is a pure, deterministic function of its request (without
a ``time_limit``), and a warehouse packs the same baskets over and over. A memo keeps the
plans of the most recently used requests, so a repeated basket costs a dictionary lookup
instead of a search.

The key is the *whole* request, compared exactly: every item (sku, dimensions, weight,
quantity and handling rules), every carton of the catalogue (sizes, tare, limit, cost,
stock), the carrier rule, the objective, the rate model, the support rule, what to do with
unpackable units, the effort and the work budget. Quantities count with their magnitude's
type and their unit (``Q_(12, "cm")`` and ``Q_(120, "mm")`` are different keys), so the
plan handed back is equal, field by field, to the plan a fresh :func:`pack` call returns.
Requests the memo cannot key exactly (a ``time_limit``, a value of an unknown type) are
packed directly and not remembered; neither are refusals (the error is raised again each
time).

>>> from ordercycle.units import Q_
>>> from ordercycle.packing import Carton, Item, PackRequest, carriers, pack
>>> memo = PackingMemo(maxsize=2)
>>> mugs = [Item("MUG", Q_(12, "cm"), Q_(9, "cm"), Q_(10, "cm"), Q_(350, "g"), quantity=4)]
>>> boxes = [Carton("S", inner=(Q_(20, "cm"), Q_(20, "cm"), Q_(15, "cm")), tare=Q_(120, "g"))]
>>> first = memo.pack(PackRequest(mugs, boxes, carriers.UPS_DAILY))
>>> again = memo.pack(PackRequest(mugs, boxes, carriers.UPS_DAILY))
>>> again is first, first == pack(mugs, boxes, carrier=carriers.UPS_DAILY)
(True, True)
>>> memo.hits, memo.misses, len(memo)
(1, 1, 1)
"""

from __future__ import annotations

import enum
import functools
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any, Final

import attrs

from ordercycle.errors import ValidationError
from ordercycle.packing.item import Item
from ordercycle.packing.packer import pack_request
from ordercycle.packing.packing_plan import PackingPlan
from ordercycle.packing.request import PackRequest
from ordercycle.units import is_quantity

__all__ = ["DEFAULT_MEMO_SIZE", "PackingMemo", "request_key"]

#: How many plans a :class:`PackingMemo` keeps unless told otherwise.
DEFAULT_MEMO_SIZE: Final = 1024

_PLAIN: Final = frozenset({str, int, bool, Fraction, type(None)})

#: How many catalogues, carrier rules and rates a memo keeps the keys of, by identity.
_KNOWN_KEPT: Final = 64

#: How many items a memo keeps the keys of, by identity (a desk makes each item once per
#: product and quantity and hands the same object back, so a shop needs a few hundred).
_ITEMS_KEPT: Final = 4096


class _UnkeyableError(Exception):
    """A part of the request has no exact key."""


@functools.cache
def _fields(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in attrs.fields(cls) if f.eq)


def _units(quantity: Any) -> Hashable:
    # pint's UnitsContainer hashes once and compares cheaply; Unit objects do neither.
    units = getattr(quantity, "_units", None)
    return units if isinstance(units, Hashable) else quantity.units


def _canon(value: object) -> Hashable:
    kind = type(value)
    if kind in _PLAIN:
        return (kind, value)
    if kind is Item:
        return _item_key(value)  # type: ignore[arg-type]
    if is_quantity(value):
        quantity: Any = value
        magnitude = quantity.magnitude
        if type(magnitude) in _PLAIN:
            return ("quantity", type(magnitude), magnitude, _units(quantity))
        return ("quantity", _canon(magnitude), _units(quantity))
    if kind is float:
        return (kind, value.hex())  # type: ignore[attr-defined]  # -0.0 == 0.0; nan != nan
    if kind is Decimal:
        return (kind, str(value))  # Decimal("1.0") == Decimal("1.00"), but they print apart
    if isinstance(value, enum.Enum):
        return (kind, value)
    if kind is tuple or kind is list:
        return (kind, tuple(_canon(part) for part in value))  # type: ignore[attr-defined]
    if attrs.has(kind):
        return (kind, tuple(_canon(getattr(value, name)) for name in _fields(kind)))
    if isinstance(value, Mapping):
        return (kind, tuple((_canon(k), _canon(v)) for k, v in value.items()))
    raise _UnkeyableError(kind.__name__)


def _item_key(item: Item) -> Hashable:
    """The key of an :class:`Item` (the generic attrs key, written out: items are many)."""
    return (
        Item,
        _canon(item.sku),
        _canon(item.length),
        _canon(item.width),
        _canon(item.height),
        _canon(item.weight),
        _canon(item.quantity),
        item.rotation,
        _canon(item.max_load),
        _canon(item.fragile),
        _canon(item.ship_alone),
        _canon(item.own_packaging),
        _canon(item.group),
        item.upright,
    )


def request_key(request: PackRequest) -> Hashable | None:
    """The exact key of a packing request, or ``None`` if some part cannot be keyed exactly.

    Two requests have the same key only if every argument is equal *and* prints the same
    (quantities with the same magnitude type and unit, decimals with the same digits).

    >>> from ordercycle.packing import Item, Carton, PackRequest
    >>> box = [Carton.from_mm("S", 200, 200, 150)]
    >>> request_key(PackRequest([Item.from_mm("A", 10, 10, 10, 5)], box)) == request_key(
    ...     PackRequest([Item.from_mm("A", 10, 10, 10, 5)], box))
    True
    >>> request_key(PackRequest([Item.from_mm("A", 10, 10, 10, 5)], box)) == request_key(
    ...     PackRequest([Item.from_mm("A", 10, 10, 10, 5, fragile=True)], box))
    False
    """
    return _key(request, _canon, _canon)


def _key(
    request: PackRequest,
    canon: Callable[[object], Hashable],
    item_key: Callable[[object], Hashable],
) -> Hashable | None:
    """The key of a request without its time limit and clock (``None`` if unkeyable).

    ``canon`` keys the catalogue, the carrier and the rate, and ``item_key`` each item: a
    memo looks those up by identity first, since the same objects come back on every call.
    The items' part is shaped as ``_canon`` shapes the items' tuple.
    """
    try:
        return (
            (tuple, tuple([item_key(item) for item in request.items])),
            canon(request.cartons),
            canon(request.carrier),
            _canon(request.objective),
            canon(request.rate),
            _canon(request.support),
            _canon(request.on_unpackable),
            _canon(request.effort),
            _canon(request.work_limit),
            _canon(request.exact),
        )
    except _UnkeyableError:
        return None


class _Hashed:
    """A key whose hash is computed once (a tuple hashes all its parts on every lookup).

    Equal to another ``_Hashed`` of an equal key only. A memo keys catalogues, carriers,
    rates and items this way, and each whole request: the catalogue's nested tuple alone
    took 3 us to hash, and a hit hashed the request twice (its lookup and its move to the
    end), more than building the key.
    """

    __slots__ = ("_hash", "key")

    def __init__(self, key: Hashable) -> None:
        self.key = key
        self._hash = hash(key)

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        if type(other) is not _Hashed:
            return NotImplemented
        return self._hash == other._hash and self.key == other.key

    def __repr__(self) -> str:
        return f"_Hashed({self.key!r})"


class PackingMemo:
    """The plans of the most recently used packing requests (see the module docstring).

    Safe to share between threads. The oldest-used plan is dropped when a new one would
    make more than ``maxsize``.

    Args:
        maxsize: The most plans kept (a positive integer).

    Raises:
        ValidationError: ``maxsize`` is not a positive integer.
    """

    def __init__(self, maxsize: int = DEFAULT_MEMO_SIZE) -> None:
        if isinstance(maxsize, bool) or not isinstance(maxsize, int) or maxsize < 1:
            raise ValidationError.invalid("PackingMemo", "maxsize", maxsize, "a positive integer")
        self._maxsize = maxsize
        self._plans: OrderedDict[_Hashed, PackingPlan] = OrderedDict()
        self._lock = threading.Lock()
        # Keys of catalogues, carrier rules and rates by identity (they are immutable and
        # the same objects come back on every call); each entry holds its object, so an
        # id is never reused while it is here.
        self._known: dict[int, tuple[object, _Hashed]] = {}
        # The same for items (frozen, so their key never changes): keying every item of
        # every request afresh was most of a hit's cost.
        self._item_keys: dict[int, tuple[object, _Hashed]] = {}
        self.hits = 0
        """Requests answered from the memo."""
        self.misses = 0
        """Requests that were packed and remembered."""

    @property
    def maxsize(self) -> int:
        """The most plans kept."""
        return self._maxsize

    def __len__(self) -> int:
        return len(self._plans)

    def __repr__(self) -> str:
        return (
            f"<PackingMemo {len(self)}/{self._maxsize} plans,"
            f" {self.hits} hits, {self.misses} misses>"
        )

    def clear(self) -> None:
        """Forget every plan (the counters stay)."""
        with self._lock:
            self._plans.clear()
            self._known.clear()
            self._item_keys.clear()

    def _known_key(self, value: object) -> Hashable:
        return self._key_by_identity(self._known, _KNOWN_KEPT, value)

    def _item_key(self, item: object) -> Hashable:
        return self._key_by_identity(self._item_keys, _ITEMS_KEPT, item)

    def _key_by_identity(
        self, table: dict[int, tuple[object, _Hashed]], kept: int, value: object
    ) -> Hashable:
        """``value``'s key, kept by its identity in ``table`` (cleared at ``kept`` entries);
        the entry holds ``value``, so its id is not reused while the entry is here."""
        with self._lock:
            known = table.get(id(value))
        if known is not None and known[0] is value:
            return known[1]
        key = _Hashed(_canon(value))
        with self._lock:
            if len(table) >= kept:
                table.clear()
            table[id(value)] = (value, key)
        return key

    def pack(self, request: PackRequest) -> PackingPlan:
        """:func:`~ordercycle.packing.pack_request` of ``request`` (same result and errors).

        A request seen before returns the remembered plan (the same object); a request
        with a ``time_limit`` is always packed afresh, since its result depends on time.
        """
        found_key = (
            None
            if request.time_limit is not None
            else _key(request, self._known_key, self._item_key)
        )
        key = None if found_key is None else _Hashed(found_key)
        if key is not None:
            with self._lock:
                found = self._plans.get(key)
                if found is not None:
                    self._plans.move_to_end(key)
                    self.hits += 1
                    return found
        plan = pack_request(request)
        if key is not None:
            with self._lock:
                self.misses += 1
                self._plans[key] = plan
                self._plans.move_to_end(key)
                while len(self._plans) > self._maxsize:
                    self._plans.popitem(last=False)
        return plan
