"""Rows of read models (projections) and the queries that page through them.

A read model is a *view*: a set of rows, one per key, that the application keeps up to
date as it writes events (see :class:`~ordercycle.storage.ports.Projections`). Each row
carries

- a ``sort`` text: its place in every listing (rows are listed by ``(sort, key)``);
- ``terms``: ``(field, value)`` pairs it can be found by. A field may repeat (an order has
  one ``sku`` term per product), and each pair is indexed;
- ``data``: JSON text returned with the row (what a listing shows);
- a ``version``: the version of what the row was computed from. A row is only replaced by
  one of the same or a higher version, so a late or replayed write never undoes a newer one.

A :class:`ViewQuery` asks for the rows whose terms include every ``(field, value)`` of
``where``, whose ``sort`` lies in ``[sort_from, sort_to)``, after a ``(sort, key)`` cursor,
at most ``limit`` of them, in ``(sort, key)`` order. Keyset paging makes the pages stable:
a row inserted before the cursor never shifts or repeats the rows after it.

Sort texts compare as text, so dates and instants are written with :func:`sort_text`
(ISO dates; instants in UTC at a fixed width), which orders them correctly.

>>> row = ViewRow(view="orders", key="O-1", version=3, sort=sort_text(date(2026, 1, 5)),
...               terms=(("sku", "MUG"), ("state", "placed"), ("sku", "MUG")), data="{}")
>>> row.terms
(('sku', 'MUG'), ('state', 'placed'))
>>> ViewQuery(view="orders", where=(("state", "placed"),), limit=50).limit
50
"""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime
from typing import Any

import attrs

from ordercycle.errors import ValidationError
from ordercycle.limits import MAX_JSON_CHARS, MAX_TEXT_CHARS
from ordercycle.storage._checks import check_name, check_version

__all__ = ["MAX_VIEW_PAGE", "ViewQuery", "ViewRow", "sort_text"]

#: The most rows one :class:`ViewQuery` may ask for.
MAX_VIEW_PAGE = 1000


def sort_text(value: date | datetime) -> str:
    """The sort text of a date (``2026-01-05``) or an aware instant (UTC, microseconds).

    Instants sort after the date they fall on (in UTC), so a range of dates
    ``[sort_text(d1), sort_text(d2))`` holds the instants of those days.

    >>> sort_text(datetime(2026, 1, 5, 9, 30, tzinfo=UTC))
    '2026-01-05T09:30:00.000000Z'

    Raises:
        ValidationError: A naive datetime, or not a date at all.
    """
    if type(value) is datetime or type(value) is date:
        # Rows of one command and of one record share their instants: equal instants
        # (whatever their zone) have the same text, so it is made once for each.
        return _sort_text(value)
    return _sort_text.__wrapped__(value)


@functools.lru_cache(maxsize=1024)
def _sort_text(value: date | datetime) -> str:
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValidationError.invalid(
                "view sort key", "value", value, "a timezone-aware datetime or a date"
            )
        utc = value if value.tzinfo is UTC else value.astimezone(UTC)
        if utc.year >= 1000:
            # The same text as the strftime below (which pads years under 1000
            # differently on some platforms), at a fraction of its cost.
            return utc.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"
        return utc.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, date):
        return value.isoformat()
    raise ValidationError.invalid("view sort key", "value", value, "a date or a datetime")


def _text(
    value: object, field: str, subject: str, *, empty: bool = False, most: int = MAX_TEXT_CHARS
) -> str:
    if not isinstance(value, str) or len(value) > most or (not empty and not value):
        kind = "string" if empty else "non-empty string"
        raise ValidationError.invalid(
            subject, field, value, f"a {kind} of at most {most} characters"
        )
    return value


def _terms(value: object) -> tuple[tuple[str, str], ...]:
    if isinstance(value, str | bytes) or not isinstance(value, tuple | list):
        raise ValidationError.invalid("view row", "terms", value, "a tuple of (field, value) pairs")
    pairs: set[tuple[str, str]] = set()
    for index, pair in enumerate(value):
        if not isinstance(pair, tuple | list) or len(pair) != 2:
            raise ValidationError.invalid(
                "view row", f"terms[{index}]", pair, "a (field, value) pair of strings"
            )
        field = check_name(pair[0], f"terms[{index}] field", "view row")
        pairs.add((field, _text(pair[1], f"terms[{index}] value", "view row", empty=True)))
    return tuple(sorted(pairs))


def _data(value: object) -> str:
    import json

    text = _text(value, "data", "view row", most=MAX_JSON_CHARS)
    try:
        json.loads(text)
    except ValueError:
        raise ValidationError.invalid("view row", "data", value, "JSON text") from None
    return text


@attrs.frozen(kw_only=True)
class ViewRow:
    """One row of a read model (see the module docstring).

    Attributes:
        view: The read model's name (``"orders"``).
        key: The row's key within the view (``"O-17"``).
        version: The version of what the row was computed from (an aggregate's version).
        sort: Its place in listings (see :func:`sort_text`).
        terms: The ``(field, value)`` pairs it is found by, sorted and without repeats.
        data: JSON text shown for the row.
    """

    view: str = attrs.field(validator=lambda _i, _a, v: check_name(v, "view", "view row"))
    key: str = attrs.field(validator=lambda _i, _a, v: check_name(v, "key", "view row"))
    version: int = attrs.field(
        validator=lambda _i, _a, v: check_version(v, "version", "view row", minimum=0)
    )
    sort: str = attrs.field(validator=lambda _i, _a, v: _text(v, "sort", "view row", empty=True))
    terms: tuple[tuple[str, str], ...] = attrs.field(default=(), converter=_terms)
    data: str = attrs.field(default="{}", validator=lambda _i, _a, v: _data(v))

    def loads(self) -> Any:
        """The row's data, decoded from JSON."""
        import json

        return json.loads(self.data)


def _where(value: object) -> tuple[tuple[str, str], ...]:
    if isinstance(value, str | bytes) or not isinstance(value, tuple | list):
        raise ValidationError.invalid("view query", "where", value, "a tuple of (field, value)")
    result: list[tuple[str, str]] = []
    for index, pair in enumerate(value):
        if not isinstance(pair, tuple | list) or len(pair) != 2:
            raise ValidationError.invalid(
                "view query", f"where[{index}]", pair, "a (field, value) pair of strings"
            )
        field = check_name(pair[0], f"where[{index}] field", "view query")
        item = (field, _text(pair[1], f"where[{index}] value", "view query", empty=True))
        if item not in result:
            result.append(item)
    return tuple(result)


def _bound(value: object, field: str) -> str | None:
    if value is None:
        return None
    return _text(value, field, "view query", empty=True)


def _bound_from(value: object) -> str | None:
    return _bound(value, "sort_from")


def _bound_to(value: object) -> str | None:
    return _bound(value, "sort_to")


def _after(value: object) -> tuple[str, str] | None:
    if value is None:
        return None
    if (
        not isinstance(value, tuple)
        or len(value) != 2
        or not all(isinstance(part, str) for part in value)
    ):
        raise ValidationError.invalid("view query", "after", value, "None or a (sort, key) pair")
    return (str(value[0]), str(value[1]))


def _limit(_instance: object, _attribute: object, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_VIEW_PAGE:
        raise ValidationError.invalid(
            "view query", "limit", value, f"an integer from 1 to {MAX_VIEW_PAGE}"
        )


@attrs.frozen(kw_only=True)
class ViewQuery:
    """A query of one read model (see the module docstring).

    The first pair of ``where`` drives the lookup in indexed storage; put the most
    selective one first (a customer before a state).

    Attributes:
        view: The read model.
        where: ``(field, value)`` pairs every row found has among its terms.
        sort_from: Only rows with ``sort >= sort_from`` (``None``: no lower bound).
        sort_to: Only rows with ``sort < sort_to`` (``None``: no upper bound).
        after: Only rows after this ``(sort, key)`` (the last row of the page before).
        limit: At most this many rows (1 to :data:`MAX_VIEW_PAGE`).
    """

    view: str = attrs.field(validator=lambda _i, _a, v: check_name(v, "view", "view query"))
    where: tuple[tuple[str, str], ...] = attrs.field(default=(), converter=_where)
    sort_from: str | None = attrs.field(default=None, converter=_bound_from)
    sort_to: str | None = attrs.field(default=None, converter=_bound_to)
    after: tuple[str, str] | None = attrs.field(default=None, converter=_after)
    limit: int = attrs.field(default=50, validator=_limit)

    def admits(self, row: ViewRow) -> bool:
        """Whether ``row`` answers this query (cursor and bounds included; not the limit)."""
        if row.view != self.view:
            return False
        if self.sort_from is not None and row.sort < self.sort_from:
            return False
        if self.sort_to is not None and row.sort >= self.sort_to:
            return False
        if self.after is not None and (row.sort, row.key) <= self.after:
            return False
        terms = set(row.terms)
        return all(pair in terms for pair in self.where)
