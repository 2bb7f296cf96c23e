"""The library's cattrs converter: every hook, and the default converter built from them.

Scalar values have their hooks in :mod:`ordercycle.serialization._values`; the hooks here
need the converter itself (tuples, attrs classes, domain events as a tagged union).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any, Final, TypeVar, get_args, get_origin

import attrs
import cattrs
from cattrs.errors import (
    AttributeValidationNote,
    ClassValidationError,
    IterableValidationError,
    IterableValidationNote,
)
from cattrs.fns import identity
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from ordercycle.errors import SerializationError, ValidationError
from ordercycle.model.events import DomainEvent
from ordercycle.money import Currency, Money
from ordercycle.serialization import _values as values

__all__ = ["EVENT_TAG", "converter", "make_converter"]

EVENT_TAG: Final = "type"
"""The key that names an event's type in serialized events (``{"type": "OrderPlaced", ...}``)."""


# --- tuples and events (hooks that need the converter) ----------------------------------


def _is_event(type_: Any) -> bool:
    return isinstance(type_, type) and issubclass(type_, DomainEvent)


class _Library:
    """The hooks that need the converter (tuples and tagged events)."""

    def __init__(self, conv: cattrs.Converter) -> None:
        self.conv = conv
        self._unstructurers: dict[type, Callable[[Any], dict[str, Any]]] = {}
        self._structurers: dict[type, Callable[[Mapping[str, Any], Any], Any]] = {}

    def structure_tuple(self, value: Any, type_: Any) -> tuple[Any, ...]:
        if not isinstance(value, list | tuple):
            raise values.bad("list", value, "a JSON array")
        args = get_args(type_)
        if not args:
            return tuple(value)
        if len(args) == 2 and args[1] is Ellipsis:
            types = [args[0]] * len(value)
        elif len(args) != len(value):
            raise values.bad("list", value, f"a JSON array of exactly {len(args)} items")
        else:
            types = list(args)
        errors: list[Exception] = []
        result = []
        for index, (item, item_type) in enumerate(zip(value, types, strict=True)):
            try:
                result.append(self.conv.structure(item, item_type))
            except Exception as error:
                note = IterableValidationNote(
                    f"Structuring {type_} @ index {index}", index, item_type
                )
                error.__notes__ = [*getattr(error, "__notes__", []), note]
                errors.append(error)
        if errors:
            raise IterableValidationError(f"While structuring {type_!r}", errors, type_)
        return tuple(result)

    def attrs_structurer(self, cls: type) -> Callable[[Any, Any], Any]:
        """Structure hook for an attrs class that first checks it was given an object."""
        generated: Callable[[Mapping[str, Any], Any], Any] = make_dict_structure_fn(cls, self.conv)

        def structure(value: Any, type_: Any) -> Any:
            if not isinstance(value, Mapping):
                raise values.bad(cls.__name__, value, "a JSON object")
            return _with_field_paths(generated, value, type_)

        return structure

    def unstructure_event(self, event: DomainEvent) -> dict[str, Any]:
        cls = type(event)
        hook = self._unstructurers.get(cls)
        if hook is None:
            hook = make_dict_unstructure_fn(cls, self.conv)
            self._unstructurers[cls] = hook
        return {EVENT_TAG: cls.event_type, **hook(event)}

    def structure_event(self, value: Any, type_: type[DomainEvent]) -> DomainEvent:
        if not isinstance(value, Mapping):
            raise values.bad("event", value, f"an object with a {EVENT_TAG!r} key naming the event")
        tag = value.get(EVENT_TAG)
        if tag is None:
            if type_ is DomainEvent or type_.event_type not in DomainEvent.registry():
                raise SerializationError(
                    f"Missing {EVENT_TAG!r} key in the event data for {type_.__name__};"
                    " expected the name of a registered event type, such as"
                    f" {{{EVENT_TAG!r}: {next(iter(DomainEvent.registry()), 'OrderPlaced')!r}}}."
                )
            target = type_
        else:
            target = DomainEvent.lookup(tag)
        if not issubclass(target, type_):
            raise values.bad("event type", tag, f"the type of a {type_.__name__} event")
        hook = self._structurers.get(target)
        if hook is None:
            hook = make_dict_structure_fn(target, self.conv, _cattrs_forbid_extra_keys=True)
            self._structurers[target] = hook
        data = {k: v for k, v in value.items() if k != EVENT_TAG}
        return _with_field_paths(hook, data, target)  # type: ignore[no-any-return]


def _with_field_paths(
    hook: Callable[[Mapping[str, Any], Any], Any], data: Mapping[str, Any], cls: Any
) -> Any:
    """Run a generated attrs hook; point validator errors at the field they name.

    Errors raised by a class's own validators (while it is built) carry no path of their
    own; a :class:`~ordercycle.errors.ValidationError` names its ``field``, so that field
    becomes the path (``$.credit_limit`` rather than ``$``).
    """
    try:
        return hook(data, cls)
    except ClassValidationError as group:
        fields = {field.name: field.type for field in attrs.fields(cls)}
        for error in group.exceptions:
            field = getattr(error, "field", None)
            if not isinstance(error, ValidationError) or not isinstance(field, str):
                continue
            if field in fields and not _noted(error):
                note = AttributeValidationNote(
                    f"Structuring class {cls.__qualname__} @ attribute {field}",
                    field,
                    fields[field],
                )
                error.__notes__ = [*getattr(error, "__notes__", []), note]
        raise


def _noted(error: BaseException) -> bool:
    notes = getattr(error, "__notes__", [])
    return any(isinstance(note, AttributeValidationNote | IterableValidationNote) for note in notes)


#: Field metadata key: the field is left out of the unstructured data while it holds its
#: default, so adding a field keeps the data of everything that does not use it as it was
#: (``attrs.field(default=False, metadata={OMIT_IF_DEFAULT: True})``).
OMIT_IF_DEFAULT: Final = "omit_if_default"


def _omits_defaults(type_: Any) -> bool:
    return (
        isinstance(type_, type)
        and attrs.has(type_)
        and not _is_event(type_)
        and any(field.metadata.get(OMIT_IF_DEFAULT) for field in attrs.fields(type_))
    )


def _omit_defaults_unstructurer(conv: cattrs.Converter) -> Callable[[type], Any]:
    def factory(type_: type) -> Any:
        overrides: dict[str, Any] = {
            field.name: override(omit_if_default=True)
            for field in attrs.fields(type_)
            if field.metadata.get(OMIT_IF_DEFAULT)
        }
        return make_dict_unstructure_fn(type_, conv, **overrides)

    return factory


def _currency_code(currency: Currency) -> str:
    return currency.code


def _homogeneous_sequence(type_: Any) -> bool:
    """``tuple[X, ...]`` or ``list[X]`` of a concrete ``X`` (what becomes a JSON list)."""
    origin = get_origin(type_)
    args = get_args(type_)
    listed = origin is list and len(args) == 1
    tupled = origin is tuple and len(args) == 2 and args[1] is Ellipsis
    return (listed or tupled) and not isinstance(args[0], TypeVar)


def _sequence_unstructurer(conv: cattrs.Converter) -> Callable[[type], Any]:
    """What cattrs's iterable hook does for these (a list of each item unstructured), as a
    list comprehension: cattrs builds ``list(generator)``, about twice the cost per item
    and most of the cost of an empty one, and an invoice snapshot holds a few dozen."""

    def factory(type_: type) -> Any:
        hook = conv.get_unstructure_hook(get_args(type_)[0], cache_result=False)
        if hook is identity:
            return list  # items that stay as they are (text, numbers): a plain copy

        def unstructure_sequence(items: Any) -> list[Any]:
            return [hook(item) for item in items]

        return unstructure_sequence

    return factory


def make_converter() -> cattrs.Converter:
    """Build a new converter configured with every library hook.

    Use it to add hooks for your own types without touching the library's default
    converter; pass it to :func:`to_dict` / :func:`from_dict` with ``converter=``.
    """
    conv = cattrs.Converter(forbid_extra_keys=True, unstruct_collection_overrides={tuple: list})
    library = _Library(conv)

    conv.register_structure_hook_factory(attrs.has, library.attrs_structurer)
    for type_, hook in (
        (str, values.structure_str),
        (int, values.structure_int),
        (bool, values.structure_bool),
        (float, values.structure_float),
        # Hooks registered by type also serve subclasses, and an IntEnum or StrEnum is an
        # int or a str first in its MRO: claim them for the enum hook, or a Priority field
        # would come back as a plain number.
        (enum.IntEnum, values.structure_enum),
        (enum.StrEnum, values.structure_enum),
        (Decimal, values.structure_decimal),
        (Fraction, values.structure_fraction),
        (date, values.structure_date),
        (datetime, values.structure_datetime),
        (Money, values.structure_money),
        (Currency, values.structure_currency),
    ):
        conv.register_structure_hook(type_, hook)
    conv.register_unstructure_hook(Decimal, str)
    conv.register_unstructure_hook(Fraction, values.fraction_text)
    conv.register_unstructure_hook(date, date.isoformat)
    conv.register_unstructure_hook(datetime, values.unstructure_datetime)
    conv.register_unstructure_hook(Money, values.unstructure_money)
    conv.register_unstructure_hook(Currency, _currency_code)

    conv.register_structure_hook_func(values.is_quantity_type, values.structure_quantity)
    conv.register_unstructure_hook_func(values.is_quantity_type, values.unstructure_quantity)
    conv.register_structure_hook_func(values.is_enum, values.structure_enum)
    conv.register_structure_hook_func(values.is_tuple, library.structure_tuple)
    conv.register_structure_hook_func(_is_event, library.structure_event)
    conv.register_unstructure_hook_func(_is_event, library.unstructure_event)
    conv.register_unstructure_hook_factory(_omits_defaults, _omit_defaults_unstructurer(conv))
    conv.register_unstructure_hook_factory(_homogeneous_sequence, _sequence_unstructurer(conv))
    return conv


converter: Final = make_converter()
"""The library's default converter. Prefer :func:`make_converter` to customise."""
