"""The credit-limit check at order confirmation.

Exposure = open receivables + confirmed orders not yet invoiced + this order. The order is
over the limit only when the exposure is *strictly greater* than the limit (reaching the
limit exactly is allowed); the policy then says whether to warn or to hold the order.

>>> from ordercycle.money import Money
>>> check = check_credit_limit(Money("1000.00", "USD"), open_receivables=Money("600.00", "USD"),
...     confirmed_not_invoiced=Money("300.00", "USD"), order_amount=Money("100.00", "USD"))
>>> check.action, str(check.exposure)
(<CreditAction.APPROVE: 'approve'>, '1000.00 USD')
"""

from __future__ import annotations

import enum

import attrs

from ordercycle.errors import CurrencyMismatchError, ValidationError
from ordercycle.money import Money

__all__ = ["CreditAction", "CreditLimitCheck", "CreditPolicy", "check_credit_limit"]


class CreditPolicy(enum.Enum):
    """What to do with an order over the limit: warn and go on, or hold it."""

    WARN = "warn"
    HOLD = "hold"


class CreditAction(enum.Enum):
    """The outcome of a credit check."""

    APPROVE = "approve"
    WARN = "warn"
    HOLD = "hold"


@attrs.frozen
class CreditLimitCheck:
    """The result of a credit-limit check, with its reason.

    Attributes:
        limit: The customer's credit limit.
        exposure: Open receivables + confirmed not invoiced + this order.
        exceeded: Whether ``exposure > limit``.
        action: Approve, warn or hold.
        reason: One sentence saying why.
    """

    limit: Money
    exposure: Money
    exceeded: bool
    action: CreditAction
    reason: str


def check_credit_limit(
    limit: Money,
    *,
    open_receivables: Money,
    confirmed_not_invoiced: Money,
    order_amount: Money,
    policy: CreditPolicy = CreditPolicy.WARN,
    credit_on_account: Money | None = None,
) -> CreditLimitCheck:
    """Check an order against the customer's credit limit.

    ``credit_on_account`` (cash on account and unapplied credit notes) lowers the exposure.

    Raises:
        CurrencyMismatchError: The amounts are not all in the limit's currency.
        ValidationError: A negative amount.
    """
    parts = {
        "limit": limit,
        "open_receivables": open_receivables,
        "confirmed_not_invoiced": confirmed_not_invoiced,
        "order_amount": order_amount,
    }
    if credit_on_account is not None:
        parts["credit_on_account"] = credit_on_account
    for name, amount in parts.items():
        if amount.currency != limit.currency:
            raise CurrencyMismatchError(
                "check credit of", limit.currency.code, amount.currency.code
            )
        if amount.is_negative:
            raise ValidationError.invalid("credit check", name, amount, "an amount of zero or more")
    exposure = open_receivables + confirmed_not_invoiced + order_amount
    credit = ""
    if credit_on_account:
        exposure -= credit_on_account
        credit = f" − credit on account {credit_on_account}"
    if exposure > limit:
        action = CreditAction.HOLD if policy is CreditPolicy.HOLD else CreditAction.WARN
        reason = (
            f"Exposure {exposure} (open {open_receivables} + confirmed {confirmed_not_invoiced}"
            f" + order {order_amount}{credit}) is over the credit limit {limit} by"
            f" {exposure - limit}."
        )
        return CreditLimitCheck(limit, exposure, True, action, reason)
    reason = f"Exposure {exposure} is within the credit limit {limit}."
    return CreditLimitCheck(limit, exposure, False, CreditAction.APPROVE, reason)
