"""After-sales commands of an order: returns (RMA), invoices, credit notes and payments.

They are methods of :class:`~ordercycle.model.order.Order` (this class is its base), kept
in their own module so that each stays small. Like every command, each takes ``at=`` and
returns ``(new_order, events)``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ordercycle.errors import DuplicateError, InvalidQuantityError, ValidationError
from ordercycle.model.ids import parse_id
from ordercycle.model.order_commands import as_enum, check_text
from ordercycle.model.order_errors import OrderCommandError, OrderCurrencyError
from ordercycle.model.order_events import (
    LineQuantity,
    OrderCredited,
    OrderInvoiced,
    OrderPaymentRecorded,
    OrderReturnAuthorized,
    OrderReturnReceived,
    OrderReturnRejected,
    OrderReturnRequested,
)
from ordercycle.model.order_policies import ReturnCondition, ReturnStatus
from ordercycle.model.returns import ReturnAuthorization, check_fee_rate
from ordercycle.money import Money

if TYPE_CHECKING:
    from ordercycle.model.order import OrderOutcome
    from ordercycle.model.order_billing import BillingDocument, PaymentRecord
    from ordercycle.model.order_events import OrderEvent
    from ordercycle.model.order_lines import OrderLine
    from ordercycle.model.order_policies import InvoicePolicy
    from ordercycle.money import Currency

__all__ = ["AfterSalesCommands"]


class AfterSalesCommands:
    """Returns and billing commands; a base class of :class:`~ordercycle.model.order.Order`."""

    __slots__ = ()

    if TYPE_CHECKING:  # provided by Order
        currency: Currency
        invoice_policy: InvoicePolicy
        returns: tuple[ReturnAuthorization, ...]
        invoices: tuple[BillingDocument, ...]
        credit_notes: tuple[BillingDocument, ...]
        payments: tuple[PaymentRecord, ...]

        @property
        def subject(self) -> str: ...

        def line(self, line_id: str) -> OrderLine: ...

        def return_authorization(self, return_id: str) -> ReturnAuthorization: ...

        def _gate(self, command: str) -> None: ...

        def _record(
            self, at: datetime, *changes: tuple[type[OrderEvent], dict[str, Any]]
        ) -> OrderOutcome: ...

    # --- returns ---------------------------------------------------------------------------------

    def request_return(
        self, return_id: str, *, line_id: str, quantity: int, reason: str, at: datetime
    ) -> OrderOutcome:
        """Open a return (RMA) for delivered units of one line.

        Raises:
            DuplicateError: The return id is taken.
            QuantityNotAvailableError: More units than delivered and not yet returned.
        """
        self._gate("request_return")
        rid = parse_id("return id", return_id)
        if any(r.return_id == rid for r in self.returns):
            raise DuplicateError("return", rid)
        line = self.line(line_id)
        fields = {
            "return_id": rid,
            "line_id": line_id,
            "sku": line.sku,
            "quantity": quantity,
            "reason": check_text(self.subject, "return reason", reason, required=True),
        }
        return self._record(at, (OrderReturnRequested, fields))

    def _return_in(
        self, return_id: str, action: str, *statuses: ReturnStatus
    ) -> ReturnAuthorization:
        rma = self.return_authorization(return_id)
        if rma.status not in statuses:
            hint = "; authorize it first" if rma.status is ReturnStatus.REQUESTED else ""
            raise OrderCommandError(
                self.subject,
                f"{action} return {return_id} of {self.subject}",
                f"it is {rma.status.value}{hint}",
            )
        return rma

    def authorize_return(
        self,
        return_id: str,
        *,
        at: datetime,
        by: str = "",
        restocking_fee_rate: Decimal = Decimal(0),
        note: str = "",
    ) -> OrderOutcome:
        """Authorize a requested return, with an optional restocking-fee rate (0 <= r < 1).

        Raises:
            UnknownReturnError: No such return.
            OrderCommandError: It is not requested (already decided or received).
        """
        self._return_in(return_id, "authorize", ReturnStatus.REQUESTED)
        fields = {
            "return_id": return_id,
            "restocking_fee_rate": check_fee_rate(restocking_fee_rate, f"return {return_id}"),
            "by": check_text(self.subject, "by", by),
            "note": check_text(self.subject, "note", note),
        }
        return self._record(at, (OrderReturnAuthorized, fields))

    def reject_return(
        self, return_id: str, *, at: datetime, by: str = "", note: str = ""
    ) -> OrderOutcome:
        """Reject a requested or authorized return; the units stay with the customer."""
        rma = self._return_in(return_id, "reject", ReturnStatus.REQUESTED, ReturnStatus.AUTHORIZED)
        fields = {
            "return_id": return_id,
            "line_id": rma.line_id,
            "quantity": rma.quantity,
            "by": check_text(self.subject, "by", by),
            "note": check_text(self.subject, "note", note),
        }
        return self._record(at, (OrderReturnRejected, fields))

    def receive_return(
        self, return_id: str, condition: ReturnCondition | str, *, at: datetime
    ) -> OrderOutcome:
        """Receive an authorized return; resellable units go back to stock, damaged ones not."""
        rma = self._return_in(return_id, "receive", ReturnStatus.AUTHORIZED)
        fields = {
            "return_id": return_id,
            "line_id": rma.line_id,
            "sku": self.line(rma.line_id).sku,
            "quantity": rma.quantity,
            "condition": as_enum(ReturnCondition, condition, self.subject, "return condition"),
            "restocking_fee_rate": rma.restocking_fee_rate,
        }
        return self._record(at, (OrderReturnReceived, fields))

    # --- billing ---------------------------------------------------------------------------------

    def _quantities(
        self, document: str, quantities: Mapping[str, int], check: str
    ) -> tuple[LineQuantity, ...]:
        if not isinstance(quantities, Mapping) or not quantities:
            raise ValidationError.invalid(
                self.subject,
                f"quantities of {document}",
                quantities,
                "a non-empty mapping line id -> units",
            )
        items = []
        for line_id, quantity in quantities.items():
            line = self.line(line_id)
            subject = f"line {line_id} of {self.subject}"
            if check == "invoice":
                line.ledger.invoice(quantity, self.invoice_policy, subject=subject)
            else:
                line.ledger.credit(quantity, subject=subject)
            items.append(LineQuantity(line_id, quantity))
        return tuple(items)

    def _new_document_id(self, kind: str, value: str, existing: Iterable[str]) -> str:
        document_id = parse_id(f"{kind} id", value)
        if document_id in existing:
            raise DuplicateError(kind, document_id)
        return document_id

    def record_invoice(
        self, invoice_id: str, quantities: Mapping[str, int], *, at: datetime
    ) -> OrderOutcome:
        """Record an invoice for ``quantities`` (line id -> units); the amount is computed.

        Raises:
            DuplicateError: The invoice id was recorded before.
            QuantityNotAvailableError: More units than the invoice policy allows.
        """
        self._gate("record_invoice")
        doc = self._new_document_id("invoice", invoice_id, (d.document_id for d in self.invoices))
        items = self._quantities(f"invoice {doc}", quantities, "invoice")
        amount = Money.sum(
            (self.line(i.line_id).amount(i.quantity) for i in items), currency=self.currency
        )
        return self._record(
            at, (OrderInvoiced, {"invoice_id": doc, "quantities": items, "amount": amount})
        )

    def record_credit(
        self,
        credit_note_id: str,
        quantities: Mapping[str, int],
        *,
        at: datetime,
        restocking_fee_rate: Decimal = Decimal(0),
    ) -> OrderOutcome:
        """Record a credit note for invoiced ``quantities``, less the restocking fee.

        Raises:
            DuplicateError: The credit-note id was recorded before.
            QuantityNotAvailableError: More units than invoiced and not yet credited.
        """
        self._gate("record_credit")
        doc = self._new_document_id(
            "credit note", credit_note_id, (d.document_id for d in self.credit_notes)
        )
        rate = check_fee_rate(restocking_fee_rate, f"credit note {doc}")
        items = self._quantities(f"credit note {doc}", quantities, "credit")
        gross = Money.sum(
            (self.line(i.line_id).amount(i.quantity) for i in items), currency=self.currency
        )
        fields = {
            "credit_note_id": doc,
            "quantities": items,
            "amount": (gross - gross * rate).round(),
            "restocking_fee_rate": rate,
        }
        return self._record(at, (OrderCredited, fields))

    def record_payment(self, payment_id: str, amount: Money, *, at: datetime) -> OrderOutcome:
        """Record a payment reported by invoicing.

        Raises:
            DuplicateError: The payment id was recorded before.
            OrderCurrencyError: The amount is in another currency.
            InvalidQuantityError: The amount is not positive.
        """
        self._gate("record_payment")
        doc = self._new_document_id("payment", payment_id, (p.payment_id for p in self.payments))
        if not isinstance(amount, Money):
            raise ValidationError.invalid(self.subject, "payment amount", amount, "a Money amount")
        if amount.currency != self.currency:
            raise OrderCurrencyError(
                self.subject, f"payment {doc}", self.currency.code, amount.currency.code
            )
        if not amount.is_positive:
            raise InvalidQuantityError.invalid(
                self.subject, "payment amount", str(amount), "a positive amount"
            )
        return self._record(at, (OrderPaymentRecorded, {"payment_id": doc, "amount": amount}))
