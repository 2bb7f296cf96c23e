"""What a placement may say about prices: price overrides and discounts (issue 16).

:class:`PriceOverride` replaces the catalogue price of one line of a new order, with the
reason recorded on the line; :class:`DiscountRequest` takes a percentage or an amount off
one line or off the whole order, with a reason code. Both are plain values, so they travel
as JSON inside ``PlaceOrder``; the desk method also takes mappings of their fields, with
amounts as ``"5.00 USD"`` too. A discount always carries a reason code.

>>> as_discount_requests([{"percent": "10", "reason": "loyalty"},
...                       {"line_id": "L2", "amount": "5.00 USD", "reason": "dent"}])
(DiscountRequest(reason='loyalty', percent=Decimal('10'), amount=None, line_id=None), \
DiscountRequest(reason='dent', percent=None, amount=Money('5.00', 'USD'), line_id='L2'))
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

import attrs

from ordercycle.errors import ValidationError
from ordercycle.limits import check_decimal, check_number_text, check_text
from ordercycle.money import Money
from ordercycle.serialization import from_dict

__all__ = [
    "DiscountRequest",
    "PriceOverride",
    "as_discount_requests",
    "as_money_or_none",
    "as_percent",
    "as_price_overrides",
]

_HUNDRED = Decimal(100)


def as_money_or_none(value: object) -> Money | None:
    """A :class:`Money` from itself, ``"5.00 USD"`` or ``{"amount": ..., "currency": ...}``."""
    if value is None or isinstance(value, Money):
        return value
    if isinstance(value, str):
        parts = value.split()
        if len(parts) == 2:
            return Money(check_number_text(parts[0], "discount", "amount"), parts[1])
    if isinstance(value, Mapping):
        found: Money = from_dict(dict(value), Money)
        return found
    raise ValidationError.invalid(
        "discount", "amount", value, 'a Money, "5.00 USD" or {"amount": "5.00", "currency": "USD"}'
    )


def as_percent(value: object) -> Decimal | None:
    """A percentage from 0 (excluded) to 100 as a ``Decimal`` (``"12.5"``, ``10``)."""
    if value is None:
        return None
    number: Decimal | None = None
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int) and not isinstance(value, bool):
        number = Decimal(value)
    elif isinstance(value, str):
        try:
            number = Decimal(check_number_text(value.strip(), "discount", "percent"))
        except ArithmeticError:
            number = None
    if number is None or not number.is_finite():
        raise ValidationError.invalid(
            "discount", "percent", value, "a number above 0 and at most 100"
        )
    check_decimal(number, "discount", "percent")
    if not Decimal(0) < number <= _HUNDRED:
        raise ValidationError.invalid(
            "discount", "percent", value, "a number above 0 and at most 100"
        )
    return number


def _reason(_instance: Any, attribute: Any, value: Any) -> None:
    check_text(value, "price change", attribute.name)
    if not value.strip():
        raise ValidationError.invalid(
            "price change", attribute.name, value, "a reason code (why the price changes)"
        )


@attrs.frozen(kw_only=True)
class PriceOverride:
    """A unit price for one line of a new order instead of the catalogue's.

    Attributes:
        line_id: The line (``"L1"`` is the first item of the order, ``"L2"`` the second...).
        unit_price: The price of one unit: zero or more, in the catalogue price's currency.
        reason: Why (required; recorded on the line and shown on the invoice).
    """

    line_id: str
    unit_price: Money = attrs.field(converter=as_money_or_none)
    reason: str = attrs.field(validator=_reason)


@attrs.frozen(kw_only=True)
class DiscountRequest:
    """A discount asked for at placement: a percentage or an amount, on a line or the order.

    Attributes:
        reason: The reason code (``"loyalty"``, ``"damaged box"``), required.
        percent: The percentage taken off (``10`` is 10 %), above 0 and at most 100.
        amount: The amount taken off the line's (or the order's) total, positive.
        line_id: The line it is for; ``None`` for an order-level discount, which is
            allocated to the lines in proportion to their amounts (largest remainder).

    Raises:
        ValidationError: Both or neither of ``percent`` and ``amount``; a bad value.
    """

    reason: str = attrs.field(validator=_reason)
    percent: Decimal | None = attrs.field(default=None, converter=as_percent)
    amount: Money | None = attrs.field(default=None, converter=as_money_or_none)
    line_id: str | None = None

    def __attrs_post_init__(self) -> None:
        if (self.percent is None) == (self.amount is None):
            raise ValidationError.invalid(
                "discount",
                "percent/amount",
                (self.percent, self.amount),
                "exactly one of a percent and an amount",
            )
        if self.amount is not None and (not self.amount.is_positive or not self.amount.is_rounded):
            raise ValidationError.invalid(
                "discount", "amount", self.amount, "a positive amount in whole minor units"
            )


def _values(value: object, cls: type[Any], field: str, example: str) -> tuple[Any, ...]:
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise ValidationError.invalid("place order", field, value, f"a list such as [{example}]")
    found = []
    for item in value:
        if isinstance(item, cls):
            found.append(item)
        elif isinstance(item, Mapping):
            try:
                found.append(cls(**dict(item)))
            except TypeError as error:
                raise ValidationError.invalid(
                    "place order", field, item, f"the fields of a {cls.__name__} ({error})"
                ) from None
        else:
            raise ValidationError.invalid("place order", field, item, f"such as {example}")
    return tuple(found)


def as_price_overrides(value: Iterable[PriceOverride | Mapping[str, Any]]) -> tuple[Any, ...]:
    """:class:`PriceOverride` values, or mappings of their fields."""
    example = '{"line_id": "L1", "unit_price": "8.00 USD", "reason": "price match"}'
    return _values(value, PriceOverride, "price_overrides", example)


def as_discount_requests(
    value: Iterable[DiscountRequest | Mapping[str, Any]],
) -> tuple[Any, ...]:
    """:class:`DiscountRequest` values, or mappings of their fields."""
    example = '{"percent": "10", "reason": "loyalty"}'
    return _values(value, DiscountRequest, "discounts", example)
