"""``remember_written``: text the library wrote as canonical JSON without ``canonical_json``."""

from __future__ import annotations

import json

from ordercycle.storage.records import canonical_json, is_written_json, remember_written


def test_text_noted_as_written_is_recognised_and_returned_unchanged() -> None:
    text = '{"a":1,"note":"remember_written test 7f3c"}'
    assert not is_written_json(text)
    assert remember_written(text) is text
    assert is_written_json(text)
    # It is what canonical_json writes for the same data.
    assert canonical_json(json.loads(text)) == text
