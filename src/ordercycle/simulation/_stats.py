"""Statistics helpers: Student t quantiles for the 95 % intervals of replications and batch
means, and an exact running mean."""

from __future__ import annotations

import math

# Two-sided 95 % Student t quantiles by degrees of freedom (1..30); 1.96 beyond.
_T95 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)  # fmt: skip


def t95(degrees: int) -> float:
    """The two-sided 95 % Student t quantile for ``degrees`` of freedom (1 or more)."""
    return _T95[degrees - 1] if degrees <= len(_T95) else 1.96


class RunningMean:
    """``statistics.fmean`` of the floats added so far, bit for bit, without keeping them.

    ``fmean`` is ``math.fsum(values) / len(values)``, and ``fsum`` rounds the exact sum
    once, whatever the order of its terms: so only the exact sum matters, and it is kept as
    Shewchuk's partials (non-overlapping floats whose sum is exactly the sum of the values
    added; a few floats, however many values). The values must be finite, and their partial
    sums too (no value near the float range's limits): what a run's hours and days are.
    """

    __slots__ = ("_partials", "count")

    def __init__(self) -> None:
        self._partials: list[float] = []
        self.count = 0
        """How many values were added."""

    def add(self, value: float) -> None:
        """Add ``value`` (finite)."""
        partials = self._partials
        kept = 0
        for partial in partials:
            if abs(value) < abs(partial):
                value, partial = partial, value
            high = value + partial
            low = partial - (high - value)
            if low:
                partials[kept] = low
                kept += 1
            value = high
        partials[kept:] = [value]
        self.count += 1

    def mean(self) -> float | None:
        """The mean of the values added (what ``statistics.fmean`` of them gives), or
        ``None`` if none was."""
        return math.fsum(self._partials) / self.count if self.count else None
