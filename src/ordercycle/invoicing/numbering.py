"""Gap-free sequential invoice numbers: a pure value that hands out one number at a time.

>>> series = NumberSeries("INV-2026-", width=5)
>>> number, series = series.take()
>>> number, series.next_number
('INV-2026-00001', 2)
"""

from __future__ import annotations

import attrs

from ordercycle.errors import ValidationError

__all__ = ["NumberSeries"]


def _positive(instance: NumberSeries, attribute: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValidationError.invalid(
            f"NumberSeries {instance.prefix!r}", attribute.name, value, "an integer >= 1"
        )


@attrs.frozen
class NumberSeries:
    """A numbering series: a prefix, the next number and the zero-padded width.

    The series is a value: :meth:`take` returns the number *and* the series to use next,
    so a number is consumed only when the caller keeps the new series (after the invoice
    it numbers was issued successfully), which keeps the sequence without gaps.

    Attributes:
        prefix: Text before the number, such as ``"INV-2026-"``.
        next_number: The number the next :meth:`take` returns.
        width: Minimum digits, zero-padded.
    """

    prefix: str = "INV-"
    next_number: int = attrs.field(default=1, validator=_positive)
    width: int = attrs.field(default=6, validator=_positive)

    def peek(self) -> str:
        """The number :meth:`take` would return, without consuming it."""
        return f"{self.prefix}{self.next_number:0{self.width}d}"

    def next(self) -> NumberSeries:
        """The series to use once its next number was used (by :meth:`Invoice.issue`)."""
        return self.take()[1]

    def take(self) -> tuple[str, NumberSeries]:
        """Return ``(number, next series)``."""
        following = _new(NumberSeries)  # the fields are already valid: skip the validators
        _set(following, "prefix", self.prefix)
        _set(following, "next_number", self.next_number + 1)
        _set(following, "width", self.width)
        return f"{self.prefix}{self.next_number:0{self.width}d}", following


_new = object.__new__
_set = object.__setattr__
