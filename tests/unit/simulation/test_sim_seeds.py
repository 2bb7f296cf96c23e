"""Keyed random draws: each is the derived seed of (seed, source, key, n), however drawn."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ordercycle.simulation import derive_seed
from ordercycle.simulation._seeds import RandomStreams

_NAMES = st.text(min_size=1, max_size=12)
_KEYS = st.text(max_size=16)  # quotes, backslashes and non-ASCII keys included


@settings(max_examples=200, deadline=None)
@given(
    seed=st.integers(0, 2**63 - 1),
    draws=st.lists(st.tuples(_NAMES, _KEYS), min_size=1, max_size=12),
)
def test_a_keyed_draw_is_the_derived_seed_of_its_source_key_and_count(
    seed: int, draws: list[tuple[str, str]]
) -> None:
    # uniform() hashes from a copy of each source's digest of the text up to the key; the
    # number must be the one derive_seed gives for the whole text.
    streams = RandomStreams(seed)
    counts: dict[tuple[str, str], int] = {}
    for name, key in draws:
        n = counts.get((name, key), 0)
        counts[(name, key)] = n + 1
        assert streams.uniform(name, key) == derive_seed(seed, name, key, n) / 2**63


def test_a_forgotten_key_draws_its_sequence_again_from_the_start() -> None:
    streams = RandomStreams(7)
    first = [streams.uniform("returns", "O-1'") for _ in range(3)]
    streams.forget(["O-1'"])
    assert [streams.uniform("returns", "O-1'") for _ in range(3)] == first
    assert first[0] == derive_seed(7, "returns", "O-1'", 0) / 2**63
