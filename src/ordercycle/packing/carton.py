"""Cartons: the boxes items are packed into.

>>> from ordercycle.units import Q_
>>> small = Carton("S", inner=(Q_(20, "cm"), Q_(20, "cm"), Q_(15, "cm")), tare=Q_(120, "g"),
...                max_weight=Q_(10, "kg"))
>>> small.outer == small.inner
True
>>> Carton.from_inches("M", 12, 10, 8, tare_lb="0.5").inner_mm
(Fraction(1524, 5), Fraction(254, 1), Fraction(1016, 5))
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import attrs

from ordercycle.errors import InvalidQuantityError, ValidationError
from ordercycle.money import Money
from ordercycle.units import Q_, from_exact, to_exact

__all__ = ["Carton"]

Dims = tuple[Fraction, Fraction, Fraction]


def _three(value: object, subject: str, field: str) -> Dims:
    if not isinstance(value, Sequence) or isinstance(value, str) or len(value) != 3:
        raise ValidationError.invalid(
            subject, field, value, "three lengths (length, width, height)"
        )
    sides = []
    for axis, side in zip(("length", "width", "height"), value, strict=True):
        exact = to_exact(side, "mm", subject=subject, field=f"{field} {axis}")
        if exact <= 0:
            raise ValidationError.invalid(subject, f"{field} {axis}", side, "a positive length")
        sides.append(exact)
    return (sides[0], sides[1], sides[2])


def _as_tuple(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


@attrs.frozen
class Carton:
    """A carton type in the catalogue.

    Attributes:
        name: The carton's name, unique in a catalogue (``"S"``, ``"Option 1"``).
        inner: Inner length, width and height (pint lengths): the space for items.
        outer: Outer length, width and height, along the same axes; carriers measure
            these. Defaults to ``inner``.
        tare: Weight of the empty carton (a pint mass).
        max_weight: The most the packed carton may weigh, carton included (gross);
            ``None`` means no limit.
        cost: What one carton costs (:class:`~ordercycle.money.Money`), or ``None``.
        stock: How many are on hand, or ``None`` for unlimited.
    """

    name: str
    inner: tuple[Any, Any, Any] = attrs.field(converter=_as_tuple)
    outer: tuple[Any, Any, Any] | None = attrs.field(default=None, converter=_as_tuple)
    tare: Any = attrs.field(factory=lambda: Q_(0, "g"))
    max_weight: Any = None
    cost: Money | None = None
    stock: int | None = None
    _inner_mm: Dims = attrs.field(init=False, repr=False, eq=False)
    _outer_mm: Dims = attrs.field(init=False, repr=False, eq=False)
    _tare_g: Fraction = attrs.field(init=False, repr=False, eq=False)
    _max_weight_g: Fraction | None = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ValidationError.invalid("Carton", "name", self.name, "a non-empty string")
        subject = f"carton {self.name}"
        inner = _three(self.inner, subject, "inner")
        if self.outer is None:
            object.__setattr__(self, "outer", self.inner)
        outer = _three(self.outer, subject, "outer")
        for axis, (i, o) in enumerate(zip(inner, outer, strict=True)):
            if o < i:
                raise ValidationError.invalid(
                    subject,
                    "outer",
                    self.outer,
                    f"outer sides at least the inner sides (axis {axis} is smaller)",
                )
        tare = to_exact(self.tare, "g", subject=subject, field="tare")
        if tare < 0:
            raise ValidationError.invalid(subject, "tare", self.tare, "a weight of 0 or more")
        limit: Fraction | None = None
        if self.max_weight is not None:
            limit = to_exact(self.max_weight, "g", subject=subject, field="max_weight")
            if limit <= tare:
                raise ValidationError.invalid(
                    subject, "max_weight", self.max_weight, "a gross weight above the tare"
                )
        if self.cost is not None and not isinstance(self.cost, Money):
            raise ValidationError.invalid(subject, "cost", self.cost, "a Money or None")
        if self.stock is not None and (
            isinstance(self.stock, bool) or not isinstance(self.stock, int) or self.stock < 0
        ):
            raise InvalidQuantityError(
                f"Invalid stock for {subject}: {self.stock!r}; expected an integer of 0 or"
                " more, or None for unlimited.",
                subject=subject,
                field="stock",
                value=self.stock,
                expected="an integer of 0 or more, or None",
            )
        object.__setattr__(self, "_inner_mm", inner)
        object.__setattr__(self, "_outer_mm", outer)
        object.__setattr__(self, "_tare_g", tare)
        object.__setattr__(self, "_max_weight_g", limit)

    @classmethod
    def from_mm(
        cls,
        name: str,
        length: int | Fraction,
        width: int | Fraction,
        height: int | Fraction,
        *,
        outer: tuple[int | Fraction, int | Fraction, int | Fraction] | None = None,
        tare_g: int | Fraction = 0,
        max_weight_g: int | Fraction | None = None,
        cost: Money | None = None,
        stock: int | None = None,
    ) -> Carton:
        """Build a carton from inner sides in millimetres and weights in grams."""
        return cls(
            name,
            inner=(Q_(length, "mm"), Q_(width, "mm"), Q_(height, "mm")),
            outer=None if outer is None else tuple(Q_(side, "mm") for side in outer),
            tare=Q_(tare_g, "g"),
            max_weight=None if max_weight_g is None else Q_(max_weight_g, "g"),
            cost=cost,
            stock=stock,
        )

    @classmethod
    def from_inches(
        cls,
        name: str,
        length: int | Fraction | str,
        width: int | Fraction | str,
        height: int | Fraction | str,
        *,
        outer: tuple[Any, Any, Any] | None = None,
        tare_lb: int | Fraction | str = 0,
        max_weight_lb: int | Fraction | str | None = None,
        cost: Money | None = None,
        stock: int | None = None,
    ) -> Carton:
        """Build a carton from inner sides in inches and weights in pounds.

        Plain numbers or decimal strings (``"0.5"``) are accepted; strings stay exact.
        """
        return cls(
            name,
            inner=(Q_(length, "in"), Q_(width, "in"), Q_(height, "in")),
            outer=None if outer is None else tuple(Q_(side, "in") for side in outer),
            tare=Q_(tare_lb, "lb"),
            max_weight=None if max_weight_lb is None else Q_(max_weight_lb, "lb"),
            cost=cost,
            stock=stock,
        )

    @property
    def inner_mm(self) -> Dims:
        """Inner sides in exact millimetres."""
        return self._inner_mm

    @property
    def outer_mm(self) -> Dims:
        """Outer sides in exact millimetres."""
        return self._outer_mm

    @property
    def tare_g(self) -> Fraction:
        """Tare in exact grams."""
        return self._tare_g

    @property
    def max_weight_g(self) -> Fraction | None:
        """Maximum gross weight in exact grams, or ``None``."""
        return self._max_weight_g

    @property
    def capacity_g(self) -> Fraction | None:
        """The most the contents may weigh (max gross weight minus tare), or ``None``."""
        return None if self._max_weight_g is None else self._max_weight_g - self._tare_g

    @property
    def inner_volume(self) -> Any:
        """Inner volume as a quantity in cubic millimetres."""
        length, width, height = self._inner_mm
        return from_exact(length * width * height, "mm**3")
