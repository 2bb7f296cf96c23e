"""The result of packing: placements, packages and the plan.

Positions and sizes are kept as exact millimetres and offered as pint quantities. Weights
and costs are derived from the carton, the placements and the carrier rule, never stored
twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from html import escape
from typing import Any

import attrs

from ordercycle.money import Money
from ordercycle.packing.carriers import DimWeightRule
from ordercycle.packing.carton import Carton
from ordercycle.packing.drawing import package_svg
from ordercycle.packing.item import Item
from ordercycle.packing.rates import RateModel
from ordercycle.units import from_exact, to_exact

__all__ = ["Package", "PackingPlan", "Placement", "Unpacked"]

Dims = tuple[Fraction, Fraction, Fraction]


def _mm3(values: tuple[Fraction, Fraction, Fraction]) -> tuple[Any, Any, Any]:
    return (from_exact(values[0], "mm"), from_exact(values[1], "mm"), from_exact(values[2], "mm"))


def _weight_text(quantity: Any) -> str:
    return f"{float(quantity.magnitude):g} {quantity.units:~P}"


def _number(value: Any) -> Fraction | None:
    """An objective value or bound as an exact number (magnitude, money amount, count)."""
    if value is None:
        return None
    if isinstance(value, Money):
        return Fraction(value.amount)
    if hasattr(value, "magnitude"):
        return Fraction(value.magnitude)
    return Fraction(value)


def _value_text(value: Any) -> str:
    return _weight_text(value) if hasattr(value, "magnitude") else str(value)


@attrs.frozen
class Placement:
    """Where one unit of an item sits inside a carton.

    Attributes:
        item: The item.
        unit: Which unit of the item (1 to ``item.quantity``).
        position_mm: The corner nearest the carton's origin, exact millimetres.
        size_mm: The oriented size along the carton's axes, exact millimetres.
    """

    item: Item
    unit: int
    position_mm: Dims
    size_mm: Dims

    @classmethod
    def at(cls, item: Item, unit: int, position: Any, size: Any) -> Placement:
        """Build a placement from quantities: ``position`` and ``size`` are three lengths."""
        subject = f"placement of {item.sku} #{unit}"
        pos = tuple(to_exact(v, "mm", subject=subject, field="position") for v in position)
        dims = tuple(to_exact(v, "mm", subject=subject, field="size") for v in size)
        return cls(item, unit, (pos[0], pos[1], pos[2]), (dims[0], dims[1], dims[2]))

    @property
    def position(self) -> tuple[Any, Any, Any]:
        """``(x, y, z)`` of the corner nearest the carton's origin, as quantities (mm)."""
        return _mm3(self.position_mm)

    @property
    def size(self) -> tuple[Any, Any, Any]:
        """Oriented size ``(dx, dy, dz)`` along the carton's axes, as quantities (mm)."""
        return _mm3(self.size_mm)

    @property
    def label(self) -> str:
        """``"SKU #unit"``, used in messages and drawings."""
        return f"{self.item.sku} #{self.unit}"


@attrs.frozen
class Unpacked:
    """A unit that could not be packed (only with ``on_unpackable="report"``).

    Attributes:
        item: The item.
        unit: Which unit of the item.
        reason: Why it could not be packed, naming the closest carton.
    """

    item: Item
    unit: int
    reason: str


@attrs.frozen
class Package:
    """One packed carton.

    Attributes:
        carton: The carton used (a synthetic one for items in their own packaging).
        placements: Where each unit sits.
        carrier: The carrier rule for dimensional and billable weight, or ``None``.
        rate: The rate model that prices the billable weight, or ``None``.
        reason: Why this carton was chosen.
    """

    carton: Carton
    placements: tuple[Placement, ...]
    carrier: DimWeightRule | None = None
    rate: RateModel | None = None
    reason: str = ""

    @property
    def actual_weight_g(self) -> Fraction:
        """Gross weight in exact grams: tare plus the items."""
        return self.carton.tare_g + sum((p.item.weight_g for p in self.placements), Fraction(0))

    @property
    def actual_weight(self) -> Any:
        """Gross weight (tare plus items) as a quantity in kilograms."""
        return from_exact(self.actual_weight_g / 1000, "kg")

    @property
    def dimensional_weight(self) -> Any:
        """The carrier's dimensional weight of the outer carton, or ``None``."""
        if self.carrier is None:
            return None
        value = self.carrier.dimensional_weight_exact(self.carton.outer_mm)
        return None if value is None else from_exact(value, self.carrier.weight_unit)

    @property
    def billable_weight(self) -> Any:
        """The carrier's billable weight (outer dimensions), or the actual weight without one."""
        if self.carrier is None:
            return self.actual_weight
        value = self.carrier.billable_weight_exact(self.carton.outer_mm, self.actual_weight_g)
        return from_exact(value, self.carrier.weight_unit)

    @property
    def cost(self) -> Money | None:
        """Carton cost plus the rate for the billable weight, or ``None`` if neither is known."""
        parts = [] if self.carton.cost is None else [self.carton.cost]
        if self.rate is not None:
            parts.append(self.rate.price(self.billable_weight))
        if not parts:
            return None
        total = parts[0]
        for part in parts[1:]:
            total = total + part
        return total

    @property
    def fill_ratio(self) -> Fraction:
        """Item volume divided by the inner volume of the carton (exact)."""
        length, width, height = self.carton.inner_mm
        used = sum(
            (p.size_mm[0] * p.size_mm[1] * p.size_mm[2] for p in self.placements), Fraction(0)
        )
        return used / (length * width * height)

    def __iter__(self) -> Iterator[Placement]:
        return iter(self.placements)

    def __len__(self) -> int:
        return len(self.placements)

    def _repr_svg_(self) -> str:
        return package_svg(self)


@attrs.frozen
class PackingPlan:
    """The packages for one order, with the bound and the reasons.

    Attributes:
        packages: The packed cartons, in a stable order.
        items: The items that were asked for.
        objective: ``"billable_weight"``, ``"cost"`` or ``"cartons"``.
        carrier: The carrier rule used, or ``None``.
        rate: The rate model used, or ``None``.
        support: The support rule used (share of each base that must rest on something),
            or ``None``.
        lower_bound: A lower bound on the objective: a weight quantity, a
            :class:`~ordercycle.money.Money`, or a number of cartons.
        unpacked: Units that could not be packed (``on_unpackable="report"``).
        notes: Remarks about the search, in order.
        catalogue: The carton catalogue the plan was chosen from.
        optimal: Whether the plan is proven optimal for its objective: no plan for these
            items and cartons scores better (see :attr:`proof`).
        proof: Why the plan is optimal: ``"bound met"`` (its value equals
            :attr:`lower_bound`), ``"search exhausted"`` (the exact search over every
            assignment of units to cartons found nothing better), or ``""`` when it is not
            proven.
    """

    packages: tuple[Package, ...]
    items: tuple[Item, ...]
    objective: str
    carrier: DimWeightRule | None = None
    rate: RateModel | None = None
    support: Fraction | None = None
    lower_bound: Any = None
    unpacked: tuple[Unpacked, ...] = ()
    notes: tuple[str, ...] = ()
    catalogue: tuple[Carton, ...] = ()
    optimal: bool = False
    proof: str = ""

    @property
    def carton_count(self) -> int:
        """How many cartons the plan uses (own packaging counts as one each)."""
        return len(self.packages)

    @property
    def billable_weight(self) -> Any:
        """Total billable weight of the packages (actual weight without a carrier)."""
        if self.carrier is None:
            total_g = sum((p.actual_weight_g for p in self.packages), Fraction(0))
            return from_exact(total_g / 1000, "kg")
        unit = self.carrier.weight_unit
        total = sum(
            (
                self.carrier.billable_weight_exact(p.carton.outer_mm, p.actual_weight_g)
                for p in self.packages
            ),
            Fraction(0),
        )
        return from_exact(total, unit)

    @property
    def cost(self) -> Money | None:
        """Total cost of the packages, or ``None`` when no cost is known."""
        costs = [p.cost for p in self.packages]
        known = [c for c in costs if c is not None]
        if not known:
            return None
        total = known[0]
        for cost in known[1:]:
            total = total + cost
        return total

    @property
    def objective_value(self) -> Any:
        """The value of the objective: billable weight, cost, or number of cartons."""
        if self.objective == "cartons":
            return self.carton_count
        if self.objective == "cost":
            return self.cost
        return self.billable_weight

    @property
    def gap(self) -> Fraction | None:
        """How far the plan may be from the optimum: ``(value - lower_bound) / value``.

        An exact fraction from 0 (the plan meets its bound) towards 1, or ``None`` when
        there is no bound or no value. A proven-optimal plan (:attr:`optimal`) may still
        show a gap: the bound is a relaxation, and the exhausted search, not the bound,
        proves it.
        """
        value = _number(self.objective_value)
        bound = _number(self.lower_bound)
        if value is None or bound is None:
            return None
        if value <= 0:
            return Fraction(0)
        return max(Fraction(0), (value - bound) / value)

    @property
    def reasons(self) -> tuple[str, ...]:
        """Why each carton was chosen, one sentence per package."""
        return tuple(p.reason for p in self.packages)

    def _repr_html_(self) -> str:
        drawings = "".join(
            f'<div style="display:inline-block;margin:4px">{package_svg(p, width=280)}</div>'
            for p in self.packages
        )
        return f"<div><pre>{escape(self.explain())}</pre>{drawings}</div>"

    def explain(self) -> str:
        """A short report: one line per package, then the bound and the notes."""
        lines = []
        for number, package in enumerate(self.packages, start=1):
            lines.append(
                f"{number}. {package.carton.name}: {len(package)} units,"
                f" billable {_weight_text(package.billable_weight)},"
                f" fill {float(package.fill_ratio):.0%} - {package.reason}"
            )
        bound = self.lower_bound
        shown = _weight_text(bound) if hasattr(bound, "magnitude") else str(bound)
        lines.append(
            f"total {self.objective.replace('_', ' ')}: {_value_text(self.objective_value)}"
            f" (lower bound {shown})"
        )
        if self.optimal:
            lines.append(f"proven optimal: {self.proof}")
        elif self.gap is not None:
            lines.append(f"not proven optimal: within {float(self.gap):.1%} of the lower bound")
        lines.extend(self.notes)
        lines.extend(f"unpacked {u.item.sku} #{u.unit}: {u.reason}" for u in self.unpacked)
        return "\n".join(lines)
