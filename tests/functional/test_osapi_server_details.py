"""Server behaviours tempest checks: canonical accessIPv6, security group
actions and the key absent when a server is in no group, rebuild replacing key
pair and user data (2.54, 2.57), scheduler hints shown from 2.100, an unknown
security group or an unplaceable resize refused with 400, a full server group
refusing more members (403)."""
import base64

from tests.functional import test_osapi_servers

cloud = test_osapi_servers.cloud  # the same module-scoped cloud fixture
_boot = test_osapi_servers._boot


def _action(cloud, server_id, body, version=None):
    return cloud.call(cloud.alice, 'POST', '/servers/%s/action' % server_id, body,
                      version=version)


def test_access_ipv6_is_stored_in_canonical_form(cloud):
    created = _boot(cloud, name='v6', accessIPv6='0000:0000:0000:0000:0000:babe:220.12.22.2')
    server = cloud.wait_status(cloud.alice, created['id'], 'ACTIVE')
    assert server['accessIPv6'] == '::babe:dc0c:1602'
    status, _, body = cloud.call(cloud.alice, 'PUT', '/servers/' + created['id'],
                                 {'server': {'accessIPv6': '2001:DB8:0:0:0:0:0:1'}})
    assert status == 200 and body['server']['accessIPv6'] == '2001:db8::1'
    cloud.call(cloud.alice, 'DELETE', '/servers/' + created['id'])


def test_security_group_actions(cloud):
    created = _boot(cloud, name='sg')
    server = cloud.wait_status(cloud.alice, created['id'], 'ACTIVE')
    assert server['security_groups'] == [{'name': 'default'}]
    status, _, body = _action(cloud, created['id'], {'addSecurityGroup': {'name': 'default'}})
    assert status == 400 and 'already associated' in body['badRequest']['message']
    status, _, body = _action(cloud, created['id'], {'addSecurityGroup': {'name': 'nope'}})
    assert status == 404
    assert _action(cloud, created['id'],
                   {'removeSecurityGroup': {'name': 'default'}})[0] == 202
    shown = cloud.call(cloud.alice, 'GET', '/servers/' + created['id'])[2]['server']
    assert 'security_groups' not in shown
    status, _, body = _action(cloud, created['id'], {'removeSecurityGroup': {'name': 'default'}})
    assert status == 400 and 'not associated' in body['badRequest']['message']
    assert _action(cloud, created['id'], {'addSecurityGroup': {'name': 'default'}})[0] == 202
    shown = cloud.call(cloud.alice, 'GET', '/servers/' + created['id'])[2]['server']
    assert shown['security_groups'] == [{'name': 'default'}]
    cloud.call(cloud.alice, 'DELETE', '/servers/' + created['id'])


def test_unknown_security_group_refused(cloud):
    status, _, body = cloud.call(cloud.alice, 'POST', '/servers', {'server': {
        'name': 'x', 'imageRef': _image_id(), 'flavorRef': '1',
        'security_groups': [{'name': 'no-such-group'}]}})
    assert status == 400 and 'no-such-group' in body['badRequest']['message']


def test_rebuild_replaces_user_data_and_shows_hints(cloud):
    created = _boot(cloud, name='rb')
    cloud.wait_status(cloud.alice, created['id'], 'ACTIVE')
    user_data = base64.b64encode(b'#!/bin/sh\necho hi\n').decode()
    status, _, body = _action(cloud, created['id'], {'rebuild': {
        'imageRef': _image_id(), 'user_data': user_data}}, version='2.57')
    assert status == 202, body
    assert body['server']['user_data'] == user_data
    assert body['server']['key_name'] is None  # shown from 2.54
    cloud.wait_status(cloud.alice, created['id'], 'ACTIVE')
    status, _, body = _action(cloud, created['id'], {'rebuild': {
        'imageRef': _image_id(), 'key_name': 'no-such-key'}}, version='2.54')
    assert status == 400 and 'key_name' in body['badRequest']['message']
    shown = cloud.call(cloud.alice, 'GET', '/servers/' + created['id'],
                       version='2.100')[2]['server']
    assert shown['scheduler_hints'] == {}
    assert 'scheduler_hints' not in cloud.call(cloud.alice, 'GET', '/servers/' + created['id'],
                                               version='2.99')[2]['server']
    cloud.call(cloud.alice, 'DELETE', '/servers/' + created['id'])

    hints = {'query': '[">=", "$free_ram_mb", 0]'}
    status, _, body = cloud.call(cloud.alice, 'POST', '/servers', {
        'server': {'name': 'hinted', 'imageRef': _image_id(), 'flavorRef': '1'},
        'os:scheduler_hints': hints})
    assert status == 202, body
    server_id = body['server']['id']
    cloud.wait_status(cloud.alice, server_id, 'ACTIVE')
    status, _, body = cloud.call(cloud.alice, 'GET', '/servers/detail', version='2.100')
    [listed] = [s for s in body['servers'] if s['id'] == server_id]
    assert listed['scheduler_hints'] == hints
    cloud.call(cloud.alice, 'DELETE', '/servers/' + server_id)


def test_resize_without_a_host_is_400(cloud):
    created = _boot(cloud, name='rs')
    cloud.wait_status(cloud.alice, created['id'], 'ACTIVE')
    status, _, body = _action(cloud, created['id'], {'resize': {'flavorRef': '2'}})
    assert status == 400 and 'No valid host' in body['badRequest']['message']
    server = cloud.wait_status(cloud.alice, created['id'], 'ACTIVE')
    assert server['OS-EXT-STS:task_state'] is None
    cloud.call(cloud.alice, 'DELETE', '/servers/' + created['id'])


def test_blank_id_is_not_found(cloud):
    """DELETE /images/ names an image with a blank id: 404, as Nova answers."""
    assert cloud.call(cloud.alice, 'DELETE', '/images/')[0] == 404
    assert cloud.call(cloud.alice, 'DELETE', '/images')[0] == 405


def _image_id():
    from nova.image import service
    return service.DEFAULT_IMAGE_ID


def test_a_full_server_group_refuses_more_members(cloud):
    created = _boot(cloud, name='probe')
    project_id = cloud.wait_status(cloud.alice, created['id'], 'ACTIVE')['tenant_id']
    cloud.call(cloud.alice, 'DELETE', '/servers/' + created['id'])
    status, _, body = cloud.call(cloud.admin, 'PUT', '/os-quota-sets/' + project_id,
                                 {'quota_set': {'server_group_members': 2}})
    assert status == 200, body
    try:
        group = cloud.call(cloud.alice, 'POST', '/os-server-groups', {'server_group': {
            'name': 'pair', 'policies': ['affinity']}})[2]['server_group']

        def boot(count):
            return cloud.call(cloud.alice, 'POST', '/servers', {
                'server': {'name': 'member', 'imageRef': _image_id(), 'flavorRef': '1',
                           'min_count': 1, 'max_count': count},
                'os:scheduler_hints': {'group': group['id']}})

        status, _, body = boot(3)  # more than the group may hold: refused whole, as Nova
        assert status == 403 and 'server_group_members' in body['forbidden']['message']
        status, _, body = boot(2)
        assert status == 202, body
        status, _, body = boot(1)
        assert status == 403 and 'already used 2 of 2' in body['forbidden']['message']
        members = cloud.call(cloud.alice, 'GET', '/os-server-groups/' + group['id'])[2]
        assert len(members['server_group']['members']) == 2
        for member in members['server_group']['members']:
            cloud.call(cloud.alice, 'DELETE', '/servers/' + member)
            cloud.wait_gone(cloud.alice, member)
        assert cloud.call(cloud.alice, 'DELETE', '/os-server-groups/' + group['id'])[0] == 204
    finally:
        cloud.call(cloud.admin, 'DELETE', '/os-quota-sets/' + project_id)
