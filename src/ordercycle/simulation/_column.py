"""A column of numbers that grows all run long, kept in arrays of one bounded size.

A KPIs-only run keeps a number or a few per order (see :mod:`._fold`). In one
:class:`array.array` per column, each append past its capacity has the allocator move the
whole column to a larger block, and the blocks left behind are holes in the heap that the
run's other allocations seldom fill: a long run's resident memory grew about as much
again as its columns. Chunks of at most :attr:`Column.CHUNK` numbers grow only that far,
and the holes they leave are of the size the next chunk takes.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator, Sequence
from itertools import chain
from typing import Generic, TypeVar, overload

__all__ = ["Column"]

_N = TypeVar("_N", int, float)


class Column(Sequence[_N], Generic[_N]):
    """Numbers appended one at a time: a sequence, as an :class:`array.array` of
    ``typecode`` would be (``"d"`` for floats, ``"q"`` for ints).

    Args:
        typecode: The :mod:`array` type code of the numbers.
    """

    __slots__ = ("_chunks", "_last", "_typecode")

    #: The most numbers a chunk holds (64 KB of 8-byte numbers: below the allocator's
    #: threshold for blocks of their own).
    CHUNK = 8192

    def __init__(self, typecode: str) -> None:
        self._typecode = typecode
        self._last: array[_N] = array(typecode)
        self._chunks: list[array[_N]] = [self._last]

    def append(self, value: _N) -> None:
        """Add ``value`` at the end."""
        last = self._last
        if len(last) >= self.CHUNK:
            last = self._last = array(self._typecode)
            self._chunks.append(last)
        last.append(value)

    def __len__(self) -> int:
        return (len(self._chunks) - 1) * self.CHUNK + len(self._last)

    def __iter__(self) -> Iterator[_N]:
        return chain.from_iterable(self._chunks)

    @overload
    def __getitem__(self, index: int) -> _N: ...

    @overload
    def __getitem__(self, index: slice) -> list[_N]: ...

    def __getitem__(self, index: int | slice) -> _N | list[_N]:
        if isinstance(index, slice):
            return [self[spot] for spot in range(*index.indices(len(self)))]
        size = len(self)
        spot = index + size if index < 0 else index
        if not 0 <= spot < size:
            raise IndexError("Column index out of range")
        found: _N = self._chunks[spot // self.CHUNK][spot % self.CHUNK]
        return found

    def __repr__(self) -> str:
        return f"Column({self._typecode!r}, {list(self)!r})"
