"""The unmodified `openstack` CLI against separate daemons (nova-api, nova-image,
nova-objectstore, nova-scheduler, two nova-compute) over a real RabbitMQ and a
real PostgreSQL: image create, server create --wait lands on a compute host,
list, compute service list, delete --wait.
Skipped, with the reason printed, where RabbitMQ or PostgreSQL cannot run."""
import uuid

import pytest

from tests.harness.cloud import Cloud
from tests.integration.conftest import rabbitmq  # noqa: F401 -- the fixture
from tests.integration.conftest_postgres import postgres  # noqa: F401 -- the fixture


@pytest.fixture(scope='module')
def multinode(rabbitmq, postgres, tmp_path_factory):  # noqa: F811 -- the imported fixtures
    url = postgres.create_database('clients_%s' % uuid.uuid4().hex[:8])
    cloud = Cloud.start_multinode(tmp_path_factory.mktemp('multinode'), rabbitmq.url, url)
    yield cloud
    cloud.stop()


def test_server_create_list_delete_across_daemons(multinode, tmp_path):
    cloud = multinode
    disk = tmp_path / 'disk.img'
    disk.write_bytes(b'a small disk image' * 1024)
    image = cloud.run_json('openstack', 'image', 'create', '--disk-format', 'raw',
                           '--container-format', 'bare', '--file', str(disk), 'mn-image',
                           '-f', 'json')
    assert image['status'] == 'active'
    name = 'mn-%s' % uuid.uuid4().hex[:6]
    created = cloud.run_json('openstack', 'server', 'create', '--image', 'mn-image',
                             '--flavor', 'm1.tiny', '--wait', name, '-f', 'json')
    assert created['status'] == 'ACTIVE'
    assert created['OS-EXT-SRV-ATTR:host'] in ('c1', 'c2')  # admin sees the host

    listed = cloud.run_json('openstack', 'server', 'list', '--long', '-f', 'json')
    [row] = [s for s in listed if s['ID'] == created['id']]
    assert (row['Name'], row['Status'], row['Host']) == (
        name, 'ACTIVE', created['OS-EXT-SRV-ATTR:host'])

    services = cloud.run_json('openstack', 'compute', 'service', 'list', '-f', 'json')
    assert {(s['Binary'], s['Host'], s['State']) for s in services
            if s['Binary'] == 'nova-compute'} == {('nova-compute', 'c1', 'up'),
                                                  ('nova-compute', 'c2', 'up')}

    cloud.run('openstack', 'server', 'delete', '--wait', created['id'])
    remaining = cloud.run_json('openstack', 'server', 'list', '-f', 'json')
    assert created['id'] not in {s['ID'] for s in remaining}
