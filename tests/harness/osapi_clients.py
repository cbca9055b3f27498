"""The three callers of the in-process compute API tests, for any module that
provides an ``app`` fixture (tests/unit/api/openstack/fakes.build_app): a
member of proj-a, a member of proj-b and an admin. Loaded by tests/conftest.py.
``database`` makes the SQLite database such a module's app runs on."""
import pytest

from nova import context as nova_context
from nova.conf import CONF
from nova.db import api as db
from nova.db import migration
from nova.db import session as db_session
from nova.image import service as image_service
from tests.unit.api.openstack import fakes


def database(path, default_image=False):
    """A migrated database under state_path ``path`` with projects proj-a and
    proj-b (and the built-in image if asked); returns path."""
    CONF.set_override('state_path', path)
    db_session.dispose()
    migration.db_sync()
    admin = nova_context.get_admin_context()
    for project in ('proj-a', 'proj-b'):
        db.project_create(admin, {'id': project, 'name': project})
    if default_image:
        image_service.ensure_default_image(admin)
    return path


@pytest.fixture
def alice(app):
    return fakes.Client(app)


@pytest.fixture
def bob(app):
    return fakes.Client(app, user='bob', project='proj-b')


@pytest.fixture
def admin(app):
    return fakes.Client(app, user='root', project='admin-proj', roles='admin')
