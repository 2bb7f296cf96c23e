"""Lots: batches of one sku that share a receipt date and an expiry date.

>>> from datetime import date
>>> lot = Lot("MILK", "L-7", received_on=date(2026, 3, 1), expires_on=date(2026, 3, 20))
>>> lot.shelf_life_left(date(2026, 3, 10))
10
>>> lot.is_eligible(date(2026, 3, 10), min_shelf_life_days=14)
False
"""

from __future__ import annotations

from datetime import date
from typing import Any

import attrs

from ordercycle.errors import ValidationError
from ordercycle.model.ids import LotId, Sku

__all__ = ["Lot"]


def _date(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None and attribute.name == "expires_on":
        return
    if not isinstance(value, date) or hasattr(value, "hour"):
        raise ValidationError.invalid("Lot", attribute.name, value, "a datetime.date")


@attrs.frozen
class Lot:
    """A lot (batch) of one sku.

    Attributes:
        sku: The sku the lot is of.
        id: The lot id, unique for the sku.
        received_on: The date the lot was received (FIFO / LIFO order).
        expires_on: The expiry date (FEFO order); ``None`` if it does not expire.

    Raises:
        ValidationError: A date that is not a date, or an expiry before the receipt.
    """

    sku: Sku
    id: LotId
    received_on: date = attrs.field(validator=_date)
    expires_on: date | None = attrs.field(default=None, validator=_date)

    def __attrs_post_init__(self) -> None:
        if self.expires_on is not None and self.expires_on < self.received_on:
            raise ValidationError.invalid(
                f"lot {self.id} of {self.sku}",
                "expires_on",
                self.expires_on,
                f"a date on or after the receipt date {self.received_on.isoformat()}",
            )

    def shelf_life_left(self, on: date) -> int | None:
        """Days from ``on`` until expiry (``None`` if the lot never expires)."""
        return None if self.expires_on is None else (self.expires_on - on).days

    def is_expired(self, on: date) -> bool:
        """Whether the lot is expired on ``on`` (it expires at the start of its expiry date)."""
        return self.expires_on is not None and self.expires_on <= on

    def is_eligible(self, on: date, min_shelf_life_days: int = 0) -> bool:
        """Whether the lot may be sold on ``on`` with at least that many days left."""
        left = self.shelf_life_left(on)
        return left is None or (left > 0 and left >= min_shelf_life_days)
