"""A fresh SQLite database in the test's temp dir, and the engine forgotten after."""
import pytest

from nova import context as nova_context
from nova.conf import CONF
from nova.db import migration
from nova.db import session as db_session


@pytest.fixture
def empty_db(tmp_path):
    """sql_connection pointing at a file that does not exist yet."""
    url = 'sqlite:///%s' % (tmp_path / 'state' / 'nova.sqlite')
    CONF.set_override('sql_connection', url)
    yield url
    db_session.dispose()


@pytest.fixture
def synced_db(empty_db):
    migration.db_sync()
    return empty_db


@pytest.fixture
def ctx():
    return nova_context.get_admin_context()


@pytest.fixture
def db_ctx(synced_db, ctx):
    """An admin context on a migrated database."""
    return ctx
