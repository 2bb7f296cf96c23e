"""The order-to-cash application service: :class:`OrderDesk` over storage ports.

>>> from ordercycle.service import OrderDesk
>>> desk = OrderDesk.in_memory()
>>> desk.order_ids()
()
"""

from __future__ import annotations

from ordercycle.service.commands import (
    COMMANDS,
    AllocateOrder,
    AuthorizeReturn,
    CancelOrder,
    Command,
    ConfirmOrder,
    ConfirmPicks,
    DeliverShipment,
    HoldOrder,
    InvoiceOrder,
    IssueCreditNote,
    OrderItem,
    PackOrder,
    PlaceOrder,
    ReceiveReturn,
    ReceiveStock,
    RecordPayment,
    RegisterCustomer,
    RegisterProduct,
    ReleaseHold,
    ReleaseWave,
    RequestReturn,
    ShipShipment,
    Shortage,
    command_payload,
    parse_command,
)
from ordercycle.service.desk import OrderDesk
from ordercycle.service.errors import (
    CommandPayloadMismatchError,
    DeskCommandError,
    UnknownAggregateError,
    UnknownCommandError,
    UnknownTaxProfileError,
)
from ordercycle.service.records import (
    Account,
    CatalogueEntry,
    Parcel,
    PickLine,
    PickList,
    Shipment,
    ShipmentLine,
)
from ordercycle.service.results import CommandResult
from ordercycle.service.settings import DeskSettings

__all__ = [
    "COMMANDS",
    "Account",
    "AllocateOrder",
    "AuthorizeReturn",
    "CancelOrder",
    "CatalogueEntry",
    "Command",
    "CommandPayloadMismatchError",
    "CommandResult",
    "ConfirmOrder",
    "ConfirmPicks",
    "DeliverShipment",
    "DeskCommandError",
    "DeskSettings",
    "HoldOrder",
    "InvoiceOrder",
    "IssueCreditNote",
    "OrderDesk",
    "OrderItem",
    "PackOrder",
    "Parcel",
    "PickLine",
    "PickList",
    "PlaceOrder",
    "ReceiveReturn",
    "ReceiveStock",
    "RecordPayment",
    "RegisterCustomer",
    "RegisterProduct",
    "ReleaseHold",
    "ReleaseWave",
    "RequestReturn",
    "ShipShipment",
    "Shipment",
    "ShipmentLine",
    "Shortage",
    "UnknownAggregateError",
    "UnknownCommandError",
    "UnknownTaxProfileError",
    "command_payload",
    "parse_command",
]
