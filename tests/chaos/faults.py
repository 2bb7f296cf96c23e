"""The races the desk fixed, put back on request, for the chaos workers only.

The chaos suite proves it would see each race by running with its fix switched off and
finding the violation the race causes. :func:`reintroduce` monkeypatches the desk in the
process that calls it (a forked chaos worker), never in the library: the library reads no
hook and knows nothing of this module. A hand-run soak picks a fault with
``ORDERCYCLE_CHAOS_FAULT`` (read by ``tests/chaos/test_chaos.py`` only).

- ``restock``: the return-restock race. The dispatcher reads the outbox checkpoint without
  claiming it, and the restock handler neither looks for nor writes the
  :class:`~ordercycle.service.records.ReturnRestock` record of its return: two dispatchers
  that read the checkpoint before either commits both restock (phantom stock).
- ``credit``: the credit write skew. The credit check reads the customer's account, but
  the confirmation no longer appends to the account stream (nor does a cancellation take
  back the exposure the confirmation never added): two confirmations at once both pass
  (a credit limit exceeded).
- ``command-id``: the same command id at once. A sender whose command met the same id's
  concurrent commit no longer looks up the winner's result: it is refused for a command
  that ran (the sender is told it failed, and a client would send it again).
"""

from __future__ import annotations

from typing import Any

from ordercycle.model.order.events import OrderReturnReceived
from ordercycle.model.order.policies import ReturnCondition
from ordercycle.service import _reactions
from ordercycle.service import desk as desk_module
from ordercycle.service._session import Session

__all__ = ["FAULTS", "reintroduce"]

#: The races :func:`reintroduce` can put back.
FAULTS = ("restock", "credit", "command-id")


def _unclaimed(uow: Any) -> int:
    return int(uow.outbox.checkpoint(_reactions.CONSUMER))


def _restock_unkeyed(s: Session, event: OrderReturnReceived) -> list[str]:
    """The restock handler before it was made idempotent by its return."""
    ledger = s.stock([event.sku])
    homes = [str(p.bin) for p in ledger.positions(event.sku, at=s.now)]
    bin_id = homes[0] if homes else s.settings.home_bin()
    ledger.restock(
        event.sku,
        bin_id,
        event.quantity,
        reference=f"{event.aggregate_id}/{event.return_id}",
        damaged=event.condition is ReturnCondition.DAMAGED,
        at=s.now,
    )
    s.save_stock()
    return [f"return {event.return_id}: {event.quantity} {event.sku} restocked at {bin_id}"]


def reintroduce(fault: str) -> None:
    """Switch off the fix of ``fault`` (one of :data:`FAULTS`) in this process."""
    if fault == "restock":
        desk_module._claim = _unclaimed  # type: ignore[assignment]
        _reactions._restock = _restock_unkeyed  # type: ignore[assignment]
    elif fault == "credit":
        put = Session.put

        def put_but_no_credit_append(
            self: Session,
            kind: str,
            key: str,
            event_cls: Any,
            state: Any,
            change: str,
            **extra: Any,
        ) -> None:
            # Neither the check's append nor the cancellation's move of the exposure the
            # check never added (which would drive the exposure below zero, and every
            # later confirmation would be refused instead of approved).
            if kind == "account" and change.startswith(("credit check ", "canceled ")):
                return
            put(self, kind, key, event_cls, state, change, **extra)

        Session.put = put_but_no_credit_append  # type: ignore[method-assign]
    elif fault == "command-id":
        desk_module.OrderDesk._recorded = (  # type: ignore[method-assign]
            lambda self, command_id, digest: None
        )
    else:
        raise ValueError(f"unknown chaos fault {fault!r}: expected one of {FAULTS}")
