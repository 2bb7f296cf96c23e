"""Due-date rules on month ends, leap years and the cut-off day."""

from __future__ import annotations

from datetime import date

import pytest

from ordercycle.errors import PaymentTermsError, ValidationError
from ordercycle.invoicing import DueDateKind, DueDateRule, InvalidDueDateRuleError, end_of_month


@pytest.mark.parametrize(
    ("anchor", "expected"),
    [
        (date(2026, 1, 15), date(2026, 2, 14)),
        (date(2026, 12, 15), date(2027, 1, 14)),
        (date(2024, 2, 29), date(2024, 3, 30)),
    ],
)
def test_days_after_counts_calendar_days(anchor: date, expected: date) -> None:
    assert DueDateRule.days_after(30).due_date(anchor) == expected


def test_zero_days_after_is_the_anchor_date() -> None:
    assert DueDateRule.days_after(0).due_date(date(2026, 3, 31)) == date(2026, 3, 31)


@pytest.mark.parametrize(
    ("anchor", "expected"),
    [
        (date(2026, 1, 31), date(2026, 2, 28)),
        (date(2024, 1, 31), date(2024, 2, 29)),
        (date(2024, 2, 29), date(2024, 3, 29)),
        (date(2026, 3, 31), date(2026, 4, 30)),
        (date(2026, 12, 31), date(2027, 1, 31)),
    ],
)
def test_one_month_after_clamps_to_the_end_of_shorter_months(anchor: date, expected: date) -> None:
    assert DueDateRule.months_after(1).due_date(anchor) == expected


def test_twelve_months_after_feb_29_is_feb_28() -> None:
    assert DueDateRule.months_after(12).due_date(date(2024, 2, 29)) == date(2025, 2, 28)


@pytest.mark.parametrize(
    ("anchor", "days", "expected"),
    [
        (date(2026, 1, 1), 0, date(2026, 1, 31)),
        (date(2026, 1, 31), 0, date(2026, 1, 31)),
        (date(2026, 2, 10), 0, date(2026, 2, 28)),
        (date(2024, 2, 10), 0, date(2024, 2, 29)),
        (date(2026, 1, 15), 30, date(2026, 3, 2)),
        (date(2024, 1, 15), 30, date(2024, 3, 1)),
        (date(2026, 12, 5), 10, date(2027, 1, 10)),
    ],
)
def test_end_of_month_plus_days(anchor: date, days: int, expected: date) -> None:
    assert DueDateRule.end_of_month(days).due_date(anchor) == expected


@pytest.mark.parametrize(
    ("anchor", "expected"),
    [
        (date(2026, 1, 25), date(2026, 2, 10)),  # on the cut-off day: this month
        (date(2026, 1, 26), date(2026, 3, 10)),  # after it: one month later
        (date(2026, 1, 31), date(2026, 3, 10)),
        (date(2026, 12, 28), date(2027, 2, 10)),
    ],
)
def test_end_of_month_rolls_one_month_after_the_cutoff_day(anchor: date, expected: date) -> None:
    assert DueDateRule.end_of_month(10, cutoff_day=25).due_date(anchor) == expected


def test_end_of_next_month_plus_days() -> None:
    rule = DueDateRule.end_of_next_month(5)
    assert rule.due_date(date(2026, 1, 31)) == date(2026, 3, 5)
    assert rule.due_date(date(2024, 1, 2)) == date(2024, 3, 5)  # Feb 29 + 5 days
    assert DueDateRule.end_of_next_month(0, cutoff_day=25).due_date(date(2026, 1, 26)) == date(
        2026, 3, 31
    )


@pytest.mark.parametrize(
    ("anchor", "day", "expected"),
    [
        (date(2026, 1, 15), 10, date(2026, 2, 10)),
        (date(2026, 12, 15), 10, date(2027, 1, 10)),
        (date(2026, 1, 15), 31, date(2026, 2, 28)),
        (date(2024, 1, 15), 30, date(2024, 2, 29)),
        (date(2026, 3, 31), 31, date(2026, 4, 30)),
    ],
)
def test_nth_day_of_next_month_clamps_short_months(anchor: date, day: int, expected: date) -> None:
    assert DueDateRule.day_of_next_month(day).due_date(anchor) == expected


def test_prox_after_the_cutoff_rolls_to_the_month_after_next() -> None:
    rule = DueDateRule.day_of_next_month(10, cutoff_day=25)
    assert rule.due_date(date(2026, 1, 25)) == date(2026, 2, 10)
    assert rule.due_date(date(2026, 1, 26)) == date(2026, 3, 10)


def test_months_after_end_of_month() -> None:
    rule = DueDateRule.months_after_end_of_month(2)
    assert rule.due_date(date(2026, 1, 10)) == date(2026, 3, 31)
    assert rule.due_date(date(2023, 12, 31)) == date(2024, 2, 29)
    assert DueDateRule.months_after_end_of_month(1, 15).due_date(date(2026, 1, 1)) == date(
        2026, 3, 15
    )


def test_end_of_month_helper() -> None:
    assert end_of_month(date(2100, 2, 1)) == date(2100, 2, 28)  # not a leap year
    assert end_of_month(date(2000, 2, 1)) == date(2000, 2, 29)


@pytest.mark.parametrize(
    ("build", "words"),
    [
        (lambda: DueDateRule.days_after(-1), "days"),
        (lambda: DueDateRule.day_of_next_month(0), "day from 1 to 31"),
        (lambda: DueDateRule.day_of_next_month(32), "day from 1 to 31"),
        (lambda: DueDateRule.end_of_month(0, cutoff_day=31), "cutoff_day"),
        (lambda: DueDateRule(DueDateKind.DAYS_AFTER, days=3, cutoff_day=25), "no cut-off"),
        (lambda: DueDateRule(DueDateKind.END_OF_MONTH, months=2), "months"),
        (lambda: DueDateRule(DueDateKind.END_OF_MONTH, day=2), "only DAY_OF_NEXT_MONTH"),
        (lambda: DueDateRule(DueDateKind.DAY_OF_NEXT_MONTH, day=2, days=3), "fixed day"),
        (lambda: DueDateRule.days_after(True), "whole number"),  # type: ignore[arg-type]
    ],
)
def test_invalid_rules_are_refused_with_a_typed_error(build: object, words: str) -> None:
    with pytest.raises(InvalidDueDateRuleError, match=words) as info:
        build()  # type: ignore[operator]
    assert isinstance(info.value, PaymentTermsError)
    assert isinstance(info.value, ValidationError)
    assert isinstance(info.value, ValueError)


def test_describe_reads_like_english() -> None:
    assert DueDateRule.days_after(30).describe() == "30 days after anchor"
    assert DueDateRule.end_of_month(30).describe() == "30 days after end of month"
    assert DueDateRule.end_of_next_month().describe() == "end of next month"
    assert DueDateRule.months_after(2).describe() == "2 months after anchor"
    assert DueDateRule.months_after_end_of_month(2).describe() == "end of month + 2 months"
