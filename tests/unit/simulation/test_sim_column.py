"""A fold's column of numbers: a sequence like the array it replaces, kept in chunks of a
bounded size (a long run's single growing array left holes in the heap as large as
itself)."""

from __future__ import annotations

from array import array

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ordercycle.simulation._column import Column


class _Small(Column[float]):
    """Chunks of three, so a few numbers span several."""

    __slots__ = ()
    CHUNK = 3


@given(st.lists(st.floats(allow_nan=False)), st.integers(-12, 12), st.integers(-12, 12))
def test_it_reads_as_the_list_of_what_was_appended(
    values: list[float], index: int, stop: int
) -> None:
    column = _Small("d")
    for value in values:
        column.append(value)
    assert len(column) == len(values)
    assert list(column) == values
    assert [column[spot] for spot in range(len(values))] == values
    assert column[index:stop] == values[index:stop]
    assert column[::-2] == values[::-2]
    if -len(values) <= index < len(values):
        assert column[index] == values[index]
    else:
        with pytest.raises(IndexError):
            column[index]
    assert bool(column) == bool(values)


def test_ints_and_an_empty_column() -> None:
    column: Column[int] = Column("q")
    assert not column
    assert list(column) == []
    assert repr(column) == "Column('q', [])"
    column.append(2**62)
    assert column[0] == 2**62
    assert repr(column) == f"Column('q', [{2**62}])"


def test_no_chunk_grows_past_its_bound() -> None:
    column: Column[float] = Column("d")
    for value in range(3 * Column.CHUNK + 5):
        column.append(value / 7)
    assert list(column) == [value / 7 for value in range(3 * Column.CHUNK + 5)]
    chunks: list[array[float]] = column._chunks
    assert len(chunks) == 4
    assert all(len(chunk) <= Column.CHUNK for chunk in chunks)
