"""Invoice lines from an order, by its invoice policy, never invoicing a unit twice.

:func:`invoice_lines_for_order` reads an :class:`~ordercycle.model.order.Order` and
returns the :class:`~ordercycle.invoicing.InvoiceLine` objects for everything its ledger
still allows to invoice:

| invoice policy | quantity invoiced on a line |
|---|---|
| `ordered` | all not canceled and not invoiced: ``ordered - canceled - (invoiced - credited)`` |
| `delivered` | the same, but at most ``delivered - invoiced``: what arrived and was not billed |

The function is pure: it changes nothing. Record the invoice on the order with
``order.record_invoice(invoice_id, result.quantity_map(), at=...)``; that raises the
ledger's ``invoiced`` counter, so the next call only returns what is left (partial
invoicing as shipments are delivered). Calling it twice without recording returns the
same lines twice, and the order refuses to record the second invoice.

Prices: each order line is billed at its unit price before discounts (the catalogue price,
or its override, whose reason the description names), and each of its discounts follows
as a discount line of its own (sku ``DISCOUNT``, same quantity and tax codes, a negative
unit price) naming its reason: see :func:`order_line_invoice_lines`. The invoice taxes
the goods line and its discount lines on their net, and their amounts add up to
``order_line.amount(quantity)`` (rounded half-up, as the order rounds) when the tax
profile rounds half-up.

>>> from datetime import UTC, datetime
>>> from ordercycle.model.address import Address
>>> from ordercycle.model.order import Order
>>> from ordercycle.model.order.lines import NewLine
>>> from ordercycle.money import Money
>>> at = datetime(2026, 1, 5, 9, tzinfo=UTC)
>>> home = Address(lines="1 Main St", city="Springfield", postal_code="62701", country="US")
>>> order, _ = Order.create("O-1", customer_id="C-1", currency="USD", shipping_address=home,
...     at=at, lines=[NewLine("L1", "MUG", 4, Money("9.50", "USD"), tax_code="VAT21")],
...     invoice_policy="ordered")
>>> result = invoice_lines_for_order(order)
>>> line = result.lines[0]
>>> line.sku, line.quantity, str(line.unit_price), line.tax_codes
('MUG', Decimal('4'), '9.50 USD', ('VAT21',))
>>> result.quantity_map()
{'L1': 4}
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import attrs

from ordercycle.errors import InvoicingError
from ordercycle.invoicing.errors import InvalidTaxError
from ordercycle.invoicing.invoice_line import InvoiceLine
from ordercycle.model.order import Order
from ordercycle.model.order.lines import OrderLine
from ordercycle.model.order.policies import InvoicePolicy

__all__ = [
    "DISCOUNT_SKU",
    "InvoiceQuantityError",
    "OrderInvoiceLines",
    "invoice_lines_for_order",
    "order_line_invoice_lines",
]


class InvoiceQuantityError(InvoicingError):
    """A quantity to invoice names an unknown order line or exceeds what may be invoiced.

    Attributes:
        order_id: The order.
        line_id: The order line asked for.
        requested: The quantity asked for.
        invoiceable: What the line still allows under the invoice policy (``None`` for an
            unknown line).
    """

    def __init__(
        self,
        message: str,
        *,
        order_id: str,
        line_id: object,
        requested: object,
        invoiceable: int | None,
    ) -> None:
        super().__init__(message)
        self.order_id = order_id
        self.line_id = line_id
        self.requested = requested
        self.invoiceable = invoiceable


@attrs.frozen
class OrderInvoiceLines:
    """The invoice lines for an order and the order-line quantities they bill.

    Attributes:
        order_id: The order.
        policy: The order's invoice policy when the lines were built.
        lines: For each order line with something to invoice, in order-line order, its
            goods line and then one discount line per discount.
        quantities: ``(order line id, units)`` for each order line invoiced, in the same
            order.
        line_ids: The order line of each of :attr:`lines` (a discount line's is the
            line it discounts).
    """

    order_id: str
    policy: InvoicePolicy
    lines: tuple[InvoiceLine, ...]
    quantities: tuple[tuple[str, int], ...]
    line_ids: tuple[str, ...] = attrs.field(default=(), kw_only=True)

    @property
    def is_empty(self) -> bool:
        """Whether nothing is left to invoice (then do not draft an invoice)."""
        return not self.lines

    def quantity_map(self) -> dict[str, int]:
        """``{order line id: units}``, as ``Order.record_invoice`` takes it."""
        return dict(self.quantities)


def invoice_lines_for_order(
    order: Order,
    *,
    quantities: Mapping[str, int] | None = None,
    tax_codes: Mapping[str, Sequence[str]] | None = None,
) -> OrderInvoiceLines:
    """Build the invoice lines for what ``order`` may still invoice under its policy.

    Args:
        order: The order; its ledger says what was already invoiced (and credited).
        quantities: Invoice at most these units (``{order line id: units}``) instead of
            everything invoiceable; lines not named are not invoiced.
        tax_codes: Maps an order line's ``tax_code`` (its tax category) to the codes of
            the invoice's tax profile. Without it, a non-empty ``tax_code`` is used as the
            one code and an empty one means no tax.

    Returns:
        The lines, possibly none (:attr:`OrderInvoiceLines.is_empty`).

    Raises:
        InvoiceQuantityError: ``quantities`` names an unknown line, or asks for a
            non-positive quantity or more than the line may still invoice.
        InvalidTaxError: ``tax_codes`` is given and lacks a line's tax category.
    """
    policy = order.invoice_policy
    wanted = _check_quantities(order, policy, quantities)
    lines: list[InvoiceLine] = []
    line_ids: list[str] = []
    billed: list[tuple[str, int]] = []
    for line in order.lines:
        room = line.ledger.invoiceable(policy)
        units = room if wanted is None else wanted.get(line.line_id, 0)
        if units <= 0:
            continue
        made = _invoice_line(order, line, units, _codes(order, line, tax_codes))
        lines.extend(made)
        line_ids.extend(line.line_id for _ in made)
        billed.append((line.line_id, units))
    return OrderInvoiceLines(
        str(order.id), policy, tuple(lines), tuple(billed), line_ids=tuple(line_ids)
    )


def _check_quantities(
    order: Order, policy: InvoicePolicy, quantities: Mapping[str, int] | None
) -> dict[str, int] | None:
    if quantities is None:
        return None
    known = {line.line_id: line for line in order.lines}
    subject = f"order {order.id}"
    for line_id, units in quantities.items():
        line = known.get(line_id)
        if line is None:
            raise InvoiceQuantityError(
                f"Cannot invoice line {line_id!r} of {subject}: no such line;"
                f" known lines: {', '.join(known) or 'none'}.",
                order_id=str(order.id),
                line_id=line_id,
                requested=units,
                invoiceable=None,
            )
        room = line.ledger.invoiceable(policy)
        if isinstance(units, bool) or not isinstance(units, int) or not 0 < units <= room:
            raise InvoiceQuantityError(
                f"Cannot invoice {units!r} units of line {line_id} of {subject}: expected a"
                f" whole number from 1 to {room} (what the {policy.value} invoice policy"
                " still allows: not yet invoiced"
                + (", delivered" if policy is InvoicePolicy.DELIVERED else ", not canceled")
                + ").",
                order_id=str(order.id),
                line_id=line_id,
                requested=units,
                invoiceable=room,
            )
    return dict(quantities)


def _codes(
    order: Order, line: OrderLine, tax_codes: Mapping[str, Sequence[str]] | None
) -> tuple[str, ...]:
    category = line.tax_code
    if tax_codes is None:
        return (category,) if category else ()
    found = tax_codes.get(category)
    if found is None:
        raise InvalidTaxError(
            f"No tax codes for tax category {category!r} of line {line.line_id} of order"
            f" {order.id}; known categories: {', '.join(map(repr, sorted(tax_codes))) or 'none'}."
        )
    return tuple(found)


def _invoice_line(
    order: Order, line: OrderLine, units: int, codes: tuple[str, ...]
) -> tuple[InvoiceLine, ...]:
    description = f"Order {order.id} line {line.line_id}"
    return order_line_invoice_lines(line, units, codes, description, f"order {order.id}")


#: The sku of a discount line on an invoice.
DISCOUNT_SKU = "DISCOUNT"


def order_line_invoice_lines(
    line: OrderLine, units: int, codes: Sequence[str], description: str, order: str
) -> tuple[InvoiceLine, ...]:
    """The goods line billing ``units`` of an order line, then one discount line per discount.

    The goods line bills the line's unit price before discounts (the catalogue price or
    its override, whose reason ``description`` is followed by); each discount becomes a
    line of its own (sku :data:`DISCOUNT_SKU`, the same quantity and tax codes, a negative
    unit price: what the discount takes off one unit) naming its reason and the order
    line. The invoice taxes them together on the net amount, which equals
    ``line.net_unit_price x units`` rounded (:func:`~ordercycle.invoicing.Invoice.draft`).

    Args:
        line: The order line.
        units: The units billed.
        codes: The tax codes of every line.
        description: The goods line's text (the price override is appended).
        order: The order, as the discount lines name it (``"order O-1"``).

    >>> from ordercycle.model.order.lines import Discount, NewLine
    >>> from ordercycle.money import Money
    >>> line = OrderLine.from_new(NewLine("L1", "MUG", 3, Money("9.50", "USD"),
    ...     discounts=(Discount.percent(10, reason="SPRING10"),)))
    >>> for item in order_line_invoice_lines(line, 3, ["VAT21"], "Mug", "order O-1"):
    ...     print(item.sku, item.quantity, item.unit_price, item.description)
    MUG 3 9.50 USD Mug
    DISCOUNT 3 -0.95 USD Discount on order O-1 line L1 (MUG): less 10 % (SPRING10)
    """
    if line.list_price is not None:
        description += f"; price {line.unit_price} instead of {line.list_price}"
        description += f" ({line.price_reason})"
    lines = [InvoiceLine(str(line.sku), description, units, line.unit_price, tuple(codes))]
    for discount, off in line.discount_steps:
        if not off.is_positive:
            continue  # nothing left to take off (an earlier discount took the whole price)
        lines.append(
            InvoiceLine(
                DISCOUNT_SKU,
                f"Discount on {order} line {line.line_id} ({line.sku}): {discount.terms()}",
                units,
                -off,
                tuple(codes),
                is_discount=True,
            )
        )
    return tuple(lines)
