"""/servers on the in-process cloud: create, list, detail, show, update, delete."""
import pytest

from nova.compute import vm_states
from nova.conf import CONF
from nova.db import api as db
from nova.image import service as image_service


def test_create_answers_202_with_password_and_location(alice, cloud):
    response = alice.post('/servers', {'server': {
        'name': 'web', 'imageRef': cloud.image['id'], 'flavorRef': '1',
        'metadata': {'role': 'web'}, 'security_groups': [{'name': 'default'}]}})
    assert response.status_int == 202
    server = response.json['server']
    assert set(server) == {'id', 'links', 'OS-DCF:diskConfig', 'security_groups', 'adminPass'}
    assert len(server['adminPass']) == 12
    assert server['security_groups'] == [{'name': 'default'}]
    assert response.headers['Location'] == server['links'][0]['href']
    assert server['links'][0]['href'] == 'http://localhost:8774/v2.1/servers/' + server['id']
    cloud.wait([server['id']], vm_states.ACTIVE)


def test_flavor_link_and_reservation_id(alice, cloud):
    response = alice.post('/servers', {'server': {
        'name': 'many', 'imageRef': cloud.image['id'],
        'flavorRef': 'http://localhost:8774/v2.1/flavors/1',
        'min_count': 2, 'max_count': 2, 'return_reservation_id': True}})
    assert response.status_int == 202
    rid = response.json['reservation_id']
    listed = alice.get('/servers?reservation_id=%s' % rid).json['servers']
    assert sorted(s['name'] for s in listed) == ['many-1', 'many-2']


def test_show_at_2_1_and_latest(alice, boot):
    [uuid] = boot(metadata={'a': 'b'})
    old = alice.get('/servers/' + uuid).json['server']
    assert old['status'] == 'ACTIVE' and old['progress'] == 0
    assert old['flavor'] == {'id': '1', 'links': [
        {'rel': 'bookmark', 'href': 'http://localhost:8774/flavors/1'}]}
    assert old['image']['id'] == image_service.DEFAULT_IMAGE_ID
    assert old['metadata'] == {'a': 'b'} and old['addresses'] == {}
    assert old['OS-EXT-STS:vm_state'] == 'active' and old['OS-EXT-STS:power_state'] == 1
    assert old['OS-EXT-AZ:availability_zone'] == CONF.default_availability_zone
    assert len(old['hostId']) == 56
    assert 'locked' not in old and 'OS-EXT-SRV-ATTR:host' not in old
    new = alice.get('/servers/' + uuid, version='latest').json['server']
    assert new['flavor'] == {'vcpus': 1, 'ram': 512, 'disk': 1, 'ephemeral': 0, 'swap': 0,
                             'original_name': 'm1.tiny', 'extra_specs': {}}
    assert new['locked'] is False and new['locked_reason'] is None
    assert new['tags'] == [] and new['server_groups'] == []
    assert new['trusted_image_certificates'] is None
    assert new['OS-EXT-SRV-ATTR:hostname'] == 'vm'
    assert 'pinned_availability_zone' in new and 'properties' in new['image']
    assert 'host_status' not in new and 'OS-EXT-SRV-ATTR:host' not in new


def test_admin_sees_extended_attributes_and_host_status(admin, alice, boot):
    [uuid] = boot()
    server = admin.get('/servers/' + uuid, version='2.16').json['server']
    assert server['OS-EXT-SRV-ATTR:host'] in ('h1', 'h2', 'h3')
    assert server['OS-EXT-SRV-ATTR:instance_name'].startswith('instance-')
    assert server['OS-EXT-SRV-ATTR:reservation_id'].startswith('r-')
    assert server['host_status'] == 'UP'
    assert 'OS-EXT-SRV-ATTR:reservation_id' not in admin.get(
        '/servers/' + uuid).json['server']


def test_other_project_gets_404(bob, boot):
    [uuid] = boot()
    response = bob.get('/servers/' + uuid)
    assert response.status_int == 404
    assert response.json['itemNotFound']['message'] == 'Instance %s could not be found.' % uuid
    assert bob.delete('/servers/' + uuid).status_int == 404
    assert bob.action(uuid, 'os-stop').status_int == 404
    assert bob.get('/servers/detail').json['servers'] == []


def test_list_filters_sort_and_pages(alice, boot):
    uuids = boot(count=3)
    alice.put('/servers/%s' % uuids[0], {'server': {'name': 'special'}})
    assert [s['id'] for s in alice.get('/servers?name=^spec').json['servers']] == [uuids[0]]
    assert len(alice.get('/servers?status=ACTIVE').json['servers']) == 3
    assert alice.get('/servers?status=SHUTOFF').json['servers'] == []
    assert alice.get('/servers?status=bogus').json['servers'] == []
    assert alice.get('/servers?status=bogus', version='2.38').status_int == 400
    assert alice.get('/servers?flavor=1').json['servers'] != []
    assert alice.get('/servers?flavor=nope').json['servers'] == []
    by_name = alice.get('/servers/detail?sort_key=display_name&sort_dir=asc').json['servers']
    assert [s['name'] for s in by_name] == sorted(s['name'] for s in by_name)
    first = alice.get('/servers?limit=2&sort_key=display_name&sort_dir=asc').json
    assert len(first['servers']) == 2
    [link] = first['servers_links']
    assert link['rel'] == 'next' and 'marker=%s' % first['servers'][1]['id'] in link['href']
    rest = alice.get(link['href'].split('/v2.1', 1)[1]).json
    assert len(rest['servers']) == 1 and 'servers_links' not in rest
    assert alice.get('/servers?marker=nope').status_int == 400


def test_user_cannot_use_admin_filters_or_sort_keys(alice, admin, boot):
    [uuid] = boot()
    assert alice.get('/servers?host=nowhere').json['servers'] != []  # ignored, as Nova
    assert admin.get('/servers?host=nowhere&all_tenants=1').json['servers'] == []
    assert alice.get('/servers?sort_key=host').status_int == 403
    assert alice.get('/servers?bogus=1', version='2.75').status_int == 400
    assert alice.get('/servers?all_tenants=1').status_int == 403
    listed = admin.get('/servers/detail?all_tenants=1').json['servers']
    assert uuid in [s['id'] for s in listed]
    assert admin.get('/servers/detail').json['servers'] == []  # its own project only


def test_tags_filters_and_2_83_user_filters(alice, boot):
    first, second = boot(count=2)
    alice.put('/servers/%s/tags' % first, {'tags': ['red', 'big']}, version='2.26')
    assert len(alice.get('/servers?tags=red').json['servers']) == 2  # ignored before 2.26

    def ids(query):
        return [s['id'] for s in alice.get(query, version='2.26').json['servers']]
    assert ids('/servers?tags=red,big') == [first]
    assert ids('/servers?tags-any=red,blue') == [first]
    assert ids('/servers?not-tags=red') == [second]
    assert alice.get('/servers?key_name=x').json['servers'] != []  # ignored before 2.83
    assert alice.get('/servers?key_name=x', version='2.83').json['servers'] == []
    assert len(alice.get('/servers?power_state=1', version='2.83').json['servers']) == 2


def test_update_name_description_hostname(alice, boot):
    [uuid] = boot()
    response = alice.put('/servers/' + uuid, {'server': {
        'name': 'renamed', 'description': 'a web server'}}, version='2.19')
    assert response.status_int == 200
    server = response.json['server']
    assert (server['name'], server['description']) == ('renamed', 'a web server')
    assert 'OS-EXT-STS:vm_state' not in server  # before 2.75 PUT answers less
    full = alice.put('/servers/' + uuid, {'server': {'hostname': 'web-1'}}, version='2.90')
    assert full.json['server']['OS-EXT-STS:vm_state'] == 'active'
    assert full.json['server']['OS-EXT-SRV-ATTR:hostname'] == 'web-1'
    bad = alice.put('/servers/' + uuid, {'server': {'description': 'x'}})
    assert bad.status_int == 400 and "'description' was unexpected" in bad.body.decode()


def test_delete_is_204(alice, boot, cloud):
    [uuid] = boot()
    assert alice.delete('/servers/' + uuid).status_int == 204
    cloud.wait_gone([uuid])
    assert alice.get('/servers/' + uuid).status_int == 404


@pytest.mark.parametrize('server, message', [
    ({'name': 1, 'flavorRef': '1'}, "Invalid input for field/attribute name. Value: 1. "
                                    "1 is not of type 'string'"),
    ({'name': 'x', 'flavorRef': '1', 'color': 'red'}, "'color' was unexpected"),
    ({'name': 'x'}, "'flavorRef' is a required property"),
    ({'name': 'x', 'flavorRef': '999'}, 'Invalid flavorRef provided.'),
    ({'name': ' x', 'flavorRef': '1'}, "An invalid 'name' value was provided"),
])
def test_create_rejects_bad_bodies(alice, cloud, server, message):
    server.setdefault('imageRef', cloud.image['id'])
    response = alice.post('/servers', {'server': server})
    assert response.status_int == 400
    assert message in response.json['badRequest']['message']


def test_networks_required_from_2_37(alice, cloud):
    server = {'name': 'x', 'imageRef': cloud.image['id'], 'flavorRef': '1'}
    missing = alice.post('/servers', {'server': server}, version='2.37')
    assert "'networks' is a required property" in missing.json['badRequest']['message']
    ok = alice.post('/servers', {'server': dict(server, networks='none')}, version='2.37')
    assert ok.status_int == 202
    tagged = alice.post('/servers', {'server': dict(server, networks='auto', tags=['t'],
                                                    description='d')}, version='2.52')
    assert tagged.status_int == 202
    shown = alice.get('/servers/' + tagged.json['server']['id'], version='2.52').json
    assert shown['server']['tags'] == ['t'] and shown['server']['description'] == 'd'


def test_quota_exceeded_is_403_with_novas_message(alice, cloud):
    CONF.set_override('quota_instances', 1)
    server = {'name': 'x', 'imageRef': cloud.image['id'], 'flavorRef': '1'}
    assert alice.post('/servers', {'server': server}).status_int == 202
    response = alice.post('/servers', {'server': server})
    assert response.status_int == 403
    assert response.json['forbidden']['message'] == (
        'Quota exceeded for instances: Requested 1, but already used 1 of 1 instances')


def test_error_server_shows_fault(alice, admin, boot, cloud):
    [uuid] = boot()
    db.instance_update(cloud.admin, uuid, {'vm_state': vm_states.ERROR})
    db.instance_fault_create(cloud.admin, {'instance_uuid': uuid, 'code': 500,
                                           'message': 'boom', 'details': 'Traceback...',
                                           'host': 'h1'})
    server = alice.get('/servers/detail').json['servers'][0]
    assert server['status'] == 'ERROR'
    assert server['fault']['message'] == 'boom' and 'details' not in server['fault']
    assert admin.get('/servers/' + uuid).json['server']['fault']['details'] == 'Traceback...'


def test_project_id_in_url(alice, boot):
    [uuid] = boot()
    server = alice.get('/proj-a/servers/' + uuid).json['server']
    assert server['links'][0]['href'] == 'http://localhost:8774/v2.1/proj-a/servers/' + uuid
    assert alice.get('/proj-b/servers/' + uuid).status_int == 400


def test_description_is_the_name_before_2_19_and_as_given_after(alice, boot, cloud):
    [old] = boot(name='named')
    assert alice.get('/servers/' + old, version='2.19').json['server']['description'] == 'named'
    body = {'server': {'name': 'plain', 'imageRef': cloud.image['id'], 'flavorRef': '1'}}
    created = alice.post('/servers', body, version='2.19').json['server']['id']
    assert alice.get('/servers/' + created, version='2.19').json['server']['description'] is None
    body['server']['description'] = 'given'
    given = alice.post('/servers', body, version='2.19').json['server']['id']
    assert alice.get('/servers/' + given, version='2.19').json['server']['description'] == 'given'
