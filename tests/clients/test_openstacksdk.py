"""openstacksdk (unmodified, in this process) drives servers on a running nova-all:
create and wait, list, get, stop, start, reboot, delete and wait, as a project member;
its microversion negotiation lands on the cloud's maximum."""
import uuid

import openstack
import pytest
from openstack import exceptions as sdk_exceptions


@pytest.fixture(scope='module')
def conn(cloud):
    """A connection as a member of a project of its own, from novarc's settings."""
    name = 'sdk-%s' % uuid.uuid4().hex[:8]
    cloud.manage('project', 'create', name)
    cloud.manage('user', 'create', name + '-user', '--password', 'pw-' + name,
                 '--project', name)
    rc = cloud.novarc()
    connection = openstack.connect(
        auth_url=rc['OS_AUTH_URL'], username=name + '-user', password='pw-' + name,
        project_name=name, user_domain_name=rc['OS_USER_DOMAIN_NAME'],
        project_domain_name=rc['OS_PROJECT_DOMAIN_NAME'], region_name=rc['OS_REGION_NAME'],
        identity_api_version='3')
    yield connection
    connection.close()


def test_server_lifecycle(conn):
    image = conn.image.find_image('cirros', ignore_missing=False)
    flavor = conn.compute.find_flavor('m1.tiny', ignore_missing=False)
    # The cloud layer's create_server(wait=True) insists on an IP address, which
    # servers only get with the network service: the proxy layer waits for status.
    server = conn.create_server('sdk-demo', image=image.id, flavor=flavor.id, wait=False)
    server = conn.compute.wait_for_server(server, status='ACTIVE', wait=60, interval=0.5)
    assert server.name == 'sdk-demo' and server.image.id == image.id
    assert server.flavor.original_name == 'm1.tiny'
    assert server.vm_state == 'active' and server.power_state == 1

    assert [s.id for s in conn.list_servers() if s.name == 'sdk-demo'] == [server.id]
    assert [s.id for s in conn.compute.servers(name='sdk-demo')] == [server.id]

    conn.compute.stop_server(server)
    stopped = conn.compute.wait_for_server(server, status='SHUTOFF', wait=60, interval=0.5)
    assert stopped.power_state == 4
    conn.compute.start_server(server)
    conn.compute.wait_for_server(server, status='ACTIVE', wait=60, interval=0.5)
    conn.compute.reboot_server(server, 'SOFT')
    conn.compute.wait_for_server(server, status='ACTIVE', wait=60, interval=0.5)

    assert conn.delete_server(server.id, wait=True, timeout=60) is True
    with pytest.raises(sdk_exceptions.NotFoundException):
        conn.compute.get_server(server.id)
    assert conn.delete_server(server.id) is False  # already gone


def test_microversion_is_negotiated(conn):
    maximum = conn.compute.get_endpoint_data().max_microversion
    assert maximum >= (2, 96)
    response = conn.compute.get('/servers', microversion='2.96')
    assert response.status_code == 200
    assert response.headers['OpenStack-API-Version'] == 'compute 2.96'
    too_high = conn.compute.get('/servers', microversion='9.0')
    assert too_high.status_code == 406
