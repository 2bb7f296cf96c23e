"""What the desk's listing queries return: one page of orders or invoices and a cursor.

``desk.orders(...)`` and ``desk.invoice_listings(...)`` answer from read models kept in
the same unit of work as the events (see :doc:`/explanation/projections`), never by
loading every aggregate. Each item is a small frozen summary; ask ``desk.order(id)`` or
``desk.invoice(id)`` for the whole aggregate. A page's :attr:`ListingPage.next_cursor` is
an opaque text to pass as ``after=`` for the next page (``None`` on the last page).
"""

from __future__ import annotations

import base64
import html
import json
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any, Generic, TypeVar

import attrs

from ordercycle.errors import MissingDependencyError, ValidationError
from ordercycle.money import Money

__all__ = ["InvoiceListing", "ListingPage", "OrderListing", "decode_cursor", "encode_cursor"]

T = TypeVar("T", "OrderListing", "InvoiceListing")

_CURSOR_PREFIX = "c1."


def encode_cursor(sort: str, key: str) -> str:
    """The opaque cursor after the row ``(sort, key)``.

    >>> decode_cursor(encode_cursor("2026-01-05", "O-1"))
    ('2026-01-05', 'O-1')
    """
    raw = json.dumps([sort, key], separators=(",", ":")).encode()
    return _CURSOR_PREFIX + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: object) -> tuple[str, str]:
    """The ``(sort, key)`` a cursor from :func:`encode_cursor` stands for.

    Raises:
        ValidationError: Not a cursor this desk made (``field`` ``"after"``).
    """
    expected = "a next_cursor from an earlier page (or None for the first page)"
    if not isinstance(cursor, str) or not cursor.startswith(_CURSOR_PREFIX):
        raise ValidationError.invalid("listing query", "after", cursor, expected)
    body = cursor[len(_CURSOR_PREFIX) :]
    try:
        data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except ValueError:
        raise ValidationError.invalid("listing query", "after", cursor, expected) from None
    if not (isinstance(data, list) and len(data) == 2 and all(isinstance(p, str) for p in data)):
        raise ValidationError.invalid("listing query", "after", cursor, expected)
    return (data[0], data[1])


def _money(data: dict[str, Any], field: str) -> Money:
    return Money(data[field], data["currency"])


def _date(text: object) -> date | None:
    return None if text is None else date.fromisoformat(str(text))


@attrs.frozen(kw_only=True)
class OrderListing:
    """One order as ``desk.orders(...)`` lists it.

    Attributes:
        order_id: The order.
        customer_id: Who ordered.
        channel: The sales channel.
        state: Its lifecycle state.
        placed_at: When it was placed (created on the desk).
        total: Its total (net of tax, as the order states it).
        units: Units ordered over all lines (canceled units excluded).
        skus: The products ordered, sorted.
        version: The order's version the listing was computed from.
    """

    order_id: str
    customer_id: str
    channel: str
    state: str
    placed_at: datetime
    total: Money
    units: int
    skus: tuple[str, ...]
    version: int

    @classmethod
    def from_data(cls, data: dict[str, Any], version: int) -> OrderListing:
        """The listing stored as ``data`` (see ``_views.order_row``)."""
        return cls(
            order_id=data["order_id"],
            customer_id=data["customer_id"],
            channel=data["channel"],
            state=data["state"],
            placed_at=datetime.fromisoformat(data["placed_at"]),
            total=_money(data, "total"),
            units=int(data["units"]),
            skus=tuple(data["skus"]),
            version=version,
        )

    def to_record(self) -> dict[str, Any]:
        """A flat record (amounts as ``Decimal``, the currency beside them)."""
        return {
            "order_id": self.order_id,
            "customer_id": self.customer_id,
            "channel": self.channel,
            "state": self.state,
            "placed_at": self.placed_at,
            "total": self.total.amount,
            "currency": self.total.currency.code,
            "units": self.units,
            "skus": ",".join(self.skus),
        }


@attrs.frozen(kw_only=True)
class InvoiceListing:
    """One invoice as ``desk.invoice_listings(...)`` lists it.

    Attributes:
        invoice_id: The invoice's id.
        number: Its printed number (``None`` before it is issued).
        order_id: The order it bills.
        customer_id: The customer billed.
        state: Its lifecycle state.
        invoice_date: Its date.
        due_date: When the last installment is due (``None`` before it is issued).
        total: Its total, tax included.
        balance: What is still owed.
        version: The invoice's version the listing was computed from.
    """

    invoice_id: str
    number: str | None
    order_id: str
    customer_id: str
    state: str
    invoice_date: date
    due_date: date | None
    total: Money
    balance: Money
    version: int

    @classmethod
    def from_data(cls, data: dict[str, Any], version: int) -> InvoiceListing:
        """The listing stored as ``data`` (see ``_views.invoice_row``)."""
        return cls(
            invoice_id=data["invoice_id"],
            number=data["number"],
            order_id=data["order_id"],
            customer_id=data["customer_id"],
            state=data["state"],
            invoice_date=date.fromisoformat(data["invoice_date"]),
            due_date=_date(data["due_date"]),
            total=_money(data, "total"),
            balance=_money(data, "balance"),
            version=version,
        )

    def to_record(self) -> dict[str, Any]:
        """A flat record (amounts as ``Decimal``, the currency beside them)."""
        return {
            "invoice_id": self.invoice_id,
            "number": self.number,
            "order_id": self.order_id,
            "customer_id": self.customer_id,
            "state": self.state,
            "invoice_date": self.invoice_date,
            "due_date": self.due_date,
            "total": self.total.amount,
            "balance": self.balance.amount,
            "currency": self.total.currency.code,
        }


@attrs.frozen
class ListingPage(Generic[T]):
    """One page of a listing query.

    Attributes:
        items: The orders or invoices of this page, in listing order.
        next_cursor: Pass it as ``after=`` for the next page; ``None`` when this page is
            the last.
    """

    items: tuple[T, ...]
    next_cursor: str | None

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def to_records(self) -> list[dict[str, Any]]:
        """One flat record per item."""
        return [item.to_record() for item in self.items]

    def to_pandas(self) -> Any:
        """:meth:`to_records` as a :class:`pandas.DataFrame` (needs ``ordercycle[sim]``)."""
        try:
            import pandas as pd
        except ImportError:  # pragma: no cover - pandas is installed in CI
            raise MissingDependencyError("ListingPage.to_pandas", "pandas", "sim") from None
        return pd.DataFrame(self.to_records())

    def _repr_html_(self) -> str:
        records = self.to_records()
        if not records:
            return "<p>No rows.</p>"
        head = "".join(f"<th>{html.escape(name)}</th>" for name in records[0])
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in r.values()) + "</tr>"
            for r in records
        )
        more = "" if self.next_cursor is None else "<p>More rows: pass next_cursor as after=.</p>"
        return f"<table><tr>{head}</tr>{body}</table>{more}"
