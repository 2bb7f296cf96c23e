"""One tree of errors, rooted at :class:`OrderCycleError`.

Every error the library raises on purpose is an :class:`OrderCycleError`. Each family
also mixes in the builtin exception a caller would naturally catch (``ValueError`` for
bad values, ``LookupError`` for unknown keys, ``RuntimeError`` for conflicts), so code
that knows nothing about ``ordercycle`` still handles them sensibly.

Errors keep structured attributes (the object, the value, what would be valid) next to
their message, and they survive :mod:`pickle` with those attributes intact, which
matters when they cross process boundaries in simulations and worker pools.

>>> try:
...     raise CurrencyMismatchError("add", "USD", "EUR")
... except ValueError as error:
...     print(error)
...     print(error.left, error.right)
Cannot add USD and EUR: money arithmetic needs one currency; convert first.
USD EUR
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

__all__ = [
    "AllocationError",
    "ConcurrencyError",
    "ConfigurationError",
    "CurrencyError",
    "CurrencyMismatchError",
    "DefinitionError",
    "DimensionalityError",
    "DuplicateError",
    "InsufficientStockError",
    "InvalidQuantityError",
    "InvoicingError",
    "LifecycleError",
    "MissingDependencyError",
    "NotFoundError",
    "OrderCycleError",
    "PackingError",
    "ParseError",
    "PaymentTermsError",
    "RoutingError",
    "SerializationError",
    "StorageError",
    "TransitionNotAllowedError",
    "UnknownCurrencyError",
    "UnpackableItemError",
    "ValidationError",
]

#: Characters of a bad value quoted in an error message (the rest is elided).
MAX_SHOWN_CHARS: Final = 80
#: Characters of any error message; a longer one is cut, saying how much was left out.
MAX_MESSAGE_CHARS: Final = 2_000


def shown(value: object, limit: int = MAX_SHOWN_CHARS) -> str:
    """``repr(value)`` cut to at most ``limit`` characters, for error messages.

    A long value is shown by its beginning and its length, so a message never grows with
    the input that caused it. Very large integers and text are measured without being
    formatted whole.

    >>> shown("x" * 1000)
    "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx... (1000 chars)"
    >>> shown(10**5000)
    'an int of about 5001 digits'
    """
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 256:
        return f"an int of about {int(value.bit_length() * 0.30103) + 1} digits"
    if isinstance(value, str | bytes) and len(value) > limit:
        head = repr(value[:limit])[: limit - 16]
        return f"{head}... ({len(value)} chars)"
    try:
        text = repr(value)
    except Exception:
        text = f"<{type(value).__name__}>"
    if len(text) <= limit:
        return text
    return f"{text[: limit - 14]}... ({len(text)} chars)"


def _rebuild(cls: type[OrderCycleError], args: tuple[Any, ...], state: dict[str, Any]) -> Any:
    """Recreate an error from its class, ``args`` and attribute dictionary (for pickle)."""
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class OrderCycleError(Exception):
    """Root of every error raised on purpose by ``ordercycle``.

    Args:
        message: A complete sentence that names the object, the value and what is valid.

    Attributes:
        message: The same sentence, kept for callers that format their own reports.
    """

    message: str

    def __init__(self, message: str) -> None:
        if len(message) > MAX_MESSAGE_CHARS:
            cut = len(message) - MAX_MESSAGE_CHARS + 40
            message = f"{message[: MAX_MESSAGE_CHARS - 40]}... ({cut} more chars)"
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[Any, ...]:
        # Subclasses take keyword arguments that ``Exception.__reduce__`` cannot replay,
        # so rebuild from the attribute dictionary instead of calling ``__init__`` again.
        return (_rebuild, (type(self), self.args, dict(self.__dict__)))


# --- bad input ---------------------------------------------------------------------------


class ValidationError(OrderCycleError, ValueError):
    """A value is not acceptable where it was given.

    Attributes:
        subject: What was being built or changed (``"Money"``, ``"order O-17"``).
        field: The field or argument that was wrong, if there is one.
        value: The offending value.
        expected: A short description of what would have been valid.
    """

    def __init__(
        self,
        message: str,
        *,
        subject: str = "",
        field: str = "",
        value: object = None,
        expected: str = "",
    ) -> None:
        super().__init__(message)
        self.subject = subject
        self.field = field
        self.value = value
        self.expected = expected

    @classmethod
    def invalid(cls, subject: str, field: str, value: object, expected: str) -> ValidationError:
        """Build the standard message.

        The message reads ``Invalid <field> for <subject>: <value>; expected <expected>.``
        """
        return cls(
            f"Invalid {field} for {subject}: {shown(value)}; expected {expected}.",
            subject=subject,
            field=field,
            value=value,
            expected=expected,
        )


class InvalidQuantityError(ValidationError):
    """A count or quantity is zero, negative, fractional or otherwise out of range."""


class ParseError(ValidationError):
    """Text could not be parsed; the message lists the forms that are accepted.

    Attributes:
        text: The text that was given.
        accepted: The forms that would have been understood.
    """

    def __init__(self, message: str, *, text: str, accepted: Iterable[str] = ()) -> None:
        super().__init__(message, value=text, expected=", ".join(accepted))
        self.text = text
        self.accepted = tuple(accepted)


class DimensionalityError(ValidationError):
    """A physical quantity has the wrong dimension (a weight where a length was needed).

    Attributes:
        expected_dimension: The dimension that was required, such as ``"length"``.
        actual: A description of what was given, such as ``"3 kilogram"``.
    """

    def __init__(
        self,
        message: str,
        *,
        expected_dimension: str,
        actual: str,
        subject: str = "",
        field: str = "",
    ) -> None:
        super().__init__(
            message, subject=subject, field=field, value=actual, expected=expected_dimension
        )
        self.expected_dimension = expected_dimension
        self.actual = actual


class CurrencyError(ValidationError):
    """A currency is unknown, unusable for money, or mixed with another one."""


class UnknownCurrencyError(CurrencyError, LookupError):
    """A currency code is not in the ISO 4217 table (or has no minor unit).

    Attributes:
        code: The code that was asked for.
    """

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message, field="currency", value=code, expected="an ISO 4217 code")
        self.code = code


class CurrencyMismatchError(CurrencyError):
    """Two amounts in different currencies met in one operation.

    Attributes:
        operation: What was attempted (``"add"``, ``"compare"``).
        left: The currency code on the left.
        right: The currency code on the right.
    """

    def __init__(self, operation: str, left: str, right: str) -> None:
        super().__init__(
            f"Cannot {operation} {left} and {right}: money arithmetic needs one currency;"
            " convert first.",
            field="currency",
            value=right,
            expected=left,
        )
        self.operation = operation
        self.left = left
        self.right = right


class SerializationError(ValidationError):
    """Data could not be turned into library objects.

    The message lists every problem as ``message @ $.path``.

    Attributes:
        problems: ``(path, message)`` pairs, one per problem found.
    """

    def __init__(self, message: str, *, problems: Iterable[tuple[str, str]] = ()) -> None:
        super().__init__(message)
        self.problems = tuple(problems)


class ConfigurationError(ValidationError):
    """A definition or setting given to the library is inconsistent."""


class MissingDependencyError(OrderCycleError, ImportError):
    """An optional dependency is needed for this feature and is not installed.

    Attributes:
        package: The package that is missing.
        extra: The ``ordercycle`` extra that installs it.
    """

    def __init__(self, feature: str, package: str, extra: str) -> None:
        super().__init__(
            f"{feature} needs the optional package {package!r}; install it with"
            f" `pip install 'ordercycle[{extra}]'`."
        )
        self.feature = feature
        self.package = package
        self.extra = extra


# --- lookups ------------------------------------------------------------------------------


class NotFoundError(OrderCycleError, LookupError):
    """Something was looked up by key and does not exist.

    Attributes:
        kind: What was looked for (``"order"``, ``"sku"``, ``"location"``).
        key: The key that was asked for.
    """

    def __init__(self, kind: str, key: object, *, known: Iterable[object] = ()) -> None:
        known_list = sorted(map(str, known))
        hint = ""
        if known_list:
            listed = ", ".join(known_list[:10]) + (", ..." if len(known_list) > 10 else "")
            hint = f"; known: {listed}"
        super().__init__(f"Unknown {kind} {shown(key)}{hint}.")
        self.kind = kind
        self.key = key
        self.known = tuple(known_list)


class DuplicateError(OrderCycleError, ValueError):
    """Something that must be unique was given twice.

    Attributes:
        kind: What was duplicated.
        key: The duplicated key.
    """

    def __init__(self, kind: str, key: object, message: str = "") -> None:
        super().__init__(message or f"Duplicate {kind} {shown(key)}: each {kind} must be unique.")
        self.kind = kind
        self.key = key


# --- state machines -----------------------------------------------------------------------


class LifecycleError(OrderCycleError):
    """Base of the errors raised by lifecycles (state machines)."""


class DefinitionError(LifecycleError, ConfigurationError):
    """A lifecycle definition is invalid (no initial state, unreachable states, ...).

    Attributes:
        lifecycle: The name of the lifecycle being defined.
        problems: Every problem found, one sentence each.
    """

    def __init__(self, lifecycle: str, problems: Iterable[str]) -> None:
        found = tuple(problems)
        super().__init__(
            f"Invalid lifecycle {lifecycle!r}: " + "; ".join(found) + ".",
            subject=f"lifecycle {lifecycle!r}",
        )
        self.lifecycle = lifecycle
        self.problems = found


class TransitionNotAllowedError(LifecycleError, ValueError):
    """An event is not allowed in the current state of an object.

    Reads like ``Cannot ship order O-17: it is on hold (credit)``.

    Attributes:
        subject: The object, such as ``"order O-17"``.
        event: The event that was refused.
        state: The state the object is in.
        allowed: The events that would be allowed in that state.
    """

    def __init__(
        self,
        subject: str,
        event: str,
        state: str,
        *,
        reason: str = "",
        allowed: Iterable[str] = (),
    ) -> None:
        allowed_events = tuple(sorted(allowed))
        because = reason or f"it is {state}"
        options = (
            f"; allowed now: {', '.join(allowed_events)}"
            if allowed_events
            else "; no event is allowed now"
        )
        super().__init__(f"Cannot {event} {subject}: {because}{options}.")
        self.subject = subject
        self.event = event
        self.state = state
        self.reason = reason
        self.allowed = allowed_events


# --- conflicts ----------------------------------------------------------------------------


class ConcurrencyError(OrderCycleError, RuntimeError):
    """A write was based on a stale version of an aggregate or stock snapshot.

    Attributes:
        subject: The aggregate or record that changed underneath.
        expected_version: The version the write was planned against.
        actual_version: The version found in storage, when known.
    """

    def __init__(
        self, subject: str, expected_version: object, actual_version: object = None
    ) -> None:
        found = "" if actual_version is None else f", found version {actual_version}"
        super().__init__(
            f"Concurrent change to {subject}: expected version {expected_version}{found};"
            " reload and retry."
        )
        self.subject = subject
        self.expected_version = expected_version
        self.actual_version = actual_version


class StorageError(OrderCycleError, RuntimeError):
    """A storage adapter failed in a way that is not a version conflict."""


# --- domain families ------------------------------------------------------------------------


class InsufficientStockError(OrderCycleError, ValueError):
    """Less stock is available than a command needs.

    Attributes:
        sku: The stock-keeping unit.
        requested: The quantity asked for.
        available: The quantity that was available.
        location: Where, when the shortage is at one location.
    """

    def __init__(
        self, sku: str, requested: object, available: object, *, location: str = ""
    ) -> None:
        where = f" at {location}" if location else ""
        super().__init__(
            f"Insufficient stock of {sku}{where}: requested {requested}, available {available}."
        )
        self.sku = sku
        self.requested = requested
        self.available = available
        self.location = location


class AllocationError(OrderCycleError, ValueError):
    """An allocation plan cannot be built or applied under the given policy."""


class RoutingError(OrderCycleError, ValueError):
    """A picker route cannot be computed (bad layout, pick outside the layout, ...)."""


class PackingError(OrderCycleError, ValueError):
    """A packing plan is invalid, or input cannot be packed."""


class UnpackableItemError(PackingError):
    """An item fits no carton in any allowed orientation, or is too heavy for all of them.

    Attributes:
        item: The item identifier (sku).
        best_carton: The carton that came closest, if any.
        reason: Why it does not fit.
    """

    def __init__(self, item: str, reason: str, *, best_carton: str = "") -> None:
        closest = f" (closest carton: {best_carton})" if best_carton else ""
        super().__init__(f"Cannot pack item {item}: {reason}{closest}.")
        self.item = item
        self.reason = reason
        self.best_carton = best_carton


class InvoicingError(OrderCycleError, ValueError):
    """An invoice, payment or credit note operation is not valid."""


class PaymentTermsError(InvoicingError):
    """Payment terms are inconsistent (shares that do not sum to 100 %, ...)."""
