"""A migrated SQLite database and a filesystem store in the test's temp dir."""
import shutil

import pytest

from nova import context as nova_context
from nova.conf import CONF
from nova.db import migration
from nova.db import session as db_session
from nova.image import service as image_service


@pytest.fixture(scope='session')
def _migrated(tmp_path_factory):
    """A migrated database file, built once and copied for each test."""
    path = tmp_path_factory.mktemp('image-db') / 'nova.sqlite'
    CONF.set_override('sql_connection', 'sqlite:///%s' % path)
    try:
        migration.db_sync()
    finally:
        db_session.dispose()
        CONF.clear_override('sql_connection')
    return path


@pytest.fixture
def state(tmp_path, _migrated):
    shutil.copyfile(_migrated, tmp_path / 'nova.sqlite')
    CONF.set_override('state_path', str(tmp_path))
    CONF.set_override('sql_connection', 'sqlite:///%s' % (tmp_path / 'nova.sqlite'))
    yield tmp_path
    db_session.dispose()


@pytest.fixture
def datadir(state):
    return state / 'images'


@pytest.fixture
def svc(state):
    return image_service.ImageService()


@pytest.fixture
def admin():
    return nova_context.get_admin_context()


def project(project_id):
    return nova_context.RequestContext(user_id='u-' + project_id, project_id=project_id,
                                       roles=['member'])


@pytest.fixture
def p1():
    return project('p1')


@pytest.fixture
def p2():
    return project('p2')
