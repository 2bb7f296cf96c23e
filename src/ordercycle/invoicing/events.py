"""Immutable events recorded by invoices.

Every event subclasses :class:`ordercycle.model.events.DomainEvent` through
:class:`InvoiceEvent`, so it carries ``aggregate_id`` (the invoice id), ``version`` and
``occurred_at``, and is registered for serialization.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any, TypeVar

import attrs

from ordercycle.invoicing.invoice_line import InvoiceLine
from ordercycle.invoicing.taxes import TaxProfile
from ordercycle.invoicing.terms import PaymentTerms
from ordercycle.model._trusted import event_maker
from ordercycle.model.events import DomainEvent
from ordercycle.money import Money

_E = TypeVar("_E", bound=DomainEvent)

__all__ = [
    "CreditNoteIssued",
    "InvoiceCanceled",
    "InvoiceDrafted",
    "InvoiceEvent",
    "InvoiceIssued",
    "PaymentApplied",
    "PaymentUnapplied",
]


@attrs.frozen(kw_only=True)
class InvoiceEvent(DomainEvent, abstract=True):
    """Base of the events of an invoice."""


@attrs.frozen(kw_only=True)
class InvoiceDrafted(InvoiceEvent):
    """A draft invoice was created; it carries everything needed to rebuild it.

    Attributes:
        customer_id: The customer billed.
        invoice_date: The invoice date.
        anchor_date: The date the terms count from.
        lines: The invoice lines.
        tax_profile: The taxes applied.
        terms: The payment terms.
        total: The invoice total, tax included.
    """

    event_type = "InvoiceDrafted"
    customer_id: str
    invoice_date: date
    anchor_date: date
    lines: tuple[InvoiceLine, ...]
    tax_profile: TaxProfile
    terms: PaymentTerms
    total: Money


@attrs.frozen(kw_only=True)
class InvoiceIssued(InvoiceEvent):
    """The invoice was numbered and issued; its payment schedule is fixed.

    Attributes:
        number: The number from the series.
        issued_on: The issue date.
        due_dates: The installment due dates.
    """

    event_type = "InvoiceIssued"
    number: str
    issued_on: date
    due_dates: tuple[date, ...]


@attrs.frozen(kw_only=True)
class PaymentApplied(InvoiceEvent):
    """A payment was applied to the invoice.

    Attributes:
        payment_id: The payment's id.
        paid_on: The payment date.
        amount: The amount received for this invoice.
        applied: The part of ``amount`` that reduced the balance.
        discount: The early-payment discount taken.
        written_off: The shortfall written off by explicit request.
        excess: The overpayment.
        excess_written_off: Whether the overpayment was written off (else customer credit).
        state: The invoice state after the payment.
    """

    event_type = "InvoicePaymentApplied"
    payment_id: str
    paid_on: date
    amount: Money
    applied: Money
    discount: Money
    written_off: Money
    excess: Money
    excess_written_off: bool
    state: str


@attrs.frozen(kw_only=True)
class PaymentUnapplied(InvoiceEvent):
    """A payment applied to the invoice was undone (the payment was reversed).

    Replaying it removes that payment's :class:`~ordercycle.invoicing.InvoicePayment`
    from the invoice, so what it settled, and the early-payment discount it took, is
    open again.

    Attributes:
        payment_id: The id the payment was applied under.
        unapplied_on: The date of the reversal.
        applied: What the payment had settled (now open again).
        discount: The early-payment discount it had taken (now open again).
        reason: Why it was reversed.
        state: The invoice state after it.
    """

    event_type = "InvoicePaymentUnapplied"
    payment_id: str
    unapplied_on: date
    applied: Money
    discount: Money
    reason: str
    state: str


@attrs.frozen(kw_only=True)
class CreditNoteIssued(InvoiceEvent):
    """A credit note was issued against the invoice.

    Attributes:
        credit_note_id: The credit note's id.
        issued_on: Its date.
        quantities: ``(line index, quantity)`` pairs credited.
        restocking_fee_percent: The restocking fee asked for, in percent.
        total: The credit note total (after any restocking fee).
        state: The invoice state afterwards.
        restocking_fee_taxed: Whether the fee carried the taxes of the credited lines.
        early_discount_percent: The early-payment discount taken on the invoice that the
            credit was reduced by, in percent (0 in events stored before).
        early_discount_on_tax: Whether that discount applied to the tax too.
    """

    event_type = "InvoiceCreditNoteIssued"
    credit_note_id: str
    issued_on: date
    quantities: tuple[tuple[int, Decimal], ...]
    restocking_fee_percent: Decimal
    total: Money
    state: str
    restocking_fee_taxed: bool = False
    early_discount_percent: Decimal = Decimal(0)
    early_discount_on_tax: bool = False


@attrs.frozen(kw_only=True)
class InvoiceCanceled(InvoiceEvent):
    """The invoice was canceled.

    Attributes:
        canceled_on: The date of the cancelation.
        reason: Why.
    """

    event_type = "InvoiceCanceled"
    canceled_on: date
    reason: str


_MIDNIGHT = time()


def make_event(
    cls: type[_E],
    aggregate_id: str,
    version: int,
    day: date,
    at: datetime | None,
    **fields: Any,
) -> _E:
    """Build an event of ``cls`` for an aggregate command (private to the package).

    ``occurred_at`` is ``at``, or midnight UTC of ``day`` when ``at`` is ``None``. When the
    common fields are plainly valid (a ``str`` id without surrounding spaces, an ``int``
    version of at least 1, no ``at`` or a timezone-aware ``datetime``: what the
    ``occurred_at`` check accepts, stored as it is) the event is built without running the
    validators again; in every other case through the public constructor, which checks
    everything and raises its usual errors. Either way the result is equal to
    ``cls(aggregate_id=..., version=..., occurred_at=..., **fields)``, and ``fields`` must
    name every other field of ``cls``, none with a validator (as the invoice events and
    the account's ``AccountEntryPosted``).
    """
    if (
        (at is None or (at.__class__ is datetime and at.utcoffset() is not None))
        and type(aggregate_id) is str
        and aggregate_id
        and aggregate_id == aggregate_id.strip()
        and type(version) is int
        and version >= 1
    ):
        # The model's maker of trusted events (one generated function per class).
        return event_maker(cls)(
            aggregate_id=aggregate_id,
            version=version,
            occurred_at=datetime.combine(day, _MIDNIGHT, tzinfo=UTC) if at is None else at,
            **fields,
        )
    occurred_at = at if at is not None else datetime.combine(day, _MIDNIGHT, tzinfo=UTC)
    return cls(aggregate_id=aggregate_id, version=version, occurred_at=occurred_at, **fields)
