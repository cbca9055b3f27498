"""One engine per process for CONF.sql_connection, and the transactions api.py runs in.

The engine is built on first use and rebuilt when the URL changes or the
process forked (a child must not share its parent's sockets). ``reader()`` and
``writer()`` yield a Session inside one transaction; sessions keep loaded
values at commit, so the rows they return stay usable once detached.

SQLite is the embedded engine: WAL (readers never wait for the writer),
synchronous=NORMAL, a busy timeout, foreign keys. Its C library blocks the
whole process while it waits for a lock, so under eventlet a green thread
waiting for another green thread's write lock would wait for ever; writers of
one process therefore take turns on a green lock and start with BEGIN
IMMEDIATE (a deferred transaction that reads first cannot upgrade to a writer
once another connection wrote in WAL mode).
"""
import contextlib
import logging
import os
import re
import sys
import threading
import time
import weakref

import greenlet
import sqlalchemy as sa
from sqlalchemy import event, exc as sa_exc, orm, pool as sa_pool

from nova import exception
from nova.conf import CONF
from nova.i18n import _LW

LOG = logging.getLogger(__name__)

_lock = threading.Lock()
_database = None


def _masked(url):
    """The URL as it may be logged: the password replaced by ***."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa_exc.ArgumentError:
        return re.sub(r'(://[^:/@]*:)[^@]*@', r'\1***@', url)


def _reason(error):
    """The driver's own words, first line only."""
    text = str(getattr(error, 'orig', None) or error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _sqlite_is_memory(url):
    return url.database in (None, '', ':memory:')


def _green_psycopg():
    """Make psycopg wait through the (green) select module when eventlet patched it.

    psycopg waits for the server in C by default: under eventlet that blocks
    every green thread, and a green thread waiting for a row lock held by
    another green thread would hang the process.
    """
    patcher = sys.modules.get('eventlet.patcher')
    if patcher is not None and patcher.is_monkey_patched('select'):
        from psycopg import waiting
        waiting.wait = waiting.wait_select


def _sqlite_engine(url):
    busy_timeout = CONF.sqlite_busy_timeout
    kwargs = {'connect_args': {'check_same_thread': False}}
    if _sqlite_is_memory(url):
        kwargs['poolclass'] = sa_pool.StaticPool  # one connection, or each sees its own DB
    else:
        os.makedirs(os.path.dirname(os.path.abspath(url.database)), exist_ok=True)
        kwargs.update(pool_size=CONF.sql_max_pool_size, max_overflow=CONF.sql_max_overflow)
    engine = sa.create_engine(url, **kwargs)

    @event.listens_for(engine, 'connect')
    def _on_connect(dbapi_connection, connection_record):
        dbapi_connection.isolation_level = None  # the driver must not BEGIN on its own
        cursor = dbapi_connection.cursor()
        for pragma in ('journal_mode=WAL', 'synchronous=NORMAL',
                       'busy_timeout=%d' % busy_timeout, 'foreign_keys=ON'):
            cursor.execute('PRAGMA ' + pragma)
        cursor.close()

    @event.listens_for(engine, 'begin')
    def _on_begin(connection):
        options = connection.get_execution_options()
        if options.get('nova_one_statement'):
            return  # in SQLite's autocommit: one statement is atomic on its own
        connection.exec_driver_sql('BEGIN IMMEDIATE' if options.get('nova_writer') else 'BEGIN')

    return engine


# a pooled connection idle this long is pinged before it is used again
PING_AFTER_IDLE = 1.0


def _server_engine(url):
    if url.get_driver_name() == 'psycopg':
        _green_psycopg()
    engine = sa.create_engine(url, pool_size=CONF.sql_max_pool_size,
                              max_overflow=CONF.sql_max_overflow,
                              pool_recycle=CONF.sql_idle_timeout)
    _ping_when_idle(engine)
    return engine


def _ping_when_idle(engine):
    """Ping a pooled connection before use only when it sat idle (what a restarted or
    failed-over server breaks): pool_pre_ping cost a round trip for every transaction
    and every autocommit read. One found dead is replaced (DisconnectionError makes
    the pool connect again); a server lost within the last second fails the
    statement, and the pool is invalidated then, as it would have been mid-transaction.
    """
    @event.listens_for(engine, 'checkin')
    def _checked_in(dbapi_connection, connection_record):
        connection_record.info['nova_idle_since'] = time.monotonic()

    @event.listens_for(engine, 'checkout')
    def _checked_out(dbapi_connection, connection_record, connection_proxy):
        since = connection_record.info.pop('nova_idle_since', None)
        if since is None or time.monotonic() - since < PING_AFTER_IDLE:
            return  # new, or in use a moment ago
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            if not engine.dialect.is_disconnect(error, dbapi_connection, None):
                raise
            alive = False
        if not alive:
            raise sa_exc.DisconnectionError('the pooled connection is gone')


def _connect_with_retries(engine, masked_url, attempts):
    """Wait for the database at start-up: a daemon may start before its server."""
    attempt = 0
    while True:
        attempt += 1
        try:
            with engine.connect():
                return
        except sa_exc.DBAPIError as e:
            if attempts != -1 and attempt >= max(attempts, 1):
                engine.dispose()
                raise exception.DBConnectionError(url=masked_url, reason=_reason(e)) from e
            LOG.warning(_LW('Database %s unreachable (%s); attempt %d, retrying in %ss'),
                        masked_url, _reason(e), attempt, CONF.sql_retry_interval)
            time.sleep(CONF.sql_retry_interval)


class _Database:
    """The engine for one URL in one process, and its session factories."""

    def __init__(self, url_string):
        self.url_string = url_string
        self.pid = os.getpid()
        masked = _masked(url_string)
        try:
            url = sa.engine.make_url(url_string)
            is_sqlite = url.get_backend_name() == 'sqlite'
            self.engine = _sqlite_engine(url) if is_sqlite else _server_engine(url)
        except (sa_exc.ArgumentError, ImportError, OSError) as e:
            raise exception.DBConnectionError(url=masked, reason=_reason(e)) from e
        if CONF.sql_debug:
            logging.getLogger('sqlalchemy.engine').setLevel(logging.INFO)
        # retrying cannot make a local file appear
        _connect_with_retries(self.engine, masked, 1 if is_sqlite else CONF.sql_max_retries)
        writer_engine = self.engine.execution_options(nova_writer=True)
        # PostgreSQL reads in autocommit: see reader(); and writes of one statement: see
        # one_statement_writer()
        self.autocommit = url.get_backend_name() == 'postgresql'
        reader_engine = self.engine.execution_options(isolation_level='AUTOCOMMIT') \
            if self.autocommit else self.engine
        self.read_sessions = orm.sessionmaker(bind=reader_engine, expire_on_commit=False)
        self.write_sessions = orm.sessionmaker(bind=writer_engine, expire_on_commit=False)
        self.reader_engine, self.writer_engine = reader_engine, writer_engine
        # connection(one_statement=True) for a read: no BEGIN and COMMIT around it
        self.one_statement_reader = reader_engine if self.autocommit \
            else self.engine.execution_options(nova_one_statement=True)
        # green after monkey patching; see the module docstring
        self.write_lock = threading.Lock() if is_sqlite else None
        # an in-memory SQLite DB is a single connection: readers take turns too
        self.read_lock = self.write_lock if is_sqlite and _sqlite_is_memory(url) else None

    def current(self):
        return self.url_string == CONF.sql_connection and self.pid == os.getpid()

    def dispose(self):
        # in a forked child, drop the parent's connections without closing them
        self.engine.dispose(close=self.pid == os.getpid())


def _get():
    global _database
    database = _database
    if database is not None and database.current():
        return database
    with _lock:
        if _database is not None and not _database.current():
            _database.dispose()
            _database = None
        if _database is None:
            _database = _Database(CONF.sql_connection)
        return _database


def get_engine():
    """The process's engine for CONF.sql_connection (DBConnectionError if unreachable)."""
    return _get().engine


def pool_status():
    """The connection pool of this process's engine, for reports: {} before first use.

    Never builds an engine: a report must not open connections.
    """
    database = _database
    if database is None:
        return {}
    pool = database.engine.pool
    status = {'url': _masked(database.url_string), 'pool': type(pool).__name__,
              'status': pool.status()}
    for name in ('size', 'checkedin', 'checkedout', 'overflow'):
        counter = getattr(pool, name, None)
        if callable(counter):
            status[name] = counter()
    return status


def dispose():
    """Close pooled connections and forget the engine; the next use builds a new one."""
    global _database
    with _lock:
        if _database is not None:
            _database.dispose()
            _database = None


# {greenlet: (session, writes)} of the batch() each green thread (or thread) is in:
# keyed by greenlet, so that it stays per green thread where eventlet did not patch
# threading
_batches = weakref.WeakKeyDictionary()


def _enclosing(writes):
    """The session of the batch() this green thread is in when it serves the access:
    any batch for a read, a writing one for a write; else None."""
    current = _batches.get(greenlet.getcurrent())
    if current is not None and (current[1] or not writes):
        return current[0]
    return None


@contextlib.contextmanager
def _transaction(sessions, lock):
    with lock if lock is not None else contextlib.nullcontext(), \
            sessions() as session, session.begin():
        yield session


def batch(writes=True):
    """One transaction for every reader() and writer() this (green) thread enters
    inside the block: the state writes of one step (a task's move and its action
    event) cost one BEGIN and one COMMIT, and commit or roll back together. An
    exception leaving a function inside rolls everything back at the block's end
    unless the caller handles it (the transaction then goes on).

    writes=False: a reading transaction the readers inside share (a writer inside
    still gets its own: SQLite readers do not take the write lock); on PostgreSQL,
    where readers run in autocommit, it costs nothing and saves nothing.
    """
    enclosing = _enclosing(writes)
    if enclosing is not None:
        return contextlib.nullcontext(enclosing)
    if _batches.get(greenlet.getcurrent()) is not None:
        raise RuntimeError('a writing batch inside a reading one')
    return _batched(writes)


@contextlib.contextmanager
def _batched(writes):
    current = greenlet.getcurrent()
    with (writer() if writes else reader()) as session:
        _batches[current] = (session, writes)
        try:
            yield session
        finally:
            del _batches[current]


def reader():
    """A Session for queries (no writes): one transaction, a consistent snapshot,
    on SQLite and MySQL (repeatable read); in autocommit on PostgreSQL, where each
    statement of a transaction sees its own snapshot anyway (read committed) and
    BEGIN and COMMIT were two more round trips for every read. Inside a batch()
    the batch's session and transaction."""
    enclosing = _enclosing(writes=False)
    if enclosing is not None:
        return contextlib.nullcontext(enclosing)
    database = _get()
    return _transaction(database.read_sessions, database.read_lock)


def writer():
    """A Session in a transaction that writes; committed on exit, rolled back on error
    (those of the enclosing writing batch() if any)."""
    enclosing = _enclosing(writes=True)
    if enclosing is not None:
        return contextlib.nullcontext(enclosing)
    database = _get()
    return _transaction(database.write_sessions, database.write_lock)


def one_statement_writer():
    """A Session for a write that is a single statement (an UPDATE of a row set, a
    heartbeat): on PostgreSQL in autocommit, where the statement is atomic on its own
    and BEGIN and COMMIT were two more round trips; elsewhere, and inside a writing
    batch(), what writer() gives."""
    enclosing = _enclosing(writes=True)
    if enclosing is not None:
        return contextlib.nullcontext(enclosing)
    database = _get()
    if database.autocommit:
        return _transaction(database.read_sessions, None)
    return _transaction(database.write_sessions, database.write_lock)


@contextlib.contextmanager
def connection(writes=False, one_statement=False):
    """A Core Connection in the transaction reader() (or writer(), writes=True)
    would give, for the statements of the hot paths that build no ORM rows (a
    token's revoked flag, a status compare-and-swap): an ORM Session's set-up,
    execution and commit cost more than such a statement itself (on SQLite a
    Session read ~350 us, the Core one ~150 us). Inside a batch(), the
    batch's transaction, as reader() and writer(). one_statement: the caller runs a
    single statement on PostgreSQL (a write: in autocommit where one_statement_writer()
    would be); a read of one statement runs in SQLite's autocommit too (no BEGIN and
    COMMIT: a statement is atomic on its own). A write stays one transaction on
    SQLite, where callers may run several statements."""
    enclosing = _enclosing(writes)
    if enclosing is not None:
        yield enclosing.connection()
        return
    database = _get()
    if writes and one_statement and database.autocommit:
        writes = False  # the autocommit engine, no lock: as one_statement_writer()
    if writes:
        engine = database.writer_engine
    else:
        engine = database.one_statement_reader if one_statement else database.reader_engine
    lock = database.write_lock if writes else database.read_lock
    with lock if lock is not None else contextlib.nullcontext(), engine.begin() as conn:
        yield conn
