"""Dunning: reminder levels by days overdue, each with a fee, interest and a letter.

>>> from ordercycle.money import Money
>>> policy = DunningPolicy((
...     DunningLevel(1, 7, letter="friendly reminder"),
...     DunningLevel(2, 30, fee=Money("5.00", "EUR"), charge_interest=True, letter="second"),
... ))
>>> policy.level_for(10).letter, policy.level_for(45).level, policy.level_for(3)
('friendly reminder', 2, None)

:meth:`DunningPolicy.notices` duns one customer's invoices with the customer's credit on
account (from the account ledger) counted: overdue amounts the credit covers are not
dunned.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import date

import attrs

from ordercycle.errors import ConfigurationError
from ordercycle.invoicing.invoice import Invoice
from ordercycle.invoicing.late_interest import LateInterestPolicy
from ordercycle.money import Money

__all__ = ["DunningLevel", "DunningNotice", "DunningPolicy"]


@attrs.frozen
class DunningLevel:
    """One level of reminder.

    Attributes:
        level: 1 for the first reminder, 2 for the second, ...
        days_overdue: The level applies from this many days past due.
        fee: A reminder fee, if any.
        charge_interest: Whether late interest is added at this level.
        letter: The letter (template name or text) to send.
    """

    level: int
    days_overdue: int
    fee: Money | None = None
    charge_interest: bool = False
    letter: str = ""


def _levels(values: Iterable[DunningLevel]) -> tuple[DunningLevel, ...]:
    return tuple(values)


@attrs.frozen
class DunningPolicy:
    """Dunning levels in increasing order of days overdue.

    Raises:
        ConfigurationError: No levels, or levels whose numbers or days do not increase.
    """

    levels: tuple[DunningLevel, ...] = attrs.field(converter=_levels)

    def __attrs_post_init__(self) -> None:
        days = [level.days_overdue for level in self.levels]
        numbers = [level.level for level in self.levels]
        if (
            not self.levels
            or days[0] < 1
            or any(b <= a for a, b in itertools.pairwise(days))
            or any(b <= a for a, b in itertools.pairwise(numbers))
        ):
            raise ConfigurationError.invalid(
                "DunningPolicy",
                "levels",
                list(zip(numbers, days, strict=True)),
                "at least one level, numbers and days overdue (1 or more) strictly increasing",
            )

    def level_for(self, days_overdue: int) -> DunningLevel | None:
        """The highest level reached after ``days_overdue`` days, or ``None``."""
        reached = [level for level in self.levels if days_overdue >= level.days_overdue]
        return reached[-1] if reached else None

    def notices(
        self,
        invoices: Iterable[Invoice],
        as_of: date,
        interest: LateInterestPolicy | None = None,
        *,
        credit_on_account: Money | None = None,
    ) -> tuple[DunningNotice, ...]:
        """The reminders due for one customer's ``invoices`` at ``as_of``, most overdue
        first, with the customer's credit on account counted.

        ``credit_on_account`` (cash on account, unapplied credit notes: what the account
        ledger holds for the customer) is set against the overdue amounts, most overdue
        first: a notice whose overdue amount it covers is not sent (apply the credit
        instead), one it covers in part asks for the rest (``credit`` says how much was
        counted). Fees and interest stay as :meth:`notice` computes them.
        """
        found = [n for n in (self.notice(i, as_of, interest) for i in invoices) if n]
        found.sort(key=lambda n: (-n.days_overdue, n.invoice_id))
        if credit_on_account is None or not credit_on_account.is_positive:
            return tuple(found)
        left = credit_on_account
        kept = []
        for n in found:
            used = min(left, n.overdue)
            left -= used
            if used == n.overdue:
                continue
            kept.append(
                attrs.evolve(n, overdue=n.overdue - used, total_due=n.total_due - used, credit=used)
            )
        return tuple(kept)

    def notice(
        self, invoice: Invoice, as_of: date, interest: LateInterestPolicy | None = None
    ) -> DunningNotice | None:
        """The reminder due for ``invoice`` at ``as_of``, or ``None`` if none is due.

        Days overdue count from the oldest open installment past due. Interest (when the
        level charges it and a policy is given) runs on each overdue installment from its
        due date.
        """
        if invoice.state not in ("issued", "partially_paid"):
            return None
        overdue = [
            (inst, open_)
            for inst, open_ in invoice.open_installments()
            if open_ and inst.due_date < as_of
        ]
        if not overdue:
            return None
        days = (as_of - overdue[0][0].due_date).days
        level = self.level_for(days)
        if level is None:
            return None
        code = invoice.currency.code
        amount = Money.sum((open_ for _, open_ in overdue), currency=code)
        late = Money.zero(code)
        if level.charge_interest and interest is not None:
            late = Money.sum(
                (interest.interest(open_, inst.due_date, as_of) for inst, open_ in overdue),
                currency=code,
            )
        fee = level.fee if level.fee is not None else Money.zero(code)
        return DunningNotice(
            invoice.invoice_id,
            invoice.number or "",
            level,
            days,
            amount,
            fee,
            late,
            amount + fee + late,
        )


@attrs.frozen
class DunningNotice:
    """A reminder to send.

    Attributes:
        invoice_id: The invoice.
        number: Its printed number.
        level: The dunning level reached.
        days_overdue: Days past the oldest open due date.
        overdue: The overdue open amount.
        fee: The reminder fee.
        interest: Late interest added.
        total_due: ``overdue + fee + interest``.
        credit: The customer's credit on account counted against the overdue amount
            (``None`` when none was; see :meth:`DunningPolicy.notices`).
    """

    invoice_id: str
    number: str
    level: DunningLevel
    days_overdue: int
    overdue: Money
    fee: Money
    interest: Money
    total_due: Money
    credit: Money | None = None
