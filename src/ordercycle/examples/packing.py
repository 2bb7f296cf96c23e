"""A small, realistic carton catalogue and order, for demos, notebooks and the CLI.

>>> from ordercycle.packing import carriers, pack, verify
>>> plan = pack(sample_order(), sample_catalogue(), carriers.UPS_DAILY)
>>> verify(plan)
>>> print(*(package.carton.name for package in plan.packages))
S M
"""

from __future__ import annotations

from ordercycle.money import Money
from ordercycle.packing.carton import Carton
from ordercycle.packing.item import Item, Rotation

__all__ = ["sample_catalogue", "sample_order"]


def sample_catalogue() -> list[Carton]:
    """Three corrugated cartons and a padded mailer, sized in inches, with costs."""
    return [
        Carton.from_inches(
            "MAILER",
            12,
            9,
            2,
            outer=("12.5", "9.5", "2.2"),
            tare_lb="0.1",
            max_weight_lb=4,
            cost=Money("0.25", "USD"),
        ),
        Carton.from_inches(
            "S",
            9,
            7,
            6,
            outer=("9.4", "7.4", "6.4"),
            tare_lb="0.35",
            max_weight_lb=25,
            cost=Money("0.55", "USD"),
        ),
        Carton.from_inches(
            "M",
            13,
            10,
            10,
            outer=("13.4", "10.4", "10.4"),
            tare_lb="0.7",
            max_weight_lb=40,
            cost=Money("0.85", "USD"),
        ),
        Carton.from_inches(
            "L",
            18,
            14,
            12,
            outer=("18.4", "14.4", "12.4"),
            tare_lb="1.3",
            max_weight_lb=65,
            cost=Money("1.60", "USD"),
        ),
    ]


def sample_order() -> list[Item]:
    """A kitchen order: a French press that stays upright, mugs, coffee, a book, a towel."""
    return [
        Item.from_inches(
            "FRENCH-PRESS", 7, 5, 9, "1.9", rotation=Rotation.THIS_SIDE_UP, fragile=True
        ),
        Item.from_inches("MUG", "4.7", "3.6", 4, "0.8", quantity=2),
        Item.from_inches("COFFEE-1KG", 6, 4, "9.5", "2.3", quantity=2),
        Item.from_inches("COOKBOOK", "9.6", "7.5", "1.2", "2.1"),
        Item.from_inches("TEA-TOWEL", 8, 6, "0.8", "0.3", quantity=3),
    ]
