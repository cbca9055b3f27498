"""/v2.0/security-groups, /v2.0/security-group-rules and /v2.0/quotas: the groups the
Compute API and EC2 see (one store), Neutron's rule shapes and errors, and the
same limits as the Compute API's quota sets."""
from nova.conf import CONF
from nova.network import security_groups as groups_api


def _group(client, name):
    response = client.post('/security-groups', {'security_group': {'name': name,
                                                                   'description': 'd'}})
    assert response.status_int == 201, response.data
    return response.data['security_group']


def _rule(client, **rule):
    return client.post('/security-group-rules', {'security_group_rule': dict(
        {'direction': 'ingress'}, **rule)})


def test_groups_and_rules_are_the_compute_apis(alice, bob, cloud, network):
    web = _group(alice, 'web')
    assert {r['direction'] for r in web['security_group_rules']} == {'egress'}
    response = _rule(alice, security_group_id=web['id'], protocol='tcp', port_range_min=22,
                     port_range_max=22)
    assert response.status_int == 201, response.data
    ssh = response.data['security_group_rule']
    assert (ssh['ethertype'], ssh['remote_ip_prefix'], ssh['remote_group_id']) == (
        'IPv4', '0.0.0.0/0', None)
    peer = _group(alice, 'peer')
    from_peer = _rule(alice, security_group_id=web['id'], protocol='icmp',
                      remote_group_id=peer['id']).data['security_group_rule']
    assert (from_peer['port_range_min'], from_peer['port_range_max']) == (None, None)
    v6 = _rule(alice, security_group_id=web['id'], ethertype='IPv6', protocol='udp',
               port_range_min=53, port_range_max=53, remote_ip_prefix='2001:db8::/32')
    assert v6.status_int == 201 and v6.data['security_group_rule']['ethertype'] == 'IPv6'
    # the same group and rules through the security group API the Compute API uses
    group = groups_api.SecurityGroupAPI().get(cloud.ctx, web['id'])
    assert sorted((r.protocol, r.from_port, r.to_port, r.cidr, r.source_group_uuid)
                  for r in group.rules) == sorted([
                      ('tcp', 22, 22, '0.0.0.0/0', ''), ('icmp', -1, -1, '', peer['id']),
                      ('udp', 53, 53, '2001:db8::/32', '')])
    shown = alice.get('/security-groups/' + web['id']).data['security_group']
    assert len(shown['security_group_rules']) == 5  # three ingress, two egress
    listed = alice.get('/security-group-rules?security_group_id=%s&direction=ingress'
                       % web['id']).data['security_group_rules']
    assert {r['id'] for r in listed} == {ssh['id'], from_peer['id'],
                                         v6.data['security_group_rule']['id']}
    assert alice.get('/security-group-rules/' + ssh['id']).data['security_group_rule'] == ssh
    assert bob.get('/security-groups/' + web['id']).status_int == 404
    assert bob.get('/security-group-rules/' + ssh['id']).status_int == 404
    assert bob.delete('/security-group-rules/' + ssh['id']).status_int == 404
    assert _rule(bob, security_group_id=web['id'], protocol='tcp').status_int == 404
    assert alice.delete('/security-group-rules/' + ssh['id']).status_int == 204
    assert alice.get('/security-group-rules/' + ssh['id']).status_int == 404
    renamed = alice.put('/security-groups/' + web['id'], {'security_group': {'name': 'www'}})
    assert renamed.status_int == 200 and renamed.data['security_group']['name'] == 'www'
    assert renamed.data['security_group']['revision_number'] == 1
    # deleting a group drops other groups' rules that name it (as the Compute API)
    assert alice.delete('/security-groups/' + peer['id']).status_int == 204
    assert alice.get('/security-group-rules/' + from_peer['id']).status_int == 404


def test_rule_errors_are_neutrons(alice, network):
    web = _group(alice, 'web')
    egress = [r for r in web['security_group_rules'] if r['direction'] == 'egress'][0]
    for rule, status, error_type in (
            (dict(protocol='tcp', port_range_min=100, port_range_max=10), 400,
             'SecurityGroupInvalidPortRange'),
            (dict(protocol='tcp', port_range_min=70000, port_range_max=70000), 400,
             'SecurityGroupInvalidPortRange'),
            (dict(protocol='gre'), 400, 'InvalidInput'),
            (dict(protocol='tcp', remote_ip_prefix='10.0.0.0/33'), 400, 'HTTPBadRequest'),
            (dict(protocol='tcp', remote_ip_prefix='2001:db8::/32'), 400, 'HTTPBadRequest'),
            (dict(protocol='tcp', remote_ip_prefix='10.0.0.0/8',
                  remote_group_id=web['id']), 400, 'HTTPBadRequest'),
            (dict(direction='sideways'), 400, 'HTTPBadRequest'),
            (dict(direction='egress', protocol='tcp', port_range_min=1, port_range_max=2), 400,
             'HTTPBadRequest'),
            (dict(direction='egress'), 409, 'SecurityGroupRuleExists'),
            (dict(protocol='tcp', remote_group_id='no-such-group'), 404,
             'SecurityGroupNotFound')):
        response = _rule(alice, security_group_id=web['id'], **rule)
        assert response.status_int == status, (rule, response.data)
        assert response.data['NeutronError']['type'] == error_type, (rule, response.data)
    assert _rule(alice, security_group_id=web['id'], protocol='tcp', port_range_min=80,
                 port_range_max=80).status_int == 201
    response = _rule(alice, security_group_id=web['id'], protocol='tcp', port_range_min=80,
                     port_range_max=80)
    assert response.status_int == 409
    assert response.data['NeutronError']['type'] == 'SecurityGroupRuleExists'
    response = alice.delete('/security-group-rules/' + egress['id'])
    assert response.status_int == 409
    default = [g for g in alice.get('/security-groups').data['security_groups']
               if g['name'] == 'default'][0]
    response = alice.delete('/security-groups/' + default['id'])
    assert response.status_int == 409
    assert response.data['NeutronError']['type'] == 'SecurityGroupCannotRemoveDefault'
    response = alice.post('/security-groups', {'security_group': {'name': 'web'}})
    assert response.status_int == 409


def test_group_and_rule_quotas(alice, admin, reader, network):
    CONF.set_override('quota_security_groups', 2)  # 'default' and one more
    web = _group(alice, 'web')
    response = alice.post('/security-groups', {'security_group': {'name': 'more'}})
    assert response.status_int == 409
    assert response.data['NeutronError']['message'] == \
        "Quota exceeded for resources: ['security_group']."
    CONF.set_override('quota_security_group_rules', 1)
    assert _rule(alice, security_group_id=web['id'], protocol='tcp', port_range_min=1,
                 port_range_max=1).status_int == 201
    response = _rule(alice, security_group_id=web['id'], protocol='tcp', port_range_min=2,
                     port_range_max=2)
    assert response.status_int == 409
    details = alice.get('/quotas/proj-a/details').data['quota']
    assert details['security_group'] == {'limit': 2, 'used': 2, 'reserved': 0}
    assert details['security_group_rule'] == {'limit': 1, 'used': 1, 'reserved': 0}
    assert reader.post('/security-groups', {'security_group': {'name': 'x'}}).status_int == 403


def test_quotas(alice, bob, admin, reader, network):
    quota = alice.get('/quotas/proj-a').data['quota']
    assert quota == {'network': 10, 'subnet': 10, 'port': 50, 'floatingip': 10,
                     'security_group': 10, 'security_group_rule': 100}
    assert reader.get('/quotas/proj-a').status_int == 200
    assert bob.get('/quotas/proj-a').status_int == 403
    assert alice.put('/quotas/proj-a', {'quota': {'network': 1}}).status_int == 403
    response = admin.put('/quotas/proj-a', {'quota': {'network': 1, 'floatingip': 3}})
    assert response.status_int == 200
    assert (response.data['quota']['network'], response.data['quota']['floatingip']) == (1, 3)
    assert admin.put('/quotas/proj-a', {'quota': {'router': 1}}).status_int == 400
    assert admin.put('/quotas/proj-a', {'quota': {'network': -2}}).status_int == 400
    assert admin.put('/quotas/proj-a', {'quota': {'network': 'many'}}).status_int == 400
    assert [q['project_id'] for q in admin.get('/quotas').data['quotas']] == ['proj-a']
    assert alice.post('/networks', {'network': {'name': 'one'}}).status_int == 201
    assert alice.post('/networks', {'network': {'name': 'two'}}).status_int == 409
    assert alice.get('/quotas/proj-a/default').data['quota']['network'] == 10
    assert admin.delete('/quotas/proj-a').status_int == 204
    assert alice.get('/quotas/proj-a').data['quota']['network'] == 10
    assert admin.get('/quotas').data['quotas'] == []


def test_an_admin_deletes_a_projects_default_group_which_comes_back(admin, bob):
    """tempest's project cleanup: list the project's 'default', delete it as admin."""
    bob.get('/security-groups')  # the project's first use makes its 'default'
    [default] = admin.get('/security-groups?project_id=proj-b&name=default').data[
        'security_groups']
    assert bob.delete('/security-groups/' + default['id']).status_int == 409
    assert admin.delete('/security-groups/' + default['id']).status_int == 204
    [again] = [g for g in bob.get('/security-groups').data['security_groups']
               if g['name'] == 'default']
    assert again['id'] != default['id']
