"""Reading the written forms of payment terms ("2/10 Net 30", "Net 10th prox", "21 MFI").

Accepted forms (case and spacing do not matter; ``N``, ``M``, ``D`` are numbers):

| form | meaning |
|---|---|
| `Net N` | the whole amount is due N days after the invoice date |
| `D/N Net M` | D % off if paid within N days, otherwise due in M days |
| `D/N Net M EOM` | EOM dating: both periods count from the end of the invoice month ¹ |
| `Net M EOM` | due M days after the end of the invoice month ¹ |
| `EOM` | due on the last day of the invoice month ¹ |
| `D/N Net M ROG` | receipt-of-goods dating: both periods count from the day the goods arrive |
| `Net M ROG` | due M days after receipt of goods |
| `Net Nth prox` | due on day N of the month after the invoice month (*proximo*) ¹ |
| `N MFI` | due on day N of the month following the invoice ("21 MFI"), no cut-off |
| `COD` | cash on delivery: due the day the goods are received |
| `CIA` | cash in advance: due on the order date, before anything ships |
| `CWO` | cash with order: due on the order date |
| `CND` | cash next delivery: due on the date of the customer's next delivery |
| `P% upfront, P% Net N` | installments on the invoice date (`upfront`) or N days after it ² |
¹ Invoices dated after the 25th (:data:`EOM_CUTOFF_DAY`) roll one month.
² The parts must add up to 100 %.

The parser reads a text into :class:`WrittenTerms`, the parts of the terms;
:func:`~ordercycle.invoicing.parse_terms` (and ``PaymentTerms.parse``) turn those into
:class:`~ordercycle.invoicing.PaymentTerms`. This module does not know that class, so
the terms module can use it without an import circle.

>>> written = read_terms("2/10 Net 30")
>>> written.name, written.discount.percent, written.anchor.value
('2/10 Net 30', Decimal('2'), 'invoice')
"""

from __future__ import annotations

import functools
import re
from decimal import Decimal

import attrs

from ordercycle.errors import ParseError, shown
from ordercycle.invoicing.discounts import EarlyDiscount
from ordercycle.invoicing.due_dates import Anchor, DueDateRule
from ordercycle.limits import MAX_ID_CHARS, MAX_TERMS_DAYS

__all__ = ["ACCEPTED_FORMS", "EOM_CUTOFF_DAY", "WrittenTerms", "read_terms"]

#: Invoices dated after this day of the month roll one month for EOM and prox dating.
EOM_CUTOFF_DAY = 25

#: The written forms :func:`parse_terms` understands, as listed in error messages.
ACCEPTED_FORMS: tuple[str, ...] = (
    "Net N",
    "D/N Net M",
    "D/N Net M EOM",
    "Net M EOM",
    "EOM",
    "D/N Net M ROG",
    "Net M ROG",
    "Net Nth prox",
    "N MFI",
    "COD",
    "CIA",
    "CWO",
    "CND",
    "P% upfront, P% Net N",
)

_NUMBER = r"\d+(?:\.\d+)?"
_NET = re.compile(
    rf"^(?:(?P<pct>{_NUMBER})\s*/\s*(?P<within>\d+)\s+)?net\s+(?P<days>\d+)"
    r"(?:\s+(?P<dating>eom|rog))?$"
)
_PROX = re.compile(r"^(?:net\s+)?(?P<day>\d+)(?:st|nd|rd|th)?\s+prox(?:imo)?$")
_MFI = re.compile(r"^(?P<day>\d+)(?:st|nd|rd|th)?\s+mfi$")
_PART = re.compile(rf"^(?P<pct>{_NUMBER})\s*%\s+(?:(?P<upfront>upfront)|net\s+(?P<days>\d+))$")

_CASH: dict[str, tuple[Anchor, str]] = {
    "cod": (Anchor.RECEIPT, "COD"),
    "cia": (Anchor.ORDER, "CIA"),
    "cwo": (Anchor.ORDER, "CWO"),
    "cnd": (Anchor.NEXT_DELIVERY, "CND"),
}


def _refuse(text: str, why: str = "") -> ParseError:
    reason = f" ({why})" if why else ""
    return ParseError(
        f"Cannot parse payment terms {shown(text)}{reason}; accepted forms: "
        + "; ".join(ACCEPTED_FORMS)
        + ".",
        text=text,
        accepted=ACCEPTED_FORMS,
    )


@attrs.frozen(cache_hash=True)
class WrittenTerms:
    """What a written form of payment terms says, read but not yet checked as terms.

    Attributes:
        shares: ``(percent, due rule)`` of each part, in order (one part of 100 % for
            every form but the installment one).
        discount: The early-payment discount, if the form has one.
        anchor: Which event's date the due dates count from.
        name: The text as written, with its spacing normalised.
    """

    shares: tuple[tuple[Decimal | int, DueDateRule], ...]
    discount: EarlyDiscount | None = None
    anchor: Anchor = Anchor.INVOICE
    name: str = ""


def read_terms(text: str) -> WrittenTerms:
    """Read a written form of payment terms into its parts.

    Args:
        text: The terms as written on an invoice, such as ``"1/10 Net 30 EOM"``.

    Returns:
        The parts, named with ``text`` (spacing normalised); the same object for the
        same text.

    Raises:
        ParseError: ``text`` is none of :data:`ACCEPTED_FORMS`; the message lists them.
    """
    if not isinstance(text, str):
        raise _refuse(shown(text), "not a string")
    if len(text) > MAX_ID_CHARS:
        raise _refuse(text, f"longer than {MAX_ID_CHARS} characters")
    return _read(text)


def _single(
    due: DueDateRule,
    *,
    discount: EarlyDiscount | None = None,
    anchor: Anchor = Anchor.INVOICE,
    name: str,
) -> WrittenTerms:
    return WrittenTerms(((100, due),), discount=discount, anchor=anchor, name=name)


# Every invoice of a customer reads the same few texts, and the terms module caches the
# terms of each read (see parse_terms), so a text is read once while it is in use.
@functools.lru_cache(maxsize=512)
def _read(text: str) -> WrittenTerms:
    name = " ".join(text.split())
    key = name.lower()
    if not key:
        raise _refuse(text, "empty")
    if key in _CASH:
        anchor, label = _CASH[key]
        return _single(DueDateRule.days_after(0), anchor=anchor, name=label)
    if key == "eom":
        return _single(DueDateRule.end_of_month(0, cutoff_day=EOM_CUTOFF_DAY), name=name)
    if match := _NET.match(key):
        return _net_terms(match, name, text)
    if match := _PROX.match(key):
        rule = DueDateRule.day_of_next_month(_day(match["day"], text), cutoff_day=EOM_CUTOFF_DAY)
        return _single(rule, name=name)
    if match := _MFI.match(key):
        return _single(DueDateRule.day_of_next_month(_day(match["day"], text)), name=name)
    if "," in key:
        return _installments(key, name, text)
    raise _refuse(text)


def _day(value: str, text: str) -> int:
    day = int(value) if len(value) <= 9 else 0
    if not 1 <= day <= 31:
        raise _refuse(text, f"day {day} is not a day of the month 1 to 31")
    return day


def _days(value: str, text: str) -> int:
    days = int(value) if len(value) <= 9 else MAX_TERMS_DAYS + 1
    if days > MAX_TERMS_DAYS:
        raise _refuse(text, f"{value} days is more than {MAX_TERMS_DAYS} days")
    return days


def _net_terms(match: re.Match[str], name: str, text: str) -> WrittenTerms:
    days = _days(match["days"], text)
    dating = match["dating"]
    anchor = Anchor.RECEIPT if dating == "rog" else Anchor.INVOICE
    if dating == "eom":
        due = DueDateRule.end_of_month(days, cutoff_day=EOM_CUTOFF_DAY)
    else:
        due = DueDateRule.days_after(days)
    discount = None
    if match["pct"] is not None:
        percent = Decimal(match["pct"])
        within = _days(match["within"], text)
        if not 0 < percent < 100:
            raise _refuse(text, f"discount {percent}% is not between 0 and 100")
        if within > days:
            raise _refuse(text, f"discount period {within} days is longer than net {days}")
        if dating == "eom":
            deadline = DueDateRule.end_of_month(within, cutoff_day=EOM_CUTOFF_DAY)
        else:
            deadline = DueDateRule.days_after(within)
        discount = EarlyDiscount(percent, within=deadline)
    return _single(due, discount=discount, anchor=anchor, name=name)


def _installments(key: str, name: str, text: str) -> WrittenTerms:
    shares: list[tuple[Decimal | int, DueDateRule]] = []
    for part in key.split(","):
        match = _PART.match(part.strip())
        if match is None:
            raise _refuse(text, f"part {part.strip()!r} is not 'P% upfront' or 'P% Net N'")
        due = DueDateRule.days_after(0 if match["upfront"] else _days(match["days"], text))
        shares.append((Decimal(match["pct"]), due))
    return WrittenTerms(tuple(shares), name=name)
