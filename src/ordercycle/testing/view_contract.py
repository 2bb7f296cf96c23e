"""The contract of :class:`~ordercycle.storage.ports.Projections`: read-model rows and queries.

Re-exported by :mod:`ordercycle.testing.contracts` as :class:`ProjectionsContract`. Add it
next to :class:`~ordercycle.testing.contracts.StorageContract` when your units of work have
``projections``::

    class TestMyProjections(ProjectionsContract):
        @pytest.fixture
        def storage(self):
            storage = MyStorage(...)
            yield storage
            storage.close()

It checks rows (put, get, versions, delete, clear), queries (terms, sort ranges, order,
cursors, limits) against a reference answer computed from
:meth:`~ordercycle.storage.views.ViewQuery.admits`, that paging is stable under inserts,
that a unit of work sees its own rows and a rollback keeps none, and that a read-only unit
of work refuses writes.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest

from ordercycle.errors import ValidationError
from ordercycle.storage.errors import UnitOfWorkError
from ordercycle.storage.ports import Projecting, Projections, Reading, Storage, UnitOfWork
from ordercycle.storage.views import ViewQuery, ViewRow
from ordercycle.testing._fixtures import StorageFixture

__all__ = ["ProjectionsContract"]


def _views(uow: UnitOfWork) -> Projections:
    assert isinstance(uow, Projecting), f"{uow!r} has no projections"
    return uow.projections


def _row(key: str, sort: str, *terms: tuple[str, str], version: int = 1) -> ViewRow:
    return ViewRow(
        view="orders", key=key, version=version, sort=sort, terms=terms, data=f'{{"k": "{key}"}}'
    )


def _put(storage: Storage, *rows: ViewRow) -> None:
    with storage.unit_of_work() as uow:
        for row in rows:
            _views(uow).put(row)


def _find(storage: Storage, query: ViewQuery) -> list[str]:
    with storage.unit_of_work() as uow:
        return [row.key for row in _views(uow).find(query)]


def _pages(storage: Storage, query: ViewQuery) -> Iterator[list[ViewRow]]:
    after = query.after
    while True:
        with storage.unit_of_work() as uow:
            page = list(
                _views(uow).find(
                    ViewQuery(
                        view=query.view,
                        where=query.where,
                        sort_from=query.sort_from,
                        sort_to=query.sort_to,
                        after=after,
                        limit=query.limit,
                    )
                )
            )
        if not page:
            return
        yield page
        after = (page[-1].sort, page[-1].key)


class ProjectionsContract(StorageFixture):
    """Rows and paged queries of read models (see the module docstring).

    Its ``storage`` must give units of work with ``projections``.
    """

    def test_a_row_is_read_back_as_it_was_put(self, storage: Storage) -> None:
        row = _row("O-1", "2026-01-05", ("state", "placed"), ("sku", "MUG"), ("sku", "TEA"))
        _put(storage, row)
        with storage.unit_of_work() as uow:
            assert _views(uow).get("orders", "O-1") == row
            assert _views(uow).get("orders", "O-2") is None
            assert _views(uow).get("invoices", "O-1") is None

    def test_a_put_replaces_the_row_and_its_terms(self, storage: Storage) -> None:
        _put(storage, _row("O-1", "2026-01-05", ("state", "placed"), ("sku", "MUG")))
        _put(storage, _row("O-1", "2026-01-05", ("state", "shipped"), version=2))
        placed = ViewQuery(view="orders", where=(("state", "placed"),))
        assert _find(storage, placed) == []
        assert _find(storage, ViewQuery(view="orders", where=(("sku", "MUG"),))) == []
        assert _find(storage, ViewQuery(view="orders", where=(("state", "shipped"),))) == ["O-1"]

    def test_an_older_version_never_replaces_a_newer_row(self, storage: Storage) -> None:
        newer = _row("O-1", "2026-01-05", ("state", "shipped"), version=5)
        _put(storage, newer)
        with storage.unit_of_work() as uow:
            assert _views(uow).put(_row("O-1", "2026-01-05", ("state", "placed"), version=4)) is (
                False
            )
            same = _row("O-1", "2026-01-06", ("state", "billed"), version=5)
            assert _views(uow).put(same) is True
        with storage.unit_of_work() as uow:
            assert _views(uow).get("orders", "O-1") == same

    def test_delete_and_clear_remove_rows_and_terms(self, storage: Storage) -> None:
        _put(
            storage,
            _row("O-1", "a", ("state", "x")),
            _row("O-2", "b", ("state", "x")),
            ViewRow(view="invoices", key="I-1", version=1, sort="a", terms=(("state", "x"),)),
        )
        with storage.unit_of_work() as uow:
            _views(uow).delete("orders", "O-1")
            _views(uow).delete("orders", "O-9")
        assert _find(storage, ViewQuery(view="orders", where=(("state", "x"),))) == ["O-2"]
        with storage.unit_of_work() as uow:
            _views(uow).clear("orders")
        assert _find(storage, ViewQuery(view="orders")) == []
        assert _find(storage, ViewQuery(view="invoices", where=(("state", "x"),))) == ["I-1"]

    def test_a_unit_of_work_sees_its_own_rows_and_a_rollback_keeps_none(
        self, storage: Storage
    ) -> None:
        _put(storage, _row("O-1", "a", ("state", "x")))
        with storage.unit_of_work() as uow:
            views = _views(uow)
            views.put(_row("O-2", "b", ("state", "x")))
            views.delete("orders", "O-1")
            assert [r.key for r in views.find(ViewQuery(view="orders"))] == ["O-2"]
            views.clear("orders")
            views.put(_row("O-3", "c", ("state", "x")))
            assert [r.key for r in views.find(ViewQuery(view="orders"))] == ["O-3"]
            uow.rollback()
        assert _find(storage, ViewQuery(view="orders")) == ["O-1"]

    def test_rows_are_listed_by_sort_then_key_within_the_range(self, storage: Storage) -> None:
        _put(
            storage,
            _row("O-3", "2026-01-02", ("state", "x")),
            _row("O-1", "2026-01-03", ("state", "x")),
            _row("O-2", "2026-01-02", ("state", "x")),
            _row("O-4", "2026-01-04", ("state", "x")),
        )
        assert _find(storage, ViewQuery(view="orders")) == ["O-2", "O-3", "O-1", "O-4"]
        ranged = ViewQuery(view="orders", sort_from="2026-01-02", sort_to="2026-01-04")
        assert _find(storage, ranged) == ["O-2", "O-3", "O-1"]
        assert _find(storage, ViewQuery(view="orders", limit=2)) == ["O-2", "O-3"]
        after = ViewQuery(view="orders", after=("2026-01-02", "O-3"))
        assert _find(storage, after) == ["O-1", "O-4"]

    def test_queries_agree_with_the_reference_answer(self, storage: Storage) -> None:
        rng = random.Random(17)
        rows = [
            _row(
                f"O-{i:03d}",
                f"2026-01-{rng.randint(1, 9):02d}",
                ("state", rng.choice(["placed", "shipped", "paid"])),
                ("customer", rng.choice(["C-1", "C-2", "C-3", "C-4"])),
                *(("sku", rng.choice(["MUG", "TEA", "POT", "CUP"])) for _ in range(3)),
            )
            for i in range(120)
        ]
        _put(storage, *rows)
        for _ in range(40):
            where = tuple(
                pair
                for pair in (
                    ("customer", rng.choice(["C-1", "C-2", "C-3", "C-4"])),
                    ("sku", rng.choice(["MUG", "TEA", "POT", "CUP"])),
                    ("state", rng.choice(["placed", "shipped", "paid"])),
                )
                if rng.random() < 0.5
            )
            low, high = sorted(rng.sample(range(1, 11), 2))
            query = ViewQuery(
                view="orders",
                where=where,
                sort_from=f"2026-01-{low:02d}" if rng.random() < 0.5 else None,
                sort_to=f"2026-01-{high:02d}" if rng.random() < 0.5 else None,
                limit=rng.choice([1, 7, 50]),
            )
            expected = sorted((r for r in rows if query.admits(r)), key=lambda r: (r.sort, r.key))
            pages = list(_pages(storage, query))
            assert [r for page in pages for r in page] == expected, query
            assert all(len(page) <= query.limit for page in pages)

    def test_paging_is_stable_under_inserts(self, storage: Storage) -> None:
        _put(storage, *(_row(f"O-{i:02d}", f"s{i:02d}", ("state", "x")) for i in range(10, 20)))
        query = ViewQuery(view="orders", where=(("state", "x"),), limit=4)
        with storage.unit_of_work() as uow:
            first = _views(uow).find(query)
        # Rows inserted before the cursor do not shift the pages after it.
        _put(storage, *(_row(f"O-{i:02d}", f"s{i:02d}", ("state", "x")) for i in range(10)))
        rest = ViewQuery(
            view="orders", where=(("state", "x"),), after=(first[-1].sort, first[-1].key), limit=4
        )
        keys = [r.key for page in _pages(storage, rest) for r in page]
        assert [r.key for r in first] + keys == [f"O-{i}" for i in range(10, 20)]

    def test_a_read_only_unit_of_work_reads_rows_and_refuses_writes(self, storage: Storage) -> None:
        if not isinstance(storage, Reading):
            pytest.skip("the storage has no reading(); nothing to check")
        _put(storage, _row("O-1", "a", ("state", "x")))
        with storage.reading() as uow:
            views = _views(uow)
            assert [r.key for r in views.find(ViewQuery(view="orders"))] == ["O-1"]
            for write in (
                lambda: views.put(_row("O-2", "b")),
                lambda: views.delete("orders", "O-1"),
                lambda: views.clear("orders"),
            ):
                with pytest.raises(UnitOfWorkError) as caught:
                    write()
                assert caught.value.reason == UnitOfWorkError.READ_ONLY
        assert _find(storage, ViewQuery(view="orders")) == ["O-1"]

    def test_bad_arguments_are_refused(self, storage: Storage) -> None:
        with storage.unit_of_work() as uow:
            views = _views(uow)
            with pytest.raises(ValidationError) as caught:
                views.get("orders", " O-1")
            assert caught.value.field == "key"
            with pytest.raises(ValidationError):
                views.put("O-1")  # type: ignore[arg-type]
            with pytest.raises(ValidationError):
                views.find("orders")  # type: ignore[arg-type]
        with pytest.raises(ValidationError) as limit:
            ViewQuery(view="orders", limit=0)
        assert limit.value.field == "limit"
