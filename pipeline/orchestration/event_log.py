"""Dagster's SQLite event log, with each database's connection kept open between statements.

Dagster's own `SqliteEventLogStorage` makes a SQLAlchemy engine, opens the file, and closes
and disposes both for every statement (NullPool). A run of the job stores about 230 events and
reads about as often; the opening, the closing (the last connection to a WAL database
checkpoints it) and the engines cost about 5 s of a 300-firm run's 29 s on this machine. This
subclass keeps one engine and one open connection per database: the run's own and the index,
plus a few recent runs for readers such as the webserver. The storage, the files, their schema
and every read and write are Dagster's; SQLite's WAL mode and busy timeout let other processes
(the daemon, the webserver) share the files as before. Each commit still syncs to disk.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager

from dagster._core.storage.event_log.sqlite.sqlite_event_log import INDEX_SHARD_NAME, SqliteEventLogStorage
from dagster._serdes import ConfigurableClassData
from sqlalchemy import create_engine
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import StaticPool

BUSY_TIMEOUT_SECONDS = 30  # Dagster's own, for SQLite's busy wait
KEPT_RUN_DATABASES = 4  # beside the index: the running run's and a few recent ones a reader shows


class KeptOpenSqliteEventLogStorage(SqliteEventLogStorage):
    """SqliteEventLogStorage whose connections stay open (see the module's docstring)."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        super().__init__(base_dir, inst_data)

    @classmethod
    def from_config_value(
        cls, inst_data: ConfigurableClassData | None, config_value: dict[str, str]
    ) -> KeptOpenSqliteEventLogStorage:
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str) -> Engine:
        """The shard's engine, made on first use; the least recently used run database's is
        disposed (its connection closed) when more than KEPT_RUN_DATABASES are open."""
        engine = self._engines.get(shard)
        if engine is None:
            engine = create_engine(
                self.conn_string_for_shard(shard),
                poolclass=StaticPool,  # one connection; `_db_lock` lets one thread use it at a time
                connect_args={"timeout": BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
            )
            self._engines[shard] = engine
            runs = [name for name in self._engines if name != INDEX_SHARD_NAME]
            for name in runs[:-KEPT_RUN_DATABASES]:
                self._engines.pop(name).dispose()
        self._engines.move_to_end(shard)
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def _close_all(self) -> None:
        while self._engines:
            self._engines.popitem()[1].dispose()

    def wipe(self) -> None:
        with self._db_lock:
            self._close_all()  # before the files go
        super().wipe()

    def dispose(self) -> None:
        with self._db_lock:
            self._close_all()
        super().dispose()
