"""Payment terms: ordered term lines, an anchor, and an optional early-payment discount.

The amounts of percentage lines are computed by *cumulative rounding*: line ``i`` gets
``round(total × (p₁ + … + pᵢ)) − round(total × (p₁ + … + pᵢ₋₁))``. The amounts can never
be negative, and the last line always takes the exact remainder, so the installments add
up to the total to the cent, whatever the percentages (ERPNext rounds every installment on
its own and tolerates 0.10 of drift; Odoo can produce a negative last installment).

>>> from datetime import date
>>> from ordercycle.money import MONEY_CONTEXT, Money
>>> terms = PaymentTerms.parse("50% upfront, 50% Net 30")
>>> schedule = terms.schedule(Money("100.01", "USD"), date(2026, 1, 15))
>>> for installment in schedule.installments:
...     print(installment.due_date, installment.amount)
2026-01-15 50.01 USD
2026-02-14 50.00 USD
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

import attrs

from ordercycle.errors import CurrencyMismatchError, ValidationError
from ordercycle.invoicing._decimal import ZERO, quantize, quantum_of
from ordercycle.invoicing.discounts import DiscountTaxTreatment, EarlyDiscount
from ordercycle.invoicing.due_dates import Anchor, DueDateRule
from ordercycle.invoicing.errors import AmountExceedsTotalError, TermsShareError
from ordercycle.invoicing.schedule import Installment, PaymentSchedule
from ordercycle.invoicing.terms_parser import WrittenTerms, read_terms
from ordercycle.limits import check_date
from ordercycle.money import MONEY_CONTEXT, Money, Rounding

__all__ = ["PaymentTerms", "TermLine", "parse_terms"]

_HUNDRED = Decimal(100)


def _optional_percent(value: object) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | str | Decimal):
        raise TermsShareError.invalid(
            "TermLine", "percent", value, "a Decimal, int or str (never float)"
        )
    try:
        return Decimal(value)
    except ArithmeticError:
        raise TermsShareError.invalid(
            "TermLine", "percent", value, "a number above 0 and at most 100"
        ) from None


@attrs.frozen
class TermLine:
    """One line of payment terms: a share of the total and when it is due.

    A line is a percentage of the total, a fixed amount, or (neither) the balance: what is
    left after the other lines. Use :meth:`percentage`, :meth:`fixed` or :meth:`balance`.

    Attributes:
        due: When this line is due, counted from the terms' anchor date.
        percent: The share of the total in percent (above 0, at most 100).
        amount: A fixed amount instead of a percentage.
    """

    due: DueDateRule
    percent: Decimal | None = attrs.field(default=None, converter=_optional_percent)
    amount: Money | None = None

    def __attrs_post_init__(self) -> None:
        if self.percent is not None and self.amount is not None:
            raise TermsShareError.invalid(
                "TermLine", "share", (self.percent, self.amount), "a percent or an amount, not both"
            )
        if self.percent is not None and (
            not self.percent.is_finite() or not 0 < self.percent <= _HUNDRED
        ):
            raise TermsShareError.invalid(
                "TermLine", "percent", self.percent, "a number above 0 and at most 100"
            )
        if self.amount is not None and (not self.amount.is_positive or not self.amount.is_rounded):
            raise TermsShareError.invalid(
                "TermLine", "amount", self.amount, "a positive amount in whole minor units"
            )

    @classmethod
    def percentage(cls, percent: Decimal | int | str, due: DueDateRule) -> TermLine:
        """A line for ``percent`` % of the total."""
        return cls(due, percent=percent)

    @classmethod
    def fixed(cls, amount: Money, due: DueDateRule) -> TermLine:
        """A line for a fixed amount (the terms need a balance line last)."""
        return cls(due, amount=amount)

    @classmethod
    def balance(cls, due: DueDateRule) -> TermLine:
        """A line for whatever the other lines leave (only allowed last)."""
        return cls(due)

    @property
    def is_balance(self) -> bool:
        """Whether this line takes the balance."""
        return self.percent is None and self.amount is None

    def label(self) -> str:
        """A short label: ``"50%"``, ``"100.00 USD"`` or ``"balance"``."""
        if self.percent is not None:
            return f"{format(self.percent.normalize(), 'f')}%"
        if self.amount is not None:
            return str(self.amount)
        return "balance"


def _check_lines(lines: tuple[TermLine, ...]) -> None:
    if not lines:
        raise TermsShareError.invalid("PaymentTerms", "lines", (), "at least one term line")
    for index, line in enumerate(lines[:-1]):
        if line.is_balance:
            raise TermsShareError.invalid(
                "PaymentTerms",
                f"line {index + 1}",
                "balance",
                "the balance line only as the last line",
            )
    percent_sum = sum((line.percent for line in lines if line.percent is not None), Decimal(0))
    has_fixed = any(line.amount is not None for line in lines)
    if lines[-1].is_balance:
        if percent_sum >= _HUNDRED:
            raise TermsShareError.invalid(
                "PaymentTerms",
                "percentages",
                f"{percent_sum}%",
                "less than 100% before a balance line",
            )
        return
    if has_fixed:
        raise TermsShareError.invalid(
            "PaymentTerms",
            "lines",
            "fixed amounts without a balance line",
            "a balance line last (TermLine.balance) when any line is a fixed amount",
        )
    if percent_sum != _HUNDRED:
        raise TermsShareError.invalid(
            "PaymentTerms", "percentages", f"{percent_sum}%", "percentages that sum to 100%"
        )


def _lines(values: Iterable[TermLine]) -> tuple[TermLine, ...]:
    return tuple(values)


@attrs.frozen
class PaymentTerms:
    """When and how much a customer pays: term lines, an anchor and an optional discount.

    Attributes:
        lines: The term lines in order; the last one always takes the exact remainder.
        discount: An early-payment discount, if any.
        anchor: Which event's date the due dates count from.
        as_of: The stated date for ``Anchor.AS_OF`` terms (required for them, refused
            otherwise).
        name: The written form, such as ``"2/10 Net 30"``.
        rounding: How percentage shares and the discount are rounded to minor units.

    Raises:
        TermsShareError: The percentages do not sum to 100 %, or a balance line is misplaced.
    """

    lines: tuple[TermLine, ...] = attrs.field(converter=_lines)
    discount: EarlyDiscount | None = None
    anchor: Anchor = Anchor.INVOICE
    as_of: date | None = None
    name: str = ""
    rounding: Rounding = Rounding.HALF_UP
    _labels: tuple[str, ...] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        _check_lines(self.lines)
        object.__setattr__(self, "_labels", tuple(line.label() for line in self.lines))
        if (self.anchor is Anchor.AS_OF) != (self.as_of is not None):
            raise ValidationError.invalid(
                "PaymentTerms",
                "as_of",
                self.as_of,
                "a stated date exactly when the anchor is Anchor.AS_OF",
            )

    # --- constructors -------------------------------------------------------------------

    @classmethod
    def parse(cls, text: str) -> PaymentTerms:
        """Read the common written forms ("Net 30", "2/10 Net 30", "21 MFI", ...).

        See :func:`parse_terms`; :mod:`ordercycle.invoicing.terms_parser` lists the
        accepted forms.

        Raises:
            ParseError: The text is not one of the accepted forms; the message lists them.
            TermsShareError: An installment form whose parts do not add up to 100 %.
        """
        return parse_terms(text)

    @classmethod
    def single(
        cls,
        due: DueDateRule,
        *,
        discount: EarlyDiscount | None = None,
        anchor: Anchor = Anchor.INVOICE,
        as_of: date | None = None,
        name: str = "",
    ) -> PaymentTerms:
        """Terms with one line for the whole total."""
        return cls(
            (TermLine.percentage(100, due),),
            discount=discount,
            anchor=anchor,
            as_of=as_of,
            name=name,
        )

    @classmethod
    def net(cls, days: int, *, anchor: Anchor = Anchor.INVOICE) -> PaymentTerms:
        """ "Net ``days``": the whole total due ``days`` days after the anchor."""
        return cls.single(DueDateRule.days_after(days), anchor=anchor, name=f"Net {days}")

    @classmethod
    def split(
        cls, parts: Iterable[tuple[Decimal | int | str, DueDateRule]], *, name: str = ""
    ) -> PaymentTerms:
        """Terms from ``(percent, due rule)`` pairs that sum to 100 %."""
        return cls(tuple(TermLine.percentage(p, due) for p, due in parts), name=name)

    def with_as_of(self, stated: date) -> PaymentTerms:
        """The same terms dated "as of" a stated date (seasonal dating)."""
        return attrs.evolve(self, anchor=Anchor.AS_OF, as_of=stated)

    # --- questions ----------------------------------------------------------------------

    @property
    def tax_base_discount(self) -> Decimal:
        """The fraction by which the tax base is reduced at invoicing.

        Non-zero only for an ``AT_INVOICING`` discount; the tax engine passes it on.
        """
        if self.discount is None or self.discount.tax_treatment is not (
            DiscountTaxTreatment.AT_INVOICING
        ):
            return Decimal(0)
        return self.discount.rate

    def describe(self) -> str:
        """A short English description of every line, the anchor and the discount."""
        parts = [f"{line.label()} {line.due.describe()}" for line in self.lines]
        text = "; ".join(parts) + f"; anchor: {self.anchor.value}"
        if self.as_of is not None:
            text += f" {self.as_of.isoformat()}"
        if self.discount is not None:
            text += f"; discount {self.discount.describe()}"
        return text

    def __str__(self) -> str:
        return self.name or self.describe()

    # --- scheduling ---------------------------------------------------------------------

    def schedule(
        self, total: Money, anchor_date: date | None = None, *, tax: Money | None = None
    ) -> PaymentSchedule:
        """Split ``total`` into installments and work out the early-payment discount.

        Args:
            total: The amount to schedule, tax included, in whole minor units, not negative.
            anchor_date: The date of the terms' anchor event (invoice date, receipt of
                goods, ...). For ``Anchor.AS_OF`` terms it may be omitted: the stated date
                is used.
            tax: The tax included in ``total``; needed for the discount's tax treatment
                (zero when omitted).

        Returns:
            The schedule; its installments sum exactly to ``total``.

        Raises:
            ValidationError: The total is negative or not rounded, or no anchor date.
            CurrencyMismatchError: ``tax`` or a fixed line is in another currency.
            AmountExceedsTotalError: The fixed amounts exceed the total.
        """
        if not isinstance(total, Money):
            raise ValidationError.invalid("PaymentTerms.schedule", "total", total, "a Money")
        if total.is_negative or not total.is_rounded:
            raise ValidationError.invalid(
                f"PaymentTerms {self}",
                "total",
                total,
                "an amount of zero or more in whole minor units",
            )
        start = self._anchor_date(anchor_date)
        code = total.currency.code
        if tax is not None and not isinstance(tax, Money):
            raise ValidationError.invalid(f"PaymentTerms {self}", "tax", tax, "a Money or None")
        if tax is not None and tax.currency != total.currency:
            raise CurrencyMismatchError("schedule", code, tax.currency.code)
        if tax is not None and (tax.is_negative or tax > total):
            raise ValidationError.invalid(
                f"PaymentTerms {self}",
                "tax",
                tax,
                f"the tax included in the total: from zero to {total}",
            )
        amounts = self._amounts(total)
        installments = tuple(
            Installment(line.due.due_date(start), amount, label)
            for line, amount, label in zip(self.lines, amounts, self._labels, strict=True)
        )
        if self.discount is None:
            return PaymentSchedule(total, start, installments)
        unit = total.currency
        discount, discount_tax = self.discount.raw_amounts(
            total.amount, tax.amount if tax is not None else ZERO, quantum_of(unit), self.rounding
        )
        whole_discount = Money.of_rounded(discount, unit)
        return PaymentSchedule(
            total,
            start,
            installments,
            discount_deadline=self.discount.deadline(start),
            discount=whole_discount,
            discounted_amount=Money.of_rounded(
                MONEY_CONTEXT.subtract(total.amount, discount), unit
            ),
            discount_tax=Money.of_rounded(discount_tax, unit),
            tax_treatment=self.discount.tax_treatment,
            installment_discounts=_split(whole_discount, amounts),
        )

    def _anchor_date(self, anchor_date: date | None) -> date:
        if self.anchor is Anchor.AS_OF:
            assert self.as_of is not None
            return self.as_of
        if anchor_date is None:
            raise ValidationError.invalid(
                f"PaymentTerms {self}",
                "anchor_date",
                None,
                f"the {self.anchor.value} date the terms count from",
            )
        checked: date = check_date(anchor_date, f"PaymentTerms {self}", "anchor_date")
        return checked

    def _amounts(self, total: Money) -> list[Money]:
        if len(self.lines) == 1:
            return [total]
        unit = total.currency
        quantum = quantum_of(unit)
        whole = total.amount
        values: list[Decimal] = []
        cumulative = ZERO
        previous = ZERO
        for line in self.lines[:-1]:
            if line.percent is not None:
                cumulative = MONEY_CONTEXT.add(cumulative, line.percent)
                share = MONEY_CONTEXT.divide(MONEY_CONTEXT.multiply(whole, cumulative), _HUNDRED)
                reached = quantize(share, quantum, self.rounding)
                values.append(MONEY_CONTEXT.subtract(reached, previous))
                previous = reached
            else:
                assert line.amount is not None  # only the last line may be the balance
                if line.amount.currency != unit:
                    raise CurrencyMismatchError("schedule", unit.code, line.amount.currency.code)
                values.append(line.amount.amount)
        used = ZERO
        for value in values:
            used = MONEY_CONTEXT.add(used, value)
        remainder = MONEY_CONTEXT.subtract(whole, used)
        if remainder < 0:
            code = unit.code
            fixed = Money.sum((line.amount for line in self.lines if line.amount), currency=code)
            raise AmountExceedsTotalError(
                f"Cannot schedule {total} on terms {self}: the fixed amounts ({fixed}) and"
                f" percentages take {Money(used, unit)}, more than the total; lower the fixed"
                " amounts or raise the total.",
                total=total,
                fixed=fixed,
            )
        values.append(remainder)
        return [Money.of_rounded(value, unit) for value in values]


def _split(discount: Money, amounts: list[Money]) -> tuple[Money, ...]:
    """``discount`` over the installments in proportion to their amounts (exact sum)."""
    if len(amounts) == 1:
        return (discount,)
    ratios = [amount.minor_units for amount in amounts]
    if not any(ratios):
        return tuple(discount for _ in amounts)  # a zero total: every share is zero
    return discount.allocate(ratios)


def parse_terms(text: str) -> PaymentTerms:
    """Parse a written form of payment terms into :class:`PaymentTerms`.

    Args:
        text: The terms as written on an invoice, such as ``"1/10 Net 30 EOM"``; the
            forms are listed in :mod:`ordercycle.invoicing.terms_parser`.

    Returns:
        The terms, named with ``text`` (spacing normalised).

    Raises:
        ParseError: ``text`` is none of :data:`~ordercycle.invoicing.ACCEPTED_FORMS`; the
            message lists them.
        TermsShareError: An installment form whose parts do not add up to 100 %.

    >>> parse_terms("2/10 Net 30").describe()
    '100% 30 days after anchor; anchor: invoice; discount 2% within 10 days after anchor'
    """
    return _terms(read_terms(text))


# Terms are immutable values (the due-date memo inside a rule is a shared cache by design),
# and every invoice of a customer parses the same few texts, so parsed terms are reused.
@functools.lru_cache(maxsize=512)
def _terms(written: WrittenTerms) -> PaymentTerms:
    return PaymentTerms(
        tuple(TermLine.percentage(percent, due) for percent, due in written.shares),
        discount=written.discount,
        anchor=written.anchor,
        name=written.name,
    )
