"""The cheap answers to "is this stream forgotten?" and "is this stream name clean?" are
the answers of the full checks."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ordercycle.errors import ValidationError
from ordercycle.storage import _checks
from ordercycle.storage._checks import check_name, clean_stream
from ordercycle.storage.memory import _ForgottenIds


class _Loud(str):
    """A str whose own length and order are wrong: only its text may count."""

    __slots__ = ()

    def __len__(self) -> int:
        return 1

    def __gt__(self, other: object) -> bool:
        return True

    def __lt__(self, other: object) -> bool:
        return False


def _no_parsing(self: _ForgottenIds, aggregate_id: str) -> None:
    raise AssertionError(f"{aggregate_id!r} was parsed")


_PREFIXES = st.sampled_from(["O-", "PL-", "INV-", "SHP-", "", "x/", "O-\u0663"])
_NUMBERS = st.one_of(st.integers(0, 60), st.integers(0, 10**15))
_SINGLES = st.builds(lambda p, n, pad: f"{p}{n:0{pad}d}", _PREFIXES, _NUMBERS, st.integers(0, 6))
_PAIRS = st.builds(lambda a, b: f"{a}/{b}", _SINGLES, _SINGLES)
_IDS = st.one_of(_SINGLES, _PAIRS, st.text(max_size=8))


@settings(max_examples=300, deadline=None)
@given(added=st.lists(_IDS, max_size=40), probes=st.lists(_IDS, max_size=20))
def test_forgotten_ids_answer_as_a_set_of_them_and_as_parsing_them(
    added: list[str], probes: list[str]
) -> None:
    ids = _ForgottenIds()
    for aggregate_id in added:
        ids.add(aggregate_id)
    everything = set(added)
    # Probes: the ids themselves, their neighbours in sort order, and others.
    near = [f"{a}{c}" for a in added for c in ("0", "~")] + [a[:-1] for a in added]
    for probe in [*added, *near, *probes]:
        assert (probe in ids) == (probe in everything) == ids._kept(probe), probe


def test_an_id_newer_than_every_forgotten_one_is_answered_without_parsing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ids = _ForgottenIds()
    for number in (1, 5, 12, 300):
        ids.add(f"O-{number}")
    with monkeypatch.context() as patched:
        patched.setattr(_ForgottenIds, "_single", _no_parsing)
        assert "O-301" not in ids
        assert "O-13" not in ids
        assert "O-9999" not in ids
    assert "O-12" in ids
    assert "O-300" in ids
    assert "O-299" not in ids
    assert "O-2" not in ids
    assert 300 not in ids  # not an id at all


def test_a_str_subclass_neither_bends_nor_skips_the_bound() -> None:
    ids = _ForgottenIds()
    ids.add(_Loud("O-7"))  # counts as the three-letter "O-7"
    assert "O-7" in ids
    assert "O-8" not in ids
    assert _Loud("O-7") in ids
    assert _Loud("O-8") not in ids
    ids.add("O-9")
    assert _Loud("O-9") in ids
    assert "O-9" in ids


_NAMES = st.one_of(
    st.text(max_size=6),
    st.sampled_from(["order", " order", "order ", "O-1", "\u2003O-1", "O-1\n", "", " "]),
)


def _full(name: object) -> bool:
    try:
        check_name(name, "aggregate_id", "test")
    except ValidationError:
        return False
    return True


@settings(max_examples=300, deadline=None)
@given(kind=_NAMES, aggregate_id=_NAMES, version=st.integers(-2, 3))
def test_remembered_clean_names_answer_as_the_full_checks(
    kind: str, aggregate_id: str, version: int
) -> None:
    fresh = _full(kind) and _full(aggregate_id) and version >= 0
    assert clean_stream(kind, aggregate_id, version) == fresh  # perhaps remembered now
    assert clean_stream(kind, aggregate_id, version) == fresh  # perhaps from the memo
    _checks._CLEAN.clear()
    assert clean_stream(kind, aggregate_id, version) == fresh  # fresh again


def test_clean_names_are_remembered_only_up_to_a_bound_and_only_as_plain_str() -> None:
    _checks._CLEAN.clear()
    for number in range(_checks._CLEAN_KEPT + 10):
        assert clean_stream("order", f"O-{number}")
    assert len(_checks._CLEAN) <= _checks._CLEAN_KEPT
    assert clean_stream("order", "O-5")
    assert not clean_stream(_Loud("order"), "O-5")  # a subclass takes the full checks
    assert not clean_stream("order", "O-5", True)
    assert not clean_stream("order", " O-5")
    assert not clean_stream("", "O-5")


@pytest.mark.parametrize("name", ["O-1 ", " O-1", "\tO-1", "", "O-1\u3000"])
def test_a_name_with_surrounding_spaces_is_never_remembered(name: str) -> None:
    assert not clean_stream("order", name)
    assert name not in _checks._CLEAN
