"""Items to pack: dimensions, weight, quantity and handling rules.

>>> from ordercycle.units import Q_
>>> mug = Item("MUG", Q_(12, "cm"), Q_(9, "cm"), Q_(10, "cm"), Q_(350, "g"), quantity=4)
>>> mug.quantity, mug.rotation.name
(4, 'ANY')
>>> len(Item.from_mm("BOOK", 210, 297, 30, 800, rotation=Rotation.THIS_SIDE_UP).orientations_mm())
2
"""

from __future__ import annotations

import enum
import functools
from fractions import Fraction
from itertools import permutations
from typing import Any

import attrs

from ordercycle.errors import InvalidQuantityError, ValidationError
from ordercycle.limits import MAX_ID_CHARS, MAX_UNITS
from ordercycle.model.product import Product, Rotation
from ordercycle.units import Q_, from_exact, to_exact

__all__ = ["Item", "Rotation"]


def _rotation(value: object) -> Rotation:
    if isinstance(value, Rotation):
        return value
    if isinstance(value, enum.Enum):  # a rule from another enum with the same values
        value = value.value
    try:
        if not isinstance(value, str):
            raise TypeError(value)
        return Rotation(value)
    except (ValueError, TypeError):
        raise ValidationError.invalid(
            "Item", "rotation", value, "a Rotation: 'any', 'this_side_up' or 'fixed'"
        ) from None


def _quantity(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_UNITS:
        raise InvalidQuantityError.invalid(
            "Item", "quantity", value, f"a positive integer of at most {MAX_UNITS:_}"
        )
    return value


@attrs.frozen
class Item:
    """A stock-keeping unit to pack, with its handling rules.

    Attributes:
        sku: The identifier, unique within one call to :func:`~ordercycle.packing.pack`.
        length: Size along x in the natural orientation (a pint length).
        width: Size along y.
        height: Size along z (the side that stays vertical for ``THIS_SIDE_UP``).
        weight: Weight of one unit (a pint mass).
        quantity: Number of units.
        rotation: Allowed orientations (:class:`Rotation`).
        max_load: The most weight that may rest on top of one unit (a pint mass), counting
            everything whose footprint overlaps the unit and lies above it; ``None`` means
            no limit.
        fragile: Nothing may rest on top (the same as ``max_load`` of zero).
        ship_alone: Each unit travels in a carton of its own.
        own_packaging: Each unit ships as it is, in its own packaging, with no carton.
        group: Items with the same group name must all share one carton.
        upright: Which sides may stand vertical, as flags for (length, width, height),
            e.g. ``(False, True, True)``: the orientation rule of Bischoff & Ratcliff's
            container-loading data, where a case may stand on some sides but not others.
            Each side allowed vertical gives the unit's two turns about it. ``None`` (the
            default) leaves the orientations to ``rotation``; set, it needs ``rotation``
            ``ANY``.
    """

    sku: str
    length: Any
    width: Any
    height: Any
    weight: Any
    quantity: int = attrs.field(default=1, converter=_quantity)
    rotation: Rotation = attrs.field(default=Rotation.ANY, converter=_rotation)
    max_load: Any = None
    fragile: bool = False
    ship_alone: bool = False
    own_packaging: bool = False
    group: str | None = None
    upright: tuple[bool, bool, bool] | None = attrs.field(default=None, kw_only=True)
    _dims_mm: tuple[Fraction, Fraction, Fraction] = attrs.field(init=False, repr=False, eq=False)
    _weight_g: Fraction = attrs.field(init=False, repr=False, eq=False)
    _load_limit_g: Fraction | None = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.sku, str) or not self.sku or len(self.sku) > MAX_ID_CHARS:
            raise ValidationError.invalid(
                "Item", "sku", self.sku, f"a non-empty string of at most {MAX_ID_CHARS} characters"
            )
        subject = f"item {self.sku}"
        for flag in ("fragile", "ship_alone", "own_packaging"):
            if not isinstance(getattr(self, flag), bool):
                raise ValidationError.invalid(subject, flag, getattr(self, flag), "True or False")
        dims = []
        for name in ("length", "width", "height"):
            value = getattr(self, name)
            side = to_exact(value, "mm", subject=subject, field=name)
            if side <= 0:
                raise ValidationError.invalid(subject, name, value, "a positive length")
            dims.append(side)
        grams = to_exact(self.weight, "g", subject=subject, field="weight")
        if grams < 0:
            raise ValidationError.invalid(subject, "weight", self.weight, "a weight of 0 or more")
        limit: Fraction | None = None
        if self.max_load is not None:
            limit = to_exact(self.max_load, "g", subject=subject, field="max_load")
            if limit < 0:
                raise ValidationError.invalid(
                    subject, "max_load", self.max_load, "a weight of 0 or more, or None"
                )
        if self.fragile:
            limit = Fraction(0)
        if self.group is not None and (not isinstance(self.group, str) or not self.group):
            raise ValidationError.invalid(subject, "group", self.group, "a non-empty string")
        if self.group is not None and (self.ship_alone or self.own_packaging):
            raise ValidationError.invalid(
                subject,
                "group",
                self.group,
                "no group for an item that ships alone or in its own packaging",
            )
        if self.upright is not None and (
            not isinstance(self.upright, tuple)
            or len(self.upright) != 3
            or not all(isinstance(flag, bool) for flag in self.upright)
            or not any(self.upright)
            or self.rotation is not Rotation.ANY
        ):
            raise ValidationError.invalid(
                subject,
                "upright",
                self.upright,
                "None, or three True/False flags for (length, width, height) with at least"
                " one True, and rotation 'any'",
            )
        object.__setattr__(self, "_dims_mm", (dims[0], dims[1], dims[2]))
        object.__setattr__(self, "_weight_g", grams)
        object.__setattr__(self, "_load_limit_g", limit)

    @classmethod
    def from_mm(
        cls,
        sku: str,
        length: int | Fraction,
        width: int | Fraction,
        height: int | Fraction,
        weight_g: int | Fraction,
        **rules: Any,
    ) -> Item:
        """Build an item from millimetres and grams (plain numbers).

        Args:
            sku: The identifier.
            length: Length in millimetres.
            width: Width in millimetres.
            height: Height in millimetres.
            weight_g: Weight of one unit in grams.
            **rules: Any other :class:`Item` field (``quantity``, ``rotation``, ...).
        """
        return cls(
            sku, Q_(length, "mm"), Q_(width, "mm"), Q_(height, "mm"), Q_(weight_g, "g"), **rules
        )

    @classmethod
    def from_inches(
        cls,
        sku: str,
        length: int | Fraction | str,
        width: int | Fraction | str,
        height: int | Fraction | str,
        weight_lb: int | Fraction | str,
        **rules: Any,
    ) -> Item:
        """Build an item from inches and pounds (plain numbers or decimal strings)."""
        return cls(
            sku, Q_(length, "in"), Q_(width, "in"), Q_(height, "in"), Q_(weight_lb, "lb"), **rules
        )

    @classmethod
    def from_product(cls, product: Product, quantity: int = 1, *, group: str | None = None) -> Item:
        """Build an item from a catalogue :class:`~ordercycle.model.product.Product`.

        The product's dimensions, weight and handling rules (rotation, fragile, load on
        top, ship alone, own packaging) carry over; the sku becomes the item's sku.

        Args:
            product: The product.
            quantity: Number of units.
            group: Optional group name for units that must share a carton.
        """
        return cls(
            str(product.sku),
            product.length,
            product.width,
            product.height,
            product.weight,
            quantity=quantity,
            rotation=_rotation(product.rotation),
            max_load=product.max_load_on_top,
            fragile=product.fragile,
            ship_alone=product.ship_alone,
            own_packaging=product.ships_in_own_packaging,
            group=group,
        )

    @property
    def dims_mm(self) -> tuple[Fraction, Fraction, Fraction]:
        """Length, width and height in exact millimetres."""
        return self._dims_mm

    @property
    def weight_g(self) -> Fraction:
        """Weight of one unit in exact grams."""
        return self._weight_g

    @property
    def load_limit_g(self) -> Fraction | None:
        """The most weight allowed on top of one unit in exact grams (0 if fragile)."""
        return self._load_limit_g

    @property
    def volume(self) -> Any:
        """Volume of one unit as a quantity in cubic millimetres."""
        length, width, height = self._dims_mm
        return from_exact(length * width * height, "mm**3")

    @property
    def orientation_rule(self) -> str:
        """The orientation rule in words: the rotation's value (``"any"``,
        ``"this_side_up"``, ``"fixed"``) or the sides that may stand vertical
        (``"upright: width or height"``)."""
        if self.upright is not None:
            names = ("length", "width", "height")
            sides = [name for name, up in zip(names, self.upright, strict=True) if up]
            return "upright: " + " or ".join(sides)
        return self.rotation.value

    def orientations_mm(self) -> tuple[tuple[Fraction, Fraction, Fraction], ...]:
        """The allowed oriented sizes ``(dx, dy, dz)`` in millimetres, sorted, no repeats."""
        return _orientations_mm(self._dims_mm, self.rotation, self.upright)


@functools.lru_cache(maxsize=1024)
def _orientations_mm(
    dims_mm: tuple[Fraction, Fraction, Fraction],
    rotation: Rotation,
    upright: tuple[bool, bool, bool] | None,
) -> tuple[tuple[Fraction, Fraction, Fraction], ...]:
    """:meth:`Item.orientations_mm` of an item's sides and rules (remembered: a pure
    function of them, asked for every item of every pack; the Fraction sorts cost more
    than the lookup). The same tuple comes back for the same sides and rules."""
    length, width, height = dims_mm
    if upright is not None:
        sides = (length, width, height)
        found = set()
        for up, allowed in enumerate(upright):
            if allowed:
                a, b = (sides[k] for k in range(3) if k != up)
                found |= {(a, b, sides[up]), (b, a, sides[up])}
        return tuple(sorted(found))
    if rotation is Rotation.FIXED:
        found = {(length, width, height)}
    elif rotation is Rotation.THIS_SIDE_UP:
        found = {(length, width, height), (width, length, height)}
    else:
        found = {(a, b, c) for a, b, c in permutations((length, width, height))}
    return tuple(sorted(found))
