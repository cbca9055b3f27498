"""The `postgres` fixture: one real PostgreSQL server for the whole test session;
`pg_url`, a database of each test module's own, and `pg_db`, that database
migrated and configured as sql_connection for one test.

Imported by tests/integration/conftest.py. Skips (with the reason, shown by
pytest -rs) where PostgreSQL cannot run; a server that is installed but fails
to start is an error, not a skip.
"""
import tempfile

import pytest

from nova.conf import CONF
from nova.db import migration
from nova.db import session as db_session
from tests.harness.postgres import PostgresServer


@pytest.fixture(scope='session')
def postgres():
    reason = PostgresServer.unavailable_reason()
    if reason:
        print('postgres: skipping, %s' % reason)
        pytest.skip(reason)
    server = PostgresServer(tempfile.mkdtemp(prefix='nova-pg-'))
    try:
        yield server.start()
    finally:
        server.cleanup()


@pytest.fixture(scope='module')
def pg_url(postgres, request):
    """A new database for the test module, named after it."""
    module = request.module.__name__.rsplit('.', 1)[-1]
    return postgres.create_database('nova_' + module.removeprefix('test_'))


@pytest.fixture
def pg_db(pg_url):
    """sql_connection on the module's database, migrated; the engine forgotten after
    the test (a fixture built on this one tears down first, the engine still there)."""
    CONF.set_override('sql_connection', pg_url)
    migration.db_sync()
    yield pg_url
    db_session.dispose()
