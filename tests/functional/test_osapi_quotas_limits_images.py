"""Limits, quota sets, availability zones and the images proxy through the
compute API app in-process: usage that real servers consume, admin-only
changes, other projects, removed fields per microversion, and bad input."""
import pytest

from nova import context as nova_context
from nova import policy
from nova.compute import aggregates
from nova.conf import CONF
from nova.db import api as db
from nova.db import session as db_session
from nova.image import service as image_service
from tests.functional.compute.conftest import cloud  # noqa: F401 -- a fixture
from tests.harness import osapi_clients
from tests.unit.api.openstack import fakes


@pytest.fixture(scope='module')
def state_path(tmp_path_factory):
    """One database for the module, with two projects and the default image."""
    yield osapi_clients.database(str(tmp_path_factory.mktemp('quotas')), default_image=True)
    db_session.dispose()


@pytest.fixture
def app(state_path):
    CONF.set_override('state_path', state_path)  # flags are reset around every test
    db_session.dispose()
    policy.reset()
    return fakes.build_app()


# ------------------------------------------------------------------- limits

def test_limits_count_real_servers(cloud):  # noqa: F811
    app = fakes.build_app()
    alice = fakes.Client(app)
    before = alice.get('/limits').json['limits']
    assert before['rate'] == []
    assert before['absolute']['totalInstancesUsed'] == 0
    assert before['absolute']['maxTotalInstances'] == CONF.quota_instances
    cloud.boot(count=2)  # m1.tiny: 1 vcpu, 512 MB each
    used = alice.get('/limits').json['limits']['absolute']
    assert (used['totalInstancesUsed'], used['totalCoresUsed'], used['totalRAMUsed']) == (
        2, 2, 1024)
    quota_detail = alice.get('/os-quota-sets/proj-a/detail').json['quota_set']
    assert quota_detail['instances'] == {'limit': 10, 'in_use': 2, 'reserved': 0}
    assert quota_detail['ram']['in_use'] == 1024

    admin = fakes.Client(app, user='root', project='admin-proj', roles='admin')
    db.project_create(cloud.admin, {'id': 'proj-a', 'name': 'proj-a'})
    too_low = admin.put('/os-quota-sets/proj-a', {'quota_set': {'instances': 1}})
    assert too_low.status_int == 400
    assert too_low.json['badRequest']['message'] == (
        'Quota limit 1 for instances must be greater than or equal to already used and '
        'reserved 2.')
    forced = admin.put('/os-quota-sets/proj-a', {'quota_set': {'instances': 1,
                                                               'force': 'true'}})
    assert forced.status_int == 200 and forced.json['quota_set']['instances'] == 1
    over = alice.post('/servers', {'server': {'name': 'x', 'imageRef': cloud.image['id'],
                                              'flavorRef': '1'}})
    assert over.status_int == 403
    assert over.json['forbidden']['message'].startswith(
        'Quota exceeded for instances: Requested 1, but already used 2 of 1 instances')


def test_limits_fields_per_version(alice):
    old = alice.get('/limits').json['limits']['absolute']
    assert {'maxTotalFloatingIps', 'maxSecurityGroups', 'maxSecurityGroupRules',
            'totalFloatingIpsUsed', 'totalSecurityGroupsUsed', 'maxImageMeta',
            'maxPersonality', 'maxPersonalitySize', 'maxServerMeta', 'maxTotalKeypairs',
            'maxServerGroups', 'maxServerGroupMembers', 'totalServerGroupsUsed'} <= set(old)
    assert old['maxServerMeta'] == old['maxImageMeta'] == CONF.quota_metadata_items
    v236 = alice.get('/limits', version='2.36').json['limits']['absolute']
    assert 'maxTotalFloatingIps' not in v236 and 'maxImageMeta' in v236
    v239 = alice.get('/limits', version='2.39').json['limits']['absolute']
    assert 'maxImageMeta' not in v239 and 'maxPersonality' in v239
    latest = alice.get('/limits', version='2.57').json['limits']['absolute']
    assert set(latest) == {
        'maxServerMeta', 'maxTotalCores', 'maxTotalInstances', 'maxTotalKeypairs',
        'maxTotalRAMSize', 'maxServerGroups', 'maxServerGroupMembers', 'totalCoresUsed',
        'totalInstancesUsed', 'totalRAMUsed', 'totalServerGroupsUsed'}
    assert alice.get('/limits?colour=1', version='2.75').status_int == 400


def test_limits_of_another_project(admin, alice):
    admin.put('/os-quota-sets/proj-b', {'quota_set': {'cores': 7}})
    other = admin.get('/limits?tenant_id=proj-b').json['limits']['absolute']
    assert other['maxTotalCores'] == 7
    assert alice.get('/limits?tenant_id=proj-b').status_int == 403
    admin.delete('/os-quota-sets/proj-b')


# --------------------------------------------------------------- quota sets

def test_quota_show_defaults_update_delete(admin, alice, bob):
    shown = alice.get('/os-quota-sets/proj-a').json['quota_set']
    assert shown['id'] == 'proj-a' and shown['instances'] == CONF.quota_instances
    assert {'floating_ips', 'fixed_ips', 'security_groups', 'security_group_rules',
            'injected_files', 'key_pairs', 'server_groups'} <= set(shown)
    v236 = alice.get('/os-quota-sets/proj-a', version='2.36').json['quota_set']
    assert 'floating_ips' not in v236 and 'injected_files' in v236
    v257 = alice.get('/os-quota-sets/proj-a', version='2.57').json['quota_set']
    assert set(v257) == {'id', 'instances', 'cores', 'ram', 'key_pairs', 'metadata_items',
                         'server_groups', 'server_group_members'}
    defaults = bob.get('/os-quota-sets/proj-b/defaults').json['quota_set']
    assert defaults['cores'] == CONF.quota_cores and defaults['id'] == 'proj-b'

    updated = admin.put('/os-quota-sets/proj-a', {'quota_set': {
        'instances': 50, 'cores': '-1', 'key_pairs': 3}}, version='2.57')
    assert updated.status_int == 200, updated.body
    body = updated.json['quota_set']
    assert 'id' not in body and (body['instances'], body['cores'], body['key_pairs']) == (
        50, -1, 3)
    assert alice.get('/os-quota-sets/proj-a').json['quota_set']['instances'] == 50
    assert bob.get('/os-quota-sets/proj-b').json['quota_set']['instances'] == 10

    assert admin.delete('/os-quota-sets/proj-a').status_int == 202
    assert alice.get('/os-quota-sets/proj-a').json['quota_set']['instances'] == 10


def test_quota_rules_and_bad_input(admin, alice):
    denied = alice.put('/os-quota-sets/proj-a', {'quota_set': {'instances': 100}})
    assert denied.status_int == 403
    assert denied.json['forbidden']['message'] == (
        "Policy doesn't allow os_compute_api:os-quota-sets:update to be performed.")
    assert alice.delete('/os-quota-sets/proj-a').status_int == 403
    assert alice.get('/os-quota-sets/proj-b').status_int == 403
    assert alice.get('/os-quota-sets/proj-b/detail').status_int == 403

    unknown = admin.put('/os-quota-sets/proj-a', {'quota_set': {'widgets': 1}})
    assert unknown.status_int == 400
    assert "'widgets' was unexpected" in unknown.json['badRequest']['message']
    removed = admin.put('/os-quota-sets/proj-a', {'quota_set': {'floating_ips': 1}},
                        version='2.36')
    assert removed.status_int == 400
    assert admin.put('/os-quota-sets/proj-a',
                     {'quota_set': {'cores': -2}}).status_int == 400
    assert admin.put('/os-quota-sets/proj-a',
                     {'quota_set': {'cores': 'many'}}).status_int == 400
    ghost = admin.put('/os-quota-sets/ghost', {'quota_set': {'cores': 1}})
    assert ghost.status_int == 400
    assert ghost.json['badRequest']['message'] == 'Project ID ghost is not a valid project.'
    ghost_user = admin.put('/os-quota-sets/proj-a?user_id=ghost', {'quota_set': {'cores': 1}})
    assert ghost_user.status_int == 400
    assert ghost_user.json['badRequest']['message'] == 'User ID ghost is not a valid user.'
    # a failed update changed nothing
    assert alice.get('/os-quota-sets/proj-a').json['quota_set']['cores'] == CONF.quota_cores


def test_per_user_quotas_are_enforced_and_shown(cloud):  # noqa: F811
    app = fakes.build_app()
    alice = fakes.Client(app)
    carol = fakes.Client(app, user='carol')
    admin = fakes.Client(app, user='root', project='admin-proj', roles='admin')
    db.project_create(cloud.admin, {'id': 'proj-a', 'name': 'proj-a'})
    for user in ('alice', 'carol'):
        db.user_create(cloud.admin, {'id': user, 'name': user})
    admin.put('/os-quota-sets/proj-a', {'quota_set': {'cores': 3}})

    # a user's limit may not exceed what the project's leaves after other users'
    too_high = admin.put('/os-quota-sets/proj-a?user_id=alice', {'quota_set': {'cores': 4}})
    assert too_high.status_int == 400
    assert too_high.json['badRequest']['message'] == (
        'Quota limit 4 for cores must be less than or equal to 3.')
    given = admin.put('/os-quota-sets/proj-a?user_id=alice',
                      {'quota_set': {'cores': 1, 'ram': 1024}}, version='2.57')
    assert given.status_int == 200, given.body
    assert (given.json['quota_set']['cores'], given.json['quota_set']['instances']) == (1, 10)
    # carol may now be given at most 3 - 1
    assert admin.put('/os-quota-sets/proj-a?user_id=carol',
                     {'quota_set': {'cores': 3}}).status_int == 400
    # the project's limit must leave room for what its users were given
    shrink = admin.put('/os-quota-sets/proj-a', {'quota_set': {'ram': 512}})
    assert shrink.status_int == 400

    shown = admin.get('/os-quota-sets/proj-a?user_id=alice').json['quota_set']
    assert (shown['cores'], shown['ram'], shown['id']) == (1, 1024, 'proj-a')
    assert admin.get('/os-quota-sets/proj-a').json['quota_set']['cores'] == 3

    cloud.boot(count=1)  # alice's m1.tiny: 1 vcpu
    refused = alice.post('/servers', {'server': {'name': 'x', 'imageRef': cloud.image['id'],
                                                 'flavorRef': '1'}})
    assert refused.status_int == 403
    assert refused.json['forbidden']['message'].startswith(
        'Quota exceeded for cores: Requested 1, but already used 1 of 1 cores')
    # carol, in the same project, still has the project's room
    carol_ctx = nova_context.RequestContext(user_id='carol', project_id='proj-a')
    cloud.boot(count=1, ctx=carol_ctx)

    detail = admin.get('/os-quota-sets/proj-a/detail?user_id=alice').json['quota_set']
    assert detail['cores'] == {'limit': 1, 'in_use': 1, 'reserved': 0}
    assert admin.get('/os-quota-sets/proj-a/detail').json['quota_set']['cores'][
        'in_use'] == 2
    mine = alice.get('/limits').json['limits']['absolute']
    assert (mine['maxTotalCores'], mine['totalCoresUsed']) == (1, 1)
    assert (mine['maxTotalInstances'], mine['totalInstancesUsed']) == (10, 2)
    theirs = carol.get('/limits').json['limits']['absolute']
    assert (theirs['maxTotalCores'], theirs['totalCoresUsed']) == (3, 2)

    assert admin.delete('/os-quota-sets/proj-a?user_id=alice').status_int == 202
    assert admin.get('/os-quota-sets/proj-a?user_id=alice').json['quota_set']['cores'] == 3
    assert admin.get('/os-quota-sets/proj-a').json['quota_set']['cores'] == 3


# ------------------------------------------------------------ zones

def test_availability_zones(cloud):  # noqa: F811
    app = fakes.build_app()
    alice = fakes.Client(app)
    admin = fakes.Client(app, user='root', project='admin-proj', roles='admin')
    zones = alice.get('/os-availability-zone').json['availabilityZoneInfo']
    assert zones == [{'zoneName': 'nova', 'zoneState': {'available': True}, 'hosts': None}]

    api = aggregates.AggregateAPI()
    aggregate = api.create_aggregate(cloud.admin, 'rack1', availability_zone='az1')
    api.add_host_to_aggregate(cloud.admin, aggregate.id, 'h3')
    names = [z['zoneName'] for z in alice.get('/os-availability-zone').json[
        'availabilityZoneInfo']]
    assert names == ['az1', 'nova']

    detail = admin.get('/os-availability-zone/detail').json['availabilityZoneInfo']
    by_name = {z['zoneName']: z for z in detail}
    assert set(by_name) == {'az1', 'nova', 'internal'}
    assert set(by_name['az1']['hosts']) == {'h3'}
    assert set(by_name['nova']['hosts']) == {'h1', 'h2'}
    compute = by_name['az1']['hosts']['h3']['nova-compute']
    assert compute['available'] is True and compute['active'] is True
    assert compute['updated_at']
    assert 'nova-scheduler' in by_name['internal']['hosts']['controller']
    assert alice.get('/os-availability-zone/detail').status_int == 403

    h3 = db.service_get_by_host_and_binary(cloud.admin, 'h3', 'nova-compute')
    db.service_update(cloud.admin, h3.id, {'disabled': True})
    zones = alice.get('/os-availability-zone').json['availabilityZoneInfo']
    assert zones == [
        {'zoneName': 'nova', 'zoneState': {'available': True}, 'hosts': None},
        {'zoneName': 'az1', 'zoneState': {'available': False}, 'hosts': None}]


# ------------------------------------------------------------ images proxy

def test_images_list_show_and_versions(alice, admin):
    listed = alice.get('/images').json['images']
    assert [i['id'] for i in listed] == [image_service.DEFAULT_IMAGE_ID]
    assert [link['rel'] for link in listed[0]['links']] == ['self', 'bookmark', 'alternate']
    assert listed[0]['links'][2]['href'].endswith('/images/' + image_service.DEFAULT_IMAGE_ID)
    [detail] = alice.get('/images/detail').json['images']
    assert detail['status'] == 'ACTIVE' and detail['progress'] == 100
    assert detail['OS-EXT-IMG-SIZE:size'] == image_service.DEFAULT_IMAGE_SIZE
    assert detail['minRam'] == 0 and detail['created'].endswith('Z')
    shown = alice.get('/images/' + image_service.DEFAULT_IMAGE_ID).json['image']
    assert shown == detail
    assert alice.get('/images/detail?minRam=1').json['images'] == []
    assert alice.get('/images?name=cirros').json['images'][0]['name'] == 'cirros'
    assert alice.get('/images?name=other').json['images'] == []
    assert alice.get('/images?status=ACTIVE').json['images'] != []
    assert alice.get('/images/nope').status_int == 404
    assert alice.get('/images', version='2.35').status_int == 200
    assert alice.get('/images', version='2.36').status_int == 404
    assert alice.get('/images/detail?minRam=x').status_int == 400


def test_image_metadata_and_delete(alice, bob, admin):
    service = image_service.get_default_image_service()
    ctx = nova_context.RequestContext(user_id='alice', project_id='proj-a', roles=['member'],
                                      overwrite=False)
    image = service.create(ctx, {'name': 'mine', 'disk_format': 'raw',
                                 'container_format': 'bare', 'visibility': 'private',
                                 'properties': {'os_distro': 'cirros'}})
    url = '/images/%s/metadata' % image['id']
    assert alice.get(url).json == {'metadata': {'os_distro': 'cirros'}}
    assert alice.post(url, {'metadata': {'a': '1'}}).json == {
        'metadata': {'os_distro': 'cirros', 'a': '1'}}
    assert alice.get(url + '/a').json == {'meta': {'a': '1'}}
    assert alice.put(url + '/b', {'meta': {'b': '2'}}).json == {'meta': {'b': '2'}}
    assert alice.put(url + '/b', {'meta': {'c': '2'}}).status_int == 400
    assert alice.put(url, {'metadata': {'only': 'this'}}).json == {'metadata': {'only': 'this'}}
    assert alice.get(url).json == {'metadata': {'only': 'this'}}
    assert alice.delete(url + '/only').status_int == 204
    assert alice.get(url + '/only').status_int == 404
    assert alice.delete(url + '/only').status_int == 404
    assert alice.post(url, {'metadata': {'bad key!': 'x'}}).status_int == 400

    CONF.set_override('quota_metadata_items', 2)
    over = alice.post(url, {'metadata': {'x': '1', 'y': '2', 'z': '3'}})
    assert over.status_int == 403
    assert over.json['forbidden']['message'] == 'Image metadata limit exceeded'

    assert bob.get(url).status_int == 404  # private to proj-a
    assert bob.delete('/images/' + image['id']).status_int == 404
    assert alice.get(url, version='2.36').status_int == 404
    assert alice.delete('/images/' + image['id']).status_int == 204
    assert alice.get('/images/' + image['id']).status_int == 404


def test_image_filters_server_link_and_paging(alice):
    service = image_service.get_default_image_service()
    ctx = nova_context.RequestContext(user_id='alice', project_id='proj-a', roles=['member'],
                                      overwrite=False)
    server_id = '6f1c1a77-0f55-4d5e-9a43-9a1a6b6d2b01'
    snapshot = service.create(ctx, {'name': 'snap', 'visibility': 'private',
                                    'properties': {'instance_uuid': server_id,
                                                   'image_type': 'snapshot',
                                                   'auto_disk_config': 'False'}})
    [found] = alice.get('/images/detail?server=http://x/servers/%s' % server_id).json['images']
    assert found['id'] == snapshot['id'] and found['status'] == 'SAVING'
    assert found['progress'] == 25 and found['OS-DCF:diskConfig'] == 'MANUAL'
    assert found['server']['id'] == server_id
    assert found['server']['links'][0]['href'].endswith('/servers/' + server_id)
    assert [i['id'] for i in alice.get('/images?type=snapshot').json['images']] == [
        snapshot['id']]
    assert len(alice.get('/images?changes-since=2000-01-01T00:00:00Z').json['images']) == 2
    assert alice.get('/images?changes-since=2999-01-01T00:00:00Z').json['images'] == []
    assert alice.get('/images?changes-since=yesterday').status_int == 400

    first = alice.get('/images?limit=1').json
    assert len(first['images']) == 1 and 'images_links' in first
    marker = first['images'][0]['id']
    rest = alice.get('/images?limit=1&marker=%s' % marker).json['images']
    assert len(rest) == 1 and rest[0]['id'] != marker
    assert alice.get('/images?marker=%s' % server_id).status_int == 400
    assert alice.delete('/images/' + snapshot['id']).status_int == 204


def test_image_proxy_reader_reads_but_changes_nothing(app, alice):
    """The image service's rule reaches the compute API's image proxy: 403 on writes."""
    reader = fakes.Client(app, user='rita', project='proj-a', roles='reader')
    service = image_service.get_default_image_service()
    ctx = nova_context.RequestContext(user_id='alice', project_id='proj-a', roles=['member'],
                                      overwrite=False)
    image = service.create(ctx, {'name': 'mine', 'disk_format': 'raw',
                                 'container_format': 'bare', 'visibility': 'private'})
    url = '/images/%s/metadata' % image['id']
    assert reader.get('/images/' + image['id']).status_int == 200
    assert reader.get(url).json == {'metadata': {}}
    for response in (reader.delete('/images/' + image['id']),
                     reader.post(url, {'metadata': {'a': '1'}}),
                     reader.put(url, {'metadata': {'a': '1'}}),
                     reader.put(url + '/a', {'meta': {'a': '1'}})):
        assert response.status_int == 403, response.text
    assert alice.get(url).json == {'metadata': {}}
    assert alice.delete('/images/' + image['id']).status_int == 204
