"""Constructors that set their base class's fields themselves set exactly those fields.

``MemoryUnitOfWork`` and ``WatchedUnitOfWork`` skip the ``super().__init__`` call (a desk
makes tens of units of work per order); these tests fail when a base constructor gains a
field that the shortcut would miss.
"""

from __future__ import annotations

import pytest

from ordercycle.service._watch import WatchedUnitOfWork
from ordercycle.storage import MemoryStorage
from ordercycle.storage._observed import ObservedUnitOfWork
from ordercycle.storage._unit import BaseUnitOfWork
from ordercycle.storage.memory import MemoryUnitOfWork


@pytest.mark.parametrize("read_only", [False, True])
def test_a_memory_unit_of_work_has_the_fields_the_base_constructor_sets(read_only: bool) -> None:
    storage = MemoryStorage()
    made = MemoryUnitOfWork(storage._lock, storage._state, read_only=read_only)
    reference = object.__new__(MemoryUnitOfWork)
    BaseUnitOfWork.__init__(reference, "the memory storage", read_only=read_only)
    assert vars(reference)
    for name, value in vars(reference).items():
        assert getattr(made, name) == value, name
    assert repr(made) == "<MemoryUnitOfWork (new)>"


def test_a_watched_unit_of_work_has_the_fields_the_observed_constructor_sets() -> None:
    uow = MemoryStorage().unit_of_work()
    watched = WatchedUnitOfWork(uow, inline=True)
    reference = object.__new__(WatchedUnitOfWork)
    ObservedUnitOfWork.__init__(reference, uow)
    assert vars(reference)
    for name, value in vars(reference).items():
        assert getattr(watched, name) is value, name
