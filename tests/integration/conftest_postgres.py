"""The `postgres` fixture: one real PostgreSQL server for the whole test session.

Imported by tests/integration/conftest.py. Skips (with the reason, shown by
pytest -rs) where PostgreSQL cannot run; a server that is installed but fails
to start is an error, not a skip.
"""
import tempfile

import pytest

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
