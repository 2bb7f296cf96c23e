"""An order's money reconciled with its invoices, credit notes and payments, to the cent.

The order keeps its own figures **net of tax**: :attr:`Order.amount_due
<ordercycle.model.order.Order.amount_due>` is what was invoiced (goods and charges such as
freight) less what was credited, before tax, and :attr:`Order.amount_paid
<ordercycle.model.order.Order.amount_paid>` the net share of the payments. The customer
pays invoices, which are **gross** (tax included). ``desk.order_money(order_id)`` puts
both side by side, each figure saying which it is, and checks that they agree:

* ``net_goods + charges + tax = invoiced`` (gross, the order's invoices);
* ``invoiced − credited − paid − discount_taken − written_off = open − credit``: what the
  invoices were settled with, and what is left open on them or was left to the customer
  as credit by credit notes beyond an invoice's balance;
* ``net_goods + charges − credited_net = net_due`` (the order's own figure).

>>> from ordercycle.money import Money
>>> usd = lambda a: Money(a, "USD")
>>> m = OrderMoney(order_id="O-1", customer_id="C-1", net_goods=usd("100.00"),
...                charges=usd("10.00"), tax=usd("8.80"), invoiced=usd("118.80"),
...                credited=usd(0), credited_net=usd(0), paid=usd("100.00"),
...                discount_taken=usd(0), written_off=usd(0), open=usd("18.80"),
...                credit=usd(0), net_due=usd("110.00"), net_paid=usd("92.59"))
>>> m.check()
()
"""

from __future__ import annotations

from typing import Any

import attrs

from ordercycle.money import Money

__all__ = ["OrderMoney"]

#: ``(field, "net" or "gross", label)`` in the order the summary prints them.
FIGURES = (
    ("net_goods", "net", "goods invoiced"),
    ("charges", "net", "charges invoiced (freight)"),
    ("tax", "tax", "tax invoiced"),
    ("invoiced", "gross", "invoiced"),
    ("credited", "gross", "credited (credit notes)"),
    ("paid", "gross", "paid (cash applied)"),
    ("discount_taken", "gross", "early-payment discount taken"),
    ("written_off", "gross", "written off"),
    ("open", "gross", "open on the invoices"),
    ("credit", "gross", "credit notes beyond the balance"),
    ("credited_net", "net", "credited"),
    ("net_due", "net", "due on the order (order.amount_due)"),
    ("net_paid", "net", "paid on the order (order.amount_paid)"),
)


@attrs.frozen(kw_only=True)
class OrderMoney:
    """An order's money: its own net figures beside its invoices' gross ones.

    Attributes:
        order_id: The order.
        customer_id: Its customer.
        net_goods: Goods invoiced, net of tax.
        charges: Charges invoiced (freight), net of tax.
        tax: Tax invoiced.
        invoiced: The order's invoices, gross (``net_goods + charges + tax``).
        credited: Its credit notes, gross (after restocking fees and the early-payment
            discount the customer took).
        credited_net: Its credit notes, net of tax (what the order takes off its due).
        paid: Cash applied to its invoices, gross.
        discount_taken: Early-payment discounts taken on its invoices, gross.
        written_off: Short payments written off on its invoices, gross.
        open: What is still open on its invoices, gross.
        credit: What its credit notes left to the customer beyond an invoice's balance,
            gross (on the customer's account: see ``desk.account_ledger``).
        net_due: :attr:`Order.amount_due <ordercycle.model.order.Order.amount_due>`,
            net of tax.
        net_paid: :attr:`Order.amount_paid <ordercycle.model.order.Order.amount_paid>`,
            net of tax.
    """

    order_id: str
    customer_id: str
    net_goods: Money
    charges: Money
    tax: Money
    invoiced: Money
    credited: Money
    credited_net: Money
    paid: Money
    discount_taken: Money
    written_off: Money
    open: Money
    credit: Money
    net_due: Money
    net_paid: Money

    def check(self) -> tuple[str, ...]:
        """Every law of the module docstring that does not hold (empty: they all do)."""
        broken = []
        if self.net_goods + self.charges + self.tax != self.invoiced:
            broken.append(
                f"net goods {self.net_goods} + charges {self.charges} + tax {self.tax}"
                f" is not the invoiced {self.invoiced}"
            )
        settled = self.invoiced - self.credited - self.paid - self.discount_taken
        if settled - self.written_off != self.open - self.credit:
            broken.append(
                f"invoiced {self.invoiced} less credited, paid, discounts and write-offs is"
                f" {settled - self.written_off}, but open {self.open} less credit"
                f" {self.credit} is {self.open - self.credit}"
            )
        if self.net_goods + self.charges - self.credited_net != self.net_due:
            broken.append(
                f"net invoiced {self.net_goods + self.charges} less net credited"
                f" {self.credited_net} is not the order's net due {self.net_due}"
            )
        return tuple(broken)

    def to_records(self) -> list[dict[str, Any]]:
        """One record per figure: ``figure``, ``basis`` (net, tax or gross), ``amount``."""
        return [
            {
                "figure": name,
                "basis": basis,
                "description": label,
                "amount": getattr(self, name).amount,
            }
            for name, basis, label in FIGURES
        ]

    def to_text(self) -> str:
        """The figures, one a line, each saying whether it is net of tax or gross."""
        code = self.invoiced.currency.code
        lines = [f"Money of order {self.order_id} for customer {self.customer_id} ({code})"]
        for name, basis, label in FIGURES:
            lines.append(f"  {label:<38} {basis:>5} {getattr(self, name).amount!s:>12}")
        broken = self.check()
        lines.append("  reconciles: " + ("yes" if not broken else "; ".join(broken)))
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_text()
