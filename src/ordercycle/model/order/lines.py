"""Order lines: what is ordered (sku, quantity, price, discounts, tax code) and its ledger.

:class:`NewLine` is the request for a line, as carried by events and change sets;
:class:`OrderLine` is the line inside an order, whose quantities live in a
:class:`~ordercycle.model.order.ledger.LineLedger`. The functions at the end work on an
order's tuple of lines (find one, change one's ledger, add one, cancel what is unshipped),
so that the aggregate and the edit rules share one implementation; :class:`LineRelease`
says what stock a line gives back.

>>> from ordercycle.money import Money
>>> line = NewLine("L1", "MUG-12", 4, Money("10.00", "USD"),
...                discounts=(Discount.percent("25", reason="launch"),))
>>> OrderLine.from_new(line).net_unit_price
Money('7.50', 'USD')
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import attrs

from ordercycle.errors import InvalidQuantityError, ValidationError
from ordercycle.limits import check_text
from ordercycle.model._replace import replace
from ordercycle.model.ids import Sku, parse_id, parse_sku
from ordercycle.model.order.errors import (
    DuplicateLineError,
    OrderCurrencyError,
    UnknownLineError,
)
from ordercycle.model.order.ledger import LineLedger, Release
from ordercycle.money import MONEY_CONTEXT, Currency, Money

__all__ = [
    "Discount",
    "LineRelease",
    "NewLine",
    "OrderLine",
    "add_line",
    "cancel_unshipped",
    "check_currency",
    "find_line",
    "line_subject",
    "replace_line",
    "with_ledger",
]


def _rate(value: object) -> Decimal | None:
    if value is None or isinstance(value, Decimal):
        return value
    if isinstance(value, int | str) and not isinstance(value, bool):
        try:
            return Decimal(value)
        except ArithmeticError:
            pass
    raise ValidationError.invalid(
        "discount", "rate", value, "a Decimal, int or numeric str between 0 and 1"
    )


@attrs.frozen
class Discount:
    """A discount on each unit of a line: a ``rate`` (``0.10`` for 10 %) or an ``amount``.

    Discounts of a line apply in order; the net unit price may not fall below zero.

    Attributes:
        rate: The fraction taken off the unit price, ``0 < rate <= 1``.
        amount: The amount taken off each unit (positive).
        reason: Why it is given (``"launch promotion"``).

    Raises:
        ValidationError: Both or neither of ``rate`` and ``amount`` given, or out of range.

    >>> Discount(rate=Decimal("1.5"))
    Traceback (most recent call last):
    ...
    ordercycle.errors.ValidationError: Invalid rate for discount: Decimal('1.5'); expected a fraction with 0 < rate <= 1 (0.10 is 10 %).
    """  # noqa: E501

    rate: Decimal | None = attrs.field(default=None, converter=_rate, kw_only=True)
    amount: Money | None = attrs.field(default=None, kw_only=True)
    reason: str = attrs.field(default="", kw_only=True)

    def __attrs_post_init__(self) -> None:
        if (self.rate is None) == (self.amount is None):
            raise ValidationError.invalid(
                "discount", "rate/amount", (self.rate, self.amount), "exactly one of them"
            )
        if self.rate is not None and not Decimal(0) < self.rate <= Decimal(1):
            raise ValidationError.invalid(
                "discount", "rate", self.rate, "a fraction with 0 < rate <= 1 (0.10 is 10 %)"
            )
        if self.amount is not None and (
            not isinstance(self.amount, Money) or not self.amount.is_positive
        ):
            raise ValidationError.invalid(
                "discount", "amount", self.amount, "a positive Money amount per unit"
            )

    @classmethod
    def percent(cls, percent: Decimal | int | str, *, reason: str = "") -> Discount:
        """A discount of ``percent`` per cent (``Discount.percent("10")`` is 10 %)."""
        return cls(rate=_percent(percent), reason=reason)

    @classmethod
    def per_unit(cls, amount: Money, *, reason: str = "") -> Discount:
        """A fixed ``amount`` off each unit."""
        return cls(amount=amount, reason=reason)

    def terms(self) -> str:
        """The discount and its reason, as documents print it.

        An amount per unit that does not end (an amount off a line spread over its units)
        is shown to four places below the minor unit, after ``~``.

        >>> Discount.percent(10, reason="SPRING10").terms()
        'less 10 % (SPRING10)'
        >>> Discount.per_unit(Money("10.00", "USD") / 3).terms()
        'less ~3.333333 USD per unit (discount)'
        """
        reason = self.reason or "discount"
        if self.rate is not None:
            percent = format((self.rate * 100).normalize(), "f")
            return f"less {percent} % ({reason})"
        assert self.amount is not None
        amount = self.amount
        places = Decimal(1).scaleb(-(amount.currency.exponent + 4))
        near = amount.amount.quantize(places, context=MONEY_CONTEXT)
        if near == amount.amount:
            return f"less {amount} per unit ({reason})"
        return f"less ~{format(near, 'f')} {amount.currency.code} per unit ({reason})"

    def apply(self, price: Money) -> Money:
        """The unit ``price`` after this discount (unrounded)."""
        if self.rate is not None:
            return price - price * self.rate
        assert self.amount is not None
        return price - self.amount


def _percent(value: Decimal | int | str) -> Decimal:
    rate = _rate(value)
    assert rate is not None
    return rate / 100


def _subject(instance: Any) -> str:
    line_id = getattr(instance, "line_id", "?")
    return f"line {line_id}"


def _line_id(value: object) -> str:
    return parse_id("line id", value)


def _check_price(instance: Any, _attribute: object, value: Any) -> None:
    if not isinstance(value, Money) or value.is_negative:
        raise ValidationError.invalid(
            _subject(instance), "unit price", value, "a Money amount of zero or more"
        )


def _check_quantity(instance: Any, _attribute: object, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise InvalidQuantityError.invalid(
            _subject(instance), "quantity", value, "a positive integer"
        )


def _check_discounts(instance: Any, _attribute: object, value: Any) -> None:
    if not isinstance(value, tuple) or not all(isinstance(d, Discount) for d in value):
        raise ValidationError.invalid(
            _subject(instance), "discounts", value, "a tuple of Discount values"
        )
    price = instance.unit_price
    for discount in value:
        if discount.amount is not None and discount.amount.currency != price.currency:
            raise ValidationError.invalid(
                _subject(instance),
                "discount currency",
                discount.amount.currency.code,
                f"the unit price's currency {price.currency.code}",
            )
        price = discount.apply(price)
        if price.is_negative:
            raise ValidationError.invalid(
                _subject(instance), "discounts", value, "discounts that leave a price of 0 or more"
            )


def _check_tax_code(instance: Any, _attribute: object, value: Any) -> None:
    if not isinstance(value, str) or value != value.strip():
        raise ValidationError.invalid(
            _subject(instance), "tax code", value, "text without surrounding spaces (or empty)"
        )


def _as_discounts(value: Iterable[Discount]) -> tuple[Discount, ...]:
    return tuple(value)


def _check_list_price(instance: Any, _attribute: object, value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, Money) or value.is_negative:
        raise ValidationError.invalid(
            _subject(instance), "list price", value, "a Money amount of zero or more (or None)"
        )
    if value.currency != instance.unit_price.currency:
        raise ValidationError.invalid(
            _subject(instance),
            "list price currency",
            value.currency.code,
            f"the unit price's currency {instance.unit_price.currency.code}",
        )


def _check_price_reason(instance: Any, _attribute: object, value: Any) -> None:
    if instance.list_price is None:
        if value != "":
            raise ValidationError.invalid(
                _subject(instance), "price reason", value, "empty when the price is not overridden"
            )
        return
    check_text(value, _subject(instance), "price reason")
    if not value.strip():
        raise ValidationError.invalid(
            _subject(instance),
            "price reason",
            value,
            "a reason for the price override (why the catalogue price is not used)",
        )


#: Decimal places kept below a currency's minor unit in a net unit price, and (fewer) in a
#: line amount before it is rounded. An amount off a line is spread over its units as an
#: amount per unit that may not terminate (10.00 over 3 units); the per-unit price keeps
#: 30 places below the minor unit, and the line amount drops what is below 20 places
#: before rounding, so ``3 x (10.00 / 3)`` is exactly 10.00 again, in every rounding mode.
_UNIT_PLACES = 30
_AMOUNT_PLACES = 20


def _without_noise(money: Money, places: int) -> Money:
    exponent = -(money.currency.exponent + places)
    amount = money.amount
    digits = amount.as_tuple().exponent
    if not isinstance(digits, int) or digits >= exponent:
        return money
    return money.with_amount(
        amount.quantize(Decimal(1).scaleb(exponent), ROUND_HALF_EVEN, MONEY_CONTEXT)
    )


def _net(unit_price: Money, discounts: tuple[Discount, ...]) -> Money:
    if not discounts:
        return unit_price
    price = unit_price
    for discount in discounts:
        price = discount.apply(price)
    return _without_noise(price, _UNIT_PLACES)


# Order totals, credit checks and invoices ask for the same few line amounts again and
# again; the values are immutable and the function pure, so the answers are remembered.
@functools.lru_cache(maxsize=4096)
def _amount(unit_price: Money, discounts: tuple[Discount, ...], quantity: int) -> Money:
    return _without_noise(_net(unit_price, discounts) * quantity, _AMOUNT_PLACES).round()


@attrs.frozen
class NewLine:
    """A line to add to an order.

    Attributes:
        line_id: Unique within the order (``"L1"``).
        sku: The product.
        quantity: Units ordered, a positive integer.
        unit_price: Price of one unit before discounts.
        tax_code: Tax category resolved by invoicing (``"standard"``); may be empty.
        discounts: Per-unit discounts, applied in order.
        list_price: The catalogue price when ``unit_price`` overrides it (``None``: the
            unit price is the catalogue's).
        price_reason: Why the price was overridden (required with ``list_price``).

    Raises:
        InvalidQuantityError: ``quantity`` is not a positive integer.
        ValidationError: Another field is invalid (the message names the line and field).
    """

    line_id: str = attrs.field(converter=_line_id)
    sku: Sku = attrs.field(converter=parse_sku)
    quantity: int = attrs.field(validator=_check_quantity)
    unit_price: Money = attrs.field(validator=_check_price)
    tax_code: str = attrs.field(default="", kw_only=True, validator=_check_tax_code)
    discounts: tuple[Discount, ...] = attrs.field(
        default=(), kw_only=True, converter=_as_discounts, validator=_check_discounts
    )
    list_price: Money | None = attrs.field(default=None, kw_only=True, validator=_check_list_price)
    price_reason: str = attrs.field(default="", kw_only=True, validator=_check_price_reason)


@attrs.frozen
class OrderLine:
    """A line of an order: product, price terms and the quantity ledger.

    Attributes:
        line_id: Unique within the order.
        sku: The product.
        unit_price: Price of one unit before discounts.
        ledger: Where each unit is (see :class:`~ordercycle.model.order.ledger.LineLedger`).
        tax_code: Tax category for invoicing.
        discounts: Per-unit discounts, applied in order.
        list_price: The catalogue price the unit price overrides (``None``: no override).
        price_reason: Why the price was overridden.
    """

    line_id: str
    sku: Sku
    unit_price: Money
    ledger: LineLedger
    tax_code: str = ""
    discounts: tuple[Discount, ...] = ()
    list_price: Money | None = None
    price_reason: str = ""

    @classmethod
    def from_new(cls, line: NewLine) -> OrderLine:
        """The order line for a :class:`NewLine`, with every unit open."""
        return cls(
            line.line_id,
            line.sku,
            line.unit_price,
            LineLedger.of(line.quantity),
            tax_code=line.tax_code,
            discounts=line.discounts,
            list_price=line.list_price,
            price_reason=line.price_reason,
        )

    @property
    def quantity(self) -> int:
        """Units ordered (including canceled ones): ``ledger.ordered``."""
        return self.ledger.ordered

    @property
    def net_unit_price(self) -> Money:
        """Unit price after every discount, unrounded."""
        return _net(self.unit_price, self.discounts)

    def amount(self, quantity: int) -> Money:
        """Net amount of ``quantity`` units, rounded to the currency's minor unit."""
        return _amount(self.unit_price, self.discounts, quantity)

    @property
    def discount_steps(self) -> tuple[tuple[Discount, Money], ...]:
        """Each discount with what it takes off one unit, in order (unrounded).

        The amounts add up to exactly ``unit_price - net_unit_price``: each is the net
        unit price before the discount less the net after it (kept to the places
        :attr:`net_unit_price` keeps), so an invoice can bill the unit price and show
        each discount as a line of its own.

        >>> line = OrderLine.from_new(NewLine("L1", "MUG", 3, Money("10.00", "USD"),
        ...     discounts=(Discount.percent(10), Discount.per_unit(Money("1.00", "USD")))))
        >>> [str(off) for _, off in line.discount_steps], str(line.net_unit_price)
        (['1.00 USD', '1.00 USD'], '8.00 USD')
        """
        steps = []
        price = before = self.unit_price
        for discount in self.discounts:
            price = discount.apply(price)
            after = _without_noise(price, _UNIT_PLACES)
            steps.append((discount, before - after))
            before = after
        return tuple(steps)

    @property
    def price_terms(self) -> str:
        """The price override and each discount with its reason, for documents.

        Empty for a line at the catalogue price without discounts. An amount per unit
        that does not end (an amount off the line spread over its units) is shown to four
        places below the minor unit, after ``~``.

        >>> line = OrderLine.from_new(NewLine("L1", "MUG", 3, Money("8.00", "USD"),
        ...     list_price=Money("9.50", "USD"), price_reason="price match",
        ...     discounts=(Discount.percent(10, reason="SPRING10"),
        ...                Discount.per_unit(Money("10.00", "USD") / 3, reason="loyalty"))))
        >>> line.price_terms
        'price 8.00 USD instead of 9.50 USD (price match); less 10 % (SPRING10); less ~3.333333 USD per unit (loyalty)'
        >>> line.amount(3)
        Money('11.60', 'USD')
        """  # noqa: E501
        parts = []
        if self.list_price is not None:
            parts.append(
                f"price {self.unit_price} instead of {self.list_price} ({self.price_reason})"
            )
        parts.extend(discount.terms() for discount in self.discounts)
        return "; ".join(parts)


@attrs.frozen
class LineRelease:
    """Units of one line taken back from the warehouse, by bucket."""

    line_id: str
    sku: Sku
    release: Release


# --- an order's lines ---------------------------------------------------------------------------


def line_subject(order_subject: str, line_id: str) -> str:
    """``"line L1 of order O-17"``, for messages."""
    return f"line {line_id} of {order_subject}"


def find_line(lines: Iterable[OrderLine], line_id: str, *, subject: str) -> OrderLine:
    """The line called ``line_id`` among ``lines`` (the lines of ``subject``).

    Raises:
        UnknownLineError: No such line (the message lists the known ones).
    """
    known = tuple(lines)
    for line in known:
        if line.line_id == line_id:
            return line
    raise UnknownLineError(subject, line_id, [line.line_id for line in known])


def replace_line(lines: tuple[OrderLine, ...], new: OrderLine) -> tuple[OrderLine, ...]:
    """``lines`` with the line of the same id as ``new`` replaced by it."""
    return tuple(new if line.line_id == new.line_id else line for line in lines)


def with_ledger(
    lines: tuple[OrderLine, ...],
    line_id: str,
    change: Callable[[LineLedger, str], LineLedger],
    *,
    subject: str,
) -> tuple[OrderLine, ...]:
    """``lines`` after ``change(ledger, line_subject)`` on the ledger of one line.

    Raises:
        UnknownLineError: No such line.
        QuantityNotAvailableError: (from ``change``) The ledger refuses the change.
    """
    line = find_line(lines, line_id, subject=subject)
    ledger = change(line.ledger, line_subject(subject, line_id))
    return replace_line(lines, replace(line, ledger=ledger))


def check_currency(money: Money, currency: Currency, *, subject: str, what: str) -> None:
    """Refuse ``money`` unless it is in ``currency`` (the order's).

    Raises:
        OrderCurrencyError: Naming ``what`` (``"the price of line L1"``).
    """
    if money.currency != currency:
        raise OrderCurrencyError(subject, what, currency.code, money.currency.code)


def add_line(
    lines: tuple[OrderLine, ...], new: NewLine, *, subject: str, currency: Currency
) -> tuple[OrderLine, ...]:
    """``lines`` with an :class:`OrderLine` for ``new`` at the end.

    Raises:
        DuplicateLineError: The line id is taken.
        OrderCurrencyError: The price is not in ``currency``.
    """
    if any(line.line_id == new.line_id for line in lines):
        raise DuplicateLineError(subject, new.line_id)
    check_currency(
        new.unit_price, currency, subject=subject, what=f"the price of line {new.line_id}"
    )
    return (*lines, OrderLine.from_new(new))


def cancel_unshipped(
    lines: tuple[OrderLine, ...], *, subject: str
) -> tuple[tuple[OrderLine, ...], tuple[LineRelease, ...]]:
    """Cancel every unshipped unit of every line; return the lines and the stock released.

    Raises:
        QuantityNotAvailableError: A line has invoiced units that are not credited.
    """
    releases = []
    for line in lines:
        if line.ledger.unshipped:
            ledger, release = line.ledger.cancel(
                line.ledger.unshipped, subject=line_subject(subject, line.line_id)
            )
            lines = replace_line(lines, attrs.evolve(line, ledger=ledger))
            releases.append(LineRelease(line.line_id, line.sku, release))
    return lines, tuple(releases)
