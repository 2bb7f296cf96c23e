"""Carrier rate models: what shipping a package of some billable weight costs.

Two shapes cover most published tariffs:

* :class:`WeightBracketRate`: a price per weight bracket ("up to 1 lb: 9.10, up to 2 lb:
  9.85, ..."), and :class:`ZoneRateTable`, one bracket table per destination zone;
* :class:`BasePlusPerUnitRate`: a base price plus a price per weight unit.

The cost of a package is its carton cost plus its rate (see
:attr:`ordercycle.packing.Package.cost`). Rates must not decrease with weight; the packer's
lower bound on cost relies on that, and the tables check it.

>>> from ordercycle.money import Money
>>> from ordercycle.units import Q_
>>> ground = WeightBracketRate.from_table("lb", "USD", [(1, "9.10"), (2, "9.85"), (5, "12.40")])
>>> ground.price(Q_(2, "lb"))
Money('9.85', 'USD')
>>> BasePlusPerUnitRate(Money("5.00", "EUR"), Money("1.20", "EUR"), "kg").price(Q_("2.5", "kg"))
Money('8.00', 'EUR')
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any, Protocol, runtime_checkable

import attrs

from ordercycle.errors import ValidationError
from ordercycle.money import Money
from ordercycle.packing.errors import RateNotAvailableError
from ordercycle.units import Q_, to_exact

__all__ = ["BasePlusPerUnitRate", "RateModel", "WeightBracketRate", "ZoneRateTable"]


@runtime_checkable
class RateModel(Protocol):
    """Anything that prices a billable weight."""

    def price(self, billable_weight: Any) -> Money:
        """Return the price of shipping a package of ``billable_weight`` (a pint mass)."""
        ...


def _grams(weight: Any, subject: str) -> Fraction:
    grams = to_exact(weight, "g", subject=subject, field="weight")
    if grams < 0:
        raise ValidationError.invalid(subject, "weight", weight, "a weight of 0 or more")
    return grams


def _brackets(value: Iterable[tuple[Any, Money]]) -> tuple[tuple[Any, Money], ...]:
    return tuple((limit, price) for limit, price in value)


@attrs.frozen
class WeightBracketRate:
    """A price per weight bracket: the first bracket whose limit is at least the weight.

    Attributes:
        brackets: ``(max_weight, price)`` pairs with rising weights (pint masses) and
            prices that never fall, all in one currency.
        name: A label for messages.
    """

    brackets: tuple[tuple[Any, Money], ...] = attrs.field(converter=_brackets)
    name: str = "weight bracket rate"
    _limits_g: tuple[Fraction, ...] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        if not self.brackets:
            raise ValidationError.invalid(self.name, "brackets", (), "at least one bracket")
        limits: list[Fraction] = []
        previous: Money | None = None
        for limit, price in self.brackets:
            grams = _grams(limit, self.name)
            if not isinstance(price, Money):
                raise ValidationError.invalid(self.name, "price", price, "a Money")
            if limits and grams <= limits[-1]:
                raise ValidationError.invalid(
                    self.name, "brackets", limit, "weights that rise from bracket to bracket"
                )
            if previous is not None and price < previous:
                raise ValidationError.invalid(
                    self.name, "brackets", price, "prices that never fall as weight rises"
                )
            limits.append(grams)
            previous = price
        object.__setattr__(self, "_limits_g", tuple(limits))

    @classmethod
    def from_table(
        cls,
        unit: str,
        currency: str,
        rows: Iterable[tuple[int | str | Decimal | Fraction, str | int | Decimal]],
        *,
        name: str = "weight bracket rate",
    ) -> WeightBracketRate:
        """Build from plain numbers: ``[(max weight in unit, price), ...]``."""
        return cls(
            tuple((Q_(weight, unit), Money(price, currency)) for weight, price in rows),
            name=name,
        )

    def price(self, billable_weight: Any) -> Money:
        """Price the weight.

        Raises:
            RateNotAvailableError: If the weight is above the last bracket.
        """
        grams = _grams(billable_weight, self.name)
        for limit, (_, money) in zip(self._limits_g, self.brackets, strict=True):
            if grams <= limit:
                return money
        last = self.brackets[-1][0]
        raise RateNotAvailableError(self.name, f"{billable_weight:~P}", f"up to {last:~P}")


def _zones(value: Mapping[str, WeightBracketRate]) -> dict[str, WeightBracketRate]:
    return dict(sorted(dict(value).items()))


@attrs.frozen
class ZoneRateTable:
    """One :class:`WeightBracketRate` per destination zone.

    Attributes:
        zones: Zone name to bracket rate.
        name: A label for messages.
    """

    zones: Mapping[str, WeightBracketRate] = attrs.field(converter=_zones)
    name: str = "zone rate table"

    @classmethod
    def from_table(
        cls,
        unit: str,
        currency: str,
        weights: Iterable[int | str | Decimal | Fraction],
        prices: Mapping[str, Iterable[str | int | Decimal]],
        *,
        name: str = "zone rate table",
    ) -> ZoneRateTable:
        """Build from a printed tariff: one weight column and one price column per zone."""
        limits = tuple(weights)
        zones: dict[str, WeightBracketRate] = {}
        for zone, column in prices.items():
            row = tuple(column)
            if len(row) != len(limits):
                raise ValidationError.invalid(
                    name, f"prices for zone {zone}", row, f"{len(limits)} prices, one per weight"
                )
            zones[zone] = WeightBracketRate.from_table(
                unit, currency, zip(limits, row, strict=True), name=f"{name}, zone {zone}"
            )
        return cls(zones, name=name)

    def for_zone(self, zone: str) -> WeightBracketRate:
        """The rate for one zone (pass it to :func:`~ordercycle.packing.pack` as ``rate``).

        Raises:
            RateNotAvailableError: If the zone is not in the table.
        """
        try:
            return self.zones[zone]
        except KeyError:
            raise RateNotAvailableError(
                self.name, f"zone {zone!r}", "zones " + ", ".join(self.zones)
            ) from None

    def price(self, billable_weight: Any, zone: str) -> Money:
        """Price a weight for a zone."""
        return self.for_zone(zone).price(billable_weight)


@attrs.frozen
class BasePlusPerUnitRate:
    """A base price plus a price per weight unit, rounded to the currency's minor unit.

    Attributes:
        base: The price of any package.
        per_unit: The price per ``unit`` of billable weight.
        unit: The weight unit the per-unit price refers to (``"kg"``, ``"lb"``).
        name: A label for messages.
    """

    base: Money
    per_unit: Money
    unit: str = "kg"
    name: str = "base plus per-unit rate"

    def __attrs_post_init__(self) -> None:
        for field in ("base", "per_unit"):
            value = getattr(self, field)
            if not isinstance(value, Money) or value.is_negative:
                raise ValidationError.invalid(self.name, field, value, "a Money of 0 or more")
        if self.base.currency != self.per_unit.currency:
            raise ValidationError.invalid(
                self.name, "per_unit", self.per_unit, f"an amount in {self.base.currency.code}"
            )
        to_exact(Q_(1, self.unit), "g", subject=self.name, field="unit")

    def price(self, billable_weight: Any) -> Money:
        """Price the weight: ``base + per_unit * weight``, rounded half up."""
        amount = to_exact(billable_weight, self.unit, subject=self.name, field="weight")
        if amount < 0:
            raise ValidationError.invalid(self.name, "weight", billable_weight, "0 or more")
        units = Decimal(amount.numerator) / Decimal(amount.denominator)
        return (self.base + self.per_unit * units).round()
