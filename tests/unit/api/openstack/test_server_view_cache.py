"""GET /servers/detail reuses a server's rendered view only while everything it
shows is unchanged (views/server_cache.py): every kind of change is in the next
list, each list equals the one rendered without the cache, and a view rendered
for one caller, role or microversion is never shown to another."""
import uuid as uuidlib

import pytest
import sqlalchemy as sa

from nova.api.openstack.compute.views import server_cache
from nova.api.openstack.compute.views import servers as server_views
from nova.conf import CONF
from nova.db import api as db
from nova.db import models
from nova.db import session as db_session
from nova.network import ranges
from tests.unit.db.compute_helpers import instance_values

FLAVOR = {'cur': {'flavorid': '1', 'name': 'm1.tiny', 'vcpus': 1, 'memory_mb': 512,
                  'root_gb': 1, 'ephemeral_gb': 0, 'swap': 0, 'extra_specs': {}}}


@pytest.fixture(autouse=True)
def zones_read_every_request(monkeypatch):
    monkeypatch.setattr(server_views, 'ZONE_CACHE_SECONDS', -1)


def _network(cloud, cidr, label):
    layout, addresses = ranges.network_layout(cidr)
    return db.network_create_safe(cloud.admin, dict(layout, label=label, bridge='br-' + label),
                                  addresses)


def _servers(cloud, count, network):
    rows = db.instance_create_many(cloud.admin, [instance_values(
        project_id='proj-a', user_id='alice', display_name='vm-%d' % i, host='h1', node='h1',
        vm_state='active', task_state=None, power_state=1, flavor=FLAVOR,
        metadata={'n': str(i)}, tags=['t'], security_groups=['default'])
        for i in range(count)])
    db.fixed_ips_allocate(cloud.admin, [{'instance_uuid': row.uuid, 'project_id': 'proj-a',
                                         'network_id': network.id, 'label': network.label}
                                        for row in rows], host='h1')
    return [row.uuid for row in rows]


def _core_update(uuid, **values):
    """A column changed by a bare UPDATE: its updated_at moves all the same (the
    column's onupdate), which is what tells a kept view is stale."""
    with db_session.writer() as session:
        session.execute(sa.update(models.Instance).where(models.Instance.uuid == uuid)
                        .values(**values))


def _listed(client, path='/servers/detail', version='2.96'):
    """{id: server} of the list, after checking it equals the list rendered without
    the cache (the same request, cache size 0)."""
    cached = client.get(path, version=version)
    assert cached.status_int == 200, cached.body
    CONF.set_override('osapi_server_view_cache_size', 0)
    try:
        fresh = client.get(path, version=version).json
    finally:
        CONF.clear_override('osapi_server_view_cache_size')
    assert cached.json == fresh
    return {server['id']: server for server in cached.json['servers']}


def test_every_change_a_view_shows_is_in_the_next_list(alice, cloud):
    network = _network(cloud, '10.30.0.0/24', 'private')
    uuid, other = _servers(cloud, 2, network)
    ctx = cloud.admin
    before = _listed(alice)
    assert before[uuid]['name'] == 'vm-0' and len(server_cache.VIEWS) >= 2
    assert _listed(alice) == before  # served from the cache, unchanged

    def changed(change, check):
        change()
        servers = _listed(alice)
        check(servers[uuid])
        assert servers[other] == before[other], change  # only the changed server moves

    changed(lambda: db.instance_update(ctx, uuid, {'display_name': 'renamed'}),
            lambda s: s['name'] == 'renamed' or pytest.fail(s['name']))
    changed(lambda: db.instance_update(ctx, uuid, {'task_state': 'rebooting'}),
            lambda s: (s['status'], s['OS-EXT-STS:task_state']) == ('REBOOT', 'rebooting')
            or pytest.fail(s['status']))
    changed(lambda: db.instance_update(ctx, uuid, {'task_state': None, 'locked': True}),
            lambda s: (s['status'], s['locked']) == ('ACTIVE', True) or pytest.fail(s))
    changed(lambda: db.instance_metadata_update(ctx, uuid, {'k': 'v'}),
            lambda s: s['metadata'] == {'n': '0', 'k': 'v'} or pytest.fail(s['metadata']))
    changed(lambda: db.instance_metadata_update(ctx, uuid, {'k': 'v'}, delete=True),
            lambda s: s['metadata'] == {'k': 'v'} or pytest.fail(s['metadata']))
    changed(lambda: db.instance_tag_add(ctx, uuid, 'u'),
            lambda s: s['tags'] == ['t', 'u'] or pytest.fail(s['tags']))
    changed(lambda: db.instance_tag_delete(ctx, uuid, 't'),
            lambda s: s['tags'] == ['u'] or pytest.fail(s['tags']))
    second = _network(cloud, '10.31.0.0/24', 'second')
    changed(lambda: db.fixed_ips_allocate(ctx, [{
        'instance_uuid': uuid, 'project_id': 'proj-a', 'network_id': second.id,
        'label': 'second'}], host='h1'),
        lambda s: sorted(s['addresses']) == ['private', 'second'] or pytest.fail(s))
    changed(lambda: db.network_update(ctx, second.uuid, {'label': 'renamed-net'}),
            lambda s: sorted(s['addresses']) == ['private', 'renamed-net'] or pytest.fail(s))
    volume = str(uuidlib.uuid4())
    changed(lambda: db.block_device_mapping_create(ctx, {
        'uuid': str(uuidlib.uuid4()), 'instance_uuid': uuid, 'volume_id': volume,
        'source_type': 'volume', 'destination_type': 'volume', 'device_name': '/dev/vdb',
        'delete_on_termination': False}),
        lambda s: s['os-extended-volumes:volumes_attached'] == [
            {'id': volume, 'delete_on_termination': False}] or pytest.fail(s))
    aggregate = db.aggregate_create(ctx, {'name': 'east'}, metadata={
        'availability_zone': 'east-1'})
    before[other]['OS-EXT-AZ:availability_zone'] = 'east-1'  # on the same host
    changed(lambda: db.aggregate_host_add(ctx, aggregate.id, 'h1'),
            lambda s: s['OS-EXT-AZ:availability_zone'] == 'east-1' or pytest.fail(s))
    changed(lambda: _core_update(uuid, access_ip_v4='192.0.2.9'),  # not through nova.db.api
            lambda s: s['accessIPv4'] == '192.0.2.9' or pytest.fail(s['accessIPv4']))
    changed(lambda: db.instance_update(ctx, uuid, {'vm_state': 'error'}),
            lambda s: s['status'] == 'ERROR' or pytest.fail(s['status']))


def test_a_view_is_shown_only_to_whom_it_was_rendered_for(alice, admin, bob, cloud):
    network = _network(cloud, '10.32.0.0/24', 'private')
    uuids = _servers(cloud, 3, network)
    # the admin's views (extended attributes, host status) go into the cache first
    seen = _listed(admin, '/servers/detail?all_tenants=1')
    assert all(seen[u]['OS-EXT-SRV-ATTR:host'] == 'h1' and 'host_status' in seen[u]
               for u in uuids)
    mine = _listed(alice)
    assert sorted(mine) == sorted(uuids)
    assert not any(key.startswith('OS-EXT-SRV-ATTR:host') or key == 'host_status'
                   for server in mine.values() for key in server
                   if key != 'OS-EXT-SRV-ATTR:hostname')  # 2.90 shows it to the owner
    old = _listed(alice, version='2.1')
    assert not any('tags' in s or 'locked' in s for s in old.values())
    assert _listed(bob) == {}  # another project sees none of them


def test_the_cache_keeps_at_most_its_size(alice, cloud):
    network = _network(cloud, '10.33.0.0/24', 'private')
    uuids = _servers(cloud, 4, network)
    server_cache.VIEWS.clear()
    CONF.set_override('osapi_server_view_cache_size', 2)
    try:
        first = alice.get('/servers/detail').json['servers']
        assert len(server_cache.VIEWS) == 2
        again = alice.get('/servers/detail').json['servers']
    finally:
        CONF.clear_override('osapi_server_view_cache_size')
    assert first == again and sorted(s['id'] for s in first) == sorted(uuids)
