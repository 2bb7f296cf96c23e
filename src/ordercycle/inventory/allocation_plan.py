"""The result of planning: what to take from where, what waits, and why.

An :class:`AllocationPlan` is a frozen value. It changes nothing by itself; hand it to
:meth:`~ordercycle.inventory.StockLedger.apply_plan` to allocate (or hold) the stock.
"""

from __future__ import annotations

import html
from datetime import date, datetime
from typing import Any

import attrs

from ordercycle.errors import MissingDependencyError
from ordercycle.model.ids import LotId, Sku

__all__ = ["AllocationPlan", "LinePlan", "Pick", "PlanStatus"]

PlanStatus = str
"""One of ``"allocated"``, ``"partial"``, ``"backordered"``, ``"rejected"``."""


@attrs.frozen
class Pick:
    """Units of one line taken from one bin and lot.

    Attributes:
        line_id: The order line.
        sku: The sku.
        warehouse: The warehouse the bin is in.
        bin: The bin id.
        lot: The lot id (``None`` for stock without lots).
        quantity: Units taken.
        expires_on: The lot's expiry date, if any.
    """

    line_id: str
    sku: Sku
    warehouse: str
    bin: str
    lot: LotId | None
    quantity: int
    expires_on: date | None = None


@attrs.frozen
class LinePlan:
    """The plan for one order line.

    Attributes:
        line_id: The line id.
        sku: The sku.
        requested: Units ordered.
        picks: Where the allocated units come from.
        backordered: Units that wait for stock.
        unfulfilled: Units refused (short, and the policy allows no backorder).
        reasons: Why each warehouse and lot was taken or skipped, in decision order.
    """

    line_id: str
    sku: Sku
    requested: int
    picks: tuple[Pick, ...]
    backordered: int
    unfulfilled: int
    reasons: tuple[str, ...]

    @property
    def allocated(self) -> int:
        """Units allocated by the picks."""
        return sum(p.quantity for p in self.picks)


@attrs.frozen
class AllocationPlan:
    """Per line: picks, backordered remainder and reasons; plus the snapshot versions.

    Attributes:
        order_id: The order.
        lines: One :class:`LinePlan` per demand line, in demand order.
        status: ``"allocated"`` (everything), ``"partial"``, ``"backordered"`` (nothing
            allocated, everything waits) or ``"rejected"`` (nothing allocated or waiting).
        strategy: The strategy's description.
        policy: The policy's description.
        reasons: Order-level decisions (strategy, policy, fewest-shipments search).
        versions: ``(sku, version)`` of each sku's stock the plan was made against.
        planned_at: The instant of the snapshot.
    """

    order_id: str
    lines: tuple[LinePlan, ...]
    status: PlanStatus
    strategy: str
    policy: str
    reasons: tuple[str, ...]
    versions: tuple[tuple[Sku, int], ...]
    planned_at: datetime

    @property
    def picks(self) -> tuple[Pick, ...]:
        """Every pick of every line."""
        return tuple(p for line in self.lines for p in line.picks)

    @property
    def allocated(self) -> int:
        """Units allocated over all lines."""
        return sum(line.allocated for line in self.lines)

    @property
    def backordered(self) -> int:
        """Units backordered over all lines."""
        return sum(line.backordered for line in self.lines)

    @property
    def unfulfilled(self) -> int:
        """Units refused over all lines."""
        return sum(line.unfulfilled for line in self.lines)

    @property
    def warehouses(self) -> tuple[str, ...]:
        """The warehouses that ship something, in order of first use."""
        return tuple(dict.fromkeys(p.warehouse for p in self.picks))

    @property
    def shipment_count(self) -> int:
        """How many warehouses ship part of the order."""
        return len(self.warehouses)

    def line(self, line_id: str) -> LinePlan:
        """Return the plan of one line.

        Raises:
            KeyError: No such line in the plan.
        """
        for line in self.lines:
            if line.line_id == line_id:
                return line
        raise KeyError(line_id)

    def explain(self) -> str:
        """The plan as readable text, one decision per line."""
        out = [f"Order {self.order_id}: {self.status}", *(f"  {r}" for r in self.reasons)]
        for line in self.lines:
            out.append(
                f"  line {line.line_id} {line.sku} x{line.requested}: allocated"
                f" {line.allocated}, backordered {line.backordered},"
                f" unfulfilled {line.unfulfilled}"
            )
            out += [f"    {r}" for r in line.reasons]
        return "\n".join(out)

    def to_records(self) -> list[dict[str, Any]]:
        """One dict per pick and per backordered or unfulfilled remainder."""
        rows: list[dict[str, Any]] = []
        for line in self.lines:
            for p in line.picks:
                rows.append(
                    {
                        "order_id": self.order_id,
                        "line_id": line.line_id,
                        "sku": line.sku,
                        "kind": "pick",
                        "warehouse": p.warehouse,
                        "bin": p.bin,
                        "lot": p.lot,
                        "quantity": p.quantity,
                    }
                )
            for kind, qty in (("backorder", line.backordered), ("unfulfilled", line.unfulfilled)):
                if qty:
                    rows.append(
                        {
                            "order_id": self.order_id,
                            "line_id": line.line_id,
                            "sku": line.sku,
                            "kind": kind,
                            "warehouse": None,
                            "bin": None,
                            "lot": None,
                            "quantity": qty,
                        }
                    )
        return rows

    def to_pandas(self) -> Any:
        """:meth:`to_records` as a :class:`pandas.DataFrame`.

        Raises:
            MissingDependencyError: pandas is not installed (``ordercycle[sim]``).
        """
        try:
            import pandas as pd
        except ImportError:  # pragma: no cover - pandas is installed in CI
            raise MissingDependencyError("AllocationPlan.to_pandas", "pandas", "sim") from None
        return pd.DataFrame(
            self.to_records(),
            columns=["order_id", "line_id", "sku", "kind", "warehouse", "bin", "lot", "quantity"],
        )

    def _repr_html_(self) -> str:
        esc = html.escape
        head = (
            f"<p><b>Order {esc(self.order_id)}</b>: {esc(self.status)} &middot;"
            f" {esc(self.strategy)} &middot; {esc(self.policy)}</p>"
        )
        order_reasons = "".join(f"<li>{esc(r)}</li>" for r in self.reasons)
        rows = []
        for line in self.lines:
            picks = "<br>".join(
                esc(f"{p.quantity} from {p.bin}" + (f" lot {p.lot}" if p.lot else ""))
                for p in line.picks
            )
            why = "<br>".join(esc(r) for r in line.reasons)
            rows.append(
                f"<tr><td>{esc(line.line_id)}</td><td>{esc(line.sku)}</td>"
                f"<td>{line.requested}</td><td>{picks or '&ndash;'}</td>"
                f"<td>{line.backordered}</td><td>{line.unfulfilled}</td><td>{why}</td></tr>"
            )
        return (
            f"{head}<ul>{order_reasons}</ul><table><thead><tr><th>line</th><th>sku</th>"
            "<th>requested</th><th>picks</th><th>backordered</th><th>unfulfilled</th>"
            f"<th>why</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
        )
