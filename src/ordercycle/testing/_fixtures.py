"""The integrator's hook shared by every storage contract (``ordercycle.testing``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ordercycle.storage.ports import Storage

__all__ = ["StorageFixture"]


class StorageFixture:
    """The integrator's hook: override :meth:`storage` to return a fresh, empty storage."""

    @pytest.fixture
    def storage(self) -> Iterator[Storage]:
        """A fresh, empty storage for one test; close it after the test.

        Override in your subclass. The default raises ``NotImplementedError``.
        """
        raise NotImplementedError(
            "Provide a `storage` fixture in your subclass that yields a fresh, empty storage."
        )
