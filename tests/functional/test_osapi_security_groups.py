"""/os-security-groups, /os-security-group-rules and a server's groups on a real
nova-all over HTTP: the legacy proxies up to 2.35 (404 from 2.36), Nova's
shapes and status codes, and what a group in use or another project's group gets."""
import uuid

from tests.functional import test_osapi_servers

cloud = test_osapi_servers.cloud  # the same module-scoped cloud fixture
_boot = test_osapi_servers._boot


def _call(cloud, method, path, body=None, token=None, version='2.35'):
    return cloud.call(token or cloud.alice, method, path, body, version=version)


def _create(cloud, name, description='d', token=None):
    status, _, body = _call(cloud, 'POST', '/os-security-groups', {
        'security_group': {'name': name, 'description': description}}, token=token)
    assert status == 200, body
    return body['security_group']


def _rule(cloud, **rule):
    return _call(cloud, 'POST', '/os-security-group-rules', {'security_group_rule': rule})


def test_group_create_show_list_update_delete(cloud):
    group = _create(cloud, ' web servers ', 'front end')
    assert group['name'] == ' web servers ' and group['description'] == 'front end'
    assert group['rules'] == [] and uuid.UUID(group['id'])
    assert set(group) == {'id', 'name', 'description', 'tenant_id', 'rules'}

    status, _, listed = _call(cloud, 'GET', '/os-security-groups')
    names = [g['name'] for g in listed['security_groups']]
    assert status == 200 and 'default' in names and ' web servers ' in names
    assert _call(cloud, 'GET', '/os-security-groups/' + group['id'])[2]['security_group'] \
        == group

    status, _, body = _call(cloud, 'PUT', '/os-security-groups/' + group['id'], {
        'security_group': {'name': 'web', 'description': 'renamed'}})
    assert status == 200
    assert (body['security_group']['name'], body['security_group']['description']) == \
        ('web', 'renamed')

    status, _, body = _call(cloud, 'POST', '/os-security-groups', {
        'security_group': {'name': 'web', 'description': ''}})
    assert status == 400 and 'already exists' in body['badRequest']['message']

    assert _call(cloud, 'DELETE', '/os-security-groups/' + group['id'])[0] == 202
    assert _call(cloud, 'GET', '/os-security-groups/' + group['id'])[0] == 404
    assert _call(cloud, 'DELETE', '/os-security-groups/' + group['id'])[0] == 404


def test_proxies_end_at_2_35(cloud):
    assert _call(cloud, 'GET', '/os-security-groups', version='2.36')[0] == 404
    assert _call(cloud, 'POST', '/os-security-group-rules', {'security_group_rule': {
        'parent_group_id': str(uuid.uuid4())}}, version='2.36')[0] == 404


def test_bad_groups_are_400(cloud):
    for body in ({'security_group': {'name': 'x' * 256, 'description': ''}},
                 {'security_group': {'name': '', 'description': ''}},
                 {'security_group': {'description': 'no name'}},
                 {'name': 'not wrapped'}):
        status, _, reply = _call(cloud, 'POST', '/os-security-groups', body)
        assert status == 400, (body, reply)
    default = [g for g in _call(cloud, 'GET', '/os-security-groups')[2]['security_groups']
               if g['name'] == 'default'][0]
    status, _, body = _call(cloud, 'DELETE', '/os-security-groups/' + default['id'])
    assert status == 400 and 'default' in body['badRequest']['message']
    status, _, body = _call(cloud, 'PUT', '/os-security-groups/' + default['id'], {
        'security_group': {'name': 'other'}})
    assert status == 400 and 'default' in body['badRequest']['message']


def test_rules_create_show_and_delete(cloud):
    group = _create(cloud, 'rules')
    peer = _create(cloud, 'peer')
    status, _, body = _rule(cloud, parent_group_id=group['id'], ip_protocol='tcp',
                            from_port=22, to_port=22)
    assert status == 200
    ssh = body['security_group_rule']
    assert ssh['ip_range'] == {'cidr': '0.0.0.0/0'} and ssh['group'] == {}
    assert (ssh['parent_group_id'], ssh['ip_protocol'], ssh['from_port'], ssh['to_port']) == \
        (group['id'], 'tcp', 22, 22)
    cidr = _rule(cloud, parent_group_id=group['id'], ip_protocol='udp', from_port=53,
                 to_port=53, cidr='10.2.3.124/24')[2]['security_group_rule']
    assert cidr['ip_range'] == {'cidr': '10.2.3.124/24'}  # shown as given
    from_peer = _rule(cloud, parent_group_id=group['id'], ip_protocol='icmp', from_port=-1,
                      to_port=-1, group_id=peer['id'])[2]['security_group_rule']
    assert from_peer['group'] == {'name': 'peer', 'tenant_id': group['tenant_id']}
    assert from_peer['ip_range'] == {}

    shown = _call(cloud, 'GET', '/os-security-groups/' + group['id'])[2]['security_group']
    assert [r['id'] for r in shown['rules']] == [ssh['id'], cidr['id'], from_peer['id']]

    status, _, body = _rule(cloud, parent_group_id=group['id'], ip_protocol='tcp',
                            from_port=22, to_port=22)
    assert status == 400 and 'already exists' in body['badRequest']['message']

    assert _call(cloud, 'DELETE', '/os-security-group-rules/%s' % ssh['id'])[0] == 202
    assert _call(cloud, 'DELETE', '/os-security-group-rules/%s' % ssh['id'])[0] == 404
    # deleting the peer takes the rule naming it along, as in Nova
    assert _call(cloud, 'DELETE', '/os-security-groups/' + peer['id'])[0] == 202
    shown = _call(cloud, 'GET', '/os-security-groups/' + group['id'])[2]['security_group']
    assert [r['id'] for r in shown['rules']] == [cidr['id']]


def test_bad_rules_are_400_and_unknown_groups_404(cloud):
    group = _create(cloud, 'strict')
    bad = [dict(ip_protocol='gre', from_port=1, to_port=2),
           dict(ip_protocol='tcp', from_port=70000, to_port=22),
           dict(ip_protocol='tcp', from_port=22, to_port=70000),
           dict(ip_protocol='tcp', from_port=23, to_port=22),
           dict(ip_protocol='tcp', from_port='x', to_port=22),
           dict(ip_protocol='tcp', from_port=22, to_port=22, cidr='10.0.0.300/8')]
    for rule in bad:
        status, _, body = _rule(cloud, parent_group_id=group['id'], **rule)
        assert status == 400, (rule, body)
    status, _, body = _rule(cloud, parent_group_id='not-a-uuid', ip_protocol='tcp',
                            from_port=22, to_port=22)
    assert status == 400 and 'not-a-uuid' in body['badRequest']['message']
    assert _rule(cloud, parent_group_id=str(uuid.uuid4()), ip_protocol='tcp',
                 from_port=22, to_port=22)[0] == 404
    assert _rule(cloud, parent_group_id=group['id'], ip_protocol='tcp', from_port=22,
                 to_port=22, group_id=str(uuid.uuid4()))[0] == 404
    for rule_id in ('nope', str(uuid.uuid4()), '99999999999999999999', '0'):
        assert _call(cloud, 'DELETE', '/os-security-group-rules/' + rule_id)[0] == 404


def test_other_projects_groups_are_not_found(cloud):
    mine = _create(cloud, 'private')
    rule = _rule(cloud, parent_group_id=mine['id'], ip_protocol='tcp', from_port=80,
                 to_port=80)[2]['security_group_rule']
    assert _call(cloud, 'GET', '/os-security-groups/' + mine['id'], token=cloud.bob)[0] == 404
    assert _call(cloud, 'DELETE', '/os-security-groups/' + mine['id'],
                 token=cloud.bob)[0] == 404
    assert _call(cloud, 'DELETE', '/os-security-group-rules/%s' % rule['id'],
                 token=cloud.bob)[0] == 404
    theirs = [g['name'] for g in _call(cloud, 'GET', '/os-security-groups',
                                       token=cloud.bob)[2]['security_groups']]
    assert 'private' not in theirs and 'default' in theirs
    status, _, body = _call(cloud, 'GET', '/os-security-groups?all_tenants=1',
                            token=cloud.admin)
    everyone = {g['id']: g for g in body['security_groups']}
    assert status == 200 and everyone[mine['id']]['rules'] == [rule]


def test_a_servers_groups_and_a_group_in_use(cloud):
    group = _create(cloud, 'app')
    created = _boot(cloud, name='sg-user', security_groups=[{'name': 'app'}])
    cloud.wait_status(cloud.alice, created['id'], 'ACTIVE')
    path = '/servers/%s/os-security-groups' % created['id']
    for version in ('2.1', '2.90'):  # this one stays after 2.36
        status, _, body = _call(cloud, 'GET', path, version=version)
        assert status == 200 and [g['id'] for g in body['security_groups']] == [group['id']]
    assert _call(cloud, 'GET', path, token=cloud.bob)[0] == 404

    status, _, body = _call(cloud, 'DELETE', '/os-security-groups/' + group['id'])
    assert status == 400 and 'in use' in body['badRequest']['message']
    status, _, body = _call(cloud, 'PUT', '/os-security-groups/' + group['id'], {
        'security_group': {'name': 'renamed'}})
    assert status == 400 and 'in use' in body['badRequest']['message']
    assert _call(cloud, 'PUT', '/os-security-groups/' + group['id'], {
        'security_group': {'description': 'still fine'}})[0] == 200

    cloud.call(cloud.alice, 'DELETE', '/servers/' + created['id'])
    cloud.wait_gone(cloud.alice, created['id'])
    assert _call(cloud, 'DELETE', '/os-security-groups/' + group['id'])[0] == 202
