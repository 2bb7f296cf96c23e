"""Canonical JSON text written straight from attrs values, without building the data first.

The canonical text of a value (sorted keys, ``","`` and ``":"`` without spaces, non-ASCII
kept) is the text of its parts put together: an object is ``{`` + its ``"key":text`` pairs
in key order + ``}``, a list its items' texts in order. So what a converter makes of an
attrs value can be written field by field, with the text of each field from the hook the
converter's generated code uses for it, in the order a sorted dict would have. A
:class:`CanonicalText` does that with a function generated once per class; a hook it does
not know (a class with hooks of its own, a union, a mapping) is written as the canonical
text of what the hook returns, which is what it was inside the whole.

It writes what ``encode(converter.unstructure(value))`` writes, byte for byte, for values
that have that text. For a value that has none (a naive datetime, a NaN, a field holding
the wrong type) it may raise any error where the plain way raises its own: a caller that
must report the library's error runs the plain way when this raises (see the desk's
invoice snapshots).
"""

from __future__ import annotations

import json
import types
from collections.abc import Callable
from datetime import date
from typing import Any, Final, TypeVar, Union, get_args, get_origin

import attrs
import cattrs
from cattrs.fns import identity

from ordercycle._memo import remember, remember_for
from ordercycle.serialization import _values as values
from ordercycle.serialization._converter import EVENT_TAG, OMIT_IF_DEFAULT
from ordercycle.serialization._converter import _currency_code as currency_code
from ordercycle.serialization._converter import _is_event as is_event

__all__ = ["CanonicalText"]

#: What the C encoder writes for a string when ``ensure_ascii`` is false (quotes included).
_quote: Final = json.encoder.encode_basestring
_date_text: Final = date.isoformat
#: The texts of plain dates written, by date: a value holds its few dates several times (an
#: invoice and its events), and values written together share their days; ``isoformat``
#: formats each one anew.
_DATE_TEXTS: dict[date, str] = {}
#: How many date texts are kept.
DATES_KEPT: Final = 1024
#: How many shared objects' texts a writer keeps (each with the object it belongs to).
SHARED_KEPT: Final = 64

Write = Callable[[Any], str]

#: The most fields left out at their defaults a generated class writer handles.
_OMITTED_MOST: Final = 3


class CanonicalText:
    """Writes the canonical JSON text of what ``converter`` makes of a value.

    Args:
        converter: The converter whose data the text is of.
        encode: The canonical encoder (``encode(data)`` is the canonical text of data).
        shared: Frozen classes whose values are shared by many of the values written (a
            desk's tax profiles and payment terms): their text is kept by object identity,
            at most ``SHARED_KEPT`` of them, with the object itself (an id reused by
            another object does not match). Their data must not change, so they must be
            frozen all the way down.
    """

    def __init__(
        self,
        converter: cattrs.Converter,
        encode: Callable[[Any], str],
        *,
        shared: tuple[type, ...] = (),
    ) -> None:
        self._conv = converter
        self._encode = encode
        self._shared = shared
        self._kept: list[dict[int, tuple[object, str]]] = []
        self._by_type: dict[Any, Write] = {}
        self._events: dict[type, Write] = {}

    def text(self, value: Any, type_: Any) -> str:
        """The canonical text of ``converter.unstructure(value, unstructure_as=type_)``."""
        write = self._by_type.get(type_)
        if write is None:
            write = self._writer(type_)
        return write(value)

    def raw(self, value: Any) -> str:
        """The canonical text of plain data (text, numbers, ``None``, lists, dicts)."""
        kind = type(value)
        if kind is str:
            return _quote(value)
        if value is None:
            return "null"
        if kind is int:
            return int.__repr__(value)
        if value is True:
            return "true"
        if value is False:
            return "false"
        return self._encode(value)

    def forget(self) -> None:
        """Drop the texts kept of shared objects."""
        for kept in self._kept:
            kept.clear()

    # --- writers, made once per type ----------------------------------------------------

    def _writer(self, type_: Any) -> Write:
        # A class may hold itself (through a tuple or an optional): the writer is entered
        # before it is made, as a call through the table.
        self._by_type[type_] = lambda value: self._by_type[type_](value)
        write = self._make(type_)
        self._by_type[type_] = write
        return write

    def _field_writer(self, type_: Any) -> Write:
        return self._by_type.get(type_) or self._writer(type_)

    def _make(self, type_: Any) -> Write:
        if type_ in self._shared:
            return self._kept_text(self._make_unshared(type_))
        return self._make_unshared(type_)

    def _make_unshared(self, type_: Any) -> Write:
        hook = self._conv.get_unstructure_hook(type_, cache_result=False)
        name = getattr(hook, "__name__", "")
        if hook is identity:
            return self.raw
        if hook is str:  # Decimal
            return lambda value: _quote(str(value))
        if hook is _date_text:
            return lambda value: f'"{_kept_date_text(value)}"'
        if hook is values.unstructure_money:
            return _money_text
        if hook is values.unstructure_datetime:
            return lambda value: _quote(values.unstructure_datetime(value))
        if hook is currency_code:
            return lambda value: _quote(value.code)
        if name == "unstructure_optional" and _optional_of(type_) is not None:
            inner = self._field_writer(_optional_of(type_))
            return lambda value: "null" if value is None else inner(value)
        if hook is list:  # a sequence of items that stay as they are
            return _sequence_writer(self.raw)
        if name == "unstructure_sequence":
            return _sequence_writer(self._field_writer(get_args(type_)[0]))
        if name == "unstructure_tuple" and _fixed_tuple(type_):
            # cattrs's hook for ``tuple[A, B]``: item i by the hook of its type, as a list.
            items = [self._field_writer(arg) for arg in get_args(type_)]
            return _fixed_tuple_writer(items)
        if name == "unstructure_event":
            return self._event_text
        if isinstance(type_, type) and attrs.has(type_) and name == f"unstructure_{type_.__name__}":
            made = self._class_writer(type_, tag=None)
            if made is not None:
                return made
        return self._hook_text(hook)

    def _inline(self, type_: Any) -> str | None:
        """The f-string text (``VALUE``: the field's value) writing a field of ``type_`` in
        a generated class writer, for the common scalars; ``None``: through its writer."""
        if type_ in self._shared:
            return None
        hook = self._conv.get_unstructure_hook(type_, cache_result=False)
        if hook is identity:
            # Text is quoted as is (anything else in a text field fails, and the caller
            # writes the plain way); other values as plain data.
            return "{_quote(VALUE)}" if type_ is str else "{raw(VALUE)}"
        if hook is str:  # Decimal
            return "{_quote(str(VALUE))}"
        if hook is _date_text:  # ISO digits and dashes: nothing to escape
            return '"{_kept_date_text(VALUE)}"'
        if hook is values.unstructure_money:
            # ``_money_text`` written out in place: a call less for every amount.
            return _MONEY_INLINE
        return None

    def _hook_text(self, hook: Callable[[Any], Any]) -> Write:
        raw = self.raw
        return lambda value: raw(hook(value))

    def _kept_text(self, make: Write) -> Write:
        # One table per class: a class with many objects does not push out another's.
        kept: dict[int, tuple[object, str]] = {}
        self._kept.append(kept)

        def write(value: Any) -> str:
            return remember_for(kept, SHARED_KEPT, value, make)

        return write

    def _event_text(self, event: Any) -> str:
        cls = type(event)
        write = self._events.get(cls)
        if write is None:
            made = self._class_writer(cls, tag=cls.event_type) if is_event(cls) else None
            if made is None:  # not an attrs event: as the converter writes it
                made = self._hook_text(self._conv.get_unstructure_hook(cls))
            write = self._events[cls] = made
        return write(event)

    def _class_writer(self, cls: type, *, tag: str | None) -> Write | None:
        """A function writing an attrs class as its generated hook (plus the event tag),
        or ``None`` for a class it cannot mirror (then the hook's data is written)."""
        if getattr(cls, "__parameters__", ()):
            return None  # generic: cattrs writes its type-variable fields by value
        attrs.resolve_types(cls)
        scope: dict[str, Any] = {}
        # (key, the f-string text of its value, the name of the default it is left out at)
        entries: list[tuple[str, str, str | None]] = []
        for n, field in enumerate(attrs.fields(cls)):
            if not field.init:
                continue  # cattrs leaves out fields not given to __init__
            if field.type is None or isinstance(field.type, TypeVar) or field.name == tag:
                return None
            value = f"v.{field.name}"
            inline = self._inline(field.type)
            if inline is None:
                scope[f"w{n}"] = self._field_writer(field.type)
                piece = f"{{w{n}({value})}}"
            else:
                piece = inline.replace("VALUE", value)
            default = None
            if field.metadata.get(OMIT_IF_DEFAULT):
                if isinstance(field.default, attrs.Factory) or field.converter is not None:  # type: ignore[arg-type]
                    return None
                default = f"d{n}"
                scope[default] = field.default
            entries.append((field.name, piece, default))
        scope.update(_INLINE_SCOPE, raw=self.raw)
        if tag is not None:
            scope["tag"] = _quote(tag)
            entries.append((EVENT_TAG, "{tag}", None))
        if sum(default is not None for _, _, default in entries) > _OMITTED_MOST:
            return None  # an f-string for each choice of them would be too many
        entries.sort()
        source = "def write(v):\n" + "".join(_written(entries, "    "))
        exec(compile(source, f"<canonical text of {cls.__qualname__}>", "exec"), scope)
        return scope["write"]  # type: ignore[no-any-return]


def _written(entries: list[tuple[str, str, str | None]], indent: str) -> list[str]:
    """The lines of a writer's body: one f-string for each choice of the fields left out
    at their defaults (an ``if`` per such field, so one f-string runs per value)."""
    for n, (key, piece, default) in enumerate(entries):
        if default is not None:
            kept = [*entries[:n], (key, piece, None), *entries[n + 1 :]]
            left = entries[:n] + entries[n + 1 :]
            return [
                f"{indent}if v.{key} != {default}:\n",
                *_written(kept, indent + "    "),
                f"{indent}else:\n",
                *_written(left, indent + "    "),
            ]
    body = ",".join(f'"{key}":{piece}' for key, piece, _ in entries)
    return [f"{indent}return f'{{{{{body}}}}}'\n"]


def _sequence_writer(item: Write) -> Write:
    def write(value: Any) -> str:
        # Compared, not tested for truth: a value that is no sequence (None) must fail as
        # the hook does, not pass for an empty one.
        if value == ():
            return "[]"
        return f"[{','.join([item(one) for one in value])}]"

    return write


def _fixed_tuple(type_: Any) -> bool:
    """``tuple[A, B, ...]`` of a fixed number of items (not ``tuple[A, ...]``)."""
    args = get_args(type_)
    return get_origin(type_) is tuple and bool(args) and Ellipsis not in args


def _fixed_tuple_writer(items: list[Write]) -> Write:
    def write(value: Any) -> str:
        # Item by item as the hook reads them (``value[i]``: more items are not written).
        return f"[{','.join([item(value[i]) for i, item in enumerate(items)])}]"

    return write


def _kept_date_text(value: date) -> str:
    """What ``date.isoformat`` writes for ``value``, kept for a plain date (see
    ``_DATE_TEXTS``); anything else is written anew: equal values of another type may
    have other texts (a datetime, the same instant in two zones)."""
    if type(value) is date:
        return remember(_DATE_TEXTS, DATES_KEPT, value, value.isoformat)
    return _date_text(value)


def _money_text(money: Any) -> str:
    # What ``unstructure_money`` makes ({"amount": ..., "currency": ...}), keys in order.
    return f'{{"amount":{_quote(str(money.amount))},"currency":{_quote(money.currency.code)}}}'


#: ``_money_text(VALUE)`` as a piece of a generated writer's f-string (literal braces doubled).
_MONEY_INLINE: Final = (
    '{{"amount":{_quote(str(VALUE.amount))},"currency":{_quote(VALUE.currency.code)}}}'
)


def _optional_of(type_: Any) -> Any:
    """``X`` of ``X | None`` (as cattrs's optional hook picks it), else ``None``."""
    if get_origin(type_) not in (Union, types.UnionType):
        return None
    args = get_args(type_)
    if len(args) != 2 or type(None) not in args:
        return None
    return args[0] if args[1] is type(None) else args[1]


#: The names the expressions of ``CanonicalText._inline`` use.
_INLINE_SCOPE: Final = {
    "_quote": _quote,
    "_kept_date_text": _kept_date_text,
    "_money_text": _money_text,
}
