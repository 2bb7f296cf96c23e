"""The desk's read models: order and invoice listings, kept with the events that change them.

Every time a session saves an order or an invoice it also puts that aggregate's row in
its view (``orders``, ``invoices``), in the same unit of work (see
:class:`~ordercycle.storage.ports.Projections`): a reader sees a row exactly when it sees
the events behind it. :func:`rebuild` recomputes both views from the event log; the desk
runs it once on a database whose views were never built (one written before they
existed), which it knows by a marker row carrying :data:`VIEWS_VERSION`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from typing import Any, Protocol, cast

from ordercycle._memo import remember_for
from ordercycle.errors import StorageError, ValidationError
from ordercycle.invoicing import Invoice, InvoiceLine, Payment, PaymentTerms, TaxProfile
from ordercycle.model.order import Order
from ordercycle.packing import Shipment
from ordercycle.serialization import CanonicalText, make_converter, to_dict
from ordercycle.service.records import OpenOrder
from ordercycle.storage.ports import Projections, UnitOfWork
from ordercycle.storage.records import canonical_json, remember_written
from ordercycle.storage.views import MAX_VIEW_PAGE, ViewQuery, ViewRow, sort_text


class Reads(Protocol):
    """What :func:`rebuild` reads through (the desk's ``Session`` has it)."""

    @property
    def uow(self) -> UnitOfWork:
        """The unit of work."""
        ...

    def order_ids(self) -> Sequence[str]:
        """Every order id."""
        ...

    def order(self, order_id: str) -> Order:
        """An order."""
        ...

    def ids_of(self, kind: str) -> Sequence[str]:
        """Every id of a kind."""
        ...

    def invoice(self, invoice_id: str) -> tuple[Invoice, Any]:
        """An invoice and what the desk knows about it (``.order_id``)."""
        ...

    def record(self, kind: str, key: str, cls: type[Any]) -> Any:
        """A desk record's state."""
        ...

    def record_version(self, kind: str, key: str) -> int:
        """A desk record's version."""
        ...


__all__ = [
    "INVOICES",
    "OPEN_ORDERS",
    "ORDERS",
    "VIEWS_VERSION",
    "OrderRows",
    "Reads",
    "all_rows",
    "built",
    "day_start",
    "invoice_data",
    "invoice_row",
    "invoice_snapshot",
    "listing_query",
    "order_row",
    "projections",
    "query",
    "rebuild",
    "record_row",
]

ORDERS, INVOICES, META = "orders", "invoices", "ordercycle.views"
PAYMENTS, SHIPMENTS = "payments", "shipments"
#: The customers' open orders: one row per order that ever was open, carrying the term
#: ``("customer", id)`` while it is open (see :class:`~ordercycle.service.records.OpenOrder`).
OPEN_ORDERS = "open_orders"

#: How ``json.dumps`` writes a string (it escapes to ASCII by default): the rows' data is
#: written field by field with it (see ``_data_around_state`` and :func:`invoice_data`).
_QUOTE = json.encoder.encode_basestring_ascii

#: Raised when what a row holds changes: a database with an older marker is rebuilt.
VIEWS_VERSION = 1


def projections(uow: UnitOfWork) -> Projections | None:
    """The unit of work's read models, or ``None`` for an adapter without them."""
    # What ``isinstance(uow, Projecting)`` checks (the attribute is there), without the
    # protocol check's cost: it recomputes the protocol's members on every call, and a
    # session asks once per saved aggregate.
    views = getattr(uow, "projections", None)
    return cast("Projections | None", views)


_new = object.__new__
#: The setters of ViewRow's slots, by name in the order _row unpacks them: what
#: ``object.__setattr__(row, name, value)`` ends in, without looking the name up each time
#: (the desk makes several rows per command).
_ROW_SETTERS = tuple(
    ViewRow.__dict__[name].__set__ for name in ("view", "key", "version", "sort", "terms", "data")
)


def _row(
    view: str,
    key: str,
    version: int,
    sort: str,
    terms: tuple[tuple[str, str], ...],
    data: str,
) -> ViewRow:
    """A row of values this module built and knows valid, without ViewRow's checks.

    :class:`ViewRow` checks every text, normalises the terms and decodes its JSON again,
    the right thing for rows from outside; the desk builds several rows per command from
    an aggregate it has just checked (ids, ``sort_text``, ``json.dumps``), and writes
    their ``terms`` as the converter leaves them: sorted, without repeats (each caller
    says why its terms are). ``tests/unit/service/test_views_rows.py`` proves the result
    equal to the checked constructor's.
    """
    row = _new(ViewRow)
    # A frozen attrs class: fields are set once, here, as its own __init__ would.
    set_view, set_key, set_version, set_sort, set_terms, set_data = _ROW_SETTERS
    set_view(row, view)
    set_key(row, key)
    set_version(row, version)
    set_sort(row, sort)
    set_terms(row, terms)
    set_data(row, data)
    return row


def order_row(order: Order) -> ViewRow:
    """The ``orders`` row of an order: found by state, customer, channel and sku."""
    return _Parts(order).row(str(order.id), order.version)


def _data_around_state(
    *,
    order_id: str,
    customer_id: str,
    channel: str,
    placed_at: str,
    currency: str,
    total: str,
    units: int,
    skus: Sequence[str],
) -> tuple[str, str]:
    """The ``data`` of an ``orders`` row before and after the state's value (an order
    changes state several times with the same lines, and only that value changes).

    With the state's value between them, the text ``json.dumps(..., sort_keys=True)``
    writes for a dict of these keys and ``state`` (sorted, ASCII, the default separators),
    written field by field without building and sorting the dict (several rows per order;
    ``tests/unit/service/test_views_rows.py`` compares the two on any text)."""
    q = _QUOTE
    return (
        f'{{"channel": {q(channel)}, "currency": {q(currency)}, "customer_id": {q(customer_id)},'
        f' "order_id": {q(order_id)}, "placed_at": {q(placed_at)},'
        f' "skus": [{", ".join([q(sku) for sku in skus])}], "state": ',
        f', "total": {q(total)}, "units": {int.__repr__(units)}}}',
    )


class _Parts:
    """What an order's ``orders`` row is made of, apart from its key and version; and,
    for :class:`OrderRows`, what decided it (``head``, ``lines``).

    Everything but the state's term and value comes from the order's header and its lines
    (the skus still on order, the total and the units on order), so :meth:`restate` makes
    the row of a new state of the same lines from the parts kept here.
    """

    __slots__ = ("after", "before", "common", "data", "head", "lines", "sort", "state", "terms")

    def __init__(
        self, order: Order, head: tuple[Any, ...] = (), lines: list[Any] | None = None
    ) -> None:
        self.head = head
        self.lines = lines
        lines_on_order = [line for line in order.lines if line.ledger.active]
        skus = tuple(sorted({str(line.sku) for line in lines_on_order}))
        total = order.total
        customer_id = str(order.customer_id)
        self.sort = sort_text(order.created_at)
        # The terms but the state's, sorted and without repeats as they are written: the
        # fields in this order, the skus sorted and distinct; ``state`` sorts after them.
        self.common = (
            ("channel", order.channel),
            ("customer", customer_id),
            *(("sku", sku) for sku in skus),
        )
        self.before, self.after = _data_around_state(
            order_id=str(order.id),
            customer_id=customer_id,
            channel=order.channel,
            placed_at=order.created_at.isoformat(),
            currency=total.currency.code,
            total=str(total.amount),
            units=sum(line.ledger.active for line in lines_on_order),
            skus=skus,
        )
        self.restate(order.state)

    def restate(self, state: str) -> None:
        """Make the parts those of the same order in ``state``."""
        self.state = state
        self.terms = (*self.common, ("state", state))
        self.data = self.before + _QUOTE(state) + self.after

    def row(self, key: str, version: int) -> ViewRow:
        """The row of these parts at ``key`` and ``version``."""
        return _row(ORDERS, key, version, self.sort, self.terms, self.data)


class OrderRows:
    """:func:`order_row`, remembering per order the parts its header, state and lines decide.

    A session puts an order's row each time it saves the order, several times per command,
    and most changes (a pick, a pack, a shipment, an invoice) change neither the state nor
    what is on order. When the header (customer, channel, time, currency) and every line's
    id, sku, price, discounts and units on order are equal to those of the order's last
    row, its parts are reused (see :class:`_Parts`): as they are for the same state, with
    the new state's term and value for another. Otherwise the row is built afresh. The
    result equals :func:`order_row` (``tests/unit/service/test_views_rows.py`` checks it).

    Args:
        limit: The most orders remembered (all are forgotten when it is reached).
    """

    def __init__(self, limit: int = 50_000) -> None:
        self._limit = limit
        self._parts: dict[str, _Parts] = {}

    def forget(self, order_id: str) -> None:
        """Drop what is remembered of ``order_id`` (a finished order a run forgot)."""
        self._parts.pop(order_id, None)

    def row(self, order: Order) -> ViewRow:
        """The ``orders`` row of ``order`` (see :func:`order_row`)."""
        head = (order.customer_id, order.channel, order.created_at, order.currency)
        # (A list: built without a generator, compared as the tuple was.)
        lines = [
            (line.line_id, line.sku, line.unit_price, line.discounts, line.ledger.active)
            for line in order.lines
        ]
        key = str(order.id)
        known = self._parts.get(key)
        if known is not None and known.head == head and known.lines == lines:
            state = order.state
            if known.state != state:
                # A new state of the same lines (placed, confirmed, released, completed).
                known.restate(state)
            return known.row(key, order.version)
        parts = _Parts(order, head, lines)
        if len(self._parts) >= self._limit:
            self._parts.clear()
        self._parts[key] = parts
        return parts.row(key, order.version)


def invoice_row(invoice: Invoice, order_id: str) -> ViewRow:
    """The ``invoices`` row: found by customer, state and order; sorted by due date."""
    due = invoice.schedule.final_due_date if invoice.schedule is not None else None
    # An invoice's dates are plain dates (``check_date``), whose sort text is their ISO
    # text: sort_text keeps the texts of the dates it has seen, isoformat makes them anew.
    invoice_date = sort_text(invoice.invoice_date)
    due_date = None if due is None else sort_text(due)
    return _row(
        INVOICES,
        invoice.invoice_id,
        invoice.version,
        invoice_date if due_date is None else due_date,
        # Three different names, already in order: sorted and without repeats.
        (
            ("customer", invoice.customer_id),
            ("order", order_id),
            ("state", invoice.state),
        ),
        invoice_data(
            balance=str(invoice.balance.amount),
            currency=invoice.currency.code,
            customer_id=invoice.customer_id,
            due_date=due_date,
            invoice_date=invoice_date,
            invoice_id=invoice.invoice_id,
            number=invoice.number,
            order_id=order_id,
            state=invoice.state,
            total=str(invoice.total.amount),
        ),
    )


def invoice_data(
    *,
    balance: str,
    currency: str,
    customer_id: str,
    due_date: str | None,
    invoice_date: str,
    invoice_id: str,
    number: str | None,
    order_id: str,
    state: str,
    total: str,
) -> str:
    """The ``data`` of an ``invoices`` row: the text ``json.dumps`` writes for a dict of
    these keys in this (sorted) order, written field by field without building the dict
    and encoding it (a row is written at every save of an invoice, twice or more per
    invoice; ``tests/unit/service/test_views_rows.py`` compares the two on any text)."""
    q = _QUOTE
    return (
        f'{{"balance": {q(balance)}, "currency": {q(currency)}, "customer_id": {q(customer_id)},'
        f' "due_date": {"null" if due_date is None else q(due_date)},'
        f' "invoice_date": {q(invoice_date)}, "invoice_id": {q(invoice_id)},'
        f' "number": {"null" if number is None else q(number)}, "order_id": {q(order_id)},'
        f' "state": {q(state)}, "total": {q(total)}}}'
    )


#: What invoice snapshots are written with: a converter as the library's default one
#: (``make_converter`` configures it the same way), except that the data of a tax profile
#: or of payment terms is remembered by the object's identity. Every invoice holds one of
#: each, twice (in itself and in its ``InvoiceDrafted`` event), and a desk's invoices share
#: the few objects its settings hold: both are frozen, so their data never changes.
_SNAPSHOTS = make_converter()
#: Remembered data: object id -> (the object, its data), at most ``SHARED_KEPT`` of them. The
#: object is kept with its data, so an id reused by another object does not match.
_SHARED: dict[int, tuple[object, Any]] = {}
SHARED_KEPT = 64


def _remembered(cls: type) -> Callable[[Any], Any]:
    make = _SNAPSHOTS.get_unstructure_hook(cls)

    def unstructure(value: Any) -> Any:
        # The same dict for every snapshot: it is only read, as canonical_json writes it.
        return remember_for(_SHARED, SHARED_KEPT, value, make)

    return unstructure


for _shared in (TaxProfile, PaymentTerms):
    _SNAPSHOTS.register_unstructure_hook(_shared, _remembered(_shared))


#: The snapshot's invoice written as text straight from the invoice (see ``CanonicalText``),
#: by the snapshot converter. The text of tax profiles and payment terms is kept by identity
#: as their data is (``_SHARED``), and so is that of an invoice's lines: the invoice and
#: its ``InvoiceDrafted`` event hold the same tuple. All three are frozen.
_SNAPSHOT_TEXT = CanonicalText(
    _SNAPSHOTS, canonical_json, shared=(TaxProfile, PaymentTerms, tuple[InvoiceLine, ...])
)


def invoice_snapshot(invoice: Invoice, order_id: str, line_ids: Sequence[str]) -> str:
    """The payload of an invoice's snapshot: the desk's ``InvoiceMeta`` (``order_id``,
    ``line_ids``) and the invoice's data, as canonical JSON.

    The text ``canonical_json`` writes for ``{"order_id": ..., "line_ids": [...],
    "invoice": to_dict(invoice)}``, written from the invoice without building that data
    (about half the cost); an invoice it cannot write that way (a field holding what it
    must not) goes the plain way, which raises the library's error.
    """
    try:
        text = _SNAPSHOT_TEXT
        written = (
            f'{{"invoice":{text.text(invoice, Invoice)},'
            f'"line_ids":{text.raw(list(line_ids))},"order_id":{text.raw(order_id)}}}'
        )
    except Exception:
        return _plain_snapshot(invoice, order_id, line_ids)
    return remember_written(written)


def _plain_snapshot(invoice: Invoice, order_id: str, line_ids: Sequence[str]) -> str:
    """The snapshot's text from the invoice's data (what ``invoice_snapshot`` writes)."""
    return canonical_json(
        {
            "order_id": order_id,
            "line_ids": list(line_ids),
            "invoice": to_dict(invoice, converter=_SNAPSHOTS),
        }
    )


def _key_data(name: str, key: str) -> str:
    """``json.dumps({name: key})`` (``name`` a plain ASCII word), without the encoder: the
    data of a record's row (a payment, a shipment, an open order), written at every save."""
    return f'{{"{name}": {_QUOTE(key)}}}'


def record_row(kind: str, key: str, state: object, version: int) -> ViewRow | None:
    """The row of a desk record: payments by customer, shipments by order (else ``None``)."""
    # Each row's terms are one pair, none, or two of different names in order: sorted and
    # without repeats.
    if kind == "payment" and isinstance(state, Payment):
        return _row(
            PAYMENTS,
            key,
            version,
            sort_text(state.paid_on),
            (("customer", state.customer_id),),
            _key_data("payment_id", key),
        )
    if kind == "shipment" and isinstance(state, Shipment):
        return _row(
            SHIPMENTS,
            key,
            version,
            sort_text(state.packed_at),
            (("order", state.order_id), ("status", state.status)),
            _key_data("shipment_id", key),
        )
    if kind == "open_order" and isinstance(state, OpenOrder):
        return _row(
            OPEN_ORDERS,
            key,
            version,
            sort_text(state.since),
            (("customer", state.customer_id),) if state.open else (),
            _key_data("order_id", key),
        )
    return None


def built(uow: UnitOfWork) -> bool:
    """Whether the views of this storage were built at :data:`VIEWS_VERSION`.

    Raises:
        StorageError: The storage keeps no read models.
    """
    views = _require(uow)
    marker = views.get(META, "listings")
    return marker is not None and marker.version >= VIEWS_VERSION


def rebuild(session: Reads) -> tuple[int, int]:
    """Recompute the desk's views (orders, invoices, payments, shipments, open orders) from
    the event log.

    Runs in the session's (writing) unit of work; on SQLite and PostgreSQL it takes the
    write lock first, so no command commits between its reads and its rows.

    Returns:
        ``(orders, invoices)``: how many rows each view holds now.
    """
    uow = session.uow
    views = _require(uow)
    claim = getattr(uow.outbox, "claim", None)
    if claim is not None:
        claim(META)  # the write lock, before anything is read
    for view in (ORDERS, INVOICES, PAYMENTS, SHIPMENTS, OPEN_ORDERS):
        views.clear(view)
    orders = session.order_ids()
    for order_id in orders:
        views.put(order_row(session.order(order_id)))
    invoices = session.ids_of("invoice")
    for invoice_id in invoices:
        invoice, meta = session.invoice(invoice_id)
        views.put(invoice_row(invoice, meta.order_id))
    records: tuple[tuple[str, type[Any]], ...] = (
        ("payment", Payment),
        ("shipment", Shipment),
        ("open_order", OpenOrder),
    )
    for kind, cls in records:
        for key in session.ids_of(kind):
            row = record_row(
                kind, key, session.record(kind, key, cls), session.record_version(kind, key)
            )
            if row is not None:
                views.put(row)
    views.put(ViewRow(view=META, key="listings", version=VIEWS_VERSION, sort=""))
    return len(orders), len(invoices)


def query(uow: UnitOfWork, wanted: ViewQuery) -> tuple[ViewRow, ...]:
    """The rows answering ``wanted``.

    Raises:
        StorageError: The storage keeps no read models.
    """
    return _require(uow).find(wanted)


def all_rows(
    uow: UnitOfWork,
    view: str,
    where: tuple[tuple[str, str], ...],
    low: str | None,
    high: str | None,
) -> Iterator[ViewRow]:
    """Every row of a view answering the filters, read page by page.

    Raises:
        StorageError: The storage keeps no read models.
    """
    after: tuple[str, str] | None = None
    while True:
        page = query(
            uow,
            ViewQuery(
                view=view,
                where=where,
                sort_from=low,
                sort_to=high,
                after=after,
                limit=MAX_VIEW_PAGE,
            ),
        )
        yield from page
        if len(page) < MAX_VIEW_PAGE:
            return
        after = (page[-1].sort, page[-1].key)


def day_start(value: object, field: str) -> str | None:
    """The sort text of a bound: a date is the start of that day (UTC).

    Raises:
        ValidationError: Not a date, a datetime or ``None``, or a naive datetime.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValidationError.invalid(
                "listing query", field, value, "a date or a timezone-aware datetime"
            )
        return sort_text(value)
    if isinstance(value, date):
        return value.isoformat()
    raise ValidationError.invalid("listing query", field, value, "a date or a datetime")


def _require(uow: UnitOfWork) -> Projections:
    views = projections(uow)
    if views is None:
        raise StorageError(
            f"The storage behind {uow!r} keeps no read models: listing queries need a unit"
            " of work with `projections` (see ordercycle.storage.ports.Projections)."
        )
    return views


#: The most items one listing page may ask for.
MAX_PAGE = 500


def listing_query(
    view: str,
    filters: Sequence[tuple[str, str, object]],
    bounds: tuple[tuple[str, object], tuple[str, object]],
    limit: object,
    after: object,
) -> ViewQuery:
    """The view query of a desk listing (one more row than the page, to know if more follow).

    ``filters`` are ``(term field, argument name, value)`` with the most selective first;
    ``None`` values are left out. ``bounds`` are the ``(name, value)`` of the lower
    (inclusive) and upper (exclusive) bound.

    Raises:
        ValidationError: A filter that is not a non-empty string, a bad bound, a limit
            outside 1 to :data:`MAX_PAGE`, or a cursor this desk did not make.
    """
    from ordercycle.service.listings import decode_cursor

    where: list[tuple[str, str]] = []
    for field, name, value in filters:
        if value is None:
            continue
        if not isinstance(value, str) or not value or value != value.strip():
            raise ValidationError.invalid(
                "listing query", name, value, "None or a non-empty string without padding"
            )
        where.append((field, value))
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_PAGE:
        raise ValidationError.invalid(
            "listing query", "limit", limit, f"an integer from 1 to {MAX_PAGE}"
        )
    (low_name, low), (high_name, high) = bounds
    return ViewQuery(
        view=view,
        where=tuple(where),
        sort_from=day_start(low, low_name),
        sort_to=day_start(high, high_name),
        after=None if after is None else decode_cursor(after),
        limit=limit + 1,
    )
