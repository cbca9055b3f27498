"""The engine: SQLite settings, one engine per URL and process, connection errors."""
import logging
import os
import sqlite3

import eventlet
import pytest
import sqlalchemy as sa

from nova import exception
from nova.conf import CONF
from nova.db import migration
from nova.db import models
from nova.db import session as db_session
from tests.harness.postgres import free_port


def _pragma(name):
    with db_session.get_engine().connect() as connection:
        return connection.exec_driver_sql('PRAGMA %s' % name).scalar()


def test_sqlite_creates_the_parent_directory(empty_db):
    path = sa.engine.make_url(empty_db).database
    assert not os.path.exists(os.path.dirname(path))
    db_session.get_engine()
    assert os.path.isdir(os.path.dirname(path))


def test_sqlite_runs_in_wal_mode_with_its_settings(empty_db):
    CONF.set_override('sqlite_busy_timeout', 1234)
    assert _pragma('journal_mode') == 'wal'
    assert _pragma('synchronous') == 1  # NORMAL
    assert _pragma('busy_timeout') == 1234
    assert _pragma('foreign_keys') == 1


def test_wal_mode_is_in_the_file(synced_db):
    path = sa.engine.make_url(synced_db).database
    db_session.dispose()
    with sqlite3.connect(path) as raw:
        assert raw.execute('PRAGMA journal_mode').fetchone()[0] == 'wal'


def test_one_engine_per_url(tmp_path):
    CONF.set_override('sql_connection', 'sqlite:///%s' % (tmp_path / 'a.sqlite'))
    first = db_session.get_engine()
    assert db_session.get_engine() is first
    CONF.set_override('sql_connection', 'sqlite:///%s' % (tmp_path / 'b.sqlite'))
    second = db_session.get_engine()
    assert second is not first
    assert second.url.database.endswith('b.sqlite')
    db_session.dispose()


def test_a_forked_child_builds_its_own_engine(empty_db, monkeypatch):
    parent = db_session.get_engine()
    monkeypatch.setattr(db_session.os, 'getpid', lambda: -1)
    assert db_session.get_engine() is not parent


def test_dispose_forgets_the_engine(empty_db):
    first = db_session.get_engine()
    db_session.dispose()
    assert db_session.get_engine() is not first


def test_unreachable_server_is_retried_then_named_with_password_masked(caplog):
    url = 'postgresql+psycopg://nova:s3cret@127.0.0.1:%d/nova' % free_port()
    CONF.set_override('sql_connection', url)
    CONF.set_override('sql_max_retries', 3)
    CONF.set_override('sql_retry_interval', 0)
    caplog.set_level(logging.WARNING, logger='nova.db.session')
    with pytest.raises(exception.DBConnectionError) as raised:
        db_session.get_engine()
    message = str(raised.value)
    assert 's3cret' not in message
    assert 'postgresql+psycopg://nova:***@127.0.0.1' in message
    retries = [r for r in caplog.records if 'retrying' in r.getMessage()]
    assert len(retries) == 2
    assert not any('s3cret' in r.getMessage() for r in caplog.records)


def test_a_url_that_is_not_a_url_is_a_connection_error():
    CONF.set_override('sql_connection', 'nonsense://user:pw@host')
    with pytest.raises(exception.DBConnectionError, match='nonsense://user:\\*\\*\\*@host'):
        db_session.get_engine()


def test_sqlite_writers_in_green_threads_take_turns(synced_db):
    """A writer that yields mid-transaction must not make the next one hit 'locked'.

    SQLite's busy wait blocks the whole process, so without taking turns the
    second writer would wait out the busy timeout and fail.
    """
    CONF.set_override('sqlite_busy_timeout', 100)
    db_session.dispose()  # new connections pick up the short timeout
    with db_session.writer() as session:
        session.add(models.Service(host='h', binary='b'))

    def slow_beat():
        with db_session.writer() as session:
            session.execute(sa.update(models.Service).values(
                report_count=models.Service.report_count + 1))
            eventlet.sleep(0.3)

    threads = [eventlet.spawn(slow_beat) for _ in range(3)]
    for thread in threads:
        thread.wait()
    with db_session.reader() as session:
        assert session.scalar(sa.select(models.Service.report_count)) == 3


def test_readers_get_detached_rows_with_their_values(synced_db):
    with db_session.writer() as session:
        service = models.Service(host='h', binary='b')
        session.add(service)
    assert sa.inspect(service).detached
    assert service.to_dict()['host'] == 'h'
    assert service.report_count == 0


def test_in_memory_sqlite_is_one_database_for_all_green_threads():
    CONF.set_override('sql_connection', 'sqlite://')
    migration.db_sync()

    def add(n):
        with db_session.writer() as session:
            session.add(models.Service(host='h%d' % n, binary='b'))

    for thread in [eventlet.spawn(add, n) for n in range(5)]:
        thread.wait()
    with db_session.reader() as session:
        assert session.scalar(sa.select(sa.func.count(models.Service.id))) == 5
    db_session.dispose()


def test_sqlite_writer_reserves_the_database_from_its_first_statement(synced_db):
    """BEGIN IMMEDIATE: a writer that reads first cannot lose its upgrade to a writer."""
    with db_session.writer() as session:
        session.scalar(sa.select(sa.func.count(models.Service.id)))
        other = sqlite3.connect(sa.engine.make_url(synced_db).database, timeout=0,
                                isolation_level=None)
        with pytest.raises(sqlite3.OperationalError, match='locked'):
            other.execute("INSERT INTO services (host, \"binary\", report_count, disabled, "
                          "forced_down, created_at, deleted) "
                          "VALUES ('o', 'b', 0, 0, 0, '2024-01-01', 0)")
        other.close()
        session.add(models.Service(host='h', binary='b'))


def test_a_batch_is_one_transaction_for_the_calls_inside(synced_db):
    """batch(): readers and writers inside share its transaction, commit together and
    roll back together; another green thread keeps its own transactions."""
    def count():
        with db_session.reader() as session:
            return session.scalar(sa.select(sa.func.count(models.Service.id)))

    with db_session.batch() as outer:
        with db_session.writer() as session, db_session.batch() as nested:
            assert session is outer is nested
            session.add(models.Service(host='h1', binary='b'))
        assert count() == 1  # inside: the batch's own writes
        assert eventlet.spawn(count).wait() == 0  # elsewhere: not committed yet
    assert count() == 1
    with pytest.raises(ZeroDivisionError):
        with db_session.batch():
            with db_session.writer() as session:
                session.add(models.Service(host='h2', binary='b'))
            1 / 0
    assert count() == 1
    with db_session.batch(writes=False) as reading:
        with db_session.reader() as session:
            assert session is reading
        with db_session.writer() as session:  # its own transaction, committed at once
            assert session is not reading
            session.add(models.Service(host='h3', binary='b'))
        assert eventlet.spawn(count).wait() == 2


def test_a_core_connection_is_the_transaction_a_session_would_be(synced_db):
    """connection(): a writing one commits on exit and rolls back on error, takes the
    writers' turn (BEGIN IMMEDIATE) and inside a batch() is the batch's transaction."""
    hosts = iter(range(10))

    def insert():
        return sa.insert(models.Service).values(host='c%d' % next(hosts), binary='b')

    def count():
        with db_session.connection() as conn:
            return conn.scalar(sa.select(sa.func.count(models.Service.id)))

    with db_session.connection(writes=True) as conn:
        conn.execute(insert())
        assert eventlet.spawn(count).wait() == 0
    assert count() == 1
    with pytest.raises(ZeroDivisionError):
        with db_session.connection(writes=True) as conn:
            conn.execute(insert())
            1 / 0
    assert count() == 1
    with db_session.batch() as session:
        session.add(models.Service(host='s', binary='b'))
        session.flush()
        with db_session.connection(writes=True) as conn:
            conn.execute(insert())
        with db_session.connection() as conn:
            assert conn.scalar(sa.select(sa.func.count(models.Service.id))) == 3
        assert eventlet.spawn(count).wait() == 1
    assert count() == 3


def test_a_one_statement_read_runs_in_autocommit_on_sqlite(synced_db):
    """connection(one_statement=True): a read alone, no BEGIN and COMMIT; a write
    stays a transaction (its caller may run more statements on SQLite); inside a
    batch() the batch's transaction."""
    executed = []

    def keep(conn, cursor, statement, parameters, context, executemany):
        executed.append(statement.split()[0])

    engine = db_session.get_engine()
    sa.event.listen(engine, 'before_cursor_execute', keep)
    try:
        with db_session.connection(writes=True, one_statement=True) as conn:
            conn.execute(sa.insert(models.Service).values(host='o1', binary='b'))
        with db_session.connection(one_statement=True) as conn:
            assert conn.scalar(sa.select(sa.func.count(models.Service.id))) == 1
        assert executed == ['BEGIN', 'INSERT', 'SELECT']
        with pytest.raises(ZeroDivisionError), db_session.batch():
            with db_session.connection(writes=True, one_statement=True) as conn:
                conn.execute(sa.insert(models.Service).values(host='o2', binary='b'))
            1 / 0
    finally:
        sa.event.remove(engine, 'before_cursor_execute', keep)
    with db_session.connection(one_statement=True) as conn:
        assert conn.scalar(sa.select(sa.func.count(models.Service.id))) == 1


def test_a_pooled_connection_is_pinged_only_after_sitting_idle(tmp_path, monkeypatch):
    """No round trip before each use of a busy pool; one that idled is checked, and a
    dead one replaced by a new connection before the caller gets it."""
    engine = sa.create_engine('sqlite:///%s' % (tmp_path / 'ping.sqlite'), pool_size=1,
                              max_overflow=0)
    db_session._ping_when_idle(engine)
    pings, alive = [], [True]
    monkeypatch.setattr(engine.dialect, 'do_ping',
                        lambda conn: pings.append(conn) or alive[0])

    def use():
        with engine.connect() as connection:
            connection.exec_driver_sql('SELECT 1')
            return connection.connection.dbapi_connection
    first = use()
    assert use() is first and pings == []  # in use a moment ago
    monkeypatch.setattr(db_session, 'PING_AFTER_IDLE', 0.0)
    assert use() is first and pings == [first]
    alive[0] = False
    assert use() is not first  # found dead: a fresh connection
    engine.dispose()
