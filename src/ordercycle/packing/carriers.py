"""Carrier dimensional-weight rules and their presets.

Carriers bill the greater of the actual weight and the *dimensional weight*: the outer
volume of the package, measured after rounding each side, divided by a divisor and rounded
up to the carrier's weight step. A :class:`DimWeightRule` holds one such rule; the presets
below follow the carriers' published rules. Everything is computed with exact fractions,
so an exact multiple of the weight step is never rounded up.

>>> from ordercycle.units import Q_
>>> USPS.billable_weight(Q_(15, "in"), Q_(15, "in"), Q_(22, "in"), Q_(5, "lb"))
<Quantity(30, 'pound')>
>>> USPS.dimensional_weight(Q_(12, "in"), Q_(12, "in"), Q_(12, "in")) is None
True
>>> DHL_EXPRESS.billable_weight(Q_(40, "cm"), Q_(30, "cm"), Q_(21, "cm"), Q_("1.2", "kg"))
<Quantity(11/2, 'kilogram')>
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from fractions import Fraction
from typing import Any, Final

import attrs

from ordercycle.errors import ValidationError
from ordercycle.units import exact_magnitude, from_exact, to_exact

__all__ = [
    "DHL_EXPRESS",
    "FEDEX",
    "PRESETS",
    "UPS_DAILY",
    "UPS_RETAIL",
    "USPS",
    "DimWeightRule",
    "MeasurementSystem",
    "SideRounding",
]

_MM_PER_UNIT: Final = {"in": Fraction(127, 5), "cm": Fraction(10)}
_G_PER_UNIT: Final = {"lb": Fraction(45359237, 100000), "kg": Fraction(1000)}


class MeasurementSystem(enum.Enum):
    """The units a carrier measures in: inches and pounds, or centimetres and kilograms."""

    IMPERIAL = "imperial"
    METRIC = "metric"

    @property
    def length_unit(self) -> str:
        """The unit each side is rounded to (``"in"`` or ``"cm"``)."""
        return "in" if self is MeasurementSystem.IMPERIAL else "cm"

    @property
    def weight_unit(self) -> str:
        """The unit weights are billed in (``"lb"`` or ``"kg"``)."""
        return "lb" if self is MeasurementSystem.IMPERIAL else "kg"


class SideRounding(enum.Enum):
    """How each measured side is rounded before the volume is taken."""

    HALF_UP = "half_up"
    """To the nearest whole inch or centimetre, halves up (the common carrier rule)."""
    UP = "up"
    """Up to the next whole inch or centimetre."""
    EXACT = "exact"
    """Not rounded."""


def _positive_fraction(value: object, field: str) -> Fraction:
    number = exact_magnitude(value, subject="DimWeightRule", field=field)
    if number <= 0:
        raise ValidationError.invalid("DimWeightRule", field, value, "a positive number")
    return number


def _divisor(value: object) -> Fraction:
    return _positive_fraction(value, "divisor")


def _weight_step(value: object) -> Fraction:
    return _positive_fraction(value, "weight_step")


def _optional_threshold(value: object) -> Fraction | None:
    if value is None:
        return None
    number = exact_magnitude(value, subject="DimWeightRule", field="volume_threshold")
    if number < 0:
        raise ValidationError.invalid(
            "DimWeightRule", "volume_threshold", value, "a volume of zero or more, or None"
        )
    return number


def _system(value: object) -> MeasurementSystem:
    if isinstance(value, MeasurementSystem):
        return value
    try:
        return MeasurementSystem(value)
    except ValueError:
        raise ValidationError.invalid(
            "DimWeightRule", "system", value, "'imperial' or 'metric'"
        ) from None


def _rounding(value: object) -> SideRounding:
    if isinstance(value, SideRounding):
        return value
    try:
        return SideRounding(value)
    except ValueError:
        raise ValidationError.invalid(
            "DimWeightRule", "side_rounding", value, "'half_up', 'up' or 'exact'"
        ) from None


@attrs.frozen
class DimWeightRule:
    """A carrier's dimensional-weight rule.

    Attributes:
        name: A label used in explanations (``"UPS daily rates"``).
        divisor: Volume per weight unit: in³/lb for imperial rules, cm³/kg for metric.
        system: :class:`MeasurementSystem` (or ``"imperial"`` / ``"metric"``).
        weight_step: The billing step in the system's weight unit (1 lb, 0.5 kg).
        volume_threshold: The rule applies only to packages whose rounded volume is
            *above* this (in³ or cm³); ``None`` means every package.
        side_rounding: How each side is rounded (:class:`SideRounding`).

    Carriers measure the outer dimensions of a package; :func:`ordercycle.packing.pack`
    always passes a carton's outer dimensions.
    """

    name: str
    divisor: Fraction = attrs.field(converter=_divisor)
    system: MeasurementSystem = attrs.field(converter=_system)
    weight_step: Fraction = attrs.field(default=Fraction(1), converter=_weight_step)
    volume_threshold: Fraction | None = attrs.field(default=None, converter=_optional_threshold)
    side_rounding: SideRounding = attrs.field(default=SideRounding.HALF_UP, converter=_rounding)

    @property
    def length_unit(self) -> str:
        """The unit sides are measured in (``"in"`` or ``"cm"``)."""
        return self.system.length_unit

    @property
    def weight_unit(self) -> str:
        """The unit weights are billed in (``"lb"`` or ``"kg"``)."""
        return self.system.weight_unit

    # --- exact core (millimetres and grams in, the rule's own units out) -----------------

    def rounded_side_exact(self, side_mm: Fraction) -> Fraction:
        """Round one side given in millimetres; return it in the rule's length unit."""
        side = side_mm if type(side_mm) is Fraction else Fraction(side_mm)
        per_unit = _MM_PER_UNIT[self.system.length_unit]
        # The side in the rule's unit is num / den, computed on integers (exact, and much
        # cheaper than Fraction arithmetic in the packer's inner loop).
        num = side.numerator * per_unit.denominator
        den = side.denominator * per_unit.numerator
        if self.side_rounding is SideRounding.HALF_UP:
            return Fraction((2 * num + den) // (2 * den))
        if self.side_rounding is SideRounding.UP:
            return Fraction(-(-num // den))
        return Fraction(num, den)

    def round_weight_exact(self, weight: Fraction) -> Fraction:
        """Round a weight in the rule's unit up to the weight step (exact multiples stay)."""
        value = weight if type(weight) is Fraction else Fraction(weight)
        step = self.weight_step
        steps = -(-(value.numerator * step.denominator) // (value.denominator * step.numerator))
        return Fraction(steps * step.numerator, step.denominator)

    def dimensional_weight_exact(self, sides_mm: Sequence[Fraction]) -> Fraction | None:
        """Dimensional weight in the rule's weight unit, or ``None`` below the threshold."""
        volume = Fraction(1)
        for side in sides_mm:
            volume *= self.rounded_side_exact(side)
        if self.volume_threshold is not None and volume <= self.volume_threshold:
            return None
        return self.round_weight_exact(volume / self.divisor)

    def actual_weight_exact(self, actual_g: Fraction) -> Fraction:
        """The actual weight from exact grams, in the rule's unit, rounded up to the step."""
        grams = actual_g if type(actual_g) is Fraction else Fraction(actual_g)
        per_unit = _G_PER_UNIT[self.system.weight_unit]
        step = self.weight_step
        # round_weight_exact(grams / per_unit) on integers: the packer scores every
        # candidate carton with this, and the quotient's Fraction is not needed.
        num = grams.numerator * per_unit.denominator * step.denominator
        den = grams.denominator * per_unit.numerator * step.numerator
        return Fraction(-(-num // den) * step.numerator, step.denominator)

    def billable_weight_exact(self, sides_mm: Sequence[Fraction], actual_g: Fraction) -> Fraction:
        """Billable weight in the rule's weight unit from exact millimetres and grams."""
        actual = self.actual_weight_exact(actual_g)
        dimensional = self.dimensional_weight_exact(sides_mm)
        return actual if dimensional is None else max(actual, dimensional)

    def to_grams(self, weight: Fraction) -> Fraction:
        """Convert a weight in the rule's unit to exact grams."""
        return Fraction(weight) * _G_PER_UNIT[self.weight_unit]

    # --- quantity API ---------------------------------------------------------------------

    def _sides(self, length: Any, width: Any, height: Any) -> tuple[Fraction, ...]:
        subject = f"dimensional weight under {self.name}"
        return tuple(
            to_exact(side, "mm", subject=subject, field=field)
            for side, field in ((length, "length"), (width, "width"), (height, "height"))
        )

    def dimensional_weight(self, length: Any, width: Any, height: Any) -> Any:
        """Return the dimensional weight of a package as a quantity, or ``None``.

        ``None`` means the rule does not apply (the rounded volume is at or below the
        rule's volume threshold, as for USPS up to 1,728 in³).

        Args:
            length: Outer length (a pint length).
            width: Outer width.
            height: Outer height.

        Raises:
            DimensionalityError: If a side is not a length.
        """
        value = self.dimensional_weight_exact(self._sides(length, width, height))
        return None if value is None else from_exact(value, self.weight_unit)

    def billable_weight(self, length: Any, width: Any, height: Any, actual: Any) -> Any:
        """Return the billable weight: the greater of rounded actual and dimensional weight.

        Args:
            length: Outer length (a pint length).
            width: Outer width.
            height: Outer height.
            actual: The actual gross weight (a pint mass).

        Returns:
            A quantity in pounds (imperial rules) or kilograms (metric rules).

        Raises:
            DimensionalityError: If a side is not a length or ``actual`` is not a mass.
        """
        sides = self._sides(length, width, height)
        grams = to_exact(actual, "g", subject=f"billable weight under {self.name}", field="actual")
        if grams < 0:
            raise ValidationError.invalid(
                f"billable weight under {self.name}", "actual", actual, "a weight of zero or more"
            )
        return from_exact(self.billable_weight_exact(sides, grams), self.weight_unit)


UPS_DAILY: Final = DimWeightRule("UPS daily rates", 139, MeasurementSystem.IMPERIAL)
"""UPS daily rates: 139 in³/lb, sides to the nearest inch, every package."""

UPS_RETAIL: Final = DimWeightRule("UPS retail rates", 166, MeasurementSystem.IMPERIAL)
"""UPS retail rates: 166 in³/lb, sides to the nearest inch, every package."""

FEDEX: Final = DimWeightRule("FedEx", 139, MeasurementSystem.IMPERIAL)
"""FedEx (US): 139 in³/lb, sides to the nearest inch, every package."""

USPS: Final = DimWeightRule("USPS", 166, MeasurementSystem.IMPERIAL, volume_threshold=1728)
"""USPS: 166 in³/lb, only for packages above 1,728 in³ (one cubic foot)."""

DHL_EXPRESS: Final = DimWeightRule(
    "DHL Express", 5000, MeasurementSystem.METRIC, weight_step=Fraction(1, 2)
)
"""DHL Express international: 5,000 cm³/kg, whole centimetres, 0.5 kg steps."""

PRESETS: Final[dict[str, DimWeightRule]] = {
    "DHL_EXPRESS": DHL_EXPRESS,
    "FEDEX": FEDEX,
    "UPS_DAILY": UPS_DAILY,
    "UPS_RETAIL": UPS_RETAIL,
    "USPS": USPS,
}
"""The presets by name, for configuration files and command lines."""
