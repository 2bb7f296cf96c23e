"""Declarative lifecycles: state machines defined as data, validated when defined.

Orders, stock holds, shipments, invoices and returns each move through a lifecycle. A
:class:`Lifecycle` is a frozen value (states, transitions with optional guards, an
initial state) that checks itself when it is built and reports every problem at once in
a :class:`~ordercycle.errors.DefinitionError`. At run time it works on plain state names,
so an aggregate stores its state as a string and asks the lifecycle where an event leads:

>>> shipment = Lifecycle.build(
...     "shipment", initial="created", final=["delivered"],
...     transitions=[("ship", "created", "in_transit"), ("deliver", "in_transit", "delivered")],
... )
>>> shipment.next_state("created", "ship")
'in_transit'
>>> shipment.next_state("created", "deliver", subject="shipment S-3")
Traceback (most recent call last):
...
ordercycle.errors.TransitionNotAllowedError: Cannot deliver shipment S-3: it is created; allowed now: ship.

Definitions can be extended without forking (:meth:`Lifecycle.insert_state` and
friends return a new, validated lifecycle), inspected, saved with
:meth:`Lifecycle.to_dict`, and drawn with :meth:`Lifecycle.to_mermaid`.

This package is the one public path for every name below; its modules are private.
"""  # noqa: E501

from __future__ import annotations

from ordercycle.lifecycle._lifecycle import Lifecycle, Machine
from ordercycle.lifecycle._parts import (
    ANY,
    Guard,
    GuardCheck,
    State,
    Transition,
    TransitionLike,
    UnknownStateError,
)

__all__ = [
    "ANY",
    "Guard",
    "GuardCheck",
    "Lifecycle",
    "Machine",
    "State",
    "Transition",
    "TransitionLike",
    "UnknownStateError",
]
