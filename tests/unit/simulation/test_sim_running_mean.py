"""A KPIs-only run keeps a plain mean as an exact running sum, not a float an order: the
same mean as ``statistics.fmean`` of every value, bit for bit, in a few floats."""

from __future__ import annotations

import statistics

from hypothesis import given, settings
from hypothesis import strategies as st

from ordercycle.simulation._stats import RunningMean

# Finite values whose sums stay far inside the float range (hours and days of a run).
_values = st.lists(st.floats(min_value=-1e300, max_value=1e300, allow_nan=False), max_size=60)


def _mean_of(values: list[float]) -> float | None:
    mean = RunningMean()
    for value in values:
        mean.add(value)
    return mean.mean()


@settings(max_examples=400)
@given(_values)
def test_the_running_mean_is_fmean_bit_for_bit(values: list[float]) -> None:
    found = _mean_of(values)
    if not values:
        assert found is None
        return
    assert found is not None
    assert found.hex() == statistics.fmean(values).hex()


def test_cancelling_terms_and_signed_zeros_give_fmean() -> None:
    for values in (
        [1e100, 1.0, -1e100],
        [0.1] * 10,
        [-0.0],
        [-0.0, 0.0],
        [0.0, -0.0],
        [1e-300, 1e300, -1e300, 2.5],
        [2.0**-1074, 1.0, -1.0],
    ):
        found = _mean_of(values)
        assert found is not None
        assert found.hex() == statistics.fmean(values).hex(), values


def test_its_size_stays_bounded_however_many_values() -> None:
    mean = RunningMean()
    values = [(n * 7919 % 10007) / 24 + n / 3 for n in range(100_000)]
    for value in values:
        mean.add(value)
    assert mean.count == len(values)
    assert mean.mean() == statistics.fmean(values)
    # The partials do not overlap: at most one per stretch of 53 bits of exponent.
    assert len(mean._partials) <= 40
