"""The in-process cloud of tests/functional/compute behind an osapi_compute app."""
import pytest

from tests.functional.compute.conftest import cloud  # noqa: F401 -- the fixture
from tests.unit.api.openstack import fakes


@pytest.fixture
def app(cloud):  # noqa: F811 -- the imported fixture
    return fakes.build_app()


@pytest.fixture
def boot(alice, cloud):  # noqa: F811
    """Create servers through the API and wait until they are ACTIVE."""
    from nova.compute import vm_states

    def _boot(client=alice, count=1, wait=True, **server):
        body = {'server': dict({'name': 'vm', 'imageRef': cloud.image['id'],
                                'flavorRef': '1'}, **server)}
        if count > 1:
            body['server'].update(min_count=count, max_count=count,
                                  return_reservation_id=True)
        response = client.post('/servers', body)
        assert response.status_int == 202, response.body
        if count > 1:
            rid = response.json['reservation_id']
            uuids = [s['id'] for s in client.get(
                '/servers?reservation_id=%s' % rid).json['servers']]
        else:
            uuids = [response.json['server']['id']]
        if wait:
            cloud.wait(uuids, vm_states.ACTIVE)
        return uuids
    return _boot
