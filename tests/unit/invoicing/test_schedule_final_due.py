"""``PaymentSchedule.final_due_date`` takes a one-installment schedule's date directly: the
same answer as the latest of all due dates, for any number of installments."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from ordercycle.invoicing import Installment, PaymentSchedule
from ordercycle.money import Money

USD = Money("10.00", "USD")


@given(st.lists(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)), min_size=1))
def test_final_due_date_is_the_latest_due_date(days: list[date]) -> None:
    schedule = PaymentSchedule(
        USD, date(2000, 1, 1), tuple(Installment(day, USD, "part") for day in days)
    )
    assert schedule.final_due_date == max(days)
