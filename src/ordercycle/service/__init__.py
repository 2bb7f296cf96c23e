"""The order-to-cash application service: :class:`OrderDesk` over storage ports.

>>> from ordercycle.service import OrderDesk
>>> desk = OrderDesk.in_memory()
>>> desk.order_ids()
()

Commands are values in :mod:`ordercycle.service.commands`, the one place to import them
from (``from ordercycle.service.commands import PlaceOrder``); each also has a method on
the desk named after it (``desk.place_order(...)``).
"""

from __future__ import annotations

from ordercycle.service.desk import OrderDesk
from ordercycle.service.errors import (
    CommandHandlerError,
    CommandPayloadMismatchError,
    DeskCommandError,
    DuplicateCommandError,
    PromotionRefusedError,
    UnknownAggregateError,
    UnknownCommandError,
    UnknownTaxProfileError,
)
from ordercycle.service.history import CustomerHistory, ProductVolume
from ordercycle.service.listings import InvoiceListing, ListingPage, OrderListing
from ordercycle.service.metrics import CashPeriod, KpiValue, OrderToCashReport
from ordercycle.service.order_money import OrderMoney
from ordercycle.service.records import (
    Account,
    CatalogueEntry,
    Promotion,
    PromotionUse,
)
from ordercycle.service.results import CommandResult
from ordercycle.service.settings import DeskSettings
from ordercycle.service.statements import Statement, StatementEntry

__all__ = [
    "Account",
    "CashPeriod",
    "CatalogueEntry",
    "CommandHandlerError",
    "CommandPayloadMismatchError",
    "CommandResult",
    "CustomerHistory",
    "DeskCommandError",
    "DeskSettings",
    "DuplicateCommandError",
    "InvoiceListing",
    "KpiValue",
    "ListingPage",
    "OrderDesk",
    "OrderListing",
    "OrderMoney",
    "OrderToCashReport",
    "ProductVolume",
    "Promotion",
    "PromotionRefusedError",
    "PromotionUse",
    "Statement",
    "StatementEntry",
    "UnknownAggregateError",
    "UnknownCommandError",
    "UnknownTaxProfileError",
]
