"""Taxes: rates, profiles and an exact computation per line and per rate.

A :class:`TaxProfile` lists :class:`TaxRate` objects in the order they apply. A *compound*
rate's amount becomes part of the base of the rates after it (Québec QST on top of GST
before 2013, or an excise duty that VAT is charged on). Prices are either tax-excluded
(tax is added) or tax-included (tax is extracted from the price). Tax is rounded to the
currency's minor unit either on each line (``PER_LINE``) or once per rate over the whole
invoice (``GLOBAL``), with the profile's rounding mode. Either way the per-line amounts
add up exactly to the per-rate amounts, which add up exactly to the invoice's tax.

>>> from decimal import Decimal
>>> from ordercycle.money import MONEY_CONTEXT, MONEY_EXACT_CONTEXT, Money, round_to_total
>>> vat = TaxProfile("NL", (TaxRate("VAT21", Decimal("21")),))
>>> result = vat.compute([(Money("100.00", "EUR"), ("VAT21",))])
>>> str(result.untaxed), str(result.tax), str(result.total)
('100.00 EUR', '21.00 EUR', '121.00 EUR')
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

import attrs

from ordercycle._memo import remember, remember_for
from ordercycle.errors import CurrencyMismatchError, ValidationError, shown
from ordercycle.invoicing._decimal import ZERO, data_frame, quantize, quantum_of
from ordercycle.invoicing.errors import InvalidTaxError
from ordercycle.limits import exact_decimal
from ordercycle.money import (
    MONEY_CONTEXT,
    MONEY_EXACT_CONTEXT,
    Currency,
    Money,
    Rounding,
    round_to_total,
)

__all__ = [
    "LineTaxes",
    "TaxAmount",
    "TaxComputation",
    "TaxProfile",
    "TaxRate",
    "TaxRounding",
    "TaxableAmount",
]

_HUNDRED = Decimal(100)
_ONE = Decimal(1)
_new = object.__new__
_set = object.__setattr__
# Sums run in money's context too, never in the caller's thread context.
_add = MONEY_CONTEXT.add
_subtract = MONEY_CONTEXT.subtract


def _total(values: Iterable[Decimal]) -> Decimal:
    """The exact sum of ``values`` in the invoicing context (zero when empty)."""
    result = ZERO
    for value in values:
        result = _add(result, value)
    return result


def _codes(values: object) -> tuple[str, ...]:
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise InvalidTaxError(f"Invalid tax codes: {shown(values)}; expected a list of codes.")
    return tuple(values)


class TaxRounding(enum.Enum):
    """Where tax is rounded to the minor unit.

    Attributes:
        PER_LINE: Each line's tax is rounded, then the rounded amounts are added.
        GLOBAL: Unrounded line taxes are added per rate and each rate's total rounded once;
            the rounded total is then split back over the lines (largest remainder).
    """

    PER_LINE = "per_line"
    GLOBAL = "global"


def _percent(value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | str | Decimal):
        raise InvalidTaxError(
            f"Invalid percent for TaxRate: {shown(value)}; expected a Decimal, int or str"
            " (never float)."
        )
    try:
        result = exact_decimal(value, "TaxRate", "percent")
    except ValidationError:
        result = Decimal(-1)
    if not ZERO <= result <= 1000:
        raise InvalidTaxError(
            f"Invalid percent for TaxRate: {shown(value)}; expected a number from 0 to 1000."
        )
    return result


@attrs.frozen
class TaxRate:
    """One tax: a code, a percentage and whether it compounds.

    Attributes:
        code: A short unique code used on invoice lines, such as ``"VAT21"``.
        percent: The rate in percent (``Decimal("21")``), from 0 to 1000.
        name: A label for documents; the code when empty.
        compound: Whether this tax's amount is part of the base of the taxes after it.
    """

    code: str
    percent: Decimal = attrs.field(converter=_percent)
    name: str = ""
    compound: bool = False

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.code, str) or not self.code.strip():
            raise InvalidTaxError(f"Invalid code for TaxRate: {self.code!r}; expected a name.")

    @property
    def label(self) -> str:
        """The name, or the code when there is no name."""
        return self.name or self.code


@attrs.frozen
class TaxAmount:
    """The tax of one rate: its base and amount (on a line or on a whole invoice).

    Attributes:
        code: The tax rate's code.
        percent: The rate in percent.
        base: The amount the tax was computed on (rounded for display).
        amount: The tax, exact to the minor unit.
        exempt: Whether the customer is exempt from this tax (then ``amount`` is zero).
    """

    code: str
    percent: Decimal
    base: Money
    amount: Money
    exempt: bool = False


@attrs.frozen
class LineTaxes:
    """The taxes of one line.

    Attributes:
        untaxed: The line amount without tax.
        taxes: One :class:`TaxAmount` per tax code of the line, in the profile's order.
        total: ``untaxed`` plus every tax of the line.
    """

    untaxed: Money
    taxes: tuple[TaxAmount, ...]
    total: Money


@attrs.frozen
class TaxableAmount:
    """A line amount and the tax codes that apply to it (input to :meth:`TaxProfile.compute`).

    Attributes:
        amount: The line amount, rounded, not negative; tax-included when the profile says so.
        tax_codes: The codes of the taxes on the line.
    """

    amount: Money
    tax_codes: tuple[str, ...] = attrs.field(converter=_codes, default=())


@attrs.frozen
class _Plan:
    """The taxes of one combination of codes: rates, exemptions and coefficients."""

    rates: tuple[TaxRate, ...]
    exempt: tuple[bool, ...]
    coefficients: tuple[Decimal, ...]
    bases: tuple[Decimal, ...]
    factor: Decimal
    #: The code of the only rate when the plan has one (its base is the untaxed amount).
    single: str | None = None


_LineData = tuple[Decimal, Decimal, _Plan, tuple[Decimal, ...]]


def _accumulate(
    per_rate: dict[str, list[Decimal]], plan: _Plan, base_untaxed: Decimal, taxes: Sequence[Decimal]
) -> None:
    """Add one line's taxable bases and taxes to the per-rate ``[unrounded base, tax]`` sums."""
    multiply = MONEY_CONTEXT.multiply
    for rate, coefficient, tax in zip(plan.rates, plan.bases, taxes, strict=True):
        base = multiply(base_untaxed, coefficient)
        total = per_rate.get(rate.code)
        if total is None:
            per_rate[rate.code] = [base, tax]
        else:
            total[0] = _add(total[0], base)
            total[1] = _add(total[1], tax)


@attrs.frozen
class TaxComputation:
    """The taxes of a set of lines, per line and per rate, exact to the minor unit.

    Attributes:
        currency: The currency of every amount.
        by_rate: One entry per rate used, in the profile's order.
        untaxed: The sum of the line amounts without tax.
        tax: The sum of all taxes.
        total: ``untaxed + tax``.
        rounding: Where tax was rounded.
        line_data: Per line, as decimals: the untaxed amount, the unrounded untaxed base,
            the line's tax plan and its rounded taxes; :attr:`lines` presents them as money.
        rounding_mode: How the bases in :attr:`lines` are rounded for display.
    """

    currency: Currency
    by_rate: tuple[TaxAmount, ...]
    untaxed: Money
    tax: Money
    total: Money
    rounding: TaxRounding
    line_data: tuple[_LineData, ...] = attrs.field(repr=False)
    rounding_mode: Rounding = Rounding.HALF_UP

    @functools.cached_property
    def lines(self) -> tuple[LineTaxes, ...]:
        """The taxes of each line, in input order (built on first use)."""
        unit = self.currency
        quantum = quantum_of(unit)
        mode = self.rounding_mode
        result = []
        for untaxed, base_untaxed, plan, taxes in self.line_data:
            entries = tuple(
                TaxAmount(
                    rate.code,
                    rate.percent,
                    Money.of_rounded(
                        quantize(MONEY_CONTEXT.multiply(base_untaxed, base), quantum, mode), unit
                    ),
                    Money.of_rounded(tax, unit),
                    exempt,
                )
                for rate, exempt, base, tax in zip(
                    plan.rates, plan.exempt, plan.bases, taxes, strict=True
                )
            )
            total = Money.of_rounded(_add(untaxed, _total(taxes)), unit)
            result.append(LineTaxes(Money.of_rounded(untaxed, unit), entries, total))
        return tuple(result)

    def amount_for(self, code: str) -> Money:
        """The tax of one rate over the whole computation (zero when unused)."""
        for entry in self.by_rate:
            if entry.code == code:
                return entry.amount
        return Money.zero(self.currency.code)

    def to_records(self) -> list[dict[str, object]]:
        """One dictionary per rate: ``code``, ``percent``, ``base``, ``amount``, ``exempt``."""
        return [
            {
                "code": t.code,
                "percent": t.percent,
                "base": t.base,
                "amount": t.amount,
                "exempt": t.exempt,
            }
            for t in self.by_rate
        ]

    def to_pandas(self) -> Any:
        """:meth:`to_records` as a :class:`pandas.DataFrame` (needs ``ordercycle[sim]``)."""
        columns = ["code", "percent", "base", "amount", "exempt"]
        return data_frame("TaxComputation.to_pandas", self.to_records(), columns)


def _rates(values: object) -> tuple[TaxRate, ...]:
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise InvalidTaxError(f"Invalid rates for TaxProfile: {shown(values)}; expected TaxRates.")
    return tuple(values)


def _is_fraction(value: object) -> bool:
    """Whether ``value`` is an exact number from 0 (inclusive) to 1 (exclusive)."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        return False
    if isinstance(value, Decimal) and not value.is_finite():
        return False
    return 0 <= value < 1


def _check_rounding(_instance: Any, _attribute: Any, value: object) -> None:
    if not isinstance(value, Rounding):
        names = ", ".join(f"Rounding.{member.name}" for member in Rounding)
        raise InvalidTaxError(
            f"Invalid rounding_mode for TaxProfile: {shown(value)}; expected one of {names}."
        )


def _check_tax_rounding(_instance: Any, _attribute: Any, value: object) -> None:
    if not isinstance(value, TaxRounding):
        names = ", ".join(f"TaxRounding.{member.name}" for member in TaxRounding)
        raise InvalidTaxError(
            f"Invalid rounding for TaxProfile: {shown(value)}; expected one of {names}."
        )


@attrs.frozen
class TaxProfile:
    """The taxes of a jurisdiction or customer, and how they are computed and rounded.

    Attributes:
        name: A name for messages and documents.
        rates: The tax rates, in the order they apply (matters for compound rates).
        prices_include_tax: Whether line amounts include the tax (extracted) or not (added).
        rounding: Per line or per invoice (global) rounding.
        rounding_mode: How tax amounts are rounded to the minor unit.
        exemptions: Codes of rates the customer is exempt from; they are reported with a
            zero amount and do not compound.

    Raises:
        InvalidTaxError: Duplicate or unknown codes.
    """

    name: str
    rates: tuple[TaxRate, ...] = attrs.field(converter=_rates)
    prices_include_tax: bool = False
    rounding: TaxRounding = attrs.field(default=TaxRounding.PER_LINE, validator=_check_tax_rounding)
    rounding_mode: Rounding = attrs.field(default=Rounding.HALF_UP, validator=_check_rounding)
    exemptions: tuple[str, ...] = attrs.field(converter=_codes, default=())
    _index: dict[str, int] = attrs.field(init=False, repr=False, eq=False)
    _plans: dict[tuple[str, ...], _Plan] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        index: dict[str, int] = {}
        for position, rate in enumerate(self.rates):
            if not isinstance(rate, TaxRate):
                raise InvalidTaxError(
                    f"Invalid rate {position + 1} for tax profile {self.name!r}: {rate!r};"
                    " expected a TaxRate."
                )
            if rate.code in index:
                raise InvalidTaxError(
                    f"Duplicate tax code {rate.code!r} in tax profile {self.name!r};"
                    " each code must be unique."
                )
            index[rate.code] = position
        unknown = sorted(code for code in self.exemptions if code not in index)
        if unknown:
            raise InvalidTaxError(
                f"Unknown exemption {', '.join(unknown)} in tax profile {self.name!r};"
                f" known codes: {', '.join(sorted(index)) or 'none'}."
            )
        object.__setattr__(self, "_index", index)
        object.__setattr__(self, "_plans", {})

    def rate(self, code: str) -> TaxRate:
        """The rate with this code.

        Raises:
            InvalidTaxError: No rate has this code; the message lists the known codes.
        """
        try:
            return self.rates[self._index[code]]
        except KeyError:
            raise InvalidTaxError(
                f"Unknown tax code {code!r} for tax profile {self.name!r};"
                f" known codes: {', '.join(sorted(self._index)) or 'none'}."
            ) from None

    def exempt(self, *codes: str) -> TaxProfile:
        """The same profile with the customer exempt from ``codes`` as well."""
        for code in codes:
            self.rate(code)
        merged = tuple(sorted({*self.exemptions, *codes}))
        return attrs.evolve(self, exemptions=merged)

    def compute(
        self,
        lines: Iterable[TaxableAmount | tuple[Money, Sequence[str]]],
        currency: str | None = None,
        *,
        base_discount: Decimal = ZERO,
    ) -> TaxComputation:
        """Compute the taxes of ``lines``.

        Args:
            lines: Line amounts with their tax codes, as :class:`TaxableAmount` or pairs.
            currency: The currency code; needed only when ``lines`` is empty.
            base_discount: A fraction (``Decimal("0.02")``) by which the tax base is reduced
                (an early-payment discount applied to the tax at invoicing). Only for
                tax-excluded prices.

        Returns:
            The computation; every total is exact to the minor unit.

        Raises:
            InvalidTaxError: An unknown code, a negative or unrounded amount, or a base
                discount with tax-included prices.
            CurrencyMismatchError: Lines in different currencies.
        """
        items = [
            line if isinstance(line, TaxableAmount) else TaxableAmount(line[0], tuple(line[1]))
            for line in lines
        ]
        code = self._currency(items, currency)
        return self._compute(
            [item.amount.amount for item in items],  # canonical: exactly the minor unit
            [item.tax_codes for item in items],
            Currency.of(code),
            base_discount,
        )

    def compute_raw(
        self,
        amounts: Sequence[Decimal],
        tax_codes: Sequence[Sequence[str]],
        currency: str,
        *,
        base_discount: Decimal = ZERO,
    ) -> TaxComputation:
        """Like :meth:`compute`, for amounts already checked by the caller.

        Args:
            amounts: Line amounts as decimals, each rounded to the minor unit, not negative.
            tax_codes: The tax codes of each line.
            currency: The currency code.
            base_discount: See :meth:`compute`.

        Raises:
            InvalidTaxError: An amount is not a whole number of minor units, or see
                :meth:`compute`.
        """
        unit = Currency.of(currency)
        quantum = quantum_of(unit)
        exact = [self._minor_units(amount, quantum, index) for index, amount in enumerate(amounts)]
        return self._compute(exact, tax_codes, unit, base_discount)

    # --- internals ----------------------------------------------------------------------

    def _compute(
        self,
        amounts: Sequence[Decimal],
        tax_codes: Sequence[Sequence[str]],
        unit: Currency,
        base_discount: Decimal,
        groups: Sequence[int] | None = None,
    ) -> TaxComputation:
        """:meth:`compute_raw` for amounts with exactly the currency's minor-unit digits.

        ``groups`` gives, per line, the index of the goods line it belongs to: a discount
        line (a negative amount) is taxed with its goods line, on their net amount, and
        its taxes are what that takes off the goods line's (so the taxes of a goods line
        and its discount lines are exactly the taxes of the net amount).
        """
        # The computation is a pure function of the frozen profile and the lines, and the
        # desk asks it again for the same lines: an order's credit check prices its units
        # tax included, and the invoice of those units computes the very same taxes. It
        # is remembered per profile, by the profile's identity (hashing it would cost
        # more), and by the lines' text, which tells apart what ``==`` does not (``-0.00``
        # and ``0.00``). A refused computation is not remembered: it raises again.
        key = (
            unit.code,
            type(base_discount),
            str(base_discount),
            tuple([str(amount) for amount in amounts]),
            tuple([tuple(codes) for codes in tax_codes]),
            None if groups is None else tuple(groups),
        )
        known = remember_for(_COMPUTED, PROFILES_KEPT, self, _new_table)
        return remember(
            known,
            COMPUTATIONS_KEPT,
            key,
            lambda: self._computed(amounts, tax_codes, unit, base_discount, groups),
        )

    def _computed(
        self,
        amounts: Sequence[Decimal],
        tax_codes: Sequence[Sequence[str]],
        unit: Currency,
        base_discount: Decimal,
        groups: Sequence[int] | None,
    ) -> TaxComputation:
        """:meth:`_compute` worked out (what it remembers)."""
        if not _is_fraction(base_discount):
            raise InvalidTaxError(
                f"Invalid base discount for tax profile {self.name!r}: {shown(base_discount)};"
                " expected a Decimal fraction from 0 (inclusive) to 1 (exclusive), such as"
                " Decimal('0.02')."
            )
        if base_discount and self.prices_include_tax:
            raise InvalidTaxError(
                f"Cannot reduce the tax base by {base_discount} in tax profile {self.name!r}:"
                " a discount applied to tax at invoicing needs tax-excluded prices."
            )
        plans = [self._plan(codes, index) for index, codes in enumerate(tax_codes)]
        if groups is not None and any(g != i for i, g in enumerate(groups)):
            if self.rounding is TaxRounding.PER_LINE:
                return self._grouped(amounts, plans, unit, base_discount, groups)
            return self._general(amounts, plans, unit, base_discount, groups)
        if self.rounding is TaxRounding.PER_LINE:
            return self._per_line(amounts, plans, unit, base_discount)
        return self._general(amounts, plans, unit, base_discount)

    def _general(
        self,
        amounts: Sequence[Decimal],
        plans: list[_Plan],
        unit: Currency,
        base_discount: Decimal,
        groups: Sequence[int] | None = None,
    ) -> TaxComputation:
        """Unrounded taxes, then :meth:`_round`, then :meth:`_assemble` (any rounding).

        With ``groups`` (see :meth:`_compute`), a line's unrounded untaxed base and taxes
        are those of its group's running net after it less those before it, so that a
        group's add up to exactly those of its net amount.
        """
        quantum = quantum_of(unit)
        factor = MONEY_CONTEXT.subtract(_ONE, base_discount)
        multiply = MONEY_CONTEXT.multiply
        raw: list[list[Decimal]] = []  # unrounded tax per line, per rate in plan
        untaxed_raw: list[Decimal] = []
        running = ZERO
        before: tuple[Decimal, list[Decimal]] = (ZERO, [])
        nets: dict[int, tuple[list[Decimal], _Plan]] = {}  # goods line: taxes of its net
        for index, (amount, plan) in enumerate(zip(amounts, plans, strict=True)):
            untaxed = self._untaxed(amount, plan, factor, base_discount)
            taxes = [multiply(untaxed, c) for c in plan.coefficients]
            if groups is not None:
                running = amount if groups[index] == index else _add(running, amount)
                whole = self._untaxed(running, plan, factor, base_discount)
                whole_taxes = [multiply(whole, c) for c in plan.coefficients]
                if groups[index] != index:
                    untaxed = _subtract(whole, before[0])
                    taxes = [_subtract(a, b) for a, b in zip(whole_taxes, before[1], strict=True)]
                before = (whole, whole_taxes)
                nets[groups[index]] = (whole_taxes, plan)
            untaxed_raw.append(untaxed)
            raw.append(taxes)
        # The per-rate totals are rounded from the taxes of each goods line's net, summed
        # exactly as for one line at the net price (a discount line changes no total).
        targets = None if groups is None else list(nets.values())
        rounded = self._round(raw, plans, quantum, targets)
        return self._assemble(amounts, plans, untaxed_raw, rounded, unit)

    def _per_line(
        self, amounts: Sequence[Decimal], plans: list[_Plan], unit: Currency, base_discount: Decimal
    ) -> TaxComputation:
        """:meth:`_general` for ``PER_LINE`` rounding in one pass (same result, faster)."""
        quantum = quantum_of(unit)
        rounding = self.rounding_mode.value
        included = self.prices_include_tax
        factor = MONEY_CONTEXT.subtract(_ONE, base_discount)
        multiply = MONEY_CONTEXT.multiply
        line_data: list[_LineData] = []
        per_rate: dict[str, list[Decimal]] = {}
        untaxed_sum = ZERO
        for amount, plan in zip(amounts, plans, strict=True):
            if included:
                base_untaxed = MONEY_CONTEXT.divide(amount, plan.factor)
            elif base_discount:
                base_untaxed = multiply(amount, factor)
            else:
                base_untaxed = amount
            code = plan.single
            if code is not None:
                # One rate on base 1: multiplying by the base and adding to zero would
                # change neither the value nor the exponent, so they are skipped.
                tax = multiply(base_untaxed, plan.coefficients[0]).quantize(
                    quantum, rounding=rounding, context=MONEY_CONTEXT
                )
                untaxed = _subtract(amount, tax) if included else amount
                untaxed_sum = _add(untaxed_sum, untaxed)
                total = per_rate.get(code)
                if total is None:
                    per_rate[code] = [base_untaxed, tax]
                else:
                    total[0] = _add(total[0], base_untaxed)
                    total[1] = _add(total[1], tax)
                line_data.append((untaxed, base_untaxed, plan, (tax,)))
                continue
            taxes = tuple(
                [
                    multiply(base_untaxed, c).quantize(
                        quantum, rounding=rounding, context=MONEY_CONTEXT
                    )
                    for c in plan.coefficients
                ]
            )
            untaxed = _subtract(amount, _total(taxes)) if included else amount
            untaxed_sum = _add(untaxed_sum, untaxed)
            _accumulate(per_rate, plan, base_untaxed, taxes)
            line_data.append((untaxed, base_untaxed, plan, taxes))
        return self._totals(per_rate, untaxed_sum, line_data, unit)

    def _grouped(
        self,
        amounts: Sequence[Decimal],
        plans: list[_Plan],
        unit: Currency,
        base_discount: Decimal,
        groups: Sequence[int],
    ) -> TaxComputation:
        """``PER_LINE`` rounding with discount lines: tax rounded on each goods line's net.

        Each line's taxes are the rounded taxes of its group's running net amount after it
        less those before it, so a group's taxes are the rounded taxes of its net.
        """
        quantum = quantum_of(unit)
        rounding = self.rounding_mode.value
        included = self.prices_include_tax
        factor = MONEY_CONTEXT.subtract(_ONE, base_discount)
        multiply = MONEY_CONTEXT.multiply
        line_data: list[_LineData] = []
        per_rate: dict[str, list[Decimal]] = {}
        untaxed_sum = ZERO
        running = ZERO
        previous: tuple[Decimal, ...] = ()
        for index, (amount, plan) in enumerate(zip(amounts, plans, strict=True)):
            if groups[index] == index:
                running = ZERO
                previous = tuple(ZERO for _ in plan.coefficients)
            running = _add(running, amount)
            base_running = self._untaxed(running, plan, factor, base_discount)
            cumulative = tuple(
                multiply(base_running, c).quantize(
                    quantum, rounding=rounding, context=MONEY_CONTEXT
                )
                for c in plan.coefficients
            )
            taxes = tuple(_subtract(a, b) for a, b in zip(cumulative, previous, strict=True))
            previous = cumulative
            base_untaxed = self._untaxed(amount, plan, factor, base_discount)
            untaxed = _subtract(amount, _total(taxes)) if included else amount
            untaxed_sum = _add(untaxed_sum, untaxed)
            _accumulate(per_rate, plan, base_untaxed, taxes)
            line_data.append((untaxed, base_untaxed, plan, taxes))
        return self._totals(per_rate, untaxed_sum, line_data, unit)

    def _untaxed(
        self, amount: Decimal, plan: _Plan, factor: Decimal, base_discount: Decimal
    ) -> Decimal:
        """The unrounded untaxed base of ``amount`` (tax extracted, or the base discount)."""
        if self.prices_include_tax:
            return MONEY_CONTEXT.divide(amount, plan.factor)
        return MONEY_CONTEXT.multiply(amount, factor) if base_discount else amount

    def _currency(self, items: list[TaxableAmount], currency: str | None) -> str:
        if currency is None and not items:
            raise InvalidTaxError(
                f"Cannot compute taxes of tax profile {self.name!r} for no lines without a"
                " currency; pass currency=."
            )
        code = currency if currency is not None else items[0].amount.currency.code
        for index, item in enumerate(items):
            amount = item.amount
            if amount.currency.code != code:
                raise CurrencyMismatchError("tax", code, amount.currency.code)
            if amount.is_negative or not amount.is_rounded:
                raise InvalidTaxError(
                    f"Invalid amount for line {index + 1} in tax profile {self.name!r}:"
                    f" {amount}; expected zero or more in whole minor units."
                )
        return code

    def _minor_units(self, amount: Decimal, quantum: Decimal, index: int) -> Decimal:
        """``amount`` with exactly the currency's minor-unit digits (``100`` → ``100.00``)."""
        try:
            return amount.quantize(quantum, context=MONEY_EXACT_CONTEXT)
        except (ArithmeticError, TypeError, AttributeError):
            raise InvalidTaxError(
                f"Invalid amount for line {index + 1} in tax profile {self.name!r}:"
                f" {amount!r}; expected a Decimal in whole minor units ({quantum})."
            ) from None

    def _plan(self, codes: Sequence[str], index: int) -> _Plan:
        """The rates of a line in profile order, with their coefficients (memoized)."""
        key = tuple(codes)
        found = self._plans.get(key)
        if found is not None:
            return found
        positions = []
        for tax_code in key:
            if tax_code not in self._index:
                raise InvalidTaxError(
                    f"Unknown tax code {tax_code!r} on line {index + 1} for tax profile"
                    f" {self.name!r}; known codes: {', '.join(sorted(self._index)) or 'none'}."
                )
            positions.append(self._index[tax_code])
        if len(set(positions)) != len(positions):
            raise InvalidTaxError(
                f"Duplicate tax code on line {index + 1} for tax profile {self.name!r}:"
                f" {list(key)}; expected each code once."
            )
        rates = tuple(self.rates[p] for p in sorted(positions))
        exempt = tuple(rate.code in self.exemptions for rate in rates)
        coefficients, bases = _coefficients(rates, exempt)
        plan = _Plan(
            rates,
            exempt,
            coefficients,
            bases,
            MONEY_CONTEXT.add(_ONE, _total(coefficients)),
            rates[0].code if len(rates) == 1 else None,
        )
        self._plans[key] = plan
        return plan

    def _round(
        self,
        raw: list[list[Decimal]],
        plans: list[_Plan],
        quantum: Decimal,
        targets: list[tuple[list[Decimal], _Plan]] | None = None,
    ) -> list[list[Decimal]]:
        mode = self.rounding_mode
        if self.rounding is TaxRounding.PER_LINE:
            rounding = mode.value
            return [
                [x.quantize(quantum, rounding=rounding, context=MONEY_CONTEXT) for x in taxes]
                for taxes in raw
            ]
        rounded = [[ZERO] * len(taxes) for taxes in raw]
        cells: dict[str, list[tuple[int, int]]] = {}
        for li, plan in enumerate(plans):
            for ti, rate in enumerate(plan.rates):
                cells.setdefault(rate.code, []).append((li, ti))
        sums: dict[str, list[Decimal]] = {}
        for taxes, plan in targets or ():
            for rate, tax in zip(plan.rates, taxes, strict=True):
                sums.setdefault(rate.code, []).append(tax)
        for code, positions in cells.items():
            parts = [raw[li][ti] for li, ti in positions]
            target = quantize(_total(sums[code] if targets else parts), quantum, mode)
            for (li, ti), value in zip(
                positions, round_to_total(target, parts, quantum), strict=True
            ):
                rounded[li][ti] = value
        return rounded

    def _assemble(
        self,
        amounts: Sequence[Decimal],
        plans: list[_Plan],
        untaxed_raw: list[Decimal],
        rounded: list[list[Decimal]],
        unit: Currency,
    ) -> TaxComputation:
        line_data: list[_LineData] = []
        per_rate: dict[str, list[Decimal]] = {}
        untaxed_sum = ZERO
        included = self.prices_include_tax
        for amount, plan, base_untaxed, taxes in zip(
            amounts, plans, untaxed_raw, rounded, strict=True
        ):
            untaxed = _subtract(amount, _total(taxes)) if included else amount
            untaxed_sum = _add(untaxed_sum, untaxed)
            _accumulate(per_rate, plan, base_untaxed, taxes)
            line_data.append((untaxed, base_untaxed, plan, tuple(taxes)))
        return self._totals(per_rate, untaxed_sum, line_data, unit)

    def _totals(
        self,
        per_rate: dict[str, list[Decimal]],
        untaxed_sum: Decimal,
        line_data: list[_LineData],
        unit: Currency,
    ) -> TaxComputation:
        """The computation from per-rate ``[unrounded base, tax]`` sums and the lines."""
        mode = self.rounding_mode
        quantum = quantum_of(unit)
        rounding = mode.value
        exemptions = self.exemptions
        by_rate = []
        tax_sum = ZERO
        for rate in self.rates:
            sums = per_rate.get(rate.code)
            if sums is None:
                continue
            base, tax = sums
            tax_sum = _add(tax_sum, tax)
            entry = _new(TaxAmount)  # the fields of TaxAmount have no validators
            _set(entry, "code", rate.code)
            _set(entry, "percent", rate.percent)
            _set(
                entry,
                "base",
                Money.of_rounded(
                    base.quantize(quantum, rounding=rounding, context=MONEY_CONTEXT), unit
                ),
            )
            _set(entry, "amount", Money.of_rounded(tax, unit))
            _set(entry, "exempt", rate.code in exemptions)
            by_rate.append(entry)
        return TaxComputation(
            unit,
            tuple(by_rate),
            Money.of_rounded(untaxed_sum, unit),
            Money.of_rounded(tax_sum, unit),
            Money.of_rounded(_add(untaxed_sum, tax_sum), unit),
            self.rounding,
            tuple(line_data),
            mode,
        )


#: How many tax profiles :meth:`TaxProfile._compute` keeps computations for.
PROFILES_KEPT = 64
#: How many computations it keeps per profile.
COMPUTATIONS_KEPT = 4096
# Profile id -> (the profile, its computations by lines): a memo, each table emptied whole
# when full. The profile is kept with its table, so an id reused by another profile does
# not match.
_COMPUTED: dict[int, tuple[object, dict[tuple[object, ...], TaxComputation]]] = {}


def _new_table(_profile: TaxProfile) -> dict[tuple[object, ...], TaxComputation]:
    return {}


def _coefficients(
    rates: tuple[TaxRate, ...], exempt: tuple[bool, ...]
) -> tuple[tuple[Decimal, ...], tuple[Decimal, ...]]:
    """Tax and base per unit of untaxed amount, for rates in order (compound adds to base)."""
    coefficients: list[Decimal] = []
    bases: list[Decimal] = []
    base = _ONE
    for rate, is_exempt in zip(rates, exempt, strict=True):
        bases.append(base)
        if is_exempt:
            coefficients.append(ZERO)
            continue
        tax = MONEY_CONTEXT.divide(MONEY_CONTEXT.multiply(base, rate.percent), _HUNDRED)
        coefficients.append(tax)
        if rate.compound:
            base = MONEY_CONTEXT.add(base, tax)
    return tuple(coefficients), tuple(bases)
