"""The ``with`` protocol every storage adapter shares: leaving the block closes it."""

from __future__ import annotations

from abc import ABC, abstractmethod
from types import TracebackType
from typing import Self

__all__ = ["ClosingStorage"]


class ClosingStorage(ABC):
    """Base of the storages: ``with storage:`` closes it when the block ends."""

    @abstractmethod
    def close(self) -> None:
        """Close the storage; new units of work are refused."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
