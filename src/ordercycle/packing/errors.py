"""Errors raised by :mod:`ordercycle.packing`.

They extend the families in :mod:`ordercycle.errors`: a plan that breaks a rule is a
:class:`~ordercycle.errors.PackingError`, an item that fits no carton is an
:class:`~ordercycle.errors.UnpackableItemError`, and a carrier rate that cannot price a
weight is a :class:`RateNotAvailableError`.
"""

from __future__ import annotations

from collections.abc import Iterable

from ordercycle.errors import PackingError, UnpackableItemError

__all__ = ["InvalidPlanError", "PackingError", "RateNotAvailableError", "UnpackableItemError"]


class InvalidPlanError(PackingError):
    """A packing plan breaks at least one rule (found by :func:`ordercycle.packing.verify`).

    Attributes:
        violations: Every problem found, one sentence each, in a stable order.
    """

    def __init__(self, violations: Iterable[str]) -> None:
        found = tuple(violations)
        shown = "; ".join(found[:5]) + (f"; and {len(found) - 5} more" if len(found) > 5 else "")
        super().__init__(f"Invalid packing plan: {shown}.")
        self.violations = found


class RateNotAvailableError(PackingError, LookupError):
    """A rate table has no price for a weight (or zone).

    Attributes:
        rate: A description of the rate table.
        weight: The weight that was asked for, as text.
        valid: What the table covers.
    """

    def __init__(self, rate: str, weight: str, valid: str) -> None:
        super().__init__(f"No price in {rate} for {weight}; the table covers {valid}.")
        self.rate = rate
        self.weight = weight
        self.valid = valid
