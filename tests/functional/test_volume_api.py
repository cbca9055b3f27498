"""The block-storage API (Cinder v3 subset) in this process, over a scheduler and a
nova-volume host exporting through a private tgtd: bodies, status codes, faults,
microversions, paging, quotas and attachments as Cinder answers them."""
import eventlet
import pytest
import webob

from nova import context as nova_context
from nova import rpc
from nova import service
from nova.api.openstack import faults
from nova.api.openstack import microversion
from nova.api.openstack import router
from nova.api.openstack.volume import routes
from nova.api.openstack.volume import versions
from nova.conf import CONF
from nova.db import api as db
from nova.db import session as db_session
from tests.harness import osapi_clients
from tests.harness import tgt
from tests.unit.api.openstack import fakes


def build_app():
    app = router.APIRouter(routes.route_table())
    app = microversion.MicroversionMiddleware(app, service='volume')
    return faults.FaultWrapper(fakes.ContextFilter(app))


@pytest.fixture
def cloud(tmp_path, tgtd):
    path = str(tmp_path)
    CONF.set_override('transport_url', 'inproc://')
    for name, value in tgtd.flags().items():
        CONF.set_override(name, value)
    osapi_clients.database(path, default_image=True)
    rpc.init()
    services = [service.Service.create(binary=b, host=h, periodic_enable=False)
                for b, h in (('nova-scheduler', 'controller'), ('nova-volume', 'vhost'))]
    for svc in services:
        svc.start()
    yield services
    for svc in reversed(services):
        svc.stop(graceful=False)
    rpc.cleanup()
    tgtd.reset()
    db_session.dispose()


@pytest.fixture
def app(cloud):
    return build_app()


def client(app, user='alice', project='proj-a', roles='member', version=None):
    return fakes.Client(app, user=user, project=project, roles=roles, version=version,
                        prefix='/v3', service='volume')


@pytest.fixture
def alice(app):
    return client(app)


@pytest.fixture
def bob(app):
    return client(app, 'bob', 'proj-b')


@pytest.fixture
def admin(app):
    return client(app, 'root', 'admin-proj', 'admin')


def wait_status(user, kind, item_id, status, timeout=30):
    deadline = eventlet.hubs.get_hub().clock() + timeout
    while True:
        res = user.get('/%s/%s/%s' % (user.identity.split(':')[1], kind, item_id))
        if res.status_int == 404 and status is None:
            return None
        body = res.json[kind[:-1]]
        if body['status'] == status:
            return body
        if eventlet.hubs.get_hub().clock() > deadline:
            raise AssertionError('%s %s is %s, not %s' % (kind, item_id, body['status'],
                                                          status))
        eventlet.sleep(0.02)


def create(user, size=1, version=None, **values):
    project = user.identity.split(':')[1]
    res = user.post('/%s/volumes' % project, {'volume': dict(values, size=size)},
                    version=version)
    assert res.status_int == 202, res.body
    return res.json['volume']


def test_multiattach_volumes(alice, admin):
    """Cinder's flag in the create body, or a type whose extra spec says so."""
    assert create(alice, multiattach=True)['multiattach'] is True
    res = admin.post('/admin-proj/types', {'volume_type': {
        'name': 'shared', 'extra_specs': {'multiattach': '<is> True'}}})
    assert res.status_int == 200, res.body
    typed = create(alice, volume_type='shared')
    assert (typed['multiattach'], typed['volume_type']) == (True, 'shared')


def test_versions_documents():
    app = versions.Versions()
    root = webob.Request.blank('/').get_response(app)
    assert root.status_int == 300
    (v3,) = root.json['versions']
    assert (v3['id'], v3['status'], v3['min_version'], v3['version']) == (
        'v3.0', 'CURRENT', '3.0', '3.70')
    assert webob.Request.blank('/v3/', script_name='').get_response(app).status_int == 200


def test_create_show_list_update_delete(alice):
    volume = create(alice, size=1, name='data', description='d', metadata={'k': 'v'})
    assert volume['status'] == 'creating' and volume['bootable'] == 'false'
    assert volume['multiattach'] is False
    assert volume['volume_type'] == '__DEFAULT__' and volume['metadata'] == {'k': 'v'}
    assert 'os-vol-host-attr:host' not in volume  # admins only
    assert 'os-vol-tenant-attr:tenant_id' not in volume  # show and list only, as Cinder
    shown = wait_status(alice, 'volumes', volume['id'], 'available')
    assert shown['size'] == 1 and shown['attachments'] == [] and shown['name'] == 'data'
    assert shown['os-vol-tenant-attr:tenant_id'] == 'proj-a'
    bootable = alice.post('/proj-a/volumes/%s/action' % volume['id'],
                          {'os-set_bootable': {'bootable': True}})
    assert bootable.status_int == 200 and not bootable.body  # Cinder's 200, no body
    assert alice.get('/proj-a/volumes/%s' % volume['id']).json['volume']['bootable'] == 'true'
    assert shown['links'][0]['href'] == 'http://localhost:8776/v3/proj-a/volumes/%s' % (
        volume['id'])
    listed = alice.get('/proj-a/volumes').json
    assert listed['volumes'] == [{'id': volume['id'], 'name': 'data',
                                  'links': shown['links']}]
    assert [v['id'] for v in alice.get('/proj-a/volumes/detail?name=data').json[
        'volumes']] == [volume['id']]
    assert alice.get('/proj-a/volumes/detail?metadata={"k":"x"}').json['volumes'] == []
    res = alice.put('/proj-a/volumes/%s' % volume['id'], {'volume': {'name': 'renamed'}})
    assert res.status_int == 200 and res.json['volume']['name'] == 'renamed'
    assert alice.delete('/proj-a/volumes/%s' % volume['id']).status_int == 202
    wait_status(alice, 'volumes', volume['id'], None)


def test_microversioned_fields_and_headers(alice):
    volume = create(alice, version='3.63')
    res = alice.get('/proj-a/volumes/%s' % volume['id'], version='3.65')
    assert res.headers['OpenStack-API-Version'] == 'volume 3.65'
    body = res.json['volume']
    assert body['volume_type_id'] and body['consumes_quota'] is True
    assert 'group_id' in body and 'provider_id' not in body
    assert alice.get('/proj-a/volumes/%s' % volume['id']).headers[
        'OpenStack-API-Version'] == 'volume 3.0'
    too_new = alice.get('/proj-a/volumes', version='3.99')
    assert too_new.status_int == 406
    wait_status(alice, 'volumes', volume['id'], 'available')
    alice.delete('/proj-a/volumes/%s' % volume['id'])
    wait_status(alice, 'volumes', volume['id'], None)


def test_errors_are_cinder_faults(alice, bob, admin):
    res = alice.post('/proj-a/volumes', {'volume': {'size': 0}})
    assert res.status_int == 400 and 'badRequest' in res.json
    res = alice.post('/proj-a/volumes', {'volume': {'size': 'big'}})
    assert res.status_int == 400 and 'size' in res.json['badRequest']['message']
    res = alice.post('/proj-a/volumes', {'volume': {'size': 1, 'volume_type': 'nope'}})
    assert res.status_int == 404 and 'itemNotFound' in res.json
    res = alice.get('/proj-a/volumes/detail?colour=blue')
    assert res.status_int == 400 and 'colour' in res.json['badRequest']['message']
    volume = create(alice)
    assert bob.get('/proj-b/volumes/%s' % volume['id']).status_int == 404
    assert bob.delete('/proj-b/volumes/%s' % volume['id']).status_int == 404
    assert bob.get('/proj-a/volumes').status_int == 400  # another project's URL
    reader = client(alice.app, 'rita', 'proj-a', 'reader')
    assert reader.get('/proj-a/volumes/%s' % volume['id']).status_int == 200
    assert reader.delete('/proj-a/volumes/%s' % volume['id']).status_int == 403
    res = alice.post('/proj-a/volumes/%s/action' % volume['id'],
                     {'os-reset_status': {'status': 'error'}})
    assert res.status_int == 403
    wait_status(alice, 'volumes', volume['id'], 'available')
    shown = admin.get('/admin-proj/volumes/%s' % volume['id']).json['volume']
    assert shown['os-vol-host-attr:host'] == 'vhost@file#file'  # Cinder's host@backend#pool
    assert admin.get('/admin-proj/volumes?all_tenants=1').json['volumes']
    assert admin.get('/admin-proj/volumes').json['volumes'] == []
    alice.delete('/proj-a/volumes/%s' % volume['id'])
    wait_status(alice, 'volumes', volume['id'], None)


def test_quota_is_413_and_limits_show_usage(alice, admin):
    res = admin.put('/admin-proj/os-quota-sets/proj-a', {'quota_set': {'gigabytes': 2}})
    assert res.status_int == 200 and res.json['quota_set']['gigabytes'] == 2
    volume = create(alice, size=2)
    res = alice.post('/proj-a/volumes', {'volume': {'size': 1}})
    assert res.status_int == 413 and 'gigabytes quota' in res.json['overLimit']['message']
    absolute = alice.get('/proj-a/limits').json['limits']['absolute']
    assert (absolute['maxTotalVolumeGigabytes'], absolute['totalGigabytesUsed']) == (2, 2)
    usage = alice.get('/proj-a/os-quota-sets/proj-a?usage=True').json['quota_set']
    assert usage['volumes'] == {'limit': 10, 'in_use': 1, 'reserved': 0}
    assert admin.delete('/admin-proj/os-quota-sets/proj-a').status_int == 200
    assert alice.get('/proj-a/os-quota-sets/proj-a').json['quota_set']['gigabytes'] == 1000
    wait_status(alice, 'volumes', volume['id'], 'available')
    alice.delete('/proj-a/volumes/%s' % volume['id'])
    wait_status(alice, 'volumes', volume['id'], None)


def test_paging_and_sorting(alice):
    ids = [create(alice, name='v%d' % n)['id'] for n in range(3)]
    page = alice.get('/proj-a/volumes?limit=2&sort=name:asc').json
    assert [v['name'] for v in page['volumes']] == ['v0', 'v1']
    assert 'marker=%s' % page['volumes'][-1]['id'] in page['volumes_links'][0]['href']
    rest = alice.get('/proj-a/volumes?limit=2&sort=name:asc&marker=%s'
                     % page['volumes'][-1]['id']).json
    assert [v['name'] for v in rest['volumes']] == ['v2'] and 'volumes_links' not in rest
    counted = alice.get('/proj-a/volumes?with_count=true&limit=1', version='3.45').json
    assert counted['count'] == 3
    assert alice.get('/proj-a/volumes?sort=colour:asc').status_int == 400
    for volume_id in ids:
        wait_status(alice, 'volumes', volume_id, 'available')
        alice.delete('/proj-a/volumes/%s' % volume_id)
    for volume_id in ids:
        wait_status(alice, 'volumes', volume_id, None)


def test_snapshots_extend_and_cascade(alice, admin):
    volume = create(alice)
    wait_status(alice, 'volumes', volume['id'], 'available')
    res = alice.post('/proj-a/snapshots', {'snapshot': {'volume_id': volume['id'],
                                                         'name': 's1'}})
    assert res.status_int == 202
    snapshot = res.json['snapshot']
    assert (snapshot['size'], snapshot['status']) == (1, 'creating')
    wait_status(alice, 'snapshots', snapshot['id'], 'available')
    res = alice.delete('/proj-a/volumes/%s' % volume['id'])
    assert res.status_int == 400 and 'snapshot' in res.json['badRequest']['message']
    res = alice.post('/proj-a/volumes/%s/action' % volume['id'],
                     {'os-extend': {'new_size': 2}})
    assert res.status_int == 202
    assert wait_status(alice, 'volumes', volume['id'], 'available')['size'] == 2
    res = alice.post('/proj-a/volumes', {'volume': {'snapshot_id': snapshot['id']}})
    clone = res.json['volume']
    assert res.status_int == 202 and clone['size'] == 1
    wait_status(alice, 'volumes', clone['id'], 'available')
    alice.delete('/proj-a/volumes/%s' % clone['id'])
    wait_status(alice, 'volumes', clone['id'], None)
    assert alice.delete('/proj-a/volumes/%s?cascade=true' % volume['id']).status_int == 202
    wait_status(alice, 'volumes', volume['id'], None)
    assert alice.get('/proj-a/snapshots/%s' % snapshot['id']).status_int == 404
    usage = db.quota_usage_get_all_by_project(nova_context.get_admin_context(), 'proj-a')
    assert (usage['volumes'], usage['snapshots'], usage['gigabytes']) == (0, 0, 0)


def test_types_and_zones(alice, admin):
    types = alice.get('/proj-a/types').json['volume_types']
    assert [t['name'] for t in types] == ['__DEFAULT__'] and 'extra_specs' not in types[0]
    assert alice.get('/proj-a/types/default').json['volume_type']['name'] == '__DEFAULT__'
    assert alice.post('/proj-a/types', {'volume_type': {'name': 'x'}}).status_int == 403
    res = admin.post('/admin-proj/types', {'volume_type': {
        'name': 'fast', 'extra_specs': {'volume_backend_name': 'nowhere'}}})
    assert res.status_int == 200
    fast = res.json['volume_type']
    assert admin.post('/admin-proj/types', {'volume_type': {'name': 'fast'}}).status_int == 409
    volume = create(alice, volume_type='fast')
    assert volume['volume_type'] == 'fast'
    wait_status(alice, 'volumes', volume['id'], 'error')  # no host has that backend
    assert admin.delete('/admin-proj/types/%s' % fast['id']).status_int == 400  # in use
    alice.delete('/proj-a/volumes/%s' % volume['id'])
    wait_status(alice, 'volumes', volume['id'], None)
    assert admin.delete('/admin-proj/types/%s' % fast['id']).status_int == 202
    zones = alice.get('/proj-a/os-availability-zone').json['availabilityZoneInfo']
    assert zones == [{'zoneName': 'nova', 'zoneState': {'available': True}}]


def test_attachments_api_and_legacy_actions(alice, tgtd, qemu_iscsi):
    volume = create(alice)
    wait_status(alice, 'volumes', volume['id'], 'available')
    instance = '0f0e0d0c-0b0a-4908-8706-050403020100'
    res = alice.post('/proj-a/attachments', {'attachment': {
        'volume_uuid': volume['id'], 'instance_uuid': instance}}, version='3.44')
    assert res.status_int == 200
    attachment = res.json['attachment']
    assert (attachment['status'], attachment['instance']) == ('reserved', instance)
    assert wait_status(alice, 'volumes', volume['id'], 'reserved')
    res = alice.put('/proj-a/attachments/%s' % attachment['id'], {'attachment': {
        'connector': {'host': 'computehost', 'initiator': 'iqn.test:c1',
                      'mountpoint': '/dev/vdb'}}}, version='3.44')
    info = res.json['attachment']['connection_info']
    assert res.status_int == 200 and info['driver_volume_type'] == 'iscsi'
    tgt.qemu_io(info, 'write -P 0x42 0 64k', 'read -P 0x42 0 64k')
    res = alice.post('/proj-a/attachments/%s/action' % attachment['id'],
                     {'os-complete': {}}, version='3.44')
    assert res.status_int == 204
    shown = wait_status(alice, 'volumes', volume['id'], 'in-use')
    assert shown['attachments'][0]['server_id'] == instance
    assert shown['attachments'][0]['device'] == '/dev/vdb'
    res = alice.delete('/proj-a/volumes/%s' % volume['id'])
    assert res.status_int == 400  # attached
    res = alice.delete('/proj-a/attachments/%s' % attachment['id'], version='3.44')
    assert res.status_int == 200 and res.json == {'attachments': []}
    wait_status(alice, 'volumes', volume['id'], 'available')
    assert alice.get('/proj-a/attachments', version='3.26').status_int == 404

    # the legacy actions: reserve, initialize_connection, attach, begin_detaching, detach
    def act(name, args=None):
        return alice.post('/proj-a/volumes/%s/action' % volume['id'], {name: args or {}})
    assert act('os-reserve').status_int == 202
    assert act('os-reserve').status_int == 400  # attaching, not available
    res = act('os-initialize_connection', {'connector': {'host': 'h'}})
    assert res.status_int == 200 and res.json['connection_info']['data']['target_lun'] == 1
    assert act('os-attach', {'instance_uuid': instance, 'mountpoint': '/dev/vdc'}
               ).status_int == 202
    assert wait_status(alice, 'volumes', volume['id'], 'in-use')
    assert act('os-begin_detaching').status_int == 202
    assert act('os-roll_detaching').status_int == 202
    assert act('os-begin_detaching').status_int == 202
    assert act('os-detach', {}).status_int == 202
    wait_status(alice, 'volumes', volume['id'], 'available')
    assert act('os-detach', {}).status_int == 404
    alice.delete('/proj-a/volumes/%s' % volume['id'])
    wait_status(alice, 'volumes', volume['id'], None)


def test_metadata_subresource(alice):
    volume = create(alice, metadata={'a': '1'})
    base = '/proj-a/volumes/%s/metadata' % volume['id']
    assert alice.get(base).json == {'metadata': {'a': '1'}}
    assert alice.post(base, {'metadata': {'b': '2'}}).json == {'metadata': {'a': '1', 'b': '2'}}
    assert alice.put(base + '/b', {'meta': {'b': '3'}}).json == {'meta': {'b': '3'}}
    assert alice.get(base + '/b').json == {'meta': {'b': '3'}}
    assert alice.delete(base + '/a').status_int == 200
    assert alice.get(base + '/a').status_int == 404
    assert alice.put(base, {'metadata': {'c': '4'}}).json == {'metadata': {'c': '4'}}
    wait_status(alice, 'volumes', volume['id'], 'available')
    alice.delete('/proj-a/volumes/%s' % volume['id'])
    wait_status(alice, 'volumes', volume['id'], None)

