"""The compute API on a real PostgreSQL, which refuses NUL characters in text
with an error: ids, filters and bodies carrying one get 404 or 400, never 500."""
import pytest

from nova import policy
from tests.unit.api.openstack import fakes


@pytest.fixture
def app(pg_db):
    policy.reset()
    return fakes.build_app()


@pytest.mark.parametrize('path, status', [
    ('/servers?name=a%00b', 400),
    ('/servers/detail?image=%00', 400),
    ('/servers/detail?flavor=1%00', 400),
    ('/servers/a\x00b', 404),
    ('/os-security-groups/a\x00b', 404),
    ('/os-keypairs/a\x00b', 404),
])
def test_nul_in_the_url(alice, path, status):
    assert alice.get(path).status_int == status


def test_nul_in_a_body(alice):
    response = alice.post('/os-security-groups', {'security_group': {
        'name': 'web', 'description': 'a\x00b'}})
    assert response.status_int == 400
    assert response.json['badRequest']['message'] == \
        'The request body contains a NUL character'
