"""``ledger.laws_hold``: the verdict of every law's own test, in one function."""

from __future__ import annotations

import random

import attrs
import pytest

from ordercycle.model.order.errors import LedgerLawError
from ordercycle.model.order.ledger import LAWS, LineLedger, laws_hold
from ordercycle.model.order.policies import InvoicePolicy

_FIELDS = tuple(field.name for field in attrs.fields(LineLedger))


def _laws_verdict(ledger: LineLedger, policy: InvoicePolicy) -> bool:
    return not ledger.check(policy)


def _ledgers() -> list[LineLedger]:
    found = [LineLedger.of(3), LineLedger(ordered=5, allocated=2, shipped=2, delivered=2)]
    pick = random.Random(19)
    for _ in range(4000):
        # Small counters around the bounds of each law: mostly empty buckets, else -1 to 4.
        found.append(
            LineLedger(*(0 if pick.random() < 0.6 else pick.randint(-1, 4) for _ in _FIELDS))
        )
    for name in _FIELDS:  # one counter of another type at a time
        found.append(attrs.evolve(LineLedger.of(3), **{name: True}))
        found.append(attrs.evolve(LineLedger.of(3), **{name: 1.0}))
    return found


@pytest.mark.parametrize("policy", list(InvoicePolicy))
def test_the_verdict_is_the_laws_own_for_every_policy(policy: InvoicePolicy) -> None:
    ledgers = _ledgers()
    verdicts = [laws_hold(ledger, policy) for ledger in ledgers]
    assert verdicts == [_laws_verdict(ledger, policy) for ledger in ledgers]
    assert True in verdicts
    assert False in verdicts
    # The sample breaks every law that applies, alone where the others allow it (the
    # returned <= delivered law is broken only with return_requested <= delivered -
    # returned or a counter below zero; under the delivered policy, billed on order follows
    # from invoiced <= delivered <= shipped and conservation).
    for law in LAWS:
        if law.applies(policy):
            assert any(type(g.ordered) is int and not law.holds(g) for g in ledgers), law.name
    alone = {
        law.name
        for g in ledgers
        if type(g.ordered) is int
        for law in LAWS
        if law.applies(policy)
        and not law.holds(g)
        and all(other.holds(g) for other in LAWS if other is not law and other.applies(policy))
    }
    implied = {"returned_delivered"}
    if policy is InvoicePolicy.DELIVERED:
        implied.add("billed_on_order")
    assert alone == {law.name for law in LAWS if law.applies(policy)} - implied


def test_validate_still_names_every_broken_law() -> None:
    broken = LineLedger(ordered=2, shipped=1, delivered=2, credited=1)
    with pytest.raises(LedgerLawError) as caught:
        broken.validate(InvoicePolicy.ORDERED, subject="line L1 of order O-1")
    text = str(caught.value)
    assert "delivered <= shipped" in text
    assert "credited <= invoiced" in text
    assert LineLedger.of(2).validate() == LineLedger.of(2)
