"""``percentile`` orders only one side of the median, yet gives a full sort's answer."""

from __future__ import annotations

import math
from array import array

from hypothesis import given, settings
from hypothesis import strategies as st

from ordercycle.service.cycle_kpis import percentile


def _by_full_sort(values: list[float], q: float) -> float:
    ordered = sorted(values)
    spot = (len(ordered) - 1) * q
    low, high = math.floor(spot), math.ceil(spot)
    return ordered[low] + (ordered[high] - ordered[low]) * (spot - low)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=60),
    st.sampled_from([0.0, 0.1, 0.25, 0.4999, 0.5, 0.5001, 0.75, 0.9, 0.95, 0.99, 1.0])
    | st.floats(0.0, 1.0),
)
def test_the_quantile_is_a_full_sorts_to_the_bit(values: list[float], q: float) -> None:
    expected = _by_full_sort(values, q)
    assert percentile(values, q) == expected
    assert percentile(array("d", values), q) == expected  # the folded results pass arrays


def test_ties_and_ends() -> None:
    assert percentile([], 0.9) is None
    assert percentile([3.0], 0.9) == 3.0
    assert percentile([1.0, 1.0, 1.0, 2.0], 0.9) == 1.0 + (2.0 - 1.0) * ((3 * 0.9) - 2)
    assert percentile([5.0, 1.0, 3.0], 0.0) == 1.0
    assert percentile([5.0, 1.0, 3.0], 1.0) == 5.0
