"""The :class:`Clock` port: where the domain gets the time from.

Domain code never reads the real clock. It asks a :class:`Clock` that was handed to it:
:class:`SystemClock` in production, :class:`FixedClock` or :class:`SteppableClock` in
tests, simulations and notebooks, so that runs are reproducible.

Every clock returns timezone-aware datetimes in UTC; :meth:`Clock.today` is the UTC date.

>>> from datetime import datetime, timedelta, timezone
>>> clock = SteppableClock(datetime(2026, 1, 15, 9, 0, tzinfo=timezone.utc))
>>> clock.advance(days=30)
>>> clock.today()
datetime.date(2026, 2, 14)
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Protocol, runtime_checkable

from ordercycle.errors import ValidationError

__all__ = [
    "Clock",
    "ClockError",
    "ClockWentBackwardsError",
    "FixedClock",
    "NaiveDatetimeError",
    "SteppableClock",
    "SystemClock",
    "ensure_aware",
]

_NO_TIME = timedelta()


class ClockError(ValidationError):
    """A clock was given a time it cannot accept."""


class NaiveDatetimeError(ClockError):
    """A datetime without a timezone was given where an instant is needed."""


class ClockWentBackwardsError(ClockError):
    """A steppable clock was asked to move back in time.

    Attributes:
        current: The clock's time before the request.
        requested: The earlier time that was asked for.
    """

    def __init__(self, current: datetime, requested: datetime) -> None:
        super().__init__(
            f"Cannot move SteppableClock back from {current.isoformat()} to"
            f" {requested.isoformat()}; expected a time at or after {current.isoformat()}.",
            subject="SteppableClock",
            field="now",
            value=requested,
            expected=f"a time at or after {current.isoformat()}",
        )
        self.current = current
        self.requested = requested


def ensure_aware(value: object, *, subject: str = "clock", field: str = "time") -> datetime:
    """Return ``value`` converted to UTC if it is a timezone-aware datetime.

    Args:
        value: The datetime to check.
        subject: What the time belongs to, for the message.
        field: Which field it is, for the message.

    Raises:
        NaiveDatetimeError: If ``value`` is not a datetime or has no timezone.

    >>> ensure_aware(datetime(2026, 1, 1))
    Traceback (most recent call last):
    ...
    ordercycle.model.clock.NaiveDatetimeError: Invalid time for clock: datetime.datetime(2026, 1, 1, 0, 0); expected a timezone-aware datetime ...
    """  # noqa: E501
    expected = "a timezone-aware datetime (for example datetime(..., tzinfo=timezone.utc))"
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise NaiveDatetimeError(
            f"Invalid {field} for {subject}: {value!r}; expected {expected}.",
            subject=subject,
            field=field,
            value=value,
            expected=expected,
        )
    return value.astimezone(UTC)


@runtime_checkable
class Clock(Protocol):
    """Port that tells the current time. Inject one wherever the domain needs "now"."""

    def now(self) -> datetime:
        """Return the current instant as a timezone-aware datetime in UTC."""
        ...

    def today(self) -> date:
        """Return the current calendar date in UTC."""
        ...


class SystemClock:
    """The real clock.

    This is the only place in the library that reads the system time; everything else
    receives a :class:`Clock`. Use it at the edge of an application, never in tests.
    """

    __slots__ = ()

    def now(self) -> datetime:
        """Return the current system time in UTC."""
        return datetime.now(UTC)

    def today(self) -> date:
        """Return today's date in UTC."""
        return self.now().date()

    def __repr__(self) -> str:
        return "SystemClock()"


class FixedClock:
    """A clock that always tells the same instant.

    Args:
        at: The instant; must be timezone-aware (stored in UTC).

    Raises:
        NaiveDatetimeError: If ``at`` has no timezone.

    >>> FixedClock(datetime(2026, 3, 1, 12, tzinfo=UTC)).now().isoformat()
    '2026-03-01T12:00:00+00:00'
    """

    __slots__ = ("_at",)

    def __init__(self, at: datetime) -> None:
        self._at = ensure_aware(at, subject="FixedClock", field="at")

    def now(self) -> datetime:
        """Return the fixed instant."""
        return self._at

    def today(self) -> date:
        """Return the date of the fixed instant in UTC."""
        return self._at.date()

    def __repr__(self) -> str:
        return f"FixedClock({self._at!r})"


class SteppableClock:
    """A clock that stays still until told to move forward.

    Args:
        start: The starting instant; must be timezone-aware (stored in UTC).

    Raises:
        NaiveDatetimeError: If ``start`` has no timezone.
    """

    __slots__ = ("_now",)

    def __init__(self, start: datetime) -> None:
        self._now = ensure_aware(start, subject="SteppableClock", field="start")

    def now(self) -> datetime:
        """Return the clock's current instant."""
        return self._now

    def today(self) -> date:
        """Return the clock's current date in UTC."""
        return self._now.date()

    def advance(
        self,
        delta: timedelta | None = None,
        *,
        days: float = 0,
        hours: float = 0,
        minutes: float = 0,
        seconds: float = 0,
    ) -> None:
        """Move the clock forward by ``delta`` plus the given days, hours, minutes, seconds.

        Raises:
            ClockWentBackwardsError: If the total step is negative; the clock is unchanged.
            ClockError: If ``delta`` is not a :class:`~datetime.timedelta`.
        """
        if delta is not None and not isinstance(delta, timedelta):
            raise ClockError(
                f"Invalid delta for SteppableClock.advance: {delta!r}; expected a timedelta.",
                subject="SteppableClock",
                field="delta",
                value=delta,
                expected="a timedelta",
            )
        if delta.__class__ is timedelta and not (days or hours or minutes or seconds):
            # A plain timedelta alone (a simulation steps its clock so, several times per
            # order): the step is ``delta`` itself, what the sum below comes to, without
            # building a timedelta from four zero keywords.
            step = delta
        else:
            step = (delta or _NO_TIME) + timedelta(
                days=days, hours=hours, minutes=minutes, seconds=seconds
            )
        if step < _NO_TIME:
            raise ClockWentBackwardsError(self._now, self._now + step)
        self._now = self._now + step

    def set(self, at: datetime) -> None:
        """Jump to ``at``, which must not be earlier than the current time.

        Raises:
            NaiveDatetimeError: If ``at`` has no timezone; the clock is unchanged.
            ClockWentBackwardsError: If ``at`` is earlier; the clock is unchanged.
        """
        target = ensure_aware(at, subject="SteppableClock", field="at")
        if target < self._now:
            raise ClockWentBackwardsError(self._now, target)
        self._now = target

    def __repr__(self) -> str:
        return f"SteppableClock({self._now!r})"
