"""Deliver outbox messages to a consumer, at least once.

>>> from ordercycle.storage import MemoryStorage
>>> from ordercycle.testing.contracts import item_added
>>> storage = MemoryStorage()
>>> with storage.unit_of_work() as uow:
...     uow.events.append("order", "O-1", [item_added("O-1", 1)], expected_version=0)
1
>>> seen = []
>>> relay(storage, "audit", lambda uow, message: seen.append(message.aggregate_id))
1
>>> relay(storage, "audit", lambda uow, message: seen.append(message.aggregate_id))
0
>>> seen
['O-1']
"""

from __future__ import annotations

from collections.abc import Callable

from ordercycle.storage._checks import check_name, check_position
from ordercycle.storage.ports import ClaimingOutbox, Storage, UnitOfWork
from ordercycle.storage.records import OutboxMessage

__all__ = ["Handler", "relay"]

#: A consumer's handler: it gets the unit of work the checkpoint is saved in.
Handler = Callable[[UnitOfWork, OutboxMessage], object]


def relay(storage: Storage, consumer: str, handle: Handler, *, batch: int = 100) -> int:
    """Hand every message after ``consumer``'s checkpoint to ``handle``, in order.

    Each batch is one unit of work: the handler's own writes (through the unit of work it
    is given) and the moved checkpoint commit together. If ``handle`` raises, that batch
    is rolled back, the error propagates, and the next call delivers the batch again:
    delivery is at least once, so handlers with effects outside storage (mail, HTTP)
    must be idempotent. Where the storage offers :class:`~ordercycle.storage.ports.ClaimingOutbox`
    (every bundled adapter), the checkpoint is claimed before the handler runs, so two
    relays of one consumer never hand the same message to a handler that commits.

    Args:
        storage: Where the outbox is.
        consumer: The consumer's stable name (its checkpoint key).
        handle: Called with ``(uow, message)`` for each message.
        batch: Messages per unit of work.

    Returns:
        How many messages were handled.
    """
    check_name(consumer, "consumer", "outbox relay")
    check_position(batch, "batch", "outbox relay", minimum=1)
    handled = 0
    while True:
        with storage.unit_of_work() as uow:
            after = uow.outbox.checkpoint(consumer)
            messages = uow.outbox.read(after=after, limit=batch)
            outbox = uow.outbox
            if messages and isinstance(outbox, ClaimingOutbox):
                # Act on the checkpoint as claimed under the write lock, not on the read
                # above: a second relay of the same consumer then waits or finds it moved.
                claimed = outbox.claim(consumer)
                if claimed != after:
                    messages = outbox.read(after=claimed, limit=batch)
            for message in messages:
                handle(uow, message)
            if messages:
                uow.outbox.save_checkpoint(consumer, messages[-1].position)
        handled += len(messages)
        if len(messages) < batch:
            return handled
