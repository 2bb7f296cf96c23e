"""Products: what a stock-keeping unit is physically, and how it may be handled.

A :class:`Product` keeps its dimensions and weight as the pint quantities it was given
(``Q_(12, "cm")``, ``Q_(4.5, "in")``) and, next to them, their exact canonical values in
millimetres and grams (:class:`~fractions.Fraction`, computed once with
:func:`ordercycle.units.to_exact`). Two products are equal when their canonical values and
handling agree, whatever units they were written in.

>>> from ordercycle.units import Q_
>>> mug = Product(
...     sku="MUG", name="Mug", length=Q_(12, "cm"), width=Q_(9, "cm"), height=Q_(10, "cm"),
...     weight=Q_(350, "g"), rotation=Rotation.THIS_SIDE_UP,
... )
>>> mug.dimensions_mm
(Fraction(120, 1), Fraction(90, 1), Fraction(100, 1))
>>> mug == Product.from_mm("MUG", "Mug", 120, 90, 100, 350, rotation=Rotation.THIS_SIDE_UP)
True
"""

from __future__ import annotations

import enum
from decimal import Decimal
from fractions import Fraction
from typing import Any, TypeAlias

import attrs
import pint

from ordercycle.errors import InvalidQuantityError, ValidationError
from ordercycle.model.ids import Sku, parse_sku
from ordercycle.units import BASE_LENGTH, BASE_MASS, Q_, ensure_dimension, to_exact

__all__ = ["Product", "Rotation"]

Number: TypeAlias = "int | Fraction | Decimal | str"


class Rotation(enum.Enum):
    """How an item may be turned when packed.

    Attributes:
        ANY: Any of the six axis-aligned orientations.
        THIS_SIDE_UP: Only turns about the vertical axis; the height stays vertical.
        FIXED: No turning at all; packed exactly as given (length, width, height).
    """

    ANY = "any"
    THIS_SIDE_UP = "this_side_up"
    FIXED = "fixed"


def _check_sku(_instance: object, _attribute: object, value: Any) -> None:
    parse_sku(value)


def _check_name(instance: Any, _attribute: object, value: Any) -> None:
    if not isinstance(value, str) or not value or value != value.strip():
        raise ValidationError.invalid(
            f"product {instance.sku}", "name", value, "non-empty text without surrounding spaces"
        )


def _length(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    ensure_dimension(value, "length", subject=f"product {instance.sku}", field=attribute.name)


def _mass(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None and attribute.name == "max_load_on_top":
        return
    ensure_dimension(value, "mass", subject=f"product {instance.sku}", field=attribute.name)


def _flag(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, bool):
        raise ValidationError.invalid(
            f"product {instance.sku}", attribute.name, value, "True or False"
        )


def _rotation(instance: Any, _attribute: object, value: object) -> None:
    if not isinstance(value, Rotation):
        raise ValidationError.invalid(
            f"product {instance.sku}",
            "rotation",
            value,
            "a Rotation: " + ", ".join(f"Rotation.{r.name}" for r in Rotation),
        )


def _canonical(product: Product, field: str, unit: str, *, allow_zero: bool) -> Fraction:
    quantity = getattr(product, field)
    value = to_exact(quantity, unit, subject=f"product {product.sku}", field=field)
    if value < 0 or (value == 0 and not allow_zero):
        raise InvalidQuantityError.invalid(
            f"product {product.sku}",
            field,
            quantity,
            "zero or more" if allow_zero else "more than zero",
        )
    return value


@attrs.frozen(kw_only=True)
class Product:
    """A stock-keeping unit with its size, weight and handling rules.

    Attributes:
        sku: The stock-keeping unit (see :func:`~ordercycle.model.ids.parse_sku`).
        name: A human-readable name.
        length: Length as a pint quantity, as given.
        width: Width as a pint quantity, as given.
        height: Height (the vertical side when :attr:`rotation` is ``THIS_SIDE_UP``).
        weight: Weight (mass) as a pint quantity, as given.
        rotation: How the item may be turned when packed.
        fragile: Nothing may be stacked on top of it.
        max_load_on_top: The mass it can carry on top, when limited; ``None`` for no limit.
        ship_alone: It must go in a package of its own.
        ships_in_own_packaging: It ships as it is, without a carton.
        length_mm: Exact length in millimetres (derived).
        width_mm: Exact width in millimetres (derived).
        height_mm: Exact height in millimetres (derived).
        weight_g: Exact weight in grams (derived).

    Raises:
        InvalidIdError: If the sku is not a valid identifier.
        DimensionalityError: If a size is not a length or the weight not a mass.
        InvalidQuantityError: If a size or the weight is zero or negative.
        ValidationError: For a bad name, rotation or flag, or a fragile item with a
            positive ``max_load_on_top``.
    """

    sku: Sku = attrs.field(validator=_check_sku)
    name: str = attrs.field(validator=_check_name)
    length: pint.Quantity[Any] = attrs.field(validator=_length, eq=False)
    width: pint.Quantity[Any] = attrs.field(validator=_length, eq=False)
    height: pint.Quantity[Any] = attrs.field(validator=_length, eq=False)
    weight: pint.Quantity[Any] = attrs.field(validator=_mass, eq=False)
    rotation: Rotation = attrs.field(default=Rotation.ANY, validator=_rotation)
    fragile: bool = attrs.field(default=False, validator=_flag)
    max_load_on_top: pint.Quantity[Any] | None = attrs.field(
        default=None, validator=_mass, eq=False
    )
    ship_alone: bool = attrs.field(default=False, validator=_flag)
    ships_in_own_packaging: bool = attrs.field(default=False, validator=_flag)

    length_mm: Fraction = attrs.field(init=False, repr=False)
    width_mm: Fraction = attrs.field(init=False, repr=False)
    height_mm: Fraction = attrs.field(init=False, repr=False)
    weight_g: Fraction = attrs.field(init=False, repr=False)
    max_load_on_top_g: Fraction | None = attrs.field(init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "length_mm", _canonical(self, "length", BASE_LENGTH, allow_zero=False))
        set_(self, "width_mm", _canonical(self, "width", BASE_LENGTH, allow_zero=False))
        set_(self, "height_mm", _canonical(self, "height", BASE_LENGTH, allow_zero=False))
        set_(self, "weight_g", _canonical(self, "weight", BASE_MASS, allow_zero=False))
        limit = None
        if self.max_load_on_top is not None:
            limit = _canonical(self, "max_load_on_top", BASE_MASS, allow_zero=True)
            if self.fragile and limit > 0:
                raise ValidationError.invalid(
                    f"product {self.sku}",
                    "max_load_on_top",
                    self.max_load_on_top,
                    "None or zero for a fragile product (fragile means nothing on top)",
                )
        set_(self, "max_load_on_top_g", limit)

    @classmethod
    def from_mm(
        cls,
        sku: str,
        name: str,
        length: Number,
        width: Number,
        height: Number,
        weight_g: Number,
        **handling: Any,
    ) -> Product:
        """Build a product from millimetres and grams.

        Numbers may be ``int``, :class:`~fractions.Fraction`, :class:`~decimal.Decimal` or
        decimal strings such as ``"12.5"``. ``handling`` takes the remaining fields
        (``rotation``, ``fragile``, ``max_load_on_top``, ``ship_alone``, ...).
        """
        return cls(
            sku=Sku(sku),
            name=name,
            length=Q_(length, "mm"),
            width=Q_(width, "mm"),
            height=Q_(height, "mm"),
            weight=Q_(weight_g, "g"),
            **handling,
        )

    @classmethod
    def from_inches(
        cls,
        sku: str,
        name: str,
        length: Number,
        width: Number,
        height: Number,
        weight_lb: Number,
        **handling: Any,
    ) -> Product:
        """Build a product from inches and pounds.

        >>> Product.from_inches("BOX", "Box", 10, 8, 6, "2.5").weight_g
        Fraction(45359237, 40000)
        """
        return cls(
            sku=Sku(sku),
            name=name,
            length=Q_(length, "inch"),
            width=Q_(width, "inch"),
            height=Q_(height, "inch"),
            weight=Q_(weight_lb, "lb"),
            **handling,
        )

    @property
    def dimensions(self) -> tuple[Any, Any, Any]:
        """``(length, width, height)`` as the quantities given."""
        return (self.length, self.width, self.height)

    @property
    def dimensions_mm(self) -> tuple[Fraction, Fraction, Fraction]:
        """``(length, width, height)`` in exact millimetres."""
        return (self.length_mm, self.width_mm, self.height_mm)

    @property
    def volume_mm3(self) -> Fraction:
        """The volume of the bounding box in exact cubic millimetres."""
        return self.length_mm * self.width_mm * self.height_mm

    @property
    def load_limit_g(self) -> Fraction | None:
        """How many grams may rest on top: ``0`` when fragile, ``None`` when unlimited."""
        if self.fragile:
            return Fraction(0)
        return self.max_load_on_top_g
