"""The JSON text of a view row's terms is what ``json.dumps`` writes, remembered or not."""

from __future__ import annotations

import json

import pytest

from ordercycle.storage import _codec
from ordercycle.storage.views import ViewRow


def test_terms_text_is_json_dumps_first_and_again_and_after_the_memo_is_cleared(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_codec, "TERMS_KEPT", 3)
    rows = [
        ViewRow(view="orders", key=f"O-{n}", version=1, sort="", terms=terms)
        for n, terms in enumerate(
            [
                (("customer", "C-1"), ("state", "placed")),
                (("customer", "C-1"), ("state", "confirmed")),
                (("city", "Zürich"), ("note", 'a "quoted" \\ value')),
                (),
                (("customer", "C-1"), ("state", "placed")),
            ]
        )
    ]
    for _ in range(3):
        for row in rows:
            assert _codec.terms_json(row.terms) == json.dumps(row.terms)
    assert len(_codec._terms_text) <= 3


def test_terms_that_are_not_a_tuple_are_written_as_they_are() -> None:
    terms = [["customer", "C-1"]]
    assert _codec.terms_json(terms) == json.dumps(terms)  # type: ignore[arg-type]
