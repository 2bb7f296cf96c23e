"""A plain-text picture of the ledger of each line of an order, as an aligned table.

Meant for logs, the command-line demo and notebooks: ``Order.describe()`` (and the
notebook's Markdown view) puts the order's header, state, holds and statuses above it.

>>> from ordercycle.money import Money
>>> from ordercycle.model.order.lines import NewLine, OrderLine
>>> line = OrderLine.from_new(NewLine("L1", "MUG-12", 4, Money("9.50", "USD")))
>>> print(ledger_table([line]))
line  sku     ordered  open  alloc  backord  picked  packed  shipped  deliv  canceled  returned  invoiced  credited
L1    MUG-12        4     4      0        0       0       0        0      0         0         0         0         0
"""  # noqa: E501

from __future__ import annotations

from collections.abc import Iterable

from ordercycle.model.order.lines import OrderLine

__all__ = ["ledger_table"]

_COLUMNS = (
    ("line", "line_id"),
    ("sku", "sku"),
    ("ordered", "ordered"),
    ("open", "open"),
    ("alloc", "allocated"),
    ("backord", "backordered"),
    ("picked", "picked"),
    ("packed", "packed"),
    ("shipped", "shipped"),
    ("deliv", "delivered"),
    ("canceled", "canceled"),
    ("returned", "returned"),
    ("invoiced", "invoiced"),
    ("credited", "credited"),
)


def ledger_table(lines: Iterable[OrderLine]) -> str:
    """The quantity ledger of every line as an aligned text table."""
    rows = [[title for title, _ in _COLUMNS]]
    for line in lines:
        row = []
        for _, field in _COLUMNS:
            source = line if field in ("line_id", "sku") else line.ledger
            row.append(str(getattr(source, field)))
        rows.append(row)
    widths = [max(len(row[i]) for row in rows) for i in range(len(_COLUMNS))]
    return "\n".join(
        "  ".join(
            cell.ljust(width) if i < 2 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in rows
    )
