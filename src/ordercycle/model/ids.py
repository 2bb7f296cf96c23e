"""Typed identifiers and the :class:`IdFactory` port that makes new ones.

Identifiers are plain strings at run time, typed with :func:`typing.NewType` so that mypy
keeps an :data:`OrderId` from being passed where a :data:`Sku` is expected. The
``parse_*`` helpers validate text from outside (files, forms, APIs) and return the typed id.

The domain never invents ids itself: an :class:`IdFactory` is injected.
:class:`SequentialIdFactory` gives readable, deterministic ids (``O-1``, ``O-2``,
``INV-1``); :class:`RandomIdFactory` gives UUID-shaped ids drawn from a seeded
:class:`random.Random`, so a simulation with the same seed gets the same ids.

>>> parse_sku("MUG-12")
'MUG-12'
>>> ids = SequentialIdFactory()
>>> ids.new_id("order"), ids.new_id("order"), ids.new_id("invoice")
('O-1', 'O-2', 'INV-1')
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Mapping
from types import MappingProxyType
from typing import Final, NewType, Protocol, runtime_checkable

from ordercycle.errors import ValidationError

__all__ = [
    "DEFAULT_PREFIXES",
    "CreditNoteId",
    "CustomerId",
    "IdFactory",
    "InvalidIdError",
    "InvoiceId",
    "LocationId",
    "LotId",
    "OrderId",
    "PaymentId",
    "RandomIdFactory",
    "ReservationId",
    "ReturnId",
    "SequentialIdFactory",
    "ShipmentId",
    "Sku",
    "UnknownIdKindError",
    "parse_customer_id",
    "parse_id",
    "parse_location_id",
    "parse_lot_id",
    "parse_order_id",
    "parse_sku",
]

OrderId = NewType("OrderId", str)
"""Identifies an order (``"O-17"``)."""
Sku = NewType("Sku", str)
"""A stock-keeping unit: identifies a product (``"MUG-12"``)."""
CustomerId = NewType("CustomerId", str)
"""Identifies a customer (``"C-3"``)."""
LocationId = NewType("LocationId", str)
"""Identifies a stock location: a warehouse, zone or bin (``"WH-A"``)."""
LotId = NewType("LotId", str)
"""Identifies a production lot or batch of one sku (``"LOT-2026-07"``)."""
ShipmentId = NewType("ShipmentId", str)
"""Identifies a shipment (``"SHP-4"``)."""
InvoiceId = NewType("InvoiceId", str)
"""Identifies an invoice (``"INV-9"``)."""
PaymentId = NewType("PaymentId", str)
"""Identifies a payment (``"PAY-2"``)."""
CreditNoteId = NewType("CreditNoteId", str)
"""Identifies a credit note (``"CN-1"``)."""
ReservationId = NewType("ReservationId", str)
"""Identifies a stock reservation or hold (``"RES-5"``)."""
ReturnId = NewType("ReturnId", str)
"""Identifies a return authorisation (``"RMA-1"``)."""

#: Prefix used by the id factories for each kind of id.
DEFAULT_PREFIXES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "credit_note": "CN",
        "customer": "C",
        "hold": "H",
        "invoice": "INV",
        "location": "LOC",
        "lot": "LOT",
        "order": "O",
        "payment": "PAY",
        "pick_list": "PL",
        "reservation": "RES",
        "return": "RMA",
        "shipment": "SHP",
        "transfer": "TR",
        "wave": "W",
    }
)

_MAX_LENGTH: Final = 200


class InvalidIdError(ValidationError):
    """Text is not a valid identifier (empty, padded with spaces, unprintable, too long).

    Attributes:
        kind: The kind of id that was being parsed (``"sku"``, ``"order id"``).
    """

    def __init__(self, kind: str, value: object, expected: str) -> None:
        super().__init__(
            f"Invalid {kind}: {value!r}; expected {expected}.",
            subject=kind,
            field="id",
            value=value,
            expected=expected,
        )
        self.kind = kind


class UnknownIdKindError(ValidationError, LookupError):
    """An id factory was asked for a kind of id it has no prefix for.

    Attributes:
        kind: The kind that was asked for.
        known: The kinds the factory knows, sorted.
    """

    def __init__(self, kind: str, known: tuple[str, ...]) -> None:
        super().__init__(
            f"Unknown id kind {kind!r}; expected one of {', '.join(known)}"
            " (or pass prefixes={...} to the factory).",
            subject="id factory",
            field="kind",
            value=kind,
            expected="one of " + ", ".join(known),
        )
        self.kind = kind
        self.known = known


def parse_id(kind: str, value: object) -> str:
    """Validate identifier text and return it unchanged.

    An identifier is a non-empty string of at most 200 printable characters with no
    leading or trailing whitespace.

    Args:
        kind: What the id identifies, for the error message (``"sku"``).
        value: The text to check.

    Raises:
        InvalidIdError: If ``value`` is not a valid identifier.

    >>> parse_id("lot id", " L1")
    Traceback (most recent call last):
    ...
    ordercycle.model.ids.InvalidIdError: Invalid lot id: ' L1'; expected ... no leading or trailing whitespace.
    """  # noqa: E501
    expected = "a non-empty string of printable characters with no leading or trailing whitespace"
    if not isinstance(value, str) or not value:
        raise InvalidIdError(kind, value, expected)
    if value != value.strip() or not value.isprintable():
        raise InvalidIdError(kind, value, expected)
    if len(value) > _MAX_LENGTH:
        raise InvalidIdError(kind, value, f"at most {_MAX_LENGTH} characters")
    return value


def parse_sku(value: object) -> Sku:
    """Validate a stock-keeping unit.

    Raises:
        InvalidIdError: ``Invalid sku: ''; expected a non-empty string ...``.
    """
    return Sku(parse_id("sku", value))


def parse_order_id(value: object) -> OrderId:
    """Validate an order id.

    Raises:
        InvalidIdError: If ``value`` is not a valid identifier.
    """
    return OrderId(parse_id("order id", value))


def parse_customer_id(value: object) -> CustomerId:
    """Validate a customer id.

    Raises:
        InvalidIdError: If ``value`` is not a valid identifier.
    """
    return CustomerId(parse_id("customer id", value))


def parse_location_id(value: object) -> LocationId:
    """Validate a location id.

    Raises:
        InvalidIdError: If ``value`` is not a valid identifier.
    """
    return LocationId(parse_id("location id", value))


def parse_lot_id(value: object) -> LotId:
    """Validate a lot id.

    Raises:
        InvalidIdError: If ``value`` is not a valid identifier.
    """
    return LotId(parse_id("lot id", value))


@runtime_checkable
class IdFactory(Protocol):
    """Port that makes new identifiers; injected wherever the domain needs fresh ids."""

    def new_id(self, kind: str) -> str:
        """Return a new id of ``kind`` (``"order"``, ``"invoice"``, ...), never repeated."""
        ...


def _checked_prefixes(prefixes: Mapping[str, str] | None) -> dict[str, str]:
    table = dict(DEFAULT_PREFIXES if prefixes is None else prefixes)
    for kind, prefix in table.items():
        parse_id("id kind", kind)
        parse_id(f"prefix for {kind!r}", prefix)
    return table


class _PrefixedFactory:
    """Shared prefix handling of the bundled factories."""

    __slots__ = ("_prefixes", "_separator")

    def __init__(self, prefixes: Mapping[str, str] | None, separator: str) -> None:
        if not isinstance(separator, str) or not separator.isprintable():
            raise ValidationError.invalid(
                type(self).__name__, "separator", separator, "a printable string such as '-'"
            )
        self._prefixes = _checked_prefixes(prefixes)
        self._separator = separator

    @property
    def prefixes(self) -> Mapping[str, str]:
        """The prefix for each kind of id, read-only."""
        return MappingProxyType(self._prefixes)

    def _prefix(self, kind: str) -> str:
        try:
            return self._prefixes[kind]
        except KeyError:
            raise UnknownIdKindError(kind, tuple(sorted(self._prefixes))) from None


class SequentialIdFactory(_PrefixedFactory):
    """Readable, deterministic ids: one counter per kind, starting at 1 (``O-1``, ``O-2``).

    Args:
        prefixes: Prefix for each kind of id; defaults to :data:`DEFAULT_PREFIXES`.
        separator: Text between prefix and number.

    >>> ids = SequentialIdFactory(prefixes={"order": "SO"})
    >>> ids.new_id("order")
    'SO-1'
    >>> saved = ids.snapshot()
    >>> ids.new_id("order")
    'SO-2'
    >>> ids.restore(saved)
    >>> ids.new_id("order")
    'SO-2'
    """

    __slots__ = ("_counters",)

    def __init__(self, prefixes: Mapping[str, str] | None = None, separator: str = "-") -> None:
        super().__init__(prefixes, separator)
        self._counters: dict[str, int] = {}

    def new_id(self, kind: str) -> str:
        """Return the next id of ``kind``.

        Raises:
            UnknownIdKindError: If the factory has no prefix for ``kind``.
        """
        prefix = self._prefix(kind)
        number = self._counters.get(kind, 0) + 1
        self._counters[kind] = number
        return f"{prefix}{self._separator}{number}"

    def snapshot(self) -> Mapping[str, int]:
        """Return the counters (the last number issued per kind), sorted by kind."""
        return MappingProxyType(dict(sorted(self._counters.items())))

    def restore(self, counters: Mapping[str, int]) -> None:
        """Set the counters back to a :meth:`snapshot` (for example after loading from storage).

        The counters are checked first; on error nothing changes.

        Raises:
            UnknownIdKindError: If a kind has no prefix.
            ValidationError: If a counter is not a non-negative integer.
        """
        checked: dict[str, int] = {}
        for kind, number in counters.items():
            self._prefix(kind)
            if isinstance(number, bool) or not isinstance(number, int) or number < 0:
                raise ValidationError.invalid(
                    "SequentialIdFactory.restore",
                    f"counter for {kind!r}",
                    number,
                    "a non-negative integer",
                )
            checked[kind] = number
        self._counters = checked

    def __repr__(self) -> str:
        return f"SequentialIdFactory(counters={dict(self.snapshot())!r})"


class RandomIdFactory(_PrefixedFactory):
    """UUID-shaped ids (``O-1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed``) from a seeded generator.

    The randomness comes only from the given seed or :class:`random.Random`, never from
    the operating system, so the same seed always gives the same ids.

    Args:
        rng: A seed (``int``) or a :class:`random.Random` to draw from.
        prefixes: Prefix for each kind of id; defaults to :data:`DEFAULT_PREFIXES`.
        separator: Text between prefix and the UUID.

    Raises:
        ValidationError: If ``rng`` is neither an ``int`` nor a :class:`random.Random`.

    >>> RandomIdFactory(7).new_id("order") == RandomIdFactory(7).new_id("order")
    True
    """

    __slots__ = ("_rng",)

    def __init__(
        self,
        rng: int | random.Random,
        prefixes: Mapping[str, str] | None = None,
        separator: str = "-",
    ) -> None:
        super().__init__(prefixes, separator)
        if isinstance(rng, random.Random):
            self._rng = rng
        elif isinstance(rng, int) and not isinstance(rng, bool):
            self._rng = random.Random(rng)
        else:
            raise ValidationError.invalid(
                "RandomIdFactory",
                "rng",
                rng,
                "an integer seed or a random.Random (never None: ids must be reproducible)",
            )

    def new_id(self, kind: str) -> str:
        """Return a new UUID-shaped id of ``kind`` (version 4 layout, seeded bits).

        Raises:
            UnknownIdKindError: If the factory has no prefix for ``kind``.
        """
        prefix = self._prefix(kind)
        value = uuid.UUID(int=self._rng.getrandbits(128), version=4)
        return f"{prefix}{self._separator}{value}"

    def __repr__(self) -> str:
        return "RandomIdFactory(...)"
