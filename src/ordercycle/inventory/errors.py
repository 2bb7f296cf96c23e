"""Errors raised by :mod:`ordercycle.inventory`, each rooted in the shared error tree.

Every error names the object, the value and what would have been valid, and keeps them as
attributes. A command that raises leaves the stock ledger unchanged.

>>> from ordercycle.errors import NotFoundError
>>> issubclass(UnknownSkuError, NotFoundError) and issubclass(UnknownSkuError, LookupError)
True
>>> print(UnknownLocationError("WH-Z/01", known=["WH-A/01"]))
Unknown location 'WH-Z/01'; known: WH-A/01.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from ordercycle.errors import (
    ConfigurationError,
    InvalidQuantityError,
    NotFoundError,
    ValidationError,
)

__all__ = [
    "ExpiredLotError",
    "LocationError",
    "OverReleaseError",
    "UnknownLocationError",
    "UnknownLotError",
    "UnknownSkuError",
    "UnknownStockHoldError",
]


class UnknownSkuError(NotFoundError):
    """A sku has no stock record where one is needed.

    Attributes:
        kind: ``"sku"``.
        key: The sku that was asked for.
        known: The skus the ledger knows (sorted).
    """

    def __init__(self, sku: object, *, known: Iterable[object] = ()) -> None:
        super().__init__("sku", sku, known=known)


class UnknownLocationError(NotFoundError):
    """A location id is not part of the network, or is not the kind of location needed.

    Attributes:
        kind: ``"location"`` (or a more specific kind, such as ``"bin"``).
        key: The location id that was given.
        known: The valid ids (sorted).
    """

    def __init__(
        self, location: object, *, known: Iterable[object] = (), kind: str = "location"
    ) -> None:
        super().__init__(kind, location, known=known)


class UnknownLotError(NotFoundError):
    """A lot id is not known for a sku, or has no stock at a bin.

    Attributes:
        kind: ``"lot"``.
        key: The lot id.
        known: The lots that are known for the sku (sorted).
    """

    def __init__(self, lot: object, *, known: Iterable[object] = ()) -> None:
        super().__init__("lot", lot, known=known)


class UnknownStockHoldError(NotFoundError):
    """A hold (cart reservation) id is not known.

    Attributes:
        kind: ``"hold"``.
        key: The hold id.
        known: The hold ids the ledger knows (sorted).
    """

    def __init__(self, hold: object, *, known: Iterable[object] = ()) -> None:
        super().__init__("hold", hold, known=known)


class ExpiredLotError(ValidationError):
    """A lot is expired (or too close to expiry) for what was asked.

    Attributes:
        lot: The lot id.
        expires_on: The lot's expiry date.
        on: The date the check was made for.
    """

    def __init__(self, subject: str, lot: object, expires_on: date, on: date) -> None:
        super().__init__(
            f"Cannot {subject} lot {lot}: it expires on {expires_on.isoformat()}, which is not"
            f" after {on.isoformat()}; expected a lot that expires after {on.isoformat()}.",
            subject=f"lot {lot}",
            field="expires_on",
            value=expires_on,
            expected=f"a date after {on.isoformat()}",
        )
        self.lot = lot
        self.expires_on = expires_on
        self.on = on


class OverReleaseError(InvalidQuantityError):
    """More was released, deallocated or consumed than is allocated (or held).

    Attributes:
        subject: What was being released (``"allocation O-1/1 of MUG at WH-A/01"``).
        value: The quantity asked for.
        limit: The quantity that can be released.
    """

    def __init__(self, action: str, subject: str, requested: int, limit: int) -> None:
        super().__init__(
            f"Cannot {action} {requested} of {subject}: only {limit} is allocated there;"
            f" expected a quantity from 1 to {limit}.",
            subject=subject,
            field="quantity",
            value=requested,
            expected=f"1..{limit}",
        )
        self.action = action
        self.limit = limit


class LocationError(ConfigurationError):
    """A warehouse, zone or bin definition is inconsistent."""
