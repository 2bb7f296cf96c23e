"""Read-only queries as JSON: the desk's reports reachable through ``execute_json``.

Beside the command table (:data:`~ordercycle.service.commands.COMMANDS`) sits a table of
queries, :data:`QUERIES`: each query is a small frozen class named by its JSON ``"type"``,
whose fields are the keyword arguments of one :class:`~ordercycle.service.OrderDesk` query
method (:attr:`Query.method`). ``desk.execute_json({"type": "ListOrders", ...})`` reads it
with the same checks as a command (an unknown field, a value of the wrong type or an
unknown type raises a typed error and nothing runs), calls that method and answers with a
:class:`~ordercycle.service.results.CommandResult` whose ``details`` is the JSON document
of the answer (:func:`document`). A query writes nothing: no command log entry, no outbox
message, no event.

>>> from ordercycle.service.queries import ListOrders, parse_query
>>> query = parse_query({"type": "ListOrders", "state": "confirmed", "limit": 2})
>>> query.method, query.arguments()["state"], query.arguments()["limit"]
('orders', 'confirmed', 2)
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, ClassVar

import attrs

from ordercycle.errors import SerializationError
from ordercycle.invoicing import DunningPolicy, LateInterestPolicy
from ordercycle.limits import load_json
from ordercycle.money import Money
from ordercycle.serialization import from_dict, to_dict
from ordercycle.service._command_table import COMMANDS
from ordercycle.service.errors import DuplicateCommandError, UnknownCommandError

__all__ = [
    "QUERIES",
    "GetCustomerHistory",
    "GetDaysSalesOutstanding",
    "GetOpenInvoiceIds",
    "GetOrderMoney",
    "GetOrderToCashReport",
    "GetStatement",
    "ListDunningNotices",
    "ListInvoices",
    "ListOrders",
    "Query",
    "document",
    "is_query",
    "parse_query",
]

#: JSON type name -> query class, filled as the classes below are defined.
QUERIES: dict[str, type[Query]] = {}


class Query:
    """Base of every query: a subclass registers itself in :data:`QUERIES` under its
    class name (its JSON ``"type"``) and names the desk method that answers it.

    Attributes:
        method: The :class:`~ordercycle.service.OrderDesk` method called with the query's
            fields as keyword arguments.
    """

    method: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # One JSON "type" space for commands and queries: a name means one thing.
        taken = COMMANDS.get(cls.__name__) or QUERIES.get(cls.__name__)
        same = (cls.__module__, cls.__qualname__)
        # attrs builds a slotted class again from the one defined: that one may replace it.
        if taken is not None and (taken.__module__, taken.__qualname__) != same:
            raise DuplicateCommandError(
                cls.__name__, f"{taken.__module__}.{taken.__qualname__}", cls.__qualname__
            )
        QUERIES[cls.__name__] = cls

    def arguments(self) -> dict[str, Any]:
        """The keyword arguments of :attr:`method`: the query's fields."""
        fields = attrs.fields(type(self))  # type: ignore[arg-type]
        return {field.name: getattr(self, field.name) for field in fields}


@attrs.frozen(kw_only=True)
class ListOrders(Query):
    """One page of orders (``desk.orders(...)``), oldest placed first."""

    method: ClassVar[str] = "orders"
    state: str | None = None
    customer_id: str | None = None
    channel: str | None = None
    sku: str | None = None
    placed_from: date | None = None
    placed_to: date | None = None
    limit: int = 50
    after: str | None = None


@attrs.frozen(kw_only=True)
class ListInvoices(Query):
    """One page of invoices (``desk.invoice_listings(...)``), earliest due first."""

    method: ClassVar[str] = "invoice_listings"
    customer_id: str | None = None
    state: str | None = None
    order_id: str | None = None
    due_from: date | None = None
    due_to: date | None = None
    limit: int = 50
    after: str | None = None


@attrs.frozen(kw_only=True)
class GetStatement(Query):
    """A customer's statement of account (``desk.statement(...)``)."""

    method: ClassVar[str] = "statement"
    customer_id: str
    start: date
    end: date


@attrs.frozen(kw_only=True)
class GetCustomerHistory(Query):
    """What a customer ordered, received, was billed and paid (``desk.customer_history``)."""

    method: ClassVar[str] = "customer_history"
    customer_id: str
    start: date
    end: date


@attrs.frozen(kw_only=True)
class GetOrderToCashReport(Query):
    """The order-to-cash KPIs of a period (``desk.order_to_cash_report(...)``)."""

    method: ClassVar[str] = "order_to_cash_report"
    start: date
    end: date
    promise_days: int = 4
    as_of: datetime | None = None


@attrs.frozen(kw_only=True)
class GetOrderMoney(Query):
    """An order's money reconciled with its invoices (``desk.order_money(...)``)."""

    method: ClassVar[str] = "order_money"
    order_id: str


@attrs.frozen(kw_only=True)
class GetOpenInvoiceIds(Query):
    """A customer's open invoices' ids, in order of issue (``desk.open_invoice_ids(...)``)."""

    method: ClassVar[str] = "open_invoice_ids"
    customer_id: str


@attrs.frozen(kw_only=True)
class ListDunningNotices(Query):
    """The reminders due (``desk.dunning_notices(...)``) under a dunning policy."""

    method: ClassVar[str] = "dunning_notices"
    policy: DunningPolicy
    as_of: date | None = None
    customer_id: str | None = None
    interest: LateInterestPolicy | None = None


@attrs.frozen(kw_only=True)
class GetDaysSalesOutstanding(Query):
    """Days sales outstanding (``desk.days_sales_outstanding(...)``)."""

    method: ClassVar[str] = "days_sales_outstanding"
    customer_id: str | None = None
    as_of: date | None = None
    period_days: int = 90


def is_query(data: object) -> bool:
    """Whether parsed JSON ``data`` is an object whose ``"type"`` names no command: a
    query, or an unknown type (which :func:`parse_query` refuses, naming both tables)."""
    if not isinstance(data, Mapping):
        return False
    kind = data.get("type")
    return isinstance(kind, str) and kind not in COMMANDS


def parse_query(text: str | bytes | Mapping[str, Any]) -> Query:
    """Read a query from JSON text (or parsed data) ``{"type": "ListOrders", ...}``.

    Raises:
        SerializationError: Not a JSON object with a ``"type"``, or a field is missing,
            unknown or of the wrong type (``message @ $.path``), as for commands.
        UnknownCommandError: ``"type"`` names neither a query nor a command.
    """
    data: Any = dict(text) if isinstance(text, Mapping) else load_json(text, "a query")
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        raise SerializationError(
            'Cannot read a query: expected a JSON object with a "type" naming a query.',
            problems=[("$.type", "missing or not a string")],
        )
    kind = data.pop("type")
    cls = QUERIES.get(kind)
    if cls is None:
        raise UnknownCommandError(kind, sorted({*COMMANDS, *QUERIES}))
    found: Query = from_dict(data, cls)
    return found


def document(query: Query, answer: object) -> dict[str, Any]:
    """The JSON document of the answer to ``query`` (only JSON types inside).

    Listings give ``items`` (one record each) and ``next_cursor``; reports with
    ``to_records()`` give ``records``; a tuple of values gives ``items``; a number gives
    ``value`` (a decimal as text, exact). Money is ``"12.30 USD"``, dates ISO 8601.
    """
    body: dict[str, Any]
    if hasattr(answer, "next_cursor"):
        body = {"items": answer.to_records(), "next_cursor": answer.next_cursor}  # type: ignore[attr-defined]
    elif hasattr(answer, "to_records"):
        body = {"records": answer.to_records()}
    elif isinstance(answer, tuple):
        body = {"items": [to_dict(item) for item in answer]}
    else:
        body = {"value": answer}
    body = {"query": type(query).__name__, **body}
    # One pass through json proves the document holds JSON types only.
    result: dict[str, Any] = json.loads(json.dumps(body, default=_json_value))
    return result


def _json_value(value: object) -> object:
    if isinstance(value, Decimal | Money):
        return str(value)
    if isinstance(value, date):  # datetimes too
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if attrs.has(type(value)):
        return to_dict(value)
    raise TypeError(f"{type(value).__name__} is not a JSON value")  # pragma: no cover
