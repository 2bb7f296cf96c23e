"""Due-date rules: how a due date is derived from an anchor date.

A :class:`DueDateRule` is one of six kinds (:class:`DueDateKind`):

* ``DAYS_AFTER``: the anchor date plus ``days`` ("Net 30").
* ``MONTHS_AFTER``: the anchor date plus ``months`` calendar months, clamped to the end of
  shorter months (January 31 + 1 month = February 28, or 29 in a leap year), plus ``days``.
* ``END_OF_MONTH``: the last day of the anchor's month plus ``days`` ("Net 30 EOM").
* ``END_OF_NEXT_MONTH``: the last day of the following month plus ``days``.
* ``DAY_OF_NEXT_MONTH``: day ``day`` of the following month ("Net 10th prox", "21 MFI");
  a day that the month lacks is clamped to its last day (the 31st in February is the 28th/29th).
* ``MONTHS_AFTER_END_OF_MONTH``: the last day of the month ``months`` months after the
  anchor's month, plus ``days`` ("60 days end of month" written as two months).

An optional ``cutoff_day`` applies to every month-based kind (all but ``DAYS_AFTER`` and
``MONTHS_AFTER``): an anchor dated *after* that day counts as dated in the following month,
which is the usual wholesale convention for EOM and prox dating with a cut-off on the 25th.

>>> from datetime import date
>>> DueDateRule.days_after(30).due_date(date(2026, 1, 15))
datetime.date(2026, 2, 14)
>>> DueDateRule.end_of_month(10, cutoff_day=25).due_date(date(2026, 1, 26))
datetime.date(2026, 3, 10)
>>> DueDateRule.months_after(1).due_date(date(2024, 1, 31))
datetime.date(2024, 2, 29)
"""

from __future__ import annotations

import enum
from datetime import date, timedelta

import attrs

from ordercycle.invoicing.errors import InvalidDueDateRuleError
from ordercycle.limits import MAX_TERMS_DAYS

__all__ = ["Anchor", "DueDateKind", "DueDateRule", "end_of_month"]


class Anchor(enum.Enum):
    """The event whose date starts the payment period.

    Attributes:
        ORDER: The order date (cash with order, cash in advance).
        INVOICE: The invoice date (the default for most terms).
        SHIPMENT: The shipment date.
        RECEIPT: The date the customer received the goods (ROG dating, cash on delivery).
        NEXT_DELIVERY: The date of the customer's next delivery (cash next delivery).
        AS_OF: A stated date written on the invoice ("as of" or seasonal dating).
    """

    ORDER = "order"
    INVOICE = "invoice"
    SHIPMENT = "shipment"
    RECEIPT = "receipt"
    NEXT_DELIVERY = "next_delivery"
    AS_OF = "as_of"


class DueDateKind(enum.Enum):
    """The kinds of due-date rule; see the module documentation for each meaning."""

    DAYS_AFTER = "days_after"
    MONTHS_AFTER = "months_after"
    END_OF_MONTH = "end_of_month"
    END_OF_NEXT_MONTH = "end_of_next_month"
    DAY_OF_NEXT_MONTH = "day_of_next_month"
    MONTHS_AFTER_END_OF_MONTH = "months_after_end_of_month"


#: How many anchor dates each rule remembers (due dates of invoices of the same day).
_MEMO_SIZE = 4096

_CUTOFF_KINDS = frozenset(
    {
        DueDateKind.END_OF_MONTH,
        DueDateKind.END_OF_NEXT_MONTH,
        DueDateKind.DAY_OF_NEXT_MONTH,
        DueDateKind.MONTHS_AFTER_END_OF_MONTH,
    }
)


_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _days_in_month(year: int, month: int) -> int:
    if month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        return 29
    return _DAYS_IN_MONTH[month - 1]


def _add_months(start: date, months: int, day: int = 0) -> date:
    """``start`` moved by ``months`` calendar months, on ``day`` (``start``'s day if 0).

    The day is clamped to the last day of the target month, exactly like
    ``start + relativedelta(months=months, day=day or start.day)`` (without building a
    ``relativedelta``).

    Raises:
        ValueError: The result is after the year 9999.
    """
    year, month = divmod(start.year * 12 + start.month - 1 + months, 12)
    month += 1
    return date(year, month, min(day or start.day, _days_in_month(year, month)))


def end_of_month(day: date, months: int = 0) -> date:
    """Return the last day of the month ``months`` months after the month of ``day``.

    Args:
        day: Any date in the starting month.
        months: How many months to move forward (0 is the month of ``day``).

    Returns:
        The last calendar day of that month.

    >>> end_of_month(date(2024, 2, 10))
    datetime.date(2024, 2, 29)
    >>> end_of_month(date(2026, 12, 31), 2)
    datetime.date(2027, 2, 28)
    """
    return _add_months(day, months, 31)


def _non_negative(instance: DueDateRule, attribute: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_TERMS_DAYS:
        raise InvalidDueDateRuleError.invalid(
            "DueDateRule",
            attribute.name,
            value,
            f"a whole number from 0 to {MAX_TERMS_DAYS} (ordercycle.limits.MAX_TERMS_DAYS)",
        )


@attrs.frozen
class DueDateRule:
    """A rule that turns an anchor date into a due date.

    Prefer the named constructors (:meth:`days_after`, :meth:`end_of_month`, ...).

    Attributes:
        kind: Which rule this is.
        days: Days added after the reference date (all kinds but ``DAY_OF_NEXT_MONTH``).
        months: Months for ``MONTHS_AFTER`` and ``MONTHS_AFTER_END_OF_MONTH``.
        day: The day of the month for ``DAY_OF_NEXT_MONTH`` (1 to 31).
        cutoff_day: For month-based kinds, anchors dated after this day (1 to 30) roll to
            the following month; ``None`` for no cut-off.
    """

    kind: DueDateKind
    days: int = attrs.field(default=0, validator=_non_negative)
    months: int = attrs.field(default=0, validator=_non_negative)
    day: int = attrs.field(default=0, validator=_non_negative)
    cutoff_day: int | None = None
    _memo: dict[date, date] = attrs.field(
        init=False, factory=dict, repr=False, eq=False, hash=False
    )

    def __attrs_post_init__(self) -> None:
        subject = f"DueDateRule({self.kind.value})"
        if self.kind is DueDateKind.DAY_OF_NEXT_MONTH and not 1 <= self.day <= 31:
            raise InvalidDueDateRuleError.invalid(subject, "day", self.day, "a day from 1 to 31")
        if self.kind is not DueDateKind.DAY_OF_NEXT_MONTH and self.day:
            raise InvalidDueDateRuleError.invalid(
                subject, "day", self.day, "0 (only DAY_OF_NEXT_MONTH takes a day)"
            )
        if self.kind is DueDateKind.DAY_OF_NEXT_MONTH and self.days:
            raise InvalidDueDateRuleError.invalid(
                subject, "days", self.days, "0 (DAY_OF_NEXT_MONTH is a fixed day)"
            )
        month_kinds = (DueDateKind.MONTHS_AFTER, DueDateKind.MONTHS_AFTER_END_OF_MONTH)
        if self.kind not in month_kinds and self.months:
            raise InvalidDueDateRuleError.invalid(
                subject, "months", self.months, "0 (only the months-after kinds take months)"
            )
        if self.cutoff_day is not None:
            if self.kind not in _CUTOFF_KINDS:
                raise InvalidDueDateRuleError.invalid(
                    subject, "cutoff_day", self.cutoff_day, "None (no cut-off for this kind)"
                )
            if (
                isinstance(self.cutoff_day, bool)
                or not isinstance(self.cutoff_day, int)
                or not 1 <= self.cutoff_day <= 30
            ):
                raise InvalidDueDateRuleError.invalid(
                    subject, "cutoff_day", self.cutoff_day, "None or a day from 1 to 30"
                )

    # --- named constructors -------------------------------------------------------------

    @classmethod
    def days_after(cls, days: int) -> DueDateRule:
        """Due ``days`` days after the anchor ("Net 30"; 0 means on the anchor date)."""
        return cls(DueDateKind.DAYS_AFTER, days=days)

    @classmethod
    def months_after(cls, months: int, days: int = 0) -> DueDateRule:
        """Due ``months`` calendar months after the anchor (clamped), plus ``days``."""
        return cls(DueDateKind.MONTHS_AFTER, months=months, days=days)

    @classmethod
    def end_of_month(cls, days: int = 0, *, cutoff_day: int | None = None) -> DueDateRule:
        """Due ``days`` days after the end of the anchor's month ("Net 30 EOM")."""
        return cls(DueDateKind.END_OF_MONTH, days=days, cutoff_day=cutoff_day)

    @classmethod
    def end_of_next_month(cls, days: int = 0, *, cutoff_day: int | None = None) -> DueDateRule:
        """Due ``days`` days after the end of the month following the anchor's month."""
        return cls(DueDateKind.END_OF_NEXT_MONTH, days=days, cutoff_day=cutoff_day)

    @classmethod
    def day_of_next_month(cls, day: int, *, cutoff_day: int | None = None) -> DueDateRule:
        """Due on day ``day`` of the following month ("Net 10th prox", "21 MFI")."""
        return cls(DueDateKind.DAY_OF_NEXT_MONTH, day=day, cutoff_day=cutoff_day)

    @classmethod
    def months_after_end_of_month(
        cls, months: int, days: int = 0, *, cutoff_day: int | None = None
    ) -> DueDateRule:
        """Due at the end of the month ``months`` months after the anchor's, plus ``days``."""
        return cls(
            DueDateKind.MONTHS_AFTER_END_OF_MONTH, months=months, days=days, cutoff_day=cutoff_day
        )

    # --- evaluation ---------------------------------------------------------------------

    def due_date(self, anchor: date) -> date:
        """Return the due date for an anchor date.

        Args:
            anchor: The date of the anchor event (invoice date, receipt of goods, ...).

        Returns:
            The due date; never earlier than ``anchor``.
        """
        found = self._memo.get(anchor)
        if found is None:
            found = self._compute(anchor)
            if len(self._memo) < _MEMO_SIZE:  # same-day invoices share due dates
                self._memo[anchor] = found
        return found

    def _compute(self, anchor: date) -> date:
        kind = self.kind
        if kind is DueDateKind.DAYS_AFTER:
            return anchor + timedelta(days=self.days)
        if kind is DueDateKind.MONTHS_AFTER:
            return _add_months(anchor, self.months) + timedelta(days=self.days)
        roll = 1 if self.cutoff_day is not None and anchor.day > self.cutoff_day else 0
        if kind is DueDateKind.END_OF_MONTH:
            return end_of_month(anchor, roll) + timedelta(days=self.days)
        if kind is DueDateKind.END_OF_NEXT_MONTH:
            return end_of_month(anchor, roll + 1) + timedelta(days=self.days)
        if kind is DueDateKind.MONTHS_AFTER_END_OF_MONTH:
            return end_of_month(anchor, roll + self.months) + timedelta(days=self.days)
        # DAY_OF_NEXT_MONTH: a day the month lacks is clamped to the month's last day.
        return _add_months(anchor, roll + 1, self.day)

    def describe(self) -> str:
        """Return a short English description, such as ``"30 days after end of month"``.

        >>> DueDateRule.day_of_next_month(10, cutoff_day=25).describe()
        'day 10 of next month (cut-off day 25)'
        """
        kind = self.kind
        if kind is DueDateKind.DAYS_AFTER:
            text = "on the anchor date" if not self.days else f"{self.days} days after anchor"
        elif kind is DueDateKind.MONTHS_AFTER:
            text = f"{self.months} months after anchor"
        elif kind is DueDateKind.END_OF_MONTH:
            text = "end of month"
        elif kind is DueDateKind.END_OF_NEXT_MONTH:
            text = "end of next month"
        elif kind is DueDateKind.DAY_OF_NEXT_MONTH:
            text = f"day {self.day} of next month"
        else:
            text = f"end of month + {self.months} months"
        if self.days and kind is not DueDateKind.DAYS_AFTER:
            text = f"{self.days} days after {text}"
        if self.cutoff_day is not None:
            text += f" (cut-off day {self.cutoff_day})"
        return text
