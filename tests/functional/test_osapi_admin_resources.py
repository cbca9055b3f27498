"""The operator's compute API resources on an in-process cloud (a scheduler and
three fake compute hosts): hypervisors, services, aggregates, server groups,
usage and migrations, per microversion, with Nova's errors and policy."""
import datetime
import os
import uuid as uuid_lib

import pytest

from nova.compute import vm_states
from nova.db import api as db
from tests.functional.compute.conftest import cloud  # noqa: F401 -- the fixture
from tests.unit.api.openstack import fakes


@pytest.fixture
def app(cloud):  # noqa: F811 -- the imported fixture
    return fakes.build_app()


def _boot(client, cloud, name='vm'):  # noqa: F811
    response = client.post('/servers', {'server': {
        'name': name, 'imageRef': cloud.image['id'], 'flavorRef': '1'}})
    assert response.status_int == 202, response.body
    uuid = response.json['server']['id']
    cloud.wait([uuid], vm_states.ACTIVE)
    return uuid


def _message(response):
    [fault] = response.json.values()
    return fault['message']


ADMIN_ONLY = [('GET', '/os-hypervisors'), ('GET', '/os-hypervisors/detail'),
              ('GET', '/os-hypervisors/statistics'), ('GET', '/os-services'),
              ('PUT', '/os-services/disable'), ('GET', '/os-aggregates'),
              ('POST', '/os-aggregates'), ('GET', '/os-simple-tenant-usage'),
              ('GET', '/os-migrations')]


@pytest.mark.parametrize('verb,path', ADMIN_ONLY)
def test_a_member_gets_403(alice, verb, path):
    body = {'host': 'h1', 'binary': 'nova-compute'} if verb == 'PUT' else (
        {'aggregate': {'name': 'a'}} if verb == 'POST' else None)
    response = alice.request(verb, path, body)
    assert response.status_int == 403, response.body
    assert 'forbidden' in response.json


def test_hypervisors(admin, alice, cloud):  # noqa: F811
    uuid = _boot(alice, cloud)
    cloud.nodes()  # the hosts write their usage
    listed = admin.get('/os-hypervisors').json['hypervisors']
    assert sorted(h['hypervisor_hostname'] for h in listed) == ['h1', 'h2', 'h3']
    assert all(isinstance(h['id'], int) and h['state'] == 'up' and h['status'] == 'enabled'
               for h in listed)
    detail = admin.get('/os-hypervisors/detail').json['hypervisors']
    assert sum(h['running_vms'] for h in detail) == 1
    assert isinstance(detail[0]['cpu_info'], str) and detail[0]['service']['host']
    assert admin.get('/os-hypervisors/detail',
                     version='2.28').json['hypervisors'][0]['cpu_info']['arch'] == 'x86_64'
    first = listed[0]
    shown = admin.get('/os-hypervisors/%d' % first['id']).json['hypervisor']
    assert shown['hypervisor_hostname'] == first['hypervisor_hostname'] and 'vcpus' in shown
    missing = admin.get('/os-hypervisors/9999')
    assert missing.status_int == 404 and "ID '9999' could not be found" in _message(missing)
    assert admin.get('/os-hypervisors/h1').status_int == 404  # not an id before 2.53

    stats = admin.get('/os-hypervisors/statistics').json['hypervisor_statistics']
    assert stats['count'] == 3 and stats['running_vms'] == 1
    assert admin.get('/os-hypervisors/statistics', version='2.88').status_int == 404

    found = admin.get('/os-hypervisors/h2/search').json['hypervisors']
    assert [h['hypervisor_hostname'] for h in found] == ['h2']
    assert admin.get('/os-hypervisors/nowhere/search').status_int == 404
    host = db.instance_get_by_uuid(cloud.admin, uuid).host
    on_host = admin.get('/os-hypervisors/%s/servers' % host).json['hypervisors'][0]
    assert on_host['servers'][0]['uuid'] == uuid
    assert admin.get('/os-hypervisors/h2/search', version='2.53').status_int == 404

    v = '2.53'
    new = admin.get('/os-hypervisors/detail?with_servers=true', version=v).json
    by_name = {h['hypervisor_hostname']: h for h in new['hypervisors']}
    assert [s['uuid'] for s in by_name[host]['servers']] == [uuid]
    uuid_lib.UUID(by_name[host]['id']) and uuid_lib.UUID(by_name[host]['service']['id'])
    empty = [h for name, h in by_name.items() if name != host]
    assert all('servers' not in h for h in empty)
    assert all(h['servers'] == [] for h in admin.get(
        '/os-hypervisors?with_servers=1', version='2.75').json['hypervisors']
        if h['hypervisor_hostname'] != host)
    node_uuid = by_name['h3']['id']
    assert admin.get('/os-hypervisors/' + node_uuid, version=v).json['hypervisor']['id'] == \
        node_uuid
    assert admin.get('/os-hypervisors/%d' % first['id'], version=v).status_int == 400
    assert admin.get('/os-hypervisors/' + str(uuid_lib.uuid4()), version=v).status_int == 404
    matched = admin.get('/os-hypervisors?hypervisor_hostname_pattern=h3', version=v).json
    assert [h['id'] for h in matched['hypervisors']] == [node_uuid]
    assert admin.get('/os-hypervisors?hypervisor_hostname_pattern=zz',
                     version=v).status_int == 404
    assert admin.get('/os-hypervisors?hypervisor_hostname_pattern=h&limit=1',
                     version=v).status_int == 400
    assert admin.get('/os-hypervisors?bogus=1', version=v).status_int == 400

    modern = admin.get('/os-hypervisors/' + node_uuid, version='2.88').json['hypervisor']
    assert 'vcpus' not in modern and 'cpu_info' not in modern and 'uptime' in modern


def test_hypervisor_uptime_over_rpc(admin, cloud):  # noqa: F811
    from nova import exception
    from nova.virt import fake
    [h1] = [h for h in admin.get('/os-hypervisors').json['hypervisors']
            if h['hypervisor_hostname'] == 'h1']
    up = admin.get('/os-hypervisors/%d/uptime' % h1['id']).json['hypervisor']
    assert up['hypervisor_hostname'] == 'h1' and ' up 0 days' in up['uptime']
    assert admin.get('/os-hypervisors/%d/uptime' % h1['id'], version='2.88').status_int == 404
    [node] = [h for h in admin.get('/os-hypervisors', version='2.88').json['hypervisors']
              if h['hypervisor_hostname'] == 'h1']
    shown = admin.get('/os-hypervisors/' + node['id'], version='2.88').json['hypervisor']
    assert ' up 0 days' in shown['uptime']
    fake.set_failure('h1', 'get_host_uptime', exception.NotSupportedByDriver(
        action='get_host_uptime', driver='FakeDriver'))
    refused = admin.get('/os-hypervisors/%d/uptime' % h1['id'])
    assert refused.status_int == 501
    assert admin.get('/os-hypervisors/' + node['id'],
                     version='2.88').json['hypervisor']['uptime'] is None
    fake.clear_failures('h1')
    admin.put('/os-services/force-down', {'host': 'h1', 'binary': 'nova-compute',
                                          'forced_down': True}, version='2.11')
    down = admin.get('/os-hypervisors/%d/uptime' % h1['id'])
    assert down.status_int == 400 and 'unavailable' in _message(down)


def test_hypervisors_paging(admin):
    page = admin.get('/os-hypervisors?limit=2', version='2.33').json
    assert len(page['hypervisors']) == 2
    next_href = page['hypervisors_links'][0]['href']
    assert 'marker=%d' % page['hypervisors'][1]['id'] in next_href
    rest = admin.get('/os-hypervisors?limit=2&marker=%d' % page['hypervisors'][1]['id'],
                     version='2.33').json
    assert len(rest['hypervisors']) == 1 and 'hypervisors_links' not in rest
    assert admin.get('/os-hypervisors?marker=999', version='2.33').status_int == 400
    assert admin.get('/os-hypervisors?limit=x', version='2.33').status_int == 400


def test_services_list_and_pre_2_53_actions(admin):
    services = admin.get('/os-services').json['services']
    assert {(s['host'], s['binary']) for s in services} >= {
        ('h1', 'nova-compute'), ('controller', 'nova-scheduler')}
    compute = [s for s in services if s['binary'] == 'nova-compute']
    assert all(s['zone'] == 'nova' and s['state'] == 'up' and s['status'] == 'enabled'
               and 'forced_down' not in s for s in compute)
    assert [s['host'] for s in admin.get('/os-services?host=h2').json['services']] == ['h2']
    assert {s['binary'] for s in admin.get(
        '/os-services?binary=nova-scheduler').json['services']} == {'nova-scheduler'}

    disabled = admin.put('/os-services/disable-log-reason', {
        'host': 'h2', 'binary': 'nova-compute', 'disabled_reason': 'maintenance'})
    assert disabled.json == {'service': {'host': 'h2', 'binary': 'nova-compute',
                                         'status': 'disabled',
                                         'disabled_reason': 'maintenance'}}
    [h2] = admin.get('/os-services?host=h2').json['services']
    assert h2['status'] == 'disabled' and h2['disabled_reason'] == 'maintenance'
    assert admin.put('/os-services/enable', {'host': 'h2', 'binary': 'nova-compute'}).json == {
        'service': {'host': 'h2', 'binary': 'nova-compute', 'status': 'enabled'}}
    assert admin.put('/os-services/enable', {'host': 'nowhere',
                                             'binary': 'nova-compute'}).status_int == 404
    assert admin.put('/os-services/force-down', {'host': 'h2',  # 2.11 brought it
                                                 'binary': 'nova-compute'}).status_int == 404
    forced = admin.put('/os-services/force-down', {'host': 'h2', 'binary': 'nova-compute',
                                                   'forced_down': True}, version='2.11')
    assert forced.json == {'service': {'host': 'h2', 'binary': 'nova-compute',
                                       'forced_down': True}}
    [h2] = admin.get('/os-services?host=h2', version='2.11').json['services']
    assert h2['forced_down'] is True and h2['state'] == 'down'
    bad = admin.put('/os-services/disable', {'host': 'h2'})
    assert bad.status_int == 400 and "'binary' is a required property" in _message(bad)
    bad = admin.put('/os-services/disable', {'host': 'h2', 'binary': 'nova-compute', 'x': 1})
    assert bad.status_int == 400 and "'x' was unexpected" in _message(bad)
    assert admin.put('/os-services/reboot', {'host': 'h2',
                                             'binary': 'nova-compute'}).status_int == 404


def test_services_2_53_by_uuid_and_delete(admin, cloud):  # noqa: F811
    v = '2.53'
    services = admin.get('/os-services', version=v).json['services']
    by_host = {(s['host'], s['binary']): s for s in services}
    h3 = by_host[('h3', 'nova-compute')]
    uuid_lib.UUID(h3['id'])
    updated = admin.put('/os-services/' + h3['id'], {
        'status': 'disabled', 'disabled_reason': 'disk swap'}, version=v).json['service']
    assert updated['id'] == h3['id'] and updated['status'] == 'disabled'
    assert updated['disabled_reason'] == 'disk swap' and updated['zone'] == 'nova'
    again = admin.put('/os-services/' + h3['id'], {'status': 'enabled'}, version=v)
    assert again.json['service']['status'] == 'enabled'
    assert again.json['service']['disabled_reason'] is None
    down = admin.put('/os-services/' + h3['id'], {'forced_down': True}, version=v)
    assert down.json['service']['forced_down'] is True
    assert down.json['service']['state'] == 'down'

    wrong = admin.put('/os-services/' + h3['id'], {'status': 'enabled',
                                                   'disabled_reason': 'x'}, version=v)
    assert wrong.status_int == 400 and 'disabled_reason' in _message(wrong)
    assert admin.put('/os-services/' + h3['id'], {}, version=v).status_int == 400
    bad = admin.put('/os-services/' + h3['id'], {'status': 'off'}, version=v)
    assert bad.status_int == 400 and 'status' in _message(bad)
    scheduler = by_host[('controller', 'nova-scheduler')]
    refused = admin.put('/os-services/' + scheduler['id'], {'status': 'disabled'}, version=v)
    assert refused.status_int == 400 and 'nova-scheduler' in _message(refused)
    assert admin.put('/os-services/' + str(uuid_lib.uuid4()), {'status': 'disabled'},
                     version=v).status_int == 404
    assert admin.put('/os-services/disable', {'host': 'h3', 'binary': 'nova-compute'},
                     version=v).status_int == 400

    gone = db.service_create(cloud.admin, {'host': 'retired', 'binary': 'nova-compute',
                                           'topic': 'compute'})
    listed = admin.get('/os-services?host=retired', version=v).json['services']
    assert admin.delete('/os-services/' + listed[0]['id'], version=v).status_int == 204
    assert admin.get('/os-services?host=retired').json['services'] == []
    assert admin.delete('/os-services/%d' % gone.id).status_int == 404
    assert admin.delete('/os-services/abc').status_int == 400


def test_service_with_instances_is_not_deleted(admin, alice, cloud):  # noqa: F811
    uuid = _boot(alice, cloud)
    host = db.instance_get_by_uuid(cloud.admin, uuid).host
    [svc] = admin.get('/os-services?host=%s&binary=nova-compute' % host).json['services']
    assert admin.delete('/os-services/%d' % svc['id']).status_int == 409


def test_aggregates(admin):
    created = admin.post('/os-aggregates', {'aggregate': {'name': 'rack1',
                                                          'availability_zone': 'z1'}})
    assert created.status_int == 200
    agg = created.json['aggregate']
    assert agg['name'] == 'rack1' and agg['availability_zone'] == 'z1'
    assert 'hosts' not in agg and 'uuid' not in agg and agg['deleted'] is False
    base = '/os-aggregates/%d' % agg['id']
    shown = admin.get(base, version='2.41').json['aggregate']
    assert shown['hosts'] == [] and shown['metadata'] == {'availability_zone': 'z1'}
    uuid_lib.UUID(shown['uuid'])

    added = admin.post(base + '/action', {'add_host': {'host': 'h1'}})
    assert added.status_int == 200 and added.json['aggregate']['hosts'] == ['h1']
    assert admin.post(base + '/action', {'add_host': {'host': 'h1'}}).status_int == 409
    unknown = admin.post(base + '/action', {'add_host': {'host': 'nowhere'}})
    assert unknown.status_int == 404 and 'nowhere' in _message(unknown)
    other = admin.post('/os-aggregates', {'aggregate': {'name': 'rack2',
                                                        'availability_zone': 'z2'}})
    clash = admin.post('/os-aggregates/%d/action' % other.json['aggregate']['id'],
                       {'add_host': {'host': 'h1'}})
    assert clash.status_int == 409 and 'already in availability zone' in _message(clash)

    meta = admin.post(base + '/action', {'set_metadata': {'metadata': {'ssd': 'true'}}})
    assert meta.json['aggregate']['metadata'] == {'availability_zone': 'z1', 'ssd': 'true'}
    meta = admin.post(base + '/action', {'set_metadata': {'metadata': {'ssd': None}}})
    assert meta.json['aggregate']['metadata'] == {'availability_zone': 'z1'}
    bad = admin.post(base + '/action', {'set_metadata': {'metadata': {'k': 1}}})
    assert bad.status_int == 400 and 'is not of type' in _message(bad)

    renamed = admin.put(base, {'aggregate': {'name': 'rack-one'}}).json['aggregate']
    assert renamed['name'] == 'rack-one' and renamed['hosts'] == ['h1']
    assert admin.put(base, {'aggregate': {'name': 'rack2'}}).status_int == 409
    assert admin.put(base, {'aggregate': {}}).status_int == 400
    moved = admin.put(base, {'aggregate': {'availability_zone': 'z9'}}).json['aggregate']
    assert moved['availability_zone'] == 'z9'
    assert moved['metadata']['availability_zone'] == 'z9'
    assert {a['name'] for a in admin.get('/os-aggregates').json['aggregates']} == {
        'rack-one', 'rack2'}

    assert admin.delete(base).status_int == 400  # it still has h1
    assert admin.post(base + '/action', {'remove_host': {'host': 'h2'}}).status_int == 404
    removed = admin.post(base + '/action', {'remove_host': {'host': 'h1'}})
    assert removed.json['aggregate']['hosts'] == []
    deleted = admin.delete(base)
    assert (deleted.status_int, deleted.body) == (200, b'')  # as Nova answers
    assert admin.get(base).status_int == 404
    assert admin.get('/os-aggregates/abc').status_int == 400

    missing = admin.post('/os-aggregates', {'aggregate': {'availability_zone': 'z'}})
    assert missing.status_int == 400 and "'name' is a required property" in _message(missing)
    colon = admin.post('/os-aggregates', {'aggregate': {'name': 'x',
                                                        'availability_zone': 'a:b'}})
    assert colon.status_int == 400 and 'availability_zone' in _message(colon)
    assert admin.post(base + '/action', {'explode': {}}).status_int == 400


def test_aggregate_image_cache_from_2_81(admin, cloud, monkeypatch):  # noqa: F811
    import eventlet
    fetched = {}
    for host in ('h2', 'h3'):
        images = cloud.services[host].manager.base_images
        monkeypatch.setattr(images, 'fetch', lambda ctx, image_id, host=host, real=images.fetch:
                            fetched.setdefault(host, []).append(image_id)
                            or real(ctx, image_id))
    agg = admin.post('/os-aggregates', {'aggregate': {'name': 'warm'}}).json['aggregate']
    base = '/os-aggregates/%d' % agg['id']
    admin.post(base + '/action', {'add_host': {'host': 'h2'}})
    body = {'cache': [{'id': cloud.image['id']}]}
    assert admin.post(base + '/images', body).status_int == 404  # before 2.81
    assert admin.post(base + '/images', body, version='2.81').status_int == 202
    cache = cloud.services['h2'].manager.base_images.cache
    entry = cache.image_service.show(cloud.admin, cloud.image['id'])
    for _ in range(500):
        if fetched.get('h2') and os.path.exists(cache.path(entry)):
            break
        eventlet.sleep(0.01)
    assert os.path.exists(cache.path(entry))
    assert fetched == {'h2': [cloud.image['id']]}  # the aggregate's host only
    missing = admin.post(base + '/images', {'cache': [{'id': str(uuid_lib.uuid4())}]},
                         version='2.81')
    assert missing.status_int == 400 and 'could not be found' in _message(missing)
    bad = admin.post(base + '/images', {'cache': []}, version='2.81')
    assert bad.status_int == 400 and 'cache' in _message(bad)
    assert admin.post('/os-aggregates/999/images', body, version='2.81').status_int == 404


def test_server_groups(alice, bob, admin):
    old = alice.post('/os-server-groups', {'server_group': {
        'name': 'apart', 'policies': ['anti-affinity']}})
    assert old.status_int == 200
    group = old.json['server_group']
    assert group['policies'] == ['anti-affinity'] and group['members'] == []
    assert group['metadata'] == {} and 'project_id' not in group
    new = alice.post('/os-server-groups', {'server_group': {
        'name': 'spread', 'policy': 'anti-affinity', 'rules': {'max_server_per_host': 2}}},
        version='2.64').json['server_group']
    assert new['policy'] == 'anti-affinity' and new['rules'] == {'max_server_per_host': 2}
    assert new['project_id'] == 'proj-a' and new['user_id'] == 'alice'
    assert 'policies' not in new

    soft = alice.post('/os-server-groups', {'server_group': {
        'name': 's', 'policies': ['soft-affinity']}})
    assert soft.status_int == 400 and "'soft-affinity' is not one of" in _message(soft)
    assert alice.post('/os-server-groups', {'server_group': {
        'name': 's', 'policies': ['soft-affinity']}}, version='2.15').status_int == 200
    assert alice.post('/os-server-groups', {'server_group': {
        'name': 's', 'policies': ['affinity']}}, version='2.64').status_int == 400
    rules = alice.post('/os-server-groups', {'server_group': {
        'name': 's', 'policy': 'affinity', 'rules': {'max_server_per_host': 2}}},
        version='2.64')
    assert rules.status_int == 400

    assert len(alice.get('/os-server-groups').json['server_groups']) == 3
    assert len(alice.get('/os-server-groups?limit=1&offset=1').json['server_groups']) == 1
    assert bob.get('/os-server-groups').json['server_groups'] == []
    assert bob.get('/os-server-groups/' + group['id']).status_int == 404
    assert bob.delete('/os-server-groups/' + group['id']).status_int == 404
    assert len(bob.get('/os-server-groups?all_projects=True').json['server_groups']) == 0
    everyone = admin.get('/os-server-groups?all_projects=True').json['server_groups']
    assert len(everyone) == 3
    assert admin.get('/os-server-groups').json['server_groups'] == []
    shown = alice.get('/os-server-groups/' + new['id'], version='2.64').json['server_group']
    assert shown == new
    assert alice.delete('/os-server-groups/' + group['id']).status_int == 204
    assert alice.get('/os-server-groups/' + group['id']).status_int == 404


def test_server_group_members_and_placement(alice, cloud):  # noqa: F811
    group = alice.post('/os-server-groups', {'server_group': {
        'name': 'apart', 'policies': ['anti-affinity']}}).json['server_group']
    uuids = []
    for name in ('m1', 'm2'):
        response = alice.post('/servers', {
            'server': {'name': name, 'imageRef': cloud.image['id'], 'flavorRef': '1'},
            'os:scheduler_hints': {'group': group['id']}})
        assert response.status_int == 202, response.body
        uuids.append(response.json['server']['id'])
    rows = cloud.wait(uuids, vm_states.ACTIVE)
    assert len({row.host for row in rows}) == 2  # anti-affinity: two hosts
    shown = alice.get('/os-server-groups/' + group['id']).json['server_group']
    assert sorted(shown['members']) == sorted(uuids)


def test_server_group_quota_is_403(alice):
    from nova.conf import CONF
    CONF.set_override('quota_server_groups', 1)
    body = {'server_group': {'name': 'g', 'policies': ['affinity']}}
    assert alice.post('/os-server-groups', body).status_int == 200
    over = alice.post('/os-server-groups', body)
    assert over.status_int == 403 and 'server_groups' in _message(over)


def test_simple_tenant_usage(alice, bob, admin, cloud):  # noqa: F811
    uuids = [_boot(alice, cloud, 'a%d' % i) for i in range(2)]
    _boot(bob, cloud, 'b')
    start = (datetime.datetime.utcnow() - datetime.timedelta(hours=1)).isoformat()
    end = (datetime.datetime.utcnow() + datetime.timedelta(hours=1)).isoformat()
    period = 'start=%s&end=%s' % (start, end)
    usages = admin.get('/os-simple-tenant-usage?' + period).json['tenant_usages']
    by_project = {u['tenant_id']: u for u in usages}
    assert set(by_project) == {'proj-a', 'proj-b'}
    mine = by_project['proj-a']
    # two servers a few seconds old: billed until now, not until the period's end
    assert 'server_usages' not in mine and 0 < mine['total_hours'] < 2 * 60 / 3600.0
    assert mine['total_memory_mb_usage'] == pytest.approx(mine['total_hours'] * 512)
    own = alice.get('/os-simple-tenant-usage/proj-a?' + period).json['tenant_usage']
    assert sorted(s['instance_id'] for s in own['server_usages']) == sorted(uuids)
    server = own['server_usages'][0]
    assert server['flavor'] == 'm1.tiny' and server['state'] == 'active'
    assert server['ended_at'] is None and server['vcpus'] == 1
    assert alice.get('/os-simple-tenant-usage/proj-b?' + period).status_int == 403
    assert alice.get('/os-simple-tenant-usage?' + period).status_int == 403
    past = alice.get('/os-simple-tenant-usage/proj-a?start=2001-01-01T00:00:00&'
                     'end=2001-01-02T00:00:00').json
    assert past == {'tenant_usage': {}}

    alice.delete('/servers/' + uuids[0])
    cloud.wait_gone([uuids[0]])
    after = alice.get('/os-simple-tenant-usage/proj-a?' + period).json['tenant_usage']
    states = {s['instance_id']: s['state'] for s in after['server_usages']}
    assert states[uuids[0]] == 'terminated'

    page = admin.get('/os-simple-tenant-usage?detailed=1&limit=2&' + period,
                     version='2.40').json
    assert sum(len(u['server_usages']) for u in page['tenant_usages']) == 2
    assert 'marker=' in page['tenant_usages_links'][0]['href']

    backwards = admin.get('/os-simple-tenant-usage?start=%s&end=%s' % (end, start))
    assert backwards.status_int == 400 and 'start time' in _message(backwards)
    bad = admin.get('/os-simple-tenant-usage?start=yesterday')
    assert bad.status_int == 400 and 'start' in _message(bad)
    assert admin.get('/os-simple-tenant-usage/?' + period).status_int == 404  # a blank id


def test_migrations(admin, alice, cloud):  # noqa: F811
    uuid = _boot(alice, cloud)
    assert admin.action(uuid, 'migrate').status_int == 202
    cloud.wait([uuid], vm_states.RESIZED)
    [old] = admin.get('/os-migrations').json['migrations']
    assert old['instance_uuid'] == uuid and old['status'] == 'finished'
    assert 'migration_type' not in old and 'uuid' not in old
    [typed] = admin.get('/os-migrations', version='2.23').json['migrations']
    assert typed['migration_type'] == 'migration' and 'links' not in typed
    [new] = admin.get('/os-migrations', version='2.80').json['migrations']
    assert new['project_id'] == 'proj-a' and new['user_id'] == 'alice'
    uuid_lib.UUID(new['uuid'])
    assert admin.get('/os-migrations?project_id=proj-b',
                     version='2.80').json['migrations'] == []
    assert len(admin.get('/os-migrations?user_id=alice',
                         version='2.80').json['migrations']) == 1
    assert admin.get('/os-migrations?status=error').json['migrations'] == []
    assert admin.get('/os-migrations?instance_uuid=%s' % uuid).json['migrations']
    source = old['source_compute']
    assert admin.get('/os-migrations?source_compute=%s' % source).json['migrations']
    page = admin.get('/os-migrations?limit=1', version='2.59').json
    assert page['migrations_links'][0]['href'].endswith('marker=%s' % new['uuid'])
    assert admin.get('/os-migrations?limit=1&marker=%s' % new['uuid'],
                     version='2.59').json == {'migrations': []}
    assert admin.get('/os-migrations?marker=nope', version='2.59').status_int == 400
    assert admin.get('/os-migrations?user_id=x', version='2.59').status_int == 400
    assert admin.get('/os-migrations?changes-since=2001-01-01T00:00:00Z',
                     version='2.59').json['migrations']
    assert admin.get('/os-migrations?changes-before=2001-01-01T00:00:00Z',
                     version='2.66').json['migrations'] == []
