"""Storage: ports, a unit of work, and in-memory, SQLite and PostgreSQL adapters.

See :mod:`ordercycle.storage.ports` for the protocols and
:mod:`ordercycle.testing.contracts` for the suite every adapter passes.
:class:`PostgresStorage` needs the ``postgres`` extra (psycopg 3), imported only when a
PostgreSQL storage is opened; :class:`~ordercycle.storage.sqlalchemy.SQLAlchemyStorage`
(in :mod:`ordercycle.storage.sqlalchemy`) needs the ``sqlalchemy`` extra. :func:`open_url`
opens any of them from a URL.
"""

from __future__ import annotations

from ordercycle.storage.commands import run_once
from ordercycle.storage.errors import (
    CommandAlreadyRecordedError,
    CommandConflictError,
    CommandPayloadMismatchError,
    EventSequenceError,
    InvalidCheckpointError,
    SchemaVersionError,
    StreamConflictError,
    TamperedStreamError,
    UnitOfWorkError,
    UnreadableOutboxMessageError,
)
from ordercycle.storage.memory import ForgottenError, MemoryStorage, MemoryUnitOfWork
from ordercycle.storage.migrations import Migration
from ordercycle.storage.ports import (
    AggregateStore,
    ClaimingOutbox,
    CommandLog,
    Outbox,
    Reading,
    SelectiveOutbox,
    SnapshotStore,
    Storage,
    UnitOfWork,
)
from ordercycle.storage.postgres import PostgresStorage
from ordercycle.storage.records import (
    CommandRecord,
    OutboxMessage,
    Snapshot,
    canonical_json,
    payload_hash,
)
from ordercycle.storage.relay import Handler, relay
from ordercycle.storage.repository import Repository
from ordercycle.storage.sqlite import SQLiteStorage
from ordercycle.storage.urls import UnknownStorageURLError, open_url

__all__ = [
    "AggregateStore",
    "ClaimingOutbox",
    "CommandAlreadyRecordedError",
    "CommandConflictError",
    "CommandLog",
    "CommandPayloadMismatchError",
    "CommandRecord",
    "EventSequenceError",
    "ForgottenError",
    "Handler",
    "InvalidCheckpointError",
    "MemoryStorage",
    "MemoryUnitOfWork",
    "Migration",
    "Outbox",
    "OutboxMessage",
    "PostgresStorage",
    "Reading",
    "Repository",
    "SQLiteStorage",
    "SchemaVersionError",
    "SelectiveOutbox",
    "Snapshot",
    "SnapshotStore",
    "Storage",
    "StreamConflictError",
    "TamperedStreamError",
    "UnitOfWork",
    "UnitOfWorkError",
    "UnknownStorageURLError",
    "UnreadableOutboxMessageError",
    "canonical_json",
    "open_url",
    "payload_hash",
    "relay",
    "run_once",
]
