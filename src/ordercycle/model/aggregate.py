"""The contract every aggregate follows: an id, a version, commands that decide then apply.

An *aggregate* is a cluster of state changed only through its own commands, each change
recorded as immutable :class:`~ordercycle.model.events.DomainEvent`\\ s. The library's
aggregates (:class:`~ordercycle.model.order.Order`,
:class:`~ordercycle.invoicing.Invoice`, :class:`~ordercycle.invoicing.Payment` and
:class:`~ordercycle.inventory.StockLedger`) share one shape, :class:`Aggregate`:

* **an id and a version.** ``id`` names the aggregate (its event stream); ``version``
  counts the events behind its state, so storage can append with compare-and-set.
* **commands decide, then apply.** A command method first *decides*: it checks the
  command against the current state and raises a typed
  :class:`~ordercycle.errors.OrderCycleError` if it is refused, before anything is built.
  Only then does it *apply* the events it decided on, through the same code
  :meth:`Aggregate.replay` uses. Every command returns an :class:`Outcome`: the aggregate
  after the change and the tuple of events it recorded (oldest first).
* **replay.** ``replay(events, *, base=None)`` (a classmethod) rebuilds the aggregate from
  its events; with ``base`` (the aggregate at an earlier version, for example from a
  snapshot or a cache), ``events`` are only those recorded after it.

Two laws hold for every aggregate (the stateful tests check them):

1. **Replay equals state.** Replaying the events of every command gives an aggregate
   equal to the one the commands returned; replaying a history split anywhere, the second
   part with the first part's result as ``base``, gives the same.
2. **A refused command changes nothing and records nothing.** It raises; the aggregate
   the caller holds is unchanged and no event exists.

Where an aggregate differs, its docstring says why (the stock ledger is mutable inside,
for speed; invoices and payments are dated documents and take business dates besides
``at``).

>>> from datetime import UTC, datetime
>>> from ordercycle.model import Address
>>> from ordercycle.model.order import Order
>>> home = Address(lines="1 Main St", city="Springfield", postal_code="62701", country="US")
>>> order, events = Order.create(
...     "O-1", customer_id="C-1", currency="USD", shipping_address=home,
...     at=datetime(2026, 1, 5, 9, tzinfo=UTC),
... )
>>> isinstance(order, Aggregate), order.version, [type(e).__name__ for e in events]
(True, 1, ['OrderDrafted'])
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Generic, NamedTuple, Protocol, Self, TypeVar, runtime_checkable

from ordercycle.model.events import DomainEvent

__all__ = ["Aggregate", "Outcome"]

A = TypeVar("A")
E = TypeVar("E", bound=DomainEvent)
E_contra = TypeVar("E_contra", bound=DomainEvent, contravariant=True)


class Outcome(NamedTuple, Generic[A, E]):
    """What every command method returns: the aggregate after the change and its events.

    A plain 2-tuple, so ``order, events = order.confirm(at=now)`` unpacks it.

    Attributes:
        aggregate: The aggregate after the command (a new object for immutable aggregates).
        events: The events the command recorded, oldest first (never empty for a command
            that changed something).
    """

    aggregate: A
    events: tuple[E, ...]


@runtime_checkable
class Aggregate(Protocol[E_contra]):
    """An event-sourced aggregate (see the module docstring for the laws it keeps).

    ``isinstance(x, Aggregate)`` checks that ``x`` has ``id``, ``version`` and ``replay``;
    mypy checks the signatures.
    """

    @property
    def id(self) -> str:
        """The aggregate's id: the id of its event stream."""
        ...

    @property
    def version(self) -> int:
        """How many events the state was built from (the version of the newest one)."""
        ...

    @classmethod
    def replay(cls, events: Iterable[E_contra], *, base: Self | None = None) -> Self:
        """Rebuild the aggregate from ``events`` (those after ``base``, when given)."""
        ...
