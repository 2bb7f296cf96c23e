"""Order entry: the header an order starts with (addresses, channel, currency) and its checks.

:class:`~ordercycle.service.commands.PlaceOrder` and
:class:`~ordercycle.service.commands.CreateDraftOrder` share these rules, so an order
entered as a draft and placed later meets exactly the checks of one placed at once:

- **addresses**: ship-to is a new :class:`~ordercycle.model.address.Address`
  (``shipping_address``) or one of the customer's shipping addresses by its position
  (``shipping_address_index``, 0 for the first), never both; without either, the
  customer's default shipping address. Bill-to is a new address or the customer's billing
  address.
- **channel**: non-empty text without surrounding spaces, at most
  :data:`~ordercycle.limits.MAX_ID_CHARS` characters (``"web"``, ``"edi"``, ``"phone"``);
  ``"direct"`` when empty.
- **currency**: the order's currency is the customer's account currency (the currency of
  their credit limit, in which exposure is checked) unless given, and must equal it; every
  product's catalogue price must be in it, or placement is refused with an
  :class:`~ordercycle.model.order.errors.OrderCurrencyError` naming the sku, its currency
  and the order's. So a EUR product ordered by a USD customer is refused at the door,
  instead of the order failing at every confirmation.
"""

from __future__ import annotations

from typing import Any, Final

import attrs

from ordercycle.errors import ValidationError
from ordercycle.limits import MAX_ID_CHARS
from ordercycle.model.address import Address
from ordercycle.model.customer import Customer
from ordercycle.model.order.errors import OrderCurrencyError
from ordercycle.money import Currency, Money

__all__ = ["DEFAULT_CHANNEL", "OrderHeader", "check_channel", "check_price", "order_header"]

DEFAULT_CHANNEL: Final = "direct"
"""The sales channel of an order entered without one."""


@attrs.frozen(kw_only=True)
class OrderHeader:
    """The resolved header of a new order.

    Attributes:
        channel: The sales channel.
        currency: The order's currency.
        shipping_address: Where the goods go.
        billing_address: Where invoices go.
    """

    channel: str
    currency: Currency
    shipping_address: Address
    billing_address: Address


def check_channel(subject: str, channel: object) -> str:
    """``channel`` if it is a valid sales channel (``""`` reads as :data:`DEFAULT_CHANNEL`).

    Raises:
        ValidationError: Not text, surrounded by spaces or longer than
            :data:`~ordercycle.limits.MAX_ID_CHARS` characters.
    """
    if channel == "":
        return DEFAULT_CHANNEL
    if (
        not isinstance(channel, str)
        or channel != channel.strip()
        or len(channel) > MAX_ID_CHARS
        or "\n" in channel
    ):
        raise ValidationError.invalid(
            subject,
            "channel",
            channel,
            f"one line of text of at most {MAX_ID_CHARS} characters without surrounding spaces"
            ' (such as "web", "edi" or "phone"), or empty for "direct"',
        )
    return channel


def _address(subject: str, field: str, value: object) -> Address:
    if not isinstance(value, Address):
        raise ValidationError.invalid(subject, field, value, "an Address")
    return value


def shipping_address(
    subject: str, buyer: Customer, address: Address | None, index: int | None
) -> Address:
    """The ship-to address: a new one, one of the customer's by position, or their default.

    Raises:
        ValidationError: Both a new address and an index are given, the index is out of
            range (the message lists the valid positions), or the address is not one.
    """
    if address is not None and index is not None:
        raise ValidationError.invalid(
            subject,
            "shipping_address_index",
            index,
            "no index when a new shipping_address is given (one or the other)",
        )
    if address is not None:
        return _address(subject, "shipping_address", address)
    if index is None:
        return buyer.default_shipping_address
    known = buyer.shipping_addresses
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(known):
        expected = (
            f"a position from 0 to {len(known) - 1} among customer {buyer.id}'s"
            f" {len(known)} shipping addresses"
            if known
            else f"none: customer {buyer.id} has no shipping addresses (give a shipping_address)"
        )
        raise ValidationError.invalid(subject, "shipping_address_index", index, expected)
    return known[index]


def order_header(subject: str, buyer: Customer, c: Any) -> OrderHeader:
    """Resolve the header fields of an entry command ``c`` for ``buyer``.

    ``c`` has ``channel``, ``currency``, ``shipping_address``, ``shipping_address_index``
    and ``billing_address`` (a :class:`~ordercycle.service.commands.PlaceOrder` or
    :class:`~ordercycle.service.commands.CreateDraftOrder`).

    Raises:
        ValidationError: A field is invalid, or the currency is not the customer's account
            currency (the message names both).
    """
    account = buyer.credit_limit.currency
    if c.currency == "":
        currency = account
    else:
        currency = Currency.of(c.currency)  # UnknownCurrencyError names the code
        if currency != account:
            raise ValidationError.invalid(
                subject,
                "currency",
                c.currency,
                f"{account.code}, customer {buyer.id}'s account currency (credit exposure"
                " is checked in one currency)",
            )
    return OrderHeader(
        channel=check_channel(subject, c.channel),
        currency=currency,
        shipping_address=shipping_address(
            subject, buyer, c.shipping_address, c.shipping_address_index
        ),
        billing_address=buyer.billing_address
        if c.billing_address is None
        else _address(subject, "billing_address", c.billing_address),
    )


def check_price(subject: str, sku: str, price: Money, currency: Currency) -> None:
    """Refuse a catalogue price in another currency than the order's.

    Raises:
        OrderCurrencyError: ``Cannot use EUR for the catalogue price of MUG-EU of order
            for customer C-ACME: the order is in USD; convert first.``
    """
    if price.currency != currency:
        raise OrderCurrencyError(
            subject, f"the catalogue price of {sku}", currency.code, price.currency.code
        )
