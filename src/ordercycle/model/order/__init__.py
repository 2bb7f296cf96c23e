"""The order aggregate: an immutable :class:`Order` whose commands return events.

One module per idea:

* :mod:`~ordercycle.model.order.aggregate`: :class:`Order`, its commands, queries and
  :meth:`Order.replay`; the one place where an order's data changes;
* :mod:`~ordercycle.model.order.ledger`: :class:`LineLedger`, the per-line quantity ledger,
  and its conservation :data:`LAWS`;
* :mod:`~ordercycle.model.order.lines`: :class:`NewLine`, :class:`OrderLine`,
  :class:`Discount` and the functions on an order's lines;
* :mod:`~ordercycle.model.order.changes`: change sets and the edit rules;
* :mod:`~ordercycle.model.order.events`: the events an order records;
* :mod:`~ordercycle.model.order.lifecycle`: :data:`ORDER_LIFECYCLE` and its guards;
* :mod:`~ordercycle.model.order.commands`: where each command is allowed;
* :mod:`~ordercycle.model.order.holds`, :mod:`~ordercycle.model.order.returns`,
  :mod:`~ordercycle.model.order.billing`: holds, returns (RMA) and billing records;
* :mod:`~ordercycle.model.order.policies`: the small enums an order is configured with;
* :mod:`~ordercycle.model.order.status`: statuses derived from the ledgers;
* :mod:`~ordercycle.model.order.report`: the ledger as a text table;
* :mod:`~ordercycle.model.order.errors`: the typed errors.

>>> from ordercycle.model.order import Order, NewLine
"""

from __future__ import annotations

from ordercycle.model.order.aggregate import Order, OrderOutcome
from ordercycle.model.order.billing import BillingDocument, OrderPayment
from ordercycle.model.order.changes import (
    AddLine,
    ChangeAddress,
    ChangePrice,
    ChangeQuantity,
    OrderChange,
    RemoveLine,
)
from ordercycle.model.order.commands import COMMAND_STATES, HELD_COMMANDS
from ordercycle.model.order.errors import (
    ChangeNotAllowedError,
    CommandNotAllowedError,
    DuplicateLineError,
    EventHistoryError,
    LedgerLawError,
    OrderCommandError,
    OrderCurrencyError,
    QuantityNotAvailableError,
    QuoteExpiredError,
    UnknownHoldError,
    UnknownLineError,
    UnknownReturnError,
)
from ordercycle.model.order.events import OrderEvent
from ordercycle.model.order.holds import Hold
from ordercycle.model.order.ledger import LAWS, LedgerLaw, LineLedger, Release
from ordercycle.model.order.lifecycle import ORDER_LIFECYCLE
from ordercycle.model.order.lines import Discount, LineRelease, NewLine, OrderLine
from ordercycle.model.order.policies import (
    AddressKind,
    HoldReason,
    InvoicePolicy,
    Priority,
    ReturnCondition,
    ReturnStatus,
    ShippingPolicy,
)
from ordercycle.model.order.returns import ReturnAuthorization
from ordercycle.model.order.status import BillingStatus, FulfilmentStatus, PaymentStatus

__all__ = [
    "COMMAND_STATES",
    "HELD_COMMANDS",
    "LAWS",
    "ORDER_LIFECYCLE",
    "AddLine",
    "AddressKind",
    "BillingDocument",
    "BillingStatus",
    "ChangeAddress",
    "ChangeNotAllowedError",
    "ChangePrice",
    "ChangeQuantity",
    "CommandNotAllowedError",
    "Discount",
    "DuplicateLineError",
    "EventHistoryError",
    "FulfilmentStatus",
    "Hold",
    "HoldReason",
    "InvoicePolicy",
    "LedgerLaw",
    "LedgerLawError",
    "LineLedger",
    "LineRelease",
    "NewLine",
    "Order",
    "OrderChange",
    "OrderCommandError",
    "OrderCurrencyError",
    "OrderEvent",
    "OrderLine",
    "OrderOutcome",
    "OrderPayment",
    "PaymentStatus",
    "Priority",
    "QuantityNotAvailableError",
    "QuoteExpiredError",
    "Release",
    "RemoveLine",
    "ReturnAuthorization",
    "ReturnCondition",
    "ReturnStatus",
    "ShippingPolicy",
    "UnknownHoldError",
    "UnknownLineError",
    "UnknownReturnError",
]
