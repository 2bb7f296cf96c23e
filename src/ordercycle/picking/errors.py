"""Errors raised by :mod:`ordercycle.picking`, all in the ``RoutingError`` family.

Each error names the offending value and what would have been valid, and keeps both as
attributes, so callers can build their own messages.

>>> from ordercycle.errors import RoutingError
>>> issubclass(BinOutsideLayoutError, RoutingError), issubclass(BinOutsideLayoutError, ValueError)
(True, True)
"""

from __future__ import annotations

from ordercycle.errors import RoutingError

__all__ = [
    "BinOutsideLayoutError",
    "DepotError",
    "EmptyPickListError",
    "InvalidBinError",
    "InvalidPickError",
    "LayoutError",
    "OrderTooLargeError",
    "PickListError",
    "RouteCheckError",
    "UnknownMethodError",
]


class _InvalidFieldError(RoutingError):
    """Base of the errors read ``Invalid <field> for <subject>: <value>; expected <expected>.``"""

    def __init__(self, subject: str, field: str, value: object, expected: str) -> None:
        super().__init__(f"Invalid {field} for {subject}: {value!r}; expected {expected}.")
        self.field = field
        self.value = value
        self.expected = expected


class LayoutError(_InvalidFieldError):
    """A warehouse layout is inconsistent (no aisles, a negative length, ...).

    Attributes:
        field: The layout field that was wrong.
        value: The offending value.
        expected: What would have been valid.
    """

    def __init__(self, field: str, value: object, expected: str) -> None:
        super().__init__("WarehouseLayout", field, value, expected)


class InvalidBinError(_InvalidFieldError):
    """A bin address is malformed (a negative aisle, an unknown side, ...).

    Attributes:
        field: The address part that was wrong (``"aisle"``, ``"side"``, ...).
        value: The offending value.
        expected: What would have been valid.
    """

    def __init__(self, field: str, value: object, expected: str) -> None:
        super().__init__("Bin", field, value, expected)


class BinOutsideLayoutError(RoutingError):
    """A bin addresses an aisle, block or position that the layout does not have.

    Attributes:
        bin: The bin that was given.
        field: The address part that is out of range.
        value: Its value.
        valid: The valid range, such as ``"0..9"``.
    """

    def __init__(self, bin: object, field: str, value: object, valid: str) -> None:
        super().__init__(
            f"Bin {bin} is outside the warehouse layout: {field} {value!r} does not exist;"
            f" valid {field} values are {valid}."
        )
        self.bin = bin
        self.field = field
        self.value = value
        self.valid = valid


class DepotError(RoutingError):
    """A depot is not where an aisle meets a cross aisle, or is not part of the layout.

    Attributes:
        depot: The depot that was given.
        reason: Why it is not acceptable, including what would have been valid.
    """

    def __init__(self, depot: object, reason: str) -> None:
        super().__init__(f"Invalid depot {depot}: {reason}.")
        self.depot = depot
        self.reason = reason


class EmptyPickListError(RoutingError):
    """A route was asked for a pick list with no picks."""

    def __init__(self) -> None:
        super().__init__(
            "Cannot route an empty pick list: picks is empty; expected at least one Bin."
        )


class UnknownMethodError(RoutingError):
    """A routing method name is not known, or does not apply to this layout.

    Attributes:
        method: The method that was asked for.
        valid: The methods that would have been accepted.
    """

    def __init__(
        self, method: object, valid: tuple[str, ...], reason: str = "", *, action: str = "route"
    ) -> None:
        why = reason or f"it is not a method to {action} with"
        super().__init__(
            f"Cannot {action} with method {method!r}: {why}; valid methods are {', '.join(valid)}."
        )
        self.method = method
        self.valid = valid


class RouteCheckError(RoutingError):
    """A route failed its self-check (a pick missed, a gap in the path, a wrong length).

    Attributes:
        problem: The first problem found.
    """

    def __init__(self, method: str, problem: str) -> None:
        super().__init__(f"Route by method {method!r} failed its check: {problem}.")
        self.method = method
        self.problem = problem


class InvalidPickError(_InvalidFieldError):
    """A pick line, pick order, capacity or rate is malformed.

    Attributes:
        subject: What was being built (``"PickLine L1"``, ``"PickOrder SO-7"``).
        field: The field that was wrong.
        value: The offending value.
        expected: What would have been valid.
    """

    def __init__(self, subject: str, field: str, value: object, expected: str) -> None:
        super().__init__(subject, field, value, expected)
        self.subject = subject


class OrderTooLargeError(RoutingError):
    """An order does not fit the picker's capacity even alone, so no batch can hold it.

    Attributes:
        order_id: The order.
        measure: Which capacity it exceeds (``"items"``, ``"volume"``, ``"weight"``).
        load: The order's load in that measure.
        capacity: The picker's capacity in that measure.
    """

    def __init__(self, order_id: str, measure: str, load: object, capacity: object) -> None:
        super().__init__(
            f"Cannot batch order {order_id!r}: its {measure} ({load}) exceed the picker"
            f" capacity ({capacity}); split the order or raise the capacity."
        )
        self.order_id = order_id
        self.measure = measure
        self.load = load
        self.capacity = capacity


class PickListError(RoutingError):
    """A pick-list command is not valid (an unknown line, a found quantity out of range).

    Attributes:
        pick_list: The pick list's name.
        reason: Why, including what would have been valid.
    """

    def __init__(self, pick_list: str, action: str, reason: str) -> None:
        super().__init__(f"Cannot {action} on pick list {pick_list}: {reason}.")
        self.pick_list = pick_list
        self.action = action
        self.reason = reason
