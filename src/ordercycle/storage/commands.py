"""Run a command at most once per command id (idempotent commands).

>>> from ordercycle.storage import MemoryStorage
>>> storage = MemoryStorage()
>>> calls = []
>>> def place(uow):
...     calls.append(1)
...     return {"order_id": "O-1"}
>>> run_once(storage, "cmd-7", {"sku": "MUG"}, place)
{'order_id': 'O-1'}
>>> run_once(storage, "cmd-7", {"sku": "MUG"}, place)   # the stored result; not run again
{'order_id': 'O-1'}
>>> len(calls)
1
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ordercycle.errors import ConcurrencyError
from ordercycle.storage.errors import CommandAlreadyRecordedError
from ordercycle.storage.ports import Storage, UnitOfWork
from ordercycle.storage.records import payload_hash

__all__ = ["run_once"]


def run_once(
    storage: Storage, command_id: str, payload: Any, action: Callable[[UnitOfWork], Any]
) -> Any:
    """Run ``action`` in one unit of work unless ``command_id`` was already processed.

    The command's id, payload hash and result are recorded in the same unit of work as
    the command's own writes, so either both are committed or neither is. A repeated call
    with the same id and payload returns the stored result without running ``action``. If
    another process records the same command id at the same moment, the loser's unit of
    work is rolled back and the winner's result is returned.

    Args:
        storage: Where to run.
        command_id: The caller's id for this command (a retry reuses it).
        payload: The command's JSON-compatible arguments (hashed to detect reuse of an id
            for a different command).
        action: Does the work inside the given unit of work and returns a JSON-compatible
            result.

    Returns:
        The result, as stored (JSON data: tuples come back as lists).

    Raises:
        CommandPayloadMismatchError: The id was used before with a different payload;
            nothing is written.
        ConcurrencyError: ``action`` met a version conflict; nothing is written (retry
            with the same command id).
    """
    digest = payload_hash(payload)
    for attempt in (1, 2):
        try:
            with storage.unit_of_work() as uow:
                found = uow.commands.find(command_id, digest)
                if found is not None:
                    return found.result
                result = action(uow)
                return uow.commands.record(command_id, digest, result).result
        except CommandAlreadyRecordedError:
            if attempt == 2:
                raise
        except ConcurrencyError as error:
            if attempt == 2 or error.subject != f"command {command_id!r}":
                raise
    raise AssertionError("unreachable")  # pragma: no cover
