"""Catalogue and order commands: register, place, confirm (credit check), holds, allocate."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from ordercycle.errors import ValidationError
from ordercycle.inventory import Demand, DemandLine, Lot, StockLedger, plan_allocation
from ordercycle.inventory.allocation_plan import AllocationPlan
from ordercycle.inventory.errors import UnknownLotError
from ordercycle.invoicing import CreditAction, CustomerAccount, PaymentTerms, check_credit_limit
from ordercycle.limits import check_text
from ordercycle.model._replace import replace
from ordercycle.model.aggregate import Outcome
from ordercycle.model.customer import Customer
from ordercycle.model.ids import LotId, Sku, parse_id
from ordercycle.model.order import Order, OrderCurrencyError, OrderEvent, OrderOutcome
from ordercycle.model.order.lines import NewLine
from ordercycle.model.order.policies import HoldReason
from ordercycle.money import Currency, Money
from ordercycle.service._command_handlers import handles
from ordercycle.service._order_entry import check_price, order_header
from ordercycle.service._pricing import price_lines, record_promotion_use
from ordercycle.service._session import Session
from ordercycle.service._views import OPEN_ORDERS, all_rows, projections
from ordercycle.service.commands import (
    AllocateOrder,
    CancelOrder,
    ConfirmOrder,
    CreateDraftOrder,
    HoldOrder,
    PlaceOrder,
    ReceiveStock,
    RegisterCustomer,
    RegisterProduct,
    ReleaseHold,
)
from ordercycle.service.errors import DeskCommandError
from ordercycle.service.records import (
    Account,
    AccountChanged,
    Backlog,
    BacklogChanged,
    CatalogueEntry,
    CustomerRegistered,
    OpenOrder,
    OpenOrderChanged,
    OpenOrdersChanged,
    ProductRegistered,
    Promotion,
)
from ordercycle.service.results import CommandResult

__all__ = [
    "allocate_order",
    "allocate_stock",
    "backlog_key",
    "backorder_promises",
    "cancel_order",
    "check_shipping_method",
    "confirm_order",
    "customer",
    "hold_order",
    "new_order",
    "place_order",
    "product",
    "receipt_lot",
    "receive_stock",
    "register_customer",
    "register_product",
    "release_hold",
    "release_stock",
    "serve_backlog",
    "track_backorders",
    "waiting_orders",
]


def customer(s: Session, customer_id: str) -> Customer:
    """The registered customer (``UnknownAggregateError`` if none)."""
    return s.require("customer", customer_id, Customer)


def product(s: Session, sku: str) -> CatalogueEntry:
    """The catalogue entry of ``sku`` (``UnknownAggregateError`` if none)."""
    return s.require("product", sku, CatalogueEntry)


def _account(s: Session, customer_id: str) -> Account:
    """The customer's account; a customer without one starts with an empty ledger and no
    exposure (accounts stored before those existed hold ``None``)."""
    found = s.record("account", customer_id, Account)
    if found is not None:
        return found
    currency = customer(s, customer_id).credit_limit.currency
    return Account(
        customer_id=customer_id,
        ledger=CustomerAccount.open(customer_id, currency),
        exposure=Money.zero(currency),
    )


def update_account(
    s: Session,
    customer_id: str,
    change: str,
    *,
    add_orders: tuple[str, ...] = (),
    drop_orders: tuple[str, ...] = (),
    add_invoices: tuple[str, ...] = (),
    drop_invoices: tuple[str, ...] = (),
    balance_change: Money | None = None,
) -> None:
    """Add or drop open orders and invoices of a customer's account (if anything changes).

    ``balance_change`` is how much the command moved the balances of the customer's
    invoices (already saved in the session); it moves the account's receivables.
    """
    before = _account(s, customer_id)
    if add_orders or drop_orders:
        _change_open_orders(s, customer_id, before, add_orders, drop_orders, change)
        before = _account(s, customer_id)
    if balance_change is not None and before.receivables is not None:
        # The lists and the receivables changed in one copy (what two changed() give).
        after = before.changed(
            add_invoices=add_invoices,
            drop_invoices=drop_invoices,
            receivables=before.receivables + balance_change,
        )
    else:
        after = before.changed(add_invoices=add_invoices, drop_invoices=drop_invoices)
        if balance_change is not None:  # an account stored before it kept receivables
            total = open_balance(s, after.open_invoice_ids, balance_change.currency)
            after = after.changed(receivables=total)
    if after is not before and after != before:
        s.put("account", customer_id, AccountChanged, after, change)


def open_orders(s: Session, customer_id: str, account: Account | None = None) -> tuple[str, ...]:
    """The customer's open orders (placed, not yet fully invoiced or canceled), oldest
    first (ties by id).

    Each order keeps its own :class:`~ordercycle.service.records.OpenOrder` record, listed
    through the ``open_orders`` view; lists stored by earlier releases (in the account,
    then in one ``open_orders`` record per customer) are read too, less the orders whose
    own record says they closed since.
    """
    legacy = _legacy_open_orders(s, customer_id, account)
    views = projections(s.uow)
    if views is not None:
        where = (("customer", customer_id),)
        listed = tuple(row.key for row in all_rows(s.uow, OPEN_ORDERS, where, None, None))
    else:  # an adapter without read models: every order's record, read one by one
        listed = tuple(
            o
            for o in s.ids_of("open_order")
            if (found := s.record("open_order", o, OpenOrder)) is not None
            and found.open
            and found.customer_id == customer_id
        )
    kept = tuple(o for o in legacy if _is_open(s, o, default=True))
    return tuple(dict.fromkeys((*kept, *listed)))


def _legacy_open_orders(
    s: Session, customer_id: str, account: Account | None = None
) -> tuple[str, ...]:
    """The open orders as earlier releases stored them (empty for newer customers)."""
    stored = s.record("open_orders", customer_id, tuple)
    legacy = (account or _account(s, customer_id)).open_order_ids
    return tuple(dict.fromkeys((*legacy, *(stored or ()))))


def _is_open(s: Session, order_id: str, *, default: bool) -> bool:
    found = s.record("open_order", order_id, OpenOrder)
    return default if found is None else found.open


def _change_open_orders(
    s: Session,
    customer_id: str,
    account: Account,
    add: tuple[str, ...],
    drop: tuple[str, ...],
    change: str,
) -> None:
    # The lists of earlier releases matter only to move them out, or to drop an order that
    # has no record of its own (listed there, or never open): they are read only then, not
    # for every order an invoice or a cancellation closes (the record says it was open).
    legacy: tuple[str, ...] | None = None
    if s.record("account", customer_id, Account) is None:
        # The account stream starts with the customer's first order (as it did when it
        # held the list): the credit checks append to it at the version it read.
        s.put("account", customer_id, AccountChanged, account, change)
    elif account.open_order_ids:  # stored before the list had a record: move it out
        legacy = _legacy_open_orders(s, customer_id, account)
        s.put("account", customer_id, AccountChanged, replace(account, open_order_ids=()), change)
        # The list moves out into the per-customer record of the release after, read as before.
        s.put("open_orders", customer_id, OpenOrdersChanged, legacy, change)
    # One small record per order changed: the cost does not grow with the open orders.
    for order_id in dict.fromkeys((*add, *drop)):
        wanted = order_id not in drop
        found = s.record("open_order", order_id, OpenOrder)
        if found is not None and found.open == wanted:
            continue
        if found is None and not wanted:
            if legacy is None:  # (what the lists said before this change moved them)
                legacy = _legacy_open_orders(s, customer_id, account)
            if order_id not in legacy:
                continue  # never open: nothing to drop
        since = found.since if found is not None else s.now
        state = OpenOrder(customer_id=customer_id, since=since, open=wanted)
        s.put("open_order", order_id, OpenOrderChanged, state, change)


def with_open_orders(s: Session, account: Account) -> Account:
    """The account as ``desk.account()`` shows it: with its open orders filled in."""
    return replace(account, open_order_ids=open_orders(s, account.customer_id, account))


def open_balance(s: Session, invoice_ids: Iterable[str], currency: Currency) -> Money:
    """The sum of the invoices' balances, read one by one (what ``receivables`` keeps)."""
    return Money.sum((s.invoice(i)[0].balance for i in invoice_ids), currency=currency)


@handles(RegisterCustomer)
def register_customer(s: Session, c: RegisterCustomer) -> CommandResult:
    """Register (or update) a customer; the tax profile must exist."""
    found = c.customer
    if not isinstance(found, Customer):
        raise ValidationError.invalid("register customer", "customer", found, "a Customer")
    s.settings.tax_profile(found.tax_profile, subject=f"customer {found.id}")
    # Terms are read now, not at the first invoice, so a customer whose orders could
    # never be invoiced is refused at the door.
    PaymentTerms.parse(found.payment_terms)
    change = "updated" if s.exists("customer", found.id) else "registered"
    s.put("customer", found.id, CustomerRegistered, found, change)
    return CommandResult(
        command="RegisterCustomer", aggregate_id=found.id, details={"change": change}
    )


@handles(RegisterProduct)
def register_product(s: Session, c: RegisterProduct) -> CommandResult:
    """Add (or replace) a catalogue entry."""
    if not isinstance(c.price, Money) or c.price.is_negative:
        raise ValidationError.invalid(
            f"product {c.product.sku}", "price", c.price, "a Money amount of zero or more"
        )
    if c.tax_code:
        codes = sorted(
            {rate.code for profile in s.settings.tax_profiles.values() for rate in profile.rates}
        )
        if c.tax_code not in codes:
            raise ValidationError.invalid(
                f"product {c.product.sku}",
                "tax_code",
                c.tax_code,
                "empty (every rate of the customer's profile) or a code of the desk's tax"
                f" profiles: {', '.join(codes) or 'none'}",
            )
    check_text(c.category, f"product {c.product.sku}", "category", limit=200)
    entry = CatalogueEntry(
        product=c.product, price=c.price, tax_code=c.tax_code, category=c.category
    )
    sku = str(c.product.sku)
    change = "updated" if s.exists("product", sku) else "registered"
    s.put("product", sku, ProductRegistered, entry, change)
    return CommandResult(command="RegisterProduct", aggregate_id=sku, details={"change": change})


@handles(ReceiveStock)
def receive_stock(s: Session, c: ReceiveStock) -> CommandResult:
    """Receive units into a bin (the receipt handler then serves backorders)."""
    product(s, c.sku)
    ledger = s.stock([c.sku])
    lot = receipt_lot(ledger, c, s.today)
    ledger.receive(c.sku, c.bin, c.quantity, lot=lot, at=s.now)
    s.save_stock()
    available = ledger.available(c.sku, at=s.now)
    details: dict[str, object] = {"bin": c.bin, "quantity": c.quantity, "available": available}
    if c.lot is not None:
        details["lot"] = c.lot
    return CommandResult(command="ReceiveStock", aggregate_id=c.sku, details=details)


def receipt_lot(ledger: StockLedger, c: ReceiveStock, today: date) -> Lot | str | None:
    """The lot to receive into: a new :class:`Lot` received today, or a known lot's id."""
    if c.lot is None:
        if c.expires_on is not None:
            raise ValidationError.invalid(
                f"receipt of {c.sku}", "expires_on", c.expires_on, "a date only with a lot"
            )
        return None
    try:
        known = ledger.lot(c.sku, c.lot)
    except UnknownLotError:
        return Lot(Sku(c.sku), LotId(parse_id("lot", c.lot)), today, c.expires_on)
    if c.expires_on is not None and c.expires_on != known.expires_on:
        raise ValidationError.invalid(
            f"lot {c.lot} of {c.sku}",
            "expires_on",
            c.expires_on,
            f"its recorded expiry {known.expires_on} (a receipt cannot change it)",
        )
    return c.lot


@handles(PlaceOrder)
def place_order(s: Session, c: PlaceOrder) -> CommandResult:
    """Create an order at catalogue prices and place it."""
    if not c.items:
        raise ValidationError.invalid("place order", "items", (), "at least one OrderItem")
    (draft, drafted), used, notes = new_order(s, c)
    placed, placing = draft.place(at=s.now)
    # One save of both changes: one append and one read-model row instead of two.
    order = s.save_order((placed, (*drafted, *placing)))
    update_account(s, order.customer_id, f"order {order.id}", add_orders=(order.id,))
    details: dict[str, object] = {
        "total": str(order.total),
        "lines": [line.line_id for line in order.lines],
    }
    if used is not None:
        record_promotion_use(s, used, order.customer_id, order.id)
        details["promotion"] = used.code
    return CommandResult(
        command="PlaceOrder", aggregate_id=order.id, details=details, notes=tuple(notes)
    )


def new_order(
    s: Session, c: PlaceOrder | CreateDraftOrder
) -> tuple[OrderOutcome, Promotion | None, list[str]]:
    """The draft of a new order for an entry command (checked; nothing saved yet), with the
    promotion it uses (to record when it is placed) and the pricing notes.

    Prices: the catalogue's, and for :class:`PlaceOrder` its price overrides, discounts and
    promotion code (:func:`~ordercycle.service._pricing.price_lines`).

    Raises:
        ValidationError: A field is invalid or the order id is taken.
        OrderCurrencyError: A product's price is not in the order's currency.
    """
    buyer = customer(s, c.customer_id)
    if c.order_id is None:
        order_id = s.new_id("order", "order")
    else:
        order_id = parse_id("order id", c.order_id)
        if s.exists("order", order_id):
            raise DeskCommandError(f"place order {order_id}", "an order with this id exists")
    subject = f"order {order_id} for customer {buyer.id}"
    header = order_header(subject, buyer, c)
    terms = c.payment_terms or buyer.payment_terms
    PaymentTerms.parse(terms)  # refused now, not when the order is first invoiced
    profile = s.settings.tax_profile(buyer.tax_profile, subject=f"customer {buyer.id}")
    known_codes = {rate.code for rate in profile.rates}
    lines = []
    for number, item in enumerate(c.items, 1):
        entry = product(s, item.sku)
        if entry.tax_code and entry.tax_code not in known_codes:
            raise ValidationError.invalid(
                f"place order for customer {buyer.id}",
                f"tax code of {item.sku}",
                entry.tax_code,
                f"a code of the customer's tax profile {profile.name}:"
                f" {', '.join(sorted(known_codes)) or 'none'}",
            )
        check_price(subject, item.sku, entry.price, header.currency)
        lines.append(
            NewLine(
                f"L{number}", Sku(item.sku), item.quantity, entry.price, tax_code=entry.tax_code
            )
        )
    priced = price_lines(s, c, lines, buyer.id) if isinstance(c, PlaceOrder) else (lines, None, [])
    lines, used, notes = priced
    order, events = Order.create(
        order_id,
        customer_id=buyer.id,
        currency=header.currency,
        shipping_address=header.shipping_address,
        billing_address=header.billing_address,
        channel=header.channel,
        at=s.now,
        lines=lines,
        payment_terms=terms,
        invoice_policy=c.invoice_policy,
        shipping_policy=c.shipping_policy,
        priority=c.priority,
        requested_delivery_date=c.requested_delivery_date,
    )
    if c.shipping_method:
        check_shipping_method(s, subject, c.shipping_method, header.currency)
        order, chosen = order.change_shipping_method(c.shipping_method, at=s.now)
        events = (*events, *chosen)
    return Outcome(order, events), used, notes


def check_shipping_method(s: Session, subject: str, name: str, currency: Currency) -> None:
    """Refuse a shipping method the desk does not know, or priced in another currency.

    Raises:
        NotFoundError: No such method (the message lists the desk's).
        OrderCurrencyError: Its rate is in another currency than the order's.
    """
    method = s.settings.shipping_method(name, subject=subject)
    if method.currency != currency:
        raise OrderCurrencyError(
            subject, f"the rate of shipping method {name}", currency.code, method.currency.code
        )


def gross_not_invoiced(s: Session, buyer: Customer, order: Order) -> Money:
    """The order's units not yet invoiced, priced tax included (the customer's profile)."""
    profile = s.settings.tax_profile(buyer.tax_profile, subject=f"customer {buyer.id}")
    every_rate = tuple(rate.code for rate in profile.rates)
    items = []
    for line in order.lines:
        quantity = line.ledger.active - line.ledger.net_invoiced
        if quantity > 0:
            codes = (line.tax_code,) if line.tax_code else every_rate
            items.append((line.amount(quantity), codes))
    if not items:
        return Money.zero(order.currency)
    # The gross is a pure function of the profile and the priced items, and an order's
    # credit check and exposure ask it again for the same lines. (The profile remembers
    # its tax computations too, which the invoice of the units reuses; this spares the
    # items' checks and wrapping on the way there.)
    key = (
        id(profile),
        order.currency.code,
        tuple((str(m.amount), m.currency.code, codes) for m, codes in items),
    )
    known = _GROSS.get(key)
    if known is not None and known[0] is profile:
        return known[1]
    total = profile.compute(items, order.currency.code).total
    if len(_GROSS) >= GROSS_KEPT:
        _GROSS.clear()
    _GROSS[key] = (profile, total)
    return total


#: How many computed gross amounts :func:`gross_not_invoiced` remembers.
GROSS_KEPT = 4096
# (profile id, currency, items) -> (the profile, the gross): a memo, cleared when full. The
# profile is kept with its result, so an id reused by another profile does not match.
_GROSS: dict[tuple[object, ...], tuple[object, Money]] = {}


def counted_exposure(s: Session, buyer: Customer, order: Order | None) -> Money:
    """What ``order`` adds to its customer's exposure: its units not yet invoiced, gross,
    once it is confirmed and until it is canceled (zero before and after)."""
    if order is None or order.state in ("draft", "placed", "canceled"):
        return Money.zero(buyer.credit_limit.currency)
    return gross_not_invoiced(s, buyer, order)


def exposure_of(s: Session, account: Account, buyer: Customer) -> Money:
    """The gross exposure of the customer's confirmed orders, as the account keeps it; an
    account stored before the desk kept it is summed once from its open orders."""
    if account.exposure is not None:
        return account.exposure
    return Money.sum(
        (counted_exposure(s, buyer, s.order(o)) for o in open_orders(s, buyer.id, account)),
        currency=buyer.credit_limit.currency,
    )


def receivables_of(s: Session, account: Account, currency: Currency) -> tuple[Money, Money]:
    """What is open on the customer's invoices and the credit on account (cash on account,
    unapplied credit notes), from the ledger (older accounts: open invoices, no credit)."""
    if account.ledger is not None:
        totals = account.ledger.balance
        return totals.open_invoices, totals.unapplied
    zero = Money.zero(currency)
    if account.receivables is not None:
        return account.receivables, zero
    return open_balance(s, account.open_invoice_ids, currency), zero


def set_exposure(s: Session, order: Order, change: str) -> None:
    """Move the customer's exposure by how much this command changed the order's (after an
    invoice, a change or a cancellation): the order as saved against the order as loaded."""
    buyer = customer(s, order.customer_id)
    account = _account(s, buyer.id)
    now = counted_exposure(s, buyer, order)
    if account.exposure is None:
        total = exposure_of(s, account, buyer)  # read from the orders as they are now
    else:
        before = s.counted_exposure.get(order.id)
        if before is None:
            before = counted_exposure(s, buyer, s.loaded_order(order.id))
        total = account.exposure + now - before
    s.counted_exposure[order.id] = now
    if total != account.exposure:
        s.put("account", buyer.id, AccountChanged, replace(account, exposure=total), change)


@handles(ConfirmOrder)
def confirm_order(s: Session, c: ConfirmOrder) -> CommandResult:
    """Confirm; over the credit limit (and with the HOLD policy) the order goes on hold.

    The exposure is gross (tax included): the ledger's balance (open invoices less credit
    on account) plus the confirmed, not yet invoiced orders, all read from the account,
    so a confirmation costs the same however many orders are open.
    """
    order = s.order(c.order_id)
    buyer = customer(s, order.customer_id)
    currency = buyer.credit_limit.currency
    account = _account(s, buyer.id)
    receivables, credit = receivables_of(s, account, currency)
    pending = exposure_of(s, account, buyer) - counted_exposure(s, buyer, order)
    amount = gross_not_invoiced(s, buyer, order)
    check = check_credit_limit(
        buyer.credit_limit,
        open_receivables=receivables,
        confirmed_not_invoiced=pending,
        order_amount=amount,
        policy=s.settings.credit_policy,
        credit_on_account=credit,
    )
    order = s.save_order(order.confirm(at=s.now))
    s.counted_exposure[order.id] = amount
    # The check read the account, but the confirmation writes only this order: two
    # confirmations at once would both pass (write skew). Every check therefore appends
    # to the account stream at the version it read (with this order's exposure added):
    # of two at once, one conflicts, runs again, and sees the other's order.
    s.put(
        "account",
        buyer.id,
        AccountChanged,
        replace(account, exposure=pending + amount),
        f"credit check {order.id}: {check.action.value}",
    )
    if check.action is CreditAction.HOLD:
        order = s.save_order(
            order.hold(HoldReason.CREDIT, by="credit check", note=check.reason, at=s.now)
        )
    return CommandResult(
        command="ConfirmOrder",
        aggregate_id=order.id,
        details={"credit": check.action.value, "on_hold": order.on_hold},
        notes=(check.reason,),
    )


@handles(HoldOrder)
def hold_order(s: Session, c: HoldOrder) -> CommandResult:
    """Put a hold on the order."""
    order = s.order(c.order_id)
    order = s.save_order(order.hold(c.reason, by=c.by, note=c.note, at=s.now))
    return CommandResult(
        command="HoldOrder",
        aggregate_id=order.id,
        details={"holds": [r.value for r in order.hold_reasons]},
    )


@handles(ReleaseHold)
def release_hold(s: Session, c: ReleaseHold) -> CommandResult:
    """Take a hold off the order."""
    order = s.order(c.order_id)
    order = s.save_order(order.release_hold(c.reason, by=c.by, note=c.note, at=s.now))
    return CommandResult(
        command="ReleaseHold",
        aggregate_id=order.id,
        details={"holds": [r.value for r in order.hold_reasons]},
    )


def track_backorders(s: Session, order: Order) -> None:
    """Keep the order in the backlog of each product it waits for, and only there."""
    waiting: dict[str, bool] = {}
    for line in order.lines:
        waiting[str(line.sku)] = waiting.get(str(line.sku), False) or (
            line.ledger.backordered > 0 and not order.is_final
        )
    for sku, wants in sorted(waiting.items()):
        backlog = s.record("backlog", sku, Backlog) or Backlog(sku=sku)
        listed = order.id in backlog.order_ids
        if wants and not listed:
            after = Backlog(sku=sku, order_ids=(*backlog.order_ids, order.id))
        elif listed and not wants:
            after = Backlog(sku=sku, order_ids=tuple(i for i in backlog.order_ids if i != order.id))
        else:
            continue
        s.put("backlog", sku, BacklogChanged, after, f"{order.id} {'waits' if wants else 'served'}")


def backlog_key(order: Order) -> tuple[int, bool, date, datetime, str]:
    """The order in which waiting orders are served (issue 4).

    Higher priority first, then the earlier requested delivery date (orders without one
    last), then the older order, then the order id.
    """
    requested = order.requested_delivery_date
    return (
        -int(order.priority),
        requested is None,
        requested or date.min,
        order.created_at,
        order.id,
    )


def allocate_stock(s: Session, order: Order) -> tuple[Order, AllocationPlan | None]:
    """Plan and apply an allocation for the open and backordered units of ``order``.

    Lots with less shelf life left than the customer's ``min_remaining_shelf_life_days``
    are skipped (the planner's reasons say so).

    Returns the changed order and the plan (``None`` when nothing was waiting).
    """
    wanted = [
        DemandLine(line.line_id, line.sku, line.ledger.open + line.ledger.backordered)
        for line in order.lines
        if line.ledger.open + line.ledger.backordered > 0
    ]
    if not wanted:
        return order, None
    ledger = s.stock(line.sku for line in wanted)
    # The customer's shelf-life rule is the order's floor; a line asking more keeps its own.
    demand = Demand(
        order.id,
        wanted,
        placed_at=order.created_at,
        priority=-int(order.priority),
        requested_on=order.requested_delivery_date,
        min_shelf_life_days=customer(s, order.customer_id).min_remaining_shelf_life_days or 0,
    )
    plan = plan_allocation(
        demand,
        ledger.snapshot([line.sku for line in wanted], at=s.now),
        s.settings.strategy,
        s.settings.policy,
    )
    if plan.picks:
        ledger.apply_plan(plan, at=s.now)
        s.save_stock()
    # One append (and one view row) for all the lines: the same events as a save per line.
    events: list[OrderEvent] = []
    for line_plan in plan.lines:
        if line_plan.allocated:
            order, recorded = order.allocate(line_plan.line_id, line_plan.allocated, at=s.now)
            events += recorded
        still_open = order.line(line_plan.line_id).ledger.open
        if line_plan.backordered and still_open:
            waiting = min(still_open, line_plan.backordered)
            order, recorded = order.backorder(line_plan.line_id, waiting, at=s.now)
            events += recorded
    order = s.save_order((order, events))
    track_backorders(s, order)
    return order, plan


@handles(AllocateOrder)
def allocate_order(s: Session, c: AllocateOrder) -> CommandResult:
    """Allocate stock to the order (the planner chooses warehouses and bins)."""
    order = s.order(c.order_id)
    order, plan = allocate_stock(s, order)
    if plan is None:
        raise DeskCommandError(f"allocate {order.subject}", "no units are open or backordered")
    return CommandResult(
        command="AllocateOrder",
        aggregate_id=order.id,
        details={
            "status": plan.status,
            "allocated": plan.allocated,
            "backordered": plan.backordered,
            "warehouses": list(plan.warehouses),
        },
        notes=(*plan.explain().splitlines(), *_promise_notes(s, order, plan)),
    )


def _promise_notes(s: Session, order: Order, plan: AllocationPlan) -> list[str]:
    """When expected receipts (purchase orders, transfers) cover the backordered units."""
    if not plan.backordered:
        return []
    notes = []
    for sku in sorted({line.sku for line in order.lines if line.ledger.backordered}):
        promised = dict(backorder_promises(s, sku)).get(order.id)
        if promised is not None:
            notes.append(f"{sku}: backordered units promised for {promised.isoformat()}")
    return notes


def allocations(s: Session, order: Order) -> list[tuple[str, str, str, int]]:
    """``(line_id, sku, bin, units)`` reserved in stock for the order, sorted by line and bin."""
    skus = sorted({line.sku for line in order.lines})
    state = s.stock(skus).state()
    references = {f"{order.id}/{line.line_id}": line.line_id for line in order.lines}
    found = []
    for sku, bin_id, _lot, _on_hand, allocated, *_rest in state["buckets"]:
        for reference, units in allocated:
            if reference in references and units:
                found.append((references[reference], str(sku), str(bin_id), int(units)))
    return sorted(found)


def release_stock(
    s: Session, order: Order, line_id: str, sku: str, reserved: int, loose: int
) -> None:
    """Give ``reserved`` allocated units back and restock ``loose`` picked units of a line."""
    reserved_where = allocations(s, order)
    ledger = s.stock([sku])  # after allocations() loaded every sku: the same ledger
    reference = f"{order.id}/{line_id}"
    left = reserved
    for line, _sku, bin_id, units in reserved_where:
        if line == line_id and left:
            take = min(units, left)
            ledger.deallocate(reference, sku, bin_id, take, at=s.now)
            left -= take
    if loose:
        ledger.restock(sku, s.settings.home_bin(), loose, reference=reference, at=s.now)
    s.save_stock()


def cancel_order(s: Session, c: CancelOrder) -> CommandResult:
    """Cancel the order; reserved stock is released and picked units are restocked.

    The desk's handler (``_changes.cancel_whole_order``) first credits the units billed
    that will now never ship, then calls this.
    """
    order = s.order(c.order_id)
    order, events = order.cancel(at=s.now, reason=c.reason)
    s.save_order((order, events))
    update_account(s, order.customer_id, f"canceled {order.id}", drop_orders=(order.id,))
    set_exposure(s, order, f"canceled {order.id}")
    track_backorders(s, order)
    released = 0
    for event in events:
        for item in getattr(event, "releases", ()):
            release = item.release
            loose = release.picked + release.packed
            if release.allocated or loose:
                release_stock(s, order, item.line_id, item.sku, release.allocated, loose)
                released += release.allocated + loose
    return CommandResult(
        command="CancelOrder", aggregate_id=order.id, details={"released_units": released}
    )


def serve_backlog(s: Session, skus: Iterable[str]) -> list[str]:
    """Allocate free stock of ``skus`` to the orders waiting for it, in backlog order.

    The backlog of each sku is served by priority, then requested delivery date (orders
    without one last), then order time, until the sku's free stock runs out; an order
    that has reached a final state meanwhile leaves the backlog. Used after a receipt (an
    outbox reaction) and after anything that frees stock (a canceled line, an amendment, a
    count that finds more, a released hold).
    """
    notes: list[str] = []
    for sku in sorted(set(skus)):
        backlog = s.record("backlog", sku, Backlog)
        if backlog is None:
            continue
        waiting = []
        for order_id in backlog.order_ids:
            order = s.order(order_id)
            if order.state in ("confirmed", "released") and not order.on_hold:
                waiting.append(order)
            elif order.is_final:
                track_backorders(s, order)
        waiting.sort(key=backlog_key)
        for order in waiting:
            if s.stock([sku]).available(sku, at=s.now) <= 0:
                break
            _order, plan = allocate_stock(s, order)
            if plan is not None and plan.allocated:
                notes.append(f"backorder of {order.subject} allocated: {plan.allocated} units")
    return notes


def waiting_orders(s: Session, sku: str) -> list[tuple[Order, int]]:
    """``(order, backordered units of sku)`` of the backlog, in the order it is served."""
    backlog = s.record("backlog", sku, Backlog)
    found = []
    for order_id in () if backlog is None else backlog.order_ids:
        order = s.order(order_id)
        units = sum(line.ledger.backordered for line in order.lines if line.sku == sku)
        if units and not order.is_final:
            found.append((order, units))
    found.sort(key=lambda row: backlog_key(row[0]))
    return found


def backorder_promises(s: Session, sku: str) -> tuple[tuple[str, date | None], ...]:
    """``(order id, date)`` for each order of the backlog of ``sku``, in serving order.

    The date is when its backordered units are covered: today by free stock, else the due
    date of the scheduled receipt that covers them; ``None`` when nothing expected does.
    """
    product(s, sku)
    ledger = s.stock([sku])
    supply: list[tuple[date, int]] = [(s.today, max(0, ledger.available(sku, at=s.now)))]
    supply.extend((max(r.due_on, s.today), r.open) for r in ledger.receipts(sku) if r.open)
    promises: list[tuple[str, date | None]] = []
    needed = 0
    for order, units in waiting_orders(s, sku):
        needed += units
        covered, when = 0, None
        for due_on, arriving in supply:
            covered += arriving
            if covered >= needed:
                when = due_on
                break
        promises.append((order.id, when))
    return tuple(promises)
