"""A small sample shop: three customers, four products and stock in two warehouses.

The tutorial, the demo story, the tests and the benchmark all start from it.

>>> from datetime import UTC, datetime
>>> from ordercycle.model import SteppableClock
>>> from ordercycle.service import OrderDesk
>>> desk = OrderDesk.in_memory(clock=SteppableClock(datetime(2026, 3, 2, 9, tzinfo=UTC)))
>>> open_sample_shop(desk)
>>> desk.available_units("MUG"), desk.available_units("LAMP", warehouse="WH-WEST")
(40, 3)
"""

from __future__ import annotations

from ordercycle.model.address import Address
from ordercycle.model.customer import Customer
from ordercycle.model.ids import CustomerId, Sku
from ordercycle.model.product import Product
from ordercycle.money import Money
from ordercycle.service.desk import OrderDesk
from ordercycle.units import Q_

__all__ = ["SAMPLE_STOCK", "open_sample_shop", "sample_customers", "sample_products"]

#: ``(sku, bin, units)`` received by :func:`open_sample_shop`.
SAMPLE_STOCK = (
    ("MUG", "WH-EAST/A1", 40),
    ("TEAPOT", "WH-EAST/A4", 6),
    ("TEAPOT", "WH-WEST/A2", 10),
    ("LAMP", "WH-EAST/A7", 2),
    ("LAMP", "WH-WEST/A5", 3),
    ("RUG", "WH-WEST/A8", 4),
)


def sample_customers() -> list[Customer]:
    """Three customers on different terms and tax profiles, credit limits in USD."""
    return [
        Customer(
            id=CustomerId("C-ACME"),
            name="ACME Corp",
            credit_limit=Money("5000.00", "USD"),
            payment_terms="2/10 Net 30",
            tax_profile="US-NY",
            billing_address=Address(
                lines=("1 Main St",), city="Albany", postal_code="12207", region="NY", country="US"
            ),
        ),
        Customer(
            id=CustomerId("C-BOLT"),
            name="Bolt & Nut Ltd",
            credit_limit=Money("2000.00", "USD"),
            payment_terms="Net 30",
            tax_profile="EXEMPT",
            billing_address=Address(
                lines=("9 Harbor Rd",),
                city="Boston",
                postal_code="02110",
                region="MA",
                country="US",
            ),
        ),
        Customer(
            id=CustomerId("C-CAFE"),
            name="Corner Cafe",
            credit_limit=Money("150.00", "USD"),
            payment_terms="Net 15",
            tax_profile="EXEMPT",
            billing_address=Address(
                lines=("4 Elm St",), city="Hudson", postal_code="12534", region="NY", country="US"
            ),
        ),
    ]


def sample_products() -> list[tuple[Product, Money]]:
    """Four products with dimensions, weights and list prices."""
    return [
        (
            Product(
                sku=Sku("MUG"),
                name="Stoneware mug",
                length=Q_(12, "cm"),
                width=Q_(9, "cm"),
                height=Q_(10, "cm"),
                weight=Q_(350, "g"),
            ),
            Money("9.50", "USD"),
        ),
        (
            Product(
                sku=Sku("TEAPOT"),
                name="Cast-iron teapot",
                length=Q_(20, "cm"),
                width=Q_(16, "cm"),
                height=Q_(15, "cm"),
                weight=Q_(1200, "g"),
            ),
            Money("45.00", "USD"),
        ),
        (
            Product(
                sku=Sku("LAMP"),
                name="Desk lamp",
                length=Q_(30, "cm"),
                width=Q_(15, "cm"),
                height=Q_(12, "cm"),
                weight=Q_(900, "g"),
            ),
            Money("79.00", "USD"),
        ),
        (
            Product(
                sku=Sku("RUG"),
                name="Wool rug, rolled",
                length=Q_(40, "cm"),
                width=Q_(12, "cm"),
                height=Q_(12, "cm"),
                weight=Q_(2, "kg"),
            ),
            Money("120.00", "USD"),
        ),
    ]


def open_sample_shop(desk: OrderDesk) -> None:
    """Register the sample customers and products and receive :data:`SAMPLE_STOCK`.

    Command ids make it safe to call twice on the same storage.
    """
    for customer in sample_customers():
        desk.register_customer(customer, command_id=f"sample-customer-{customer.id}")
    for product, price in sample_products():
        desk.register_product(product, price, command_id=f"sample-product-{product.sku}")
    for sku, bin_id, units in SAMPLE_STOCK:
        desk.receive_stock(sku, bin_id, units, command_id=f"sample-stock-{sku}-{bin_id}")
