"""Shipping methods: a carrier's dimensional-weight rule with the rate of one service.

A :class:`ShippingMethod` is what an order ships by ("UPS Ground"): the carrier's
:class:`~ordercycle.packing.carriers.DimWeightRule` decides each carton's billable weight
and the service's :class:`~ordercycle.packing.rates.RateModel` prices it. The freight of a
shipment is the sum over its cartons (:meth:`ShippingMethod.freight`).

>>> from fractions import Fraction
>>> from ordercycle.packing import carriers
>>> from ordercycle.packing.rates import WeightBracketRate
>>> ground = ShippingMethod(
...     "UPS-GROUND", carriers.UPS_DAILY,
...     WeightBracketRate.from_table("lb", "USD", [(1, "9.10"), (5, "12.40"), (20, "21.00")]),
... )
>>> carton = (Fraction(254), Fraction(203), Fraction(152))  # 10 x 8 x 6 in, outer
>>> ground.billable_weight(carton, Fraction(900))  # 900 g: 2 lb actual, 4 lb dimensional
Fraction(4, 1)
>>> ground.freight([(carton, Fraction(900)), (carton, Fraction(300))])
Money('24.80', 'USD')
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fractions import Fraction
from typing import Any

import attrs

from ordercycle.errors import ValidationError
from ordercycle.money import Currency, Money
from ordercycle.packing.carriers import DimWeightRule
from ordercycle.packing.rates import RateModel
from ordercycle.units import Q_

__all__ = ["ShippingMethod"]


def _name(_instance: Any, _attribute: Any, value: Any) -> None:
    if not isinstance(value, str) or not value or value != value.strip() or len(value) > 200:
        raise ValidationError.invalid(
            "shipping method", "name", value, "non-empty text of at most 200 characters"
        )


def _carrier(instance: Any, _attribute: Any, value: Any) -> None:
    if not isinstance(value, DimWeightRule):
        raise ValidationError.invalid(
            f"shipping method {instance.name}", "carrier", value, "a DimWeightRule"
        )


def _rate(instance: Any, _attribute: Any, value: Any) -> None:
    if not isinstance(value, RateModel):
        raise ValidationError.invalid(
            f"shipping method {instance.name}", "rate", value, "a rate model with price()"
        )


@attrs.frozen
class ShippingMethod:
    """A carrier service an order can ship by.

    Attributes:
        name: The method's name, as orders refer to it (``"UPS-GROUND"``).
        carrier: The carrier's dimensional-weight rule.
        rate: The service's rate per billable weight.
    """

    name: str = attrs.field(validator=_name)
    carrier: DimWeightRule = attrs.field(validator=_carrier)
    rate: RateModel = attrs.field(validator=_rate)

    @property
    def currency(self) -> Currency:
        """The currency the rate is priced in (that of a 1 g package)."""
        return self.rate.price(Q_(1, "g")).currency

    def billable_weight(self, outer_mm: Sequence[Fraction], actual_g: Fraction) -> Fraction:
        """A carton's billable weight under this method's carrier, in its weight unit."""
        return self.carrier.billable_weight_exact(outer_mm, actual_g)

    def price(self, outer_mm: Sequence[Fraction], actual_g: Fraction) -> Money:
        """The rate of one carton with these outer sides (mm) and actual weight (g)."""
        weight = self.billable_weight(outer_mm, actual_g)
        return self.rate.price(Q_(weight, self.carrier.weight_unit))

    def freight(self, cartons: Iterable[tuple[Sequence[Fraction], Fraction]]) -> Money:
        """The freight of a shipment: the sum of :meth:`price` over its cartons.

        Raises:
            RateNotAvailableError: A carton is heavier than the rate table goes.
        """
        return Money.sum(
            (self.price(outer, actual) for outer, actual in cartons), currency=self.currency
        )
