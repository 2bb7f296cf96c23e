"""The order lifecycle, declared with the lifecycle engine.

.. code-block:: text

    draft --place--> placed --confirm--> confirmed --release--> released --complete--> completed
    draft --send_quote--> quoted --place--> placed       quoted --send_quote--> quoted (revised)
    (draft, quoted) --expire--> expired
    (draft, quoted, placed, confirmed, released) --cancel--> canceled

Guards read the order (passed as the context):

* ``has_lines``: an order without lines cannot be quoted or placed;
* ``not_on_hold``: an order on hold cannot be released to the warehouse;
* ``fulfilled``: an order completes only when every unit still on order is delivered;
* ``nothing_shipped``: a whole order cannot be canceled once a unit has shipped (cancel
  the rest line by line instead).

Holds are not states: an order keeps its state while on hold, and releasing the last hold
resumes it where it was. Fulfilment, billing and payment statuses are derived from the
ledger (:mod:`ordercycle.model.order.status`), not lifecycle states either.

>>> ORDER_LIFECYCLE.next_state("draft", "expire")
'expired'
>>> ORDER_LIFECYCLE.final_states
('completed', 'canceled', 'expired')
"""

from __future__ import annotations

from typing import Any, Final

from ordercycle.lifecycle import Guard, Lifecycle, State
from ordercycle.model.order.holds import describe_holds

__all__ = [
    "FULFILLED",
    "HAS_LINES",
    "NOTHING_SHIPPED",
    "NOT_ON_HOLD",
    "ORDER_LIFECYCLE",
]


def _has_lines(order: Any) -> bool | str:
    return bool(order.lines) or "it has no lines"


def _not_on_hold(order: Any) -> bool | str:
    if not order.holds:
        return True
    return f"it is on hold ({describe_holds(order.holds)})"


def _fulfilled(order: Any) -> bool | str:
    waiting = sum(line.ledger.active - line.ledger.delivered for line in order.lines)
    if waiting > 0:
        return f"{waiting} units are not delivered yet"
    return True


def _nothing_shipped(order: Any) -> bool | str:
    shipped = sum(line.ledger.shipped for line in order.lines)
    if shipped:
        return f"{shipped} units have shipped; cancel the rest of each line instead"
    return True


HAS_LINES: Final = Guard("has_lines", _has_lines)
"""The order has at least one line."""
NOT_ON_HOLD: Final = Guard("not_on_hold", _not_on_hold)
"""The order carries no hold."""
FULFILLED: Final = Guard("fulfilled", _fulfilled)
"""Every unit still on order is delivered."""
NOTHING_SHIPPED: Final = Guard("nothing_shipped", _nothing_shipped)
"""No unit of the order has shipped."""

ORDER_LIFECYCLE: Final = Lifecycle.build(
    "order",
    initial="draft",
    final=["completed", "canceled", "expired"],
    states=[
        State("draft", "Being put together; lines can be added freely."),
        State("quoted", "Sent to the customer as a quote, valid until a date; still editable."),
        State("placed", "Submitted by the customer, waiting for the seller."),
        State("confirmed", "Accepted by the seller; stock may be allocated."),
        State("released", "Released to the warehouse for picking, packing and shipping."),
        State("completed", "Every unit still on order was delivered.", final=True),
        State("canceled", "Canceled as a whole; unshipped stock was released.", final=True),
        State("expired", "A draft or quote that was never placed.", final=True),
    ],
    transitions=[
        ("send_quote", ["draft", "quoted"], "quoted", HAS_LINES),
        ("place", ["draft", "quoted"], "placed", HAS_LINES),
        ("expire", ["draft", "quoted"], "expired"),
        ("confirm", "placed", "confirmed"),
        ("release", "confirmed", "released", NOT_ON_HOLD),
        ("complete", "released", "completed", FULFILLED),
        (
            "cancel",
            ["draft", "quoted", "placed", "confirmed", "released"],
            "canceled",
            NOTHING_SHIPPED,
        ),
    ],
)
"""The default order lifecycle; extend it with ``ORDER_LIFECYCLE.insert_state(...)``."""
