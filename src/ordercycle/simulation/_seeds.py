"""Derived seeds: independent, stable random streams from one scenario seed."""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

__all__ = ["RandomStreams", "derive_seed", "rng_for"]

T = TypeVar("T")


def derive_seed(seed: int, *labels: object) -> int:
    """A 63-bit seed derived from ``seed`` and ``labels`` (stable across processes).

    Python's ``hash`` is salted per process, so a cryptographic digest is used instead.

    >>> derive_seed(7, "replication", 1) == derive_seed(7, "replication", 1)
    True
    >>> derive_seed(7, "replication", 1) != derive_seed(7, "replication", 2)
    True
    """
    text = "/".join([str(seed), *(repr(label) for label in labels)])
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def rng_for(seed: int, *labels: object) -> random.Random:
    """A :class:`random.Random` seeded with :func:`derive_seed`."""
    return random.Random(derive_seed(seed, *labels))


class RandomStreams:
    """One random stream per source of randomness, and per order within a source.

    Common random numbers only sharpen a comparison when each alternative sees the same
    world: the same arrivals, and the same order refused on credit, the same pick line
    short, the same parcel late, the same order returned, the same customer paying late.
    One shared generator cannot promise that: as soon as one alternative draws once more
    (another wave, another shipment), every later draw moves. So each source draws from a
    stream of its own, and a decision about one order draws the next number of that
    order's own sequence in the source, which every alternative reaches however the events
    around it interleave.

    A keyed draw is a digest of ``(seed, source, key, n)``, so it holds no generator state,
    only how many numbers each key has drawn from each source; a run that is finished with
    an order drops its keys' counts (:meth:`forget`), so memory stays flat however many
    orders the run has.

    >>> a, b = RandomStreams(7), RandomStreams(7)
    >>> a.uniform("returns", "O-3") == b.uniform("returns", "O-3")
    True
    >>> a.uniform("returns", "O-3") == b.uniform("returns", "O-3")  # the next of each
    True
    >>> a.source("arrivals").random() == RandomStreams(7).source("arrivals").random()
    True
    """

    __slots__ = ("_drawn", "_names", "_prefixes", "_seed", "_sources")

    def __init__(self, seed: int) -> None:
        self._seed = seed
        self._sources: dict[str, random.Random] = {}
        self._drawn: dict[tuple[str, str], int] = {}
        # The sources keyed draws were taken from (a handful), for forget().
        self._names: set[str] = set()
        # Each source's digest of derive_seed's text up to the key (see _digest).
        self._prefixes: dict[str, Any] = {}

    def source(self, name: str) -> random.Random:
        """The generator of a source that is not about one order (arrivals, slotting)."""
        stream = self._sources.get(name)
        if stream is None:
            stream = self._sources[name] = rng_for(self._seed, name)
        return stream

    def uniform(self, name: str, key: str) -> float:
        """The next number in ``[0, 1)`` of source ``name`` for ``key`` (an order, a line)."""
        n = self._drawn.get((name, key), 0)
        if not n:
            self._names.add(name)
        self._drawn[(name, key)] = n + 1
        return self._digest(name, key, n) / _TWO_63

    def _digest(self, name: str, key: str, n: int) -> int:
        """``derive_seed(seed, name, key, n)``, from a copy of the source's digest of the
        text's start: a draw then hashes only the key and the count (the same text, so the
        same number, tested)."""
        prefix = self._prefixes.get(name)
        if prefix is None:
            text = "/".join([str(self._seed), repr(name), ""])
            prefix = self._prefixes[name] = hashlib.sha256(text.encode("utf-8"))
        digest = prefix.copy()
        digest.update(f"{key!r}/{n!r}".encode())
        return int.from_bytes(digest.digest()[:8], "big") >> 1

    def forget(self, keys: Iterable[str]) -> None:
        """Drop what is counted of ``keys`` in every source: they draw nothing more (a
        key drawn from again would start its sequences over).

        >>> streams = RandomStreams(7)
        >>> first = streams.uniform("returns", "O-3")
        >>> streams.forget(["O-3"])
        >>> streams.uniform("returns", "O-3") == first
        True
        """
        drawn = self._drawn
        for key in keys:
            for name in self._names:
                drawn.pop((name, key), None)

    def choice(self, name: str, key: str, options: Sequence[T], weights: Sequence[float]) -> T:
        """One of ``options`` with probability proportional to ``weights``, for ``key``."""
        point = self.uniform(name, key) * sum(weights)
        for option, weight in zip(options, weights, strict=True):
            if point < weight:
                return option
            point -= weight
        return next(o for o, w in zip(reversed(options), reversed(weights), strict=True) if w)

    def exponential(self, name: str, key: str, mean: float) -> float:
        """An exponential draw with ``mean``, for ``key``."""
        return -mean * math.log(1.0 - self.uniform(name, key))

    def gamma(self, name: str, key: str, mean: float, cv: float) -> float:
        """A gamma draw with ``mean`` and coefficient of variation ``cv``, for ``key``.

        The draw takes the next number of ``key``'s sequence like :meth:`uniform` does,
        and seeds a generator with it (a gamma draw may need several uniforms).

        >>> streams = RandomStreams(7)
        >>> streams.gamma("lead time", "MUG/1", 3.0, 0.0)
        3.0
        """
        if mean <= 0 or cv <= 0:
            self.uniform(name, key)
            return max(0.0, mean)
        seed = int(self.uniform(name, key) * _TWO_63)
        shape = 1.0 / (cv * cv)
        return random.Random(seed).gammavariate(shape, mean / shape)


_TWO_63 = float(2**63)
