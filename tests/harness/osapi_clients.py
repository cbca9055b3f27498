"""The three callers of the in-process compute API tests, for any module that
provides an ``app`` fixture (tests/unit/api/openstack/fakes.build_app): a
member of proj-a, a member of proj-b and an admin. Loaded by tests/conftest.py."""
import pytest

from tests.unit.api.openstack import fakes


@pytest.fixture
def alice(app):
    return fakes.Client(app)


@pytest.fixture
def bob(app):
    return fakes.Client(app, user='bob', project='proj-b')


@pytest.fixture
def admin(app):
    return fakes.Client(app, user='root', project='admin-proj', roles='admin')
