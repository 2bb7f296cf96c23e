"""Prices of a new order: overrides, line and order discounts, promotion codes (issue 16).

At placement the desk prices each line from the catalogue, then, in this order:

1. a :class:`~ordercycle.service.commands.PriceOverride` replaces a line's unit price
   (the catalogue price and the reason stay on the line);
2. line discounts (:class:`~ordercycle.service.commands.DiscountRequest` with a
   ``line_id``) apply to their line;
3. the promotion, then the order-level discounts, apply to the lines they cover.

Every discount becomes a per-unit :class:`~ordercycle.model.order.lines.Discount` of the
line it reaches, with its reason code: a percentage as a rate, an amount as the line's
share (largest remainder, in proportion to the lines' amounts, in whole minor units)
spread over the line's units. So each line carries its own discount in its own tax
code, every later invoice and credit note bills or credits whole units at the line's net
price, and the order total is exactly the lines' amounts less the amounts taken off.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Context, Decimal

import attrs

from ordercycle.errors import ValidationError
from ordercycle.limits import MAX_UNITS, check_date, check_text
from ordercycle.model.ids import parse_id
from ordercycle.model.order.lines import Discount, NewLine, OrderLine
from ordercycle.money import MONEY_CONTEXT, Money, Rounding
from ordercycle.service._command_handlers import handles
from ordercycle.service._session import Session
from ordercycle.service.commands import DiscountRequest, PlaceOrder, RegisterPromotion
from ordercycle.service.errors import PromotionRefusedError
from ordercycle.service.records import (
    CatalogueEntry,
    Promotion,
    PromotionChanged,
    PromotionUse,
    PromotionUsed,
)
from ordercycle.service.results import CommandResult

__all__ = [
    "allocate_amount",
    "price_lines",
    "promotion",
    "promotion_use",
    "record_promotion_use",
    "register_promotion",
]

_SCOPES = ("order", "sku", "category")
_HUNDRED = Decimal(100)
# Enough digits for an amount per unit of any line; rounded toward zero, so the units of
# a line never take off more than the line's share.
_SPREAD = Context(prec=60, rounding=ROUND_DOWN)


def promotion(s: Session, code: str) -> Promotion:
    """The registered promotion ``code`` (``UnknownAggregateError`` if none)."""
    return s.require("promotion", code, Promotion)


def _limit(value: object, field: str, code: str) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_UNITS:
        raise ValidationError.invalid(
            f"promotion {code}", field, value, f"a whole number from 1 to {MAX_UNITS:_} or None"
        )


@handles(RegisterPromotion)
def register_promotion(s: Session, c: RegisterPromotion) -> CommandResult:
    """Register or change a promotion rule (its recorded uses are kept)."""
    code = parse_id("promotion code", c.code)
    subject = f"promotion {code}"
    if (c.percent is None) == (c.amount is None):
        raise ValidationError.invalid(
            subject, "percent/amount", (c.percent, c.amount), "exactly one of them"
        )
    if c.amount is not None and (not c.amount.is_positive or not c.amount.is_rounded):
        raise ValidationError.invalid(
            subject, "amount", c.amount, "a positive amount in whole minor units"
        )
    if c.scope not in _SCOPES:
        raise ValidationError.invalid(subject, "scope", c.scope, "one of " + ", ".join(_SCOPES))
    check_text(c.target, subject, "target", limit=200)
    if (c.scope == "order") != (not c.target):
        raise ValidationError.invalid(
            subject,
            "target",
            c.target,
            "empty for an order-wide promotion, the sku or category of a scoped one",
        )
    if c.scope == "sku":
        s.require("product", c.target, CatalogueEntry)
    if c.minimum_order is not None:
        if c.minimum_order.is_negative:
            raise ValidationError.invalid(
                subject, "minimum_order", c.minimum_order, "an amount of zero or more"
            )
        if c.amount is not None and c.amount.currency != c.minimum_order.currency:
            raise ValidationError.invalid(
                subject,
                "minimum_order currency",
                c.minimum_order.currency.code,
                f"the amount's currency {c.amount.currency.code}",
            )
    check_date(c.valid_from, subject, "valid_from", optional=True)
    check_date(c.valid_until, subject, "valid_until", optional=True)
    if c.valid_from and c.valid_until and c.valid_until < c.valid_from:
        raise ValidationError.invalid(
            subject, "valid_until", c.valid_until, f"a day on or after valid_from {c.valid_from}"
        )
    _limit(c.limit_per_customer, "limit_per_customer", code)
    _limit(c.limit_total, "limit_total", code)
    before = s.record("promotion", code, Promotion)
    rule = Promotion(
        code=code,
        percent=c.percent,
        amount=c.amount,
        scope=c.scope,
        target=c.target,
        minimum_order=c.minimum_order,
        valid_from=c.valid_from,
        valid_until=c.valid_until,
        limit_per_customer=c.limit_per_customer,
        limit_total=c.limit_total,
        used=0 if before is None else before.used,
    )
    change = "registered" if before is None else "updated"
    s.put("promotion", code, PromotionChanged, rule, change)
    return CommandResult(
        command="RegisterPromotion",
        aggregate_id=code,
        details={"change": change, "kind": rule.kind, "used": rule.used},
    )


# --- pricing a new order ---------------------------------------------------------------------


def allocate_amount(amount: Money, weights: Sequence[Money]) -> tuple[Money, ...]:
    """Split ``amount`` over lines in proportion to their ``weights`` (largest remainder).

    Each part is in whole minor units, the parts sum exactly to ``amount``, and no part
    exceeds its weight (so no line falls below zero). The desk weighs each line by its
    net value rounded down to the minor unit.

    Raises:
        ValidationError: ``amount`` is more than the weights' sum, or they are all zero.

    >>> usd = [Money("10.00", "USD"), Money("20.00", "USD")]
    >>> allocate_amount(Money("5.00", "USD"), usd)
    (Money('1.67', 'USD'), Money('3.33', 'USD'))
    """
    total = Money.sum(weights, currency=amount.currency)
    if not total.is_positive or amount > total:
        raise ValidationError.invalid(
            "discount",
            "amount",
            amount,
            f"an amount of at most {total}, the value of the lines it covers",
        )
    return amount.allocate([w.minor_units for w in weights])


def _line_value(line: NewLine) -> Money:
    return OrderLine.from_new(line).amount(line.quantity)


def _line_room(line: NewLine) -> Money:
    """What an amount may take off the line: its exact net value rounded down.

    An earlier percentage may leave a value below the rounded amount (0.005 rounds up to
    0.01); taking off only whole minor units of the value below it keeps the unit
    price at zero or more, and the line's rounded amount then falls by exactly the share.
    """
    exact = OrderLine.from_new(line).net_unit_price * line.quantity
    places = Decimal(1).scaleb(-(exact.currency.exponent + 20))
    clean = exact.amount.quantize(places, ROUND_HALF_EVEN, MONEY_CONTEXT)
    return Money(clean, exact.currency).round(Rounding.DOWN)


def _with_discount(line: NewLine, discount: Discount) -> NewLine:
    return attrs.evolve(line, discounts=(*line.discounts, discount))


def _spread(line: NewLine, share: Money, reason: str) -> NewLine:
    """``line`` with ``share`` off its total, as an amount per unit."""
    if not share:
        return line
    per_unit = Money(_SPREAD.divide(share.amount, Decimal(line.quantity)), share.currency)
    return _with_discount(line, Discount.per_unit(per_unit, reason=reason))


def _apply(
    lines: list[NewLine], covered: Sequence[int], request: DiscountRequest, reason: str
) -> None:
    """Apply a percentage or an amount to the lines at ``covered`` indexes, in place."""
    if request.percent is not None:
        rate = request.percent / _HUNDRED
        for i in covered:
            lines[i] = _with_discount(lines[i], Discount(rate=rate, reason=reason))
        return
    assert request.amount is not None
    currency = lines[covered[0]].unit_price.currency
    if request.amount.currency != currency:
        raise ValidationError.invalid(
            f"discount {reason}",
            "amount currency",
            request.amount.currency.code,
            f"the order's currency {currency.code}",
        )
    shares = allocate_amount(request.amount, [_line_room(lines[i]) for i in covered])
    for i, share in zip(covered, shares, strict=True):
        lines[i] = _spread(lines[i], share, reason)


def _line_index(lines: Sequence[NewLine], line_id: str, what: str) -> int:
    for i, line in enumerate(lines):
        if line.line_id == line_id:
            return i
    raise ValidationError.invalid(
        "place order",
        f"line of {what}",
        line_id,
        "a line of the order: " + ", ".join(line.line_id for line in lines),
    )


def price_lines(
    s: Session, c: PlaceOrder, lines: list[NewLine], customer_id: str
) -> tuple[list[NewLine], Promotion | None, list[str]]:
    """The lines of a new order after overrides, discounts and its promotion code.

    Returns the lines, the promotion used (to record with :func:`record_promotion_use`)
    and notes for the result.

    Raises:
        ValidationError: An override or discount names no line, is in another currency,
            or takes off more than the lines are worth.
        PromotionRefusedError: The promotion code cannot be used on this order.
    """
    lines = list(lines)
    notes: list[str] = []
    overridden: set[str] = set()
    for override in c.price_overrides:
        i = _line_index(lines, override.line_id, "price override")
        line = lines[i]
        if override.line_id in overridden:
            raise ValidationError.invalid(
                "place order", "price_overrides", override.line_id, "one override per line"
            )
        overridden.add(override.line_id)
        price = override.unit_price
        if not isinstance(price, Money) or price.currency != line.unit_price.currency:
            raise ValidationError.invalid(
                f"price override of line {line.line_id} ({line.sku})",
                "unit price",
                price,
                f"an amount in {line.unit_price.currency.code}, the catalogue price's currency",
            )
        lines[i] = attrs.evolve(
            line, unit_price=price, list_price=line.unit_price, price_reason=override.reason
        )
        notes.append(
            f"line {line.line_id}: price {price} instead of {line.unit_price} ({override.reason})"
        )
    order_level: list[DiscountRequest] = []
    for request in c.discounts:
        if request.line_id is None:
            order_level.append(request)
            continue
        i = _line_index(lines, request.line_id, "discount")
        _apply(lines, [i], request, request.reason)
        notes.append(f"line {request.line_id}: discount {request.reason}")
    used = None
    if c.promotion_code is not None:
        used = _promotion_for(s, c.promotion_code, lines, customer_id)
        covered = _covered(s, used, lines)
        request = DiscountRequest(reason=used.code, percent=used.percent, amount=used.amount)
        _apply(lines, covered, request, f"promotion {used.code}")
        notes.append(
            f"promotion {used.code}: lines " + ", ".join(lines[i].line_id for i in covered)
        )
    everything = list(range(len(lines)))
    for request in order_level:
        _apply(lines, everything, request, f"order discount {request.reason}")
        notes.append(f"order discount {request.reason} on every line")
    return lines, used, notes


def _covered(s: Session, rule: Promotion, lines: Sequence[NewLine]) -> list[int]:
    if rule.scope == "order":
        return list(range(len(lines)))
    if rule.scope == "sku":
        return [i for i, line in enumerate(lines) if str(line.sku) == rule.target]
    return [
        i
        for i, line in enumerate(lines)
        if s.require("product", str(line.sku), CatalogueEntry).category == rule.target
    ]


def _promotion_for(s: Session, code: str, lines: Sequence[NewLine], customer_id: str) -> Promotion:
    """The promotion ``code`` if this order may use it now."""
    check_text(code, "place order", "promotion_code", limit=200)
    rule = s.record("promotion", code, Promotion) if code.strip() == code and code else None
    if rule is None:
        raise PromotionRefusedError(code, customer_id, "no promotion has this code")
    today: date = s.today
    if rule.valid_from is not None and today < rule.valid_from:
        raise PromotionRefusedError(
            code, customer_id, f"it is valid from {rule.valid_from}, not yet on {today}"
        )
    if rule.valid_until is not None and today > rule.valid_until:
        raise PromotionRefusedError(code, customer_id, f"it expired on {rule.valid_until}")
    if rule.limit_total is not None and rule.used >= rule.limit_total:
        raise PromotionRefusedError(
            code, customer_id, f"it is used up: {rule.used} of {rule.limit_total} uses taken"
        )
    if rule.limit_per_customer is not None:
        used = len(promotion_use(s, code, customer_id).order_ids)
        if used >= rule.limit_per_customer:
            raise PromotionRefusedError(
                code,
                customer_id,
                f"the customer has used it {used} times, the limit per customer is"
                f" {rule.limit_per_customer}",
            )
    currency = lines[0].unit_price.currency
    for money in (rule.amount, rule.minimum_order):
        if money is not None and money.currency != currency:
            raise PromotionRefusedError(
                code,
                customer_id,
                f"it is in {money.currency.code}, the order in {currency.code}",
            )
    if rule.minimum_order is not None:
        value = Money.sum((_line_value(line) for line in lines), currency=currency)
        if value < rule.minimum_order:
            raise PromotionRefusedError(
                code,
                customer_id,
                f"the order's value {value} is below its minimum order value {rule.minimum_order}",
            )
    if not _covered(s, rule, lines):
        raise PromotionRefusedError(
            code, customer_id, f"it is for {rule.scope} {rule.target!r}, which the order lacks"
        )
    return rule


def promotion_use(s: Session, code: str, customer_id: str) -> PromotionUse:
    """The orders of ``customer_id`` placed with promotion ``code`` (none: an empty record)."""
    found = s.record("promotion_use", f"{code}/{customer_id}", PromotionUse)
    return found or PromotionUse(code=code, customer_id=customer_id)


def record_promotion_use(s: Session, rule: Promotion, customer_id: str, order_id: str) -> None:
    """Count the order's use on the promotion and on the customer's uses, at the versions read.

    Both streams are appended at the version the placement read them: of two placements
    that take the last use (in total, or of one customer) at once, one conflicts, runs
    again, and then finds the promotion used up.
    """
    after = attrs.evolve(rule, used=rule.used + 1)
    s.put("promotion", rule.code, PromotionChanged, after, f"used by {order_id}")
    mine = promotion_use(s, rule.code, customer_id)
    mine = attrs.evolve(mine, order_ids=(*mine.order_ids, order_id))
    s.put("promotion_use", f"{rule.code}/{customer_id}", PromotionUsed, mine, f"{order_id}")
